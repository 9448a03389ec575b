"""``gaib plugins``: list the loaded plugins, and gaib's own optional packages that are absent."""

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
        """List loaded plugins and where they come from; say which of gaib's are absent."""
        rows = context.hooks().plugin_names()
        if as_json:
            context.print_json([{"name": n, "origin": o} for n, o in rows])
            return
        from rich.table import Table

        from gaib_cli.companions import absent_companions

        table = Table("plugin", "from")
        for name, origin in rows:
            table.add_row(name, origin)
        context.out.print(table)
        for note in absent_companions(origin for _, origin in rows):
            context.out.print(note, markup=False)
