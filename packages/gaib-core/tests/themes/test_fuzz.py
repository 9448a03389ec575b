"""Whatever a theme's files contain, loading and rendering raise only GaibError."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from gaib_core.errors import GaibError
from gaib_core.themes import load_theme, render_theme
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

WORDS = [
    "roles", "categories", "channels", "server", "name", "when", "overwrites", "allow", "type",
    "variables", "default", "values", "min", "max", "required", "files", "version",
    "${community}", "${enable_voice}", "!${enable_voice}", "$${x}", "${", "${nope}", "${size}",
    "color", "string", "boolean", "integer", "enum", "voice", "#FFFFFF",
]  # fmt: skip
leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=12), st.sampled_from(WORDS)
)
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(WORDS), children, max_size=4),
    ),
    max_leaves=25,
)
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _render(files: dict[str, str], name: str, text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for file_name, content in {**files, name: text}.items():
            (directory / file_name).write_text(content, encoding="utf-8")
        try:
            render_theme(load_theme(directory), {})
        except GaibError as exc:
            assert "\n" not in str(exc)


@SETTINGS
@given(
    name=st.sampled_from(["theme.yaml", "roles.yaml", "channels.yaml", "server.yaml"]), tree=trees
)
def test_any_yaml_in_a_theme_file(tiny_files: dict[str, str], name: str, tree: Any) -> None:
    _render(tiny_files, name, yaml.safe_dump(tree, allow_unicode=True))


@SETTINGS
@given(
    name=st.sampled_from(["theme.yaml", "roles.yaml", "channels.yaml"]),
    text=st.text(max_size=200),
)
def test_any_text_in_a_theme_file(tiny_files: dict[str, str], name: str, text: str) -> None:
    _render(tiny_files, name, text)
