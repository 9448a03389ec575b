"""The ``gaib`` command: assembles the command groups and runs them.

Each command group lives in its own module under ``gaib_cli.commands`` and exposes
``register(commands: CommandTree)``; ``gaib_cli.plugin`` registers them through the
``gaib_register_commands`` hook, the same hook third-party plugins use to add top-level groups
or extend existing ones. Errors become exit codes only in ``gaib_cli.errors.run``.

Help is click's plain formatter (``rich_markup_mode=None``): typer's rich help imports rich's
markdown, syntax and traceback machinery, which alone costs about as much as typer itself, and
`gaib --help` must start within twice the time of importing typer and rich.
"""

from __future__ import annotations

import typer
from gaib_core.commands import CommandTree

from gaib_cli import context
from gaib_cli.errors import run


def build_app() -> typer.Typer:
    """The full ``gaib`` typer app, plugins included."""
    app = typer.Typer(
        name="gaib",
        help="Terraform for Discord servers: declare roles, channels and permissions in YAML, "
        "plan, apply.",
        no_args_is_help=True,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(context.global_options)
    context.hooks().register_commands(CommandTree(root=app))
    return app


def main() -> None:
    """Console-script entry point."""
    run(build_app)
