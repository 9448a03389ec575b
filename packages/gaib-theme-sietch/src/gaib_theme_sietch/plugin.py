"""Registers the Sietch v3.0 theme, the ``gaib sietch`` and ``gaib restore`` commands, the
built-in holder sources and the checkpoint before a teardown with gaib (entry point
``gaib.sietch``).

- ``gaib_addhooks``: declares gaib-theme-sietch's own hook (:mod:`gaib_theme_sietch.hookspecs`)
  and keeps the plugin manager's facade (:mod:`gaib_theme_sietch.hooks`): ``gaib sietch sync``
  fires lifecycle hooks through it, and the commands read plugins' holder sources and guilds
  through it;
- ``gaib_sietch_register_holder_sources``: the built-in ``snapshot`` and ``evm`` sources;
- ``gaib_register_themes`` and ``gaib_register_commands``: the theme, ``gaib sietch`` and
  ``gaib restore``;
- ``gaib_before_change``: a checkpoint of the app configuration before a teardown.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from gaib_core import hookimpl
from gaib_core.commands import CommandTree
from gaib_core.registry import ThemeRegistrar

from gaib_theme_sietch import hookspecs
from gaib_theme_sietch.tiers.builtin_sources import gaib_sietch_register_holder_sources

if TYPE_CHECKING:
    import pluggy
    from gaib_core.lifecycle import ChangeEvent

__all__ = [
    "gaib_addhooks",
    "gaib_before_change",
    "gaib_register_commands",
    "gaib_register_themes",
    "gaib_sietch_register_holder_sources",
]

THEME_DIR = Path(str(resources.files("gaib_theme_sietch").joinpath("theme")))


@hookimpl
def gaib_addhooks(pluginmanager: pluggy.PluginManager) -> None:
    """Declare ``gaib_sietch_register_holder_sources``; keep the plugin manager's facade."""
    from gaib_core.plugins import Hooks

    from gaib_theme_sietch import hooks

    pluginmanager.add_hookspecs(hookspecs)
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


@hookimpl
def gaib_before_change(event: ChangeEvent) -> None:
    """Before a teardown: a checkpoint of the guild's app configuration."""
    from gaib_theme_sietch.appconfig import lifecycle

    lifecycle.before_change(event)
