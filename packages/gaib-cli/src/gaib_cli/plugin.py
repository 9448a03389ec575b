"""gaib-cli's own commands, registered as a built-in plugin through ``gaib_register_commands``.

The same hook a third-party plugin implements (tox and llm register their built-in commands the
same way). Marked ``tryfirst`` so the built-in groups (``server``, ``server theme``,
``server state``, ``server workspace``, ``sandbox``, ...) exist before any other plugin's
implementation looks them up with ``commands.group(path)``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import typer
from gaib_core import hookimpl
from gaib_core.commands import CommandTree

# Modules under gaib_cli.commands; each exposes ``register(commands: CommandTree)``. Those that
# add to `gaib server` come first, after the `server` group itself exists.
SERVER_COMMAND_MODULES: tuple[str, ...] = (
    "init",
    "validate",
    "render",
    "theme",
    "workspace",
    "state",
    "plan",
    "apply",
    "importexport",
    "teardown",
    "convert",
    "permissions",
    "graph",
)
TOP_LEVEL_MODULES: tuple[str, ...] = ("sandbox", "plugins", "theme_kit")


@hookimpl(tryfirst=True)
def gaib_register_commands(commands: CommandTree) -> None:
    """The ``server`` group and every built-in command module."""
    server = typer.Typer(
        help="Plan, apply and manage a Discord server from discord-server.yaml.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    commands.add_group("server", server)
    for name in (*SERVER_COMMAND_MODULES, *TOP_LEVEL_MODULES):
        module = _optional_module(name)
        if module is not None:
            module.register(commands)


def _optional_module(name: str) -> ModuleType | None:
    # A command module may be absent from a trimmed install; anything else it raises is a bug.
    try:
        return importlib.import_module(f"gaib_cli.commands.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"gaib_cli.commands.{name}":
            return None
        raise
