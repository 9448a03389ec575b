"""Every hook spec is documented in docs/hooks.md and has a docstring (datasette's rule)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from gaib_core import hookspecs

DOCS = Path(__file__).resolve().parents[3] / "docs" / "hooks.md"
SPECS = [
    name
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
    if name.startswith("gaib_")
]


def test_there_are_hook_specs() -> None:
    assert "gaib_register_themes" in SPECS
    assert "gaib_before_change" in SPECS


@pytest.mark.parametrize("name", SPECS)
def test_hook_is_documented(name: str) -> None:
    assert f"### `{name}(" in DOCS.read_text(), f"add a section for {name} to docs/hooks.md"


@pytest.mark.parametrize("name", SPECS)
def test_hook_has_docstring_with_params(name: str) -> None:
    doc = inspect.getdoc(getattr(hookspecs, name)) or ""
    params = inspect.signature(getattr(hookspecs, name)).parameters
    assert doc, f"{name} has no docstring"
    for param in params:
        assert f":param {param}:" in doc, f"{name}'s docstring does not describe {param}"


def test_every_documented_hook_exists() -> None:
    documented = re.findall(r"^### `(gaib_\w+)\(", DOCS.read_text(), re.M)
    assert documented, "docs/hooks.md documents no hook"
    assert sorted(set(documented) - set(SPECS)) == [], "docs/hooks.md names hooks that do not exist"
    assert len(documented) == len(set(documented)), "a hook is documented twice"


def test_every_hook_in_the_diagram() -> None:
    diagram = DOCS.read_text().split("```mermaid", 1)[1].split("```", 1)[0]
    missing = [name for name in SPECS if f"{name}(" not in diagram]
    assert missing == [], f"add {missing} to the mermaid diagram of docs/hooks.md"
