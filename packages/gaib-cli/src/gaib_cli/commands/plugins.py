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
        """List loaded plugins with the distribution and version each comes from (built-ins
        too); say which of gaib's optional packages are absent."""
        rows = [_describe(name, origin) for name, origin in context.hooks().plugin_names()]
        if as_json:
            context.print_json(rows)
            return
        from rich.table import Table

        from gaib_cli.companions import absent_companions

        table = Table("plugin", "from")
        for row in rows:
            table.add_row(row["name"], row["origin"])
        context.out.print(table)
        for note in absent_companions(str(row["origin"]) for row in rows):
            context.out.print(note, markup=False)


def _describe(name: str, origin: str) -> dict[str, str | None]:
    """A plugin as ``gaib plugins`` shows it: a built-in is named with the distribution that
    ships it (gaib-core's providers and backends, gaib-cli's commands) and its version."""
    if origin != "built-in":
        distribution, _, release = origin.partition(" ")
        return {"name": name, "origin": origin, "distribution": distribution, "version": release}
    from importlib.metadata import PackageNotFoundError, packages_distributions, version

    top = name.split(".", 1)[0]
    # gaib's own distributions are named for their import package (gaib_core: gaib-core);
    # packages_distributions() does not see editable installs.
    candidates = [top.replace("_", "-"), *packages_distributions().get(top, [])]
    for dist in candidates:
        try:
            found = version(dist)
        except PackageNotFoundError:
            continue
        break
    else:
        return {"name": name, "origin": origin, "distribution": None, "version": None}
    return {
        "name": name,
        "origin": f"{dist} {found} (built-in)",
        "distribution": dist,
        "version": found,
    }
