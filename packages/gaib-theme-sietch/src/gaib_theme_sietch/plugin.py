"""Registers the Sietch v3.0 theme, the ``gaib sietch`` commands and the built-in holder sources
with gaib (entry point ``gaib.sietch``).

- ``gaib_addhooks``: declares gaib-theme-sietch's own hook (:mod:`gaib_theme_sietch.hookspecs`)
  and keeps the plugin manager's facade (:mod:`gaib_theme_sietch.hooks`): ``gaib sietch sync``
  fires lifecycle hooks through it, and the commands read plugins' holder sources through it;
- ``gaib_sietch_register_holder_sources``: the built-in ``snapshot`` and ``evm`` sources;
- ``gaib_register_themes`` and ``gaib_register_commands``: the theme and ``gaib sietch``.
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

__all__ = [
    "gaib_addhooks",
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
