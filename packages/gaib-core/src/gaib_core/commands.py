"""The command tree handed to ``gaib_register_commands``.

gaib-core does not depend on typer, so the groups are typed ``Any``; in the gaib CLI every group
is a ``typer.Typer``. Groups are named by their path from the root: ``"server"``,
``"server theme"``, ``"sandbox"``. The root itself is ``commands.root`` (path ``""``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from gaib_core.errors import GaibError


@dataclass
class CommandTree:
    """The root app and every named command group (see the module docstring)."""

    root: Any
    groups: dict[str, Any] = field(default_factory=dict)

    def group(self, path: str) -> Any:
        """The existing group at ``path`` (``"server theme"``); ``GaibError`` naming the known."""
        key = _normalise(path)
        if key == "":
            return self.root
        try:
            return self.groups[key]
        except KeyError:
            known = ", ".join(repr(p) for p in sorted(self.groups)) or "none"
            raise GaibError(
                f"no command group '{key}' (known groups: {known})",
                hint="add it with commands.add_group(path, app) first",
            ) from None

    def add_group(self, path: str, app: Any, **options: Any) -> Any:
        """Attach ``app`` as the group ``path`` under its parent group and record it.

        ``add_group("server backup", backup_app, help=...)`` is
        ``group("server").add_typer(backup_app, name="backup", help=...)``, after which other
        plugins find it with ``group("server backup")``. ``GaibError`` if the path is taken.

        The tree attaches (and returns) its own shallow copy of ``app``: what plugins add to the
        group goes into this tree only, so building a second tree in the same process (gaib's
        ``build_app`` twice) does not register a module-level app's extra commands twice.
        """
        key = _normalise(path)
        if not key:
            raise GaibError("a command group needs a name", hint="e.g. add_group('sietch', app)")
        if key in self.groups:
            raise GaibError(
                f"command group '{key}' already exists",
                hint=f"extend it with commands.group({key!r}) instead",
            )
        parent, _, name = key.rpartition(" ")
        app = _own_copy(app)
        self.group(parent).add_typer(app, name=name, **options)
        self.groups[key] = app
        return app

    def paths(self) -> list[str]:
        """Every recorded group path, sorted."""
        return sorted(self.groups)


def _own_copy(app: Any) -> Any:
    """A shallow copy of ``app`` with its own lists and dicts (a typer app's registered commands
    and groups), so that additions to the copy leave ``app`` as it was."""
    clone = copy.copy(app)
    for name, value in vars(clone).items():
        if isinstance(value, list | dict):
            setattr(clone, name, copy.copy(value))
    return clone


def _normalise(path: str) -> str:
    return " ".join(path.split())
