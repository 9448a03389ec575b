"""``gaib plugins``: list the loaded plugins."""

from __future__ import annotations

import typer
from gaib_core.commands import CommandTree

from gaib_cli import context


def register(commands: CommandTree) -> None:
    """Add ``gaib plugins``."""
    app = commands.root

    @app.command("plugins")
    def plugins(
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    ) -> None:
        """List loaded plugins and where they come from."""
        rows = context.hooks().plugin_names()
        if as_json:
            context.print_json([{"name": n, "origin": o} for n, o in rows])
            return
        from rich.table import Table

        table = Table("plugin", "from")
        for name, origin in rows:
            table.add_row(name, origin)
        context.out.print(table)
