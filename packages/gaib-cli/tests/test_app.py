"""``build_app``: the ``gaib`` command tree with every installed plugin, as a program embedding
gaib's CLI builds it (in-process, possibly more than once)."""

from __future__ import annotations

import contextlib
import io
from typing import Any

import typer
import typer.main
from gaib_cli.app import build_app
from gaib_cli.lazy import click_command


def _registered(app: typer.Typer, path: str = "gaib") -> dict[str, list[str]]:
    """Group path -> the names of the commands and groups registered on it, in order."""
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    found = {path: names + [g.name or "" for g in app.registered_groups]}
    for group in app.registered_groups:
        found.update(_registered(_typer(group), f"{path} {group.name}"))
    return found


def _typer(group: Any) -> typer.Typer:
    assert isinstance(group.typer_instance, typer.Typer)
    return group.typer_instance


def test_building_the_app_twice_registers_every_command_once() -> None:
    first, second = _registered(build_app()), _registered(build_app())
    assert second == first
    assert {path: names for path, names in second.items() if len(set(names)) != len(names)} == {}
    # plugins' additions to gaib-cli's groups are there (once)
    assert second["gaib server theme"].count("registry") == 1
    assert second["gaib server backup"].count("run-scheduled") == 1


def _paths(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, sub in getattr(command, "commands", {}).items():
        found += _paths(sub, (*path, name))
    return found


def _help(command: Any, path: tuple[str, ...]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        command.main(args=[*path, "--help"], standalone_mode=False, prog_name="gaib")
    return out.getvalue()


def test_groups_converted_on_first_use_give_the_tree_typer_gives() -> None:
    # What `gaib` runs (gaib_cli.lazy) against typer's own conversion of the whole tree.
    app = build_app()
    eager = typer.main.get_command(app)
    paths = _paths(eager)
    assert len(paths) > 50 and ("server", "backup", "create") in paths
    lazy = click_command(app)
    assert _paths(lazy) == paths
    for path in paths:
        assert _help(click_command(app), path) == _help(eager, path), path
