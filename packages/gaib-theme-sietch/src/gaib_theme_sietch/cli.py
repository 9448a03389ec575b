"""``gaib sietch``: the Sietch theme's command group.

The group is created here once; each feature adds its commands from its own module, listed in
``COMMAND_MODULES`` (each exposes ``register(app: typer.Typer)``). Wallet verification's are in
``gaib_theme_sietch.verify.cli``, the tier engine's in
``gaib_theme_sietch.tiers.cli``, the app configuration's (``gaib sietch config``) in
``gaib_theme_sietch.appconfig.cli``.
"""

from __future__ import annotations

import importlib

import typer
from gaib_core.commands import CommandTree

COMMAND_MODULES: tuple[str, ...] = (
    "gaib_theme_sietch.verify.cli",
    "gaib_theme_sietch.tiers.cli",
    "gaib_theme_sietch.tiers.sync_cli",
    "gaib_theme_sietch.appconfig.cli",
)


def register(commands: CommandTree) -> None:
    """Add the ``sietch`` group with every feature's commands, and the top-level ``restore``
    group (checkpoints of the app configuration)."""
    app = typer.Typer(
        help="The Sietch community: wallet verification, member profiles, BGT tiers and the "
        "app configuration.",
        no_args_is_help=True,
    )
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)
    commands.add_group("sietch", app)
    from gaib_theme_sietch.appconfig import restore_cli

    restore_cli.register(commands)
