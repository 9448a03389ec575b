"""The loader never raises anything but GaibError, whatever bytes or YAML it is given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from gaib_core.config.loader import config_from_document, load_config, parse_yaml
from gaib_core.errors import GaibError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FIELDS = [
    "version", "server", "theme", "roles", "categories", "channels", "name", "key", "color",
    "hoist", "permissions", "overwrites", "allow", "deny", "type", "topic", "bitrate",
    "user_limit", "slowmode", "nsfw", "lifecycle", "guild_id", "everyone_permissions",
    "VIEW_CHANNEL", "@everyone", "@bot", "text", "voice", "#FFD700",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(FIELDS),
)
trees = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)), children, max_size=5
        ),
    ),
    max_leaves=30,
)
# YAML fragments that exercise the parser's corners: anchors, tags, flow, directives, tabs.
fragments = st.sampled_from(
    [
        "&a ", "*a", "!!str ", "!!int ", "!!python/name:os.system ", "!foo ", "<<: ", "? ", ": ",
        "- ", "[", "]", "{", "}", ",", "\t", "\n", "  ", "'", '"', "|", ">", "%YAML 1.1\n",
        "---\n", "...\n", "#", "\x00", "\ufeff", "\x85", "9" * 5000, "0x", "1:30", "~", "@",
        "roles:", "name:", "categories:", "channels:", "overwrites:", "allow:",
    ]
)  # fmt: skip


def _load_text(text: str) -> None:
    try:
        config_from_document(parse_yaml(text, "fuzz.yaml"))
    except GaibError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes(tmp_path_factory: Any, data: bytes) -> None:
    path: Path = tmp_path_factory.mktemp("fuzz") / "discord-server.yaml"
    path.write_bytes(data)
    try:
        load_config(path)
    except GaibError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text(text: str) -> None:
    _load_text(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(fragments, st.text(max_size=6)), max_size=40))
def test_yaml_shaped_junk(parts: list[str]) -> None:
    _load_text("".join(parts))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees)
def test_arbitrary_yaml_documents(tree: Any) -> None:
    try:
        text = yaml.safe_dump(tree, allow_unicode=True)
    except (yaml.YAMLError, ValueError):
        return
    _load_text(text)


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "version": scalars,
            "server": st.dictionaries(st.sampled_from(FIELDS), scalars, max_size=4),
            "roles": st.lists(
                st.dictionaries(st.sampled_from(FIELDS), trees, max_size=4), max_size=3
            ),
            "categories": st.lists(
                st.dictionaries(st.sampled_from(FIELDS), trees, max_size=4), max_size=3
            ),
            "channels": st.lists(
                st.dictionaries(st.sampled_from(FIELDS), trees, max_size=4), max_size=3
            ),
        },
    )
)
def test_config_shaped_documents(doc: dict[str, Any]) -> None:
    try:
        text = yaml.safe_dump(doc, allow_unicode=True)
    except (yaml.YAMLError, ValueError):
        return
    _load_text(text)
