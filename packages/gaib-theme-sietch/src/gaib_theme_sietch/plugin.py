"""Registers the Sietch v3.0 theme and the ``gaib sietch`` commands with gaib (entry point
``gaib.sietch``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from gaib_core import hookimpl
from gaib_core.commands import CommandTree
from gaib_core.registry import ThemeRegistrar

if TYPE_CHECKING:
    import pluggy

THEME_DIR = Path(str(resources.files("gaib_theme_sietch").joinpath("theme")))


@hookimpl
def gaib_addhooks(pluginmanager: pluggy.PluginManager) -> None:
    """Keep the plugin manager's facade: ``gaib sietch sync`` fires lifecycle hooks through it."""
    from gaib_core.plugins import Hooks

    from gaib_theme_sietch import hooks

    hooks.HOOKS[:] = [Hooks(pluginmanager)]


@hookimpl
def gaib_register_themes(register: ThemeRegistrar) -> None:
    """The ``sietch`` theme directory shipped inside this package."""
    register("sietch", THEME_DIR)


@hookimpl
def gaib_register_commands(commands: CommandTree) -> None:
    """The ``gaib sietch`` group (imported only when the CLI is built)."""
    from gaib_theme_sietch import cli

    cli.register(commands)
