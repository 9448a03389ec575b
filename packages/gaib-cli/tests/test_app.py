"""``build_app``: the ``gaib`` command tree with every installed plugin, as a program embedding
gaib's CLI builds it (in-process, possibly more than once)."""

from __future__ import annotations

from typing import Any

import typer
from gaib_cli.app import build_app


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
