"""The ``gaib`` command: assembles the command groups and runs them.

Each command group lives in its own module under ``gaib_cli.commands`` and exposes
``register(server: typer.Typer)`` (or a ``app`` sub-typer for top-level groups). Plugins add
their groups through the ``gaib_register_commands`` hook. Errors become exit codes only in
``gaib_cli.errors.run``.
"""

from __future__ import annotations

import importlib

import typer

from gaib_cli import context
from gaib_cli.errors import run

# Modules under gaib_cli.commands that add commands to `gaib server`.
SERVER_COMMAND_MODULES: tuple[str, ...] = (
    "init",
    "validate",
    "theme",
    "workspace",
    "state",
    "plan",
    "apply",
    "importexport",
    "teardown",
)
# Modules under gaib_cli.commands with a top-level group `gaib <name>`.
TOP_LEVEL_MODULES: tuple[str, ...] = ("sandbox", "plugins")


def build_app() -> typer.Typer:
    """The full ``gaib`` typer app, plugins included."""
    app = typer.Typer(
        name="gaib",
        help="Terraform for Discord servers: declare roles, channels and permissions in YAML, "
        "plan, apply.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(context.global_options)
    server = typer.Typer(
        help="Plan, apply and manage a Discord server from discord-server.yaml.",
        no_args_is_help=True,
    )
    for name in SERVER_COMMAND_MODULES:
        module = _optional_module(name)
        if module is not None:
            module.register(server)
    app.add_typer(server, name="server")
    for name in TOP_LEVEL_MODULES:
        module = _optional_module(name)
        if module is not None:
            module.register(app)
    context.hooks().register_commands(server)
    return app


def _optional_module(name: str):  # type: ignore[no-untyped-def]
    try:
        return importlib.import_module(f"gaib_cli.commands.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"gaib_cli.commands.{name}":
            return None
        raise


def main() -> None:
    """Console-script entry point."""
    run(build_app)
