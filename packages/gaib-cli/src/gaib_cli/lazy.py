"""The ``gaib`` click command, each command group converted from typer when it is first used.

``typer.main.get_command`` converts the whole tree up front: every command of every group,
plugins' included, has its signature inspected and its options built, which is about a third of
``gaib --help`` when every plugin is installed, for help that shows only the top-level groups.
:func:`click_command` builds the same click tree, but each group below the root gets its
commands only when something asks for them (running, help, completion, suggestions), so
``gaib --help`` converts the root alone and ``gaib server plan`` the root and ``server``.

What comes out is what ``typer.main.get_command`` makes: groups are typer's ``TyperGroup``
(subclassed only to fill ``commands`` on first access), commands and nested groups are converted
by typer's own functions with the root's settings (markup mode, pretty exceptions, suggestions).
"""

from __future__ import annotations

import copy
from collections.abc import MutableMapping
from typing import Any, ClassVar

import typer
import typer.main
from typer.core import TyperGroup
from typer.models import DefaultPlaceholder, TyperInfo


def click_command(app: typer.Typer) -> Any:
    """``typer.main.get_command(app)`` with every group below the root converted lazily."""
    return typer.main.get_command(_with_lazy_groups(app, app))


class LazyTyperGroup(TyperGroup):
    """A ``TyperGroup`` whose commands are converted from ``source`` on first access."""

    source: ClassVar[typer.Typer]
    root: ClassVar[typer.Typer]
    _commands: MutableMapping[str, Any]
    _converted: bool

    @property
    def commands(self) -> MutableMapping[str, Any]:
        """The group's commands (converted now if this is the first access)."""
        if not self._converted:
            self._converted = True
            self._convert()
        return self._commands

    @commands.setter
    def commands(self, value: MutableMapping[str, Any]) -> None:
        # TyperGroup.__init__ sets the (empty) commands of the stand-in group.
        self._commands = value
        self._converted = False

    def _convert(self) -> None:
        # The loop of typer.main.get_group_from_info, with nested groups lazy in turn.
        source = _with_lazy_groups(self.source, self.root)
        for command_info in source.registered_commands:
            command = typer.main.get_command_from_info(
                command_info,
                pretty_exceptions_short=self.root.pretty_exceptions_short,
                rich_markup_mode=self.root.rich_markup_mode,
            )
            if command.name:
                self._commands[command.name] = command
        for group_info in source.registered_groups:
            group = typer.main.get_group_from_info(
                group_info,
                pretty_exceptions_short=self.root.pretty_exceptions_short,
                rich_markup_mode=self.root.rich_markup_mode,
                suggest_commands=self.root.suggest_commands,
            )
            if group.name:
                self._commands[group.name] = group
            else:  # typer merges a nameless group's commands into its parent
                self._commands.update(group.commands)


def _with_lazy_groups(app: typer.Typer, root: typer.Typer) -> typer.Typer:
    """A copy of ``app`` whose groups are stand-ins that convert their commands when used."""
    clone = copy.copy(app)
    clone.registered_groups = [_lazy(info, root) for info in app.registered_groups]
    return clone


def _lazy(info: TyperInfo, root: typer.Typer) -> TyperInfo:
    source = info.typer_instance
    if source is None or _has_class(info) or _has_class(source.info):
        return info  # a group with its own click class is converted as typer does it
    stand_in = copy.copy(source)
    stand_in.registered_commands = []
    stand_in.registered_groups = []
    lazy = copy.copy(info)
    lazy.typer_instance = stand_in
    lazy.cls = type("LazyTyperGroup", (LazyTyperGroup,), {"source": source, "root": root})
    return lazy


def _has_class(info: TyperInfo) -> bool:
    return not isinstance(info.cls, DefaultPlaceholder) and info.cls is not None
