"""CommandTree: the root, groups by path, new groups attached under their parent."""

from __future__ import annotations

from typing import Any

import pytest
from gaib_core.commands import CommandTree
from gaib_core.errors import GaibError


class FakeApp:
    """Records add_typer calls the way typer.Typer receives them."""

    def __init__(self) -> None:
        self.children: dict[str, tuple[Any, dict[str, Any]]] = {}

    def add_typer(self, app: Any, *, name: str, **options: Any) -> None:
        self.children[name] = (app, options)


def test_add_group_attaches_under_the_parent_and_is_found_by_path() -> None:
    root, server, backup = FakeApp(), FakeApp(), FakeApp()
    tree = CommandTree(root=root)
    attached = tree.add_group("server", server)
    tree.add_group("server  backup", backup, help="Backups")
    assert root.children["server"][0] is attached is tree.group("server")
    assert attached.children["backup"] == (tree.group("server backup"), {"help": "Backups"})
    assert tree.group("") is root
    assert tree.paths() == ["server", "server backup"]


def test_a_second_tree_does_not_see_what_was_added_to_the_first() -> None:
    # A plugin registers the same module-level app in every tree (gaib's build_app twice).
    shared = FakeApp()
    for _ in range(2):
        tree = CommandTree(root=FakeApp())
        tree.add_group("sandbox", shared)
        tree.add_group("sandbox faults", FakeApp())
        assert list(tree.group("sandbox").children) == ["faults"]
    assert shared.children == {}


def test_unknown_and_taken_paths_are_one_line_errors() -> None:
    tree = CommandTree(root=FakeApp())
    tree.add_group("server", FakeApp())
    with pytest.raises(GaibError, match=r"no command group 'server nope' .*'server'"):
        tree.group("server nope")
    with pytest.raises(GaibError, match="already exists"):
        tree.add_group("server", FakeApp())
    with pytest.raises(GaibError, match="no command group 'x'"):
        tree.add_group("x y", FakeApp())
