"""``gaib server convert FILE``: a discord-server.yaml from another tool's backup or a template.

Reads a discord-backup JSON backup or a Discord server-template JSON (told apart by shape;
``gaib_core.convert``) and writes the config it describes. What the file holds that gaib does
not manage (emojis, bans, messages...) is listed as warnings on stderr and as comments at the
top of the written file: nothing is dropped silently. No project is needed: convert first, then
``gaib server init`` sets up the project around the written file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from gaib_core.commands import CommandTree
from gaib_core.layout import CONFIG_FILE

from gaib_cli import context
from gaib_cli.outputs import FORCE, refuse_existing, write_output

# Imported where the command runs, not at startup: `gaib --help` must start fast.
if TYPE_CHECKING:
    from gaib_core.convert import Conversion


def register(commands: CommandTree) -> None:
    """Add ``gaib server convert``."""
    commands.group("server").command("convert")(convert)


def convert(
    file: Path = typer.Argument(
        ...,
        help="A discord-backup backup (.json) or a Discord server template "
        "(GET /guilds/templates/{code} saved as .json).",
        metavar="FILE",
    ),
    output: Path = typer.Option(
        Path(CONFIG_FILE), "-o", "--output", help="The config to write ('-' for stdout)."
    ),
    force: bool = FORCE,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable report."),
) -> None:
    """Convert a discord-backup backup or a Discord server template into discord-server.yaml.

    Roles (highest first, with colors and permissions), categories, channels and their
    permission overwrites, @everyone's permissions and the server settings gaib manages are
    converted; whatever else the file holds is reported as a warning. Then `gaib server init`
    (with --guild ID for a real server) and `gaib server plan`.
    """
    from gaib_core.convert import convert_file

    to_stdout = str(output) == "-"
    if not to_stdout:
        refuse_existing(output, force=force)
    if not file.is_file():
        from gaib_core.errors import GaibError

        raise GaibError(
            f"{file}: no such file", hint="give the path of the backup or template JSON"
        )
    if to_stdout and as_json:
        raise typer.BadParameter("--json reports on a written file; give -o FILE")
    conversion = convert_file(file)
    icon = None
    if conversion.icon is not None and conversion.config.server.icon:
        if to_stdout:
            conversion.without_icon("not written with -o - (give -o FILE to get it beside it)")
        else:
            icon = output.parent / conversion.config.server.icon
            refuse_existing(icon, force=force)
    text = conversion.yaml(file.name)
    if to_stdout:
        for warning in conversion.warnings:
            context.err(f"Warning: {warning}")
        for note in conversion.notes:
            context.err(f"Note: {note}")
        context.out.file.write(text)
        return
    if icon is not None and conversion.icon is not None:
        # The image first: a config naming a missing icon would not load.
        from gaib_core.project import atomic_write_bytes

        atomic_write_bytes(icon, conversion.icon, overwrite=force)
    write_output(output, text, force=force)
    config = conversion.config
    report = {
        "source": str(file),
        "format": conversion.source_format,
        "output": str(output),
        "roles": len(config.roles),
        "categories": len(config.categories),
        "channels": len(config.all_channels()),
        "warnings": conversion.warnings,
        "notes": conversion.notes,
        "icon": str(icon) if icon is not None else None,
    }
    if as_json:
        context.print_json(report)
        return
    _say(conversion, file, output, icon)


def _say(conversion: Conversion, file: Path, output: Path, icon: Path | None) -> None:
    """Warnings and notes, what was written, and what to run next."""
    config = conversion.config
    for warning in conversion.warnings:
        context.err(f"Warning: {warning}")
    for note in conversion.notes:
        context.err(f"Note: {note}")
    context.info(
        f"Wrote {output} from {file} ({conversion.source_format}): "
        f"{context.count(len(config.roles), 'role')}, "
        f"{context.count(len(config.categories), 'category', 'categories')}, "
        f"{context.count(len(config.all_channels()), 'channel')}"
        + (f", the server icon as {icon}" if icon is not None else "")
        + (
            f"; {context.count(len(conversion.warnings), 'warning')} above."
            if conversion.warnings
            else "."
        )
    )
    here = output.parent if output.name == CONFIG_FILE else None
    if here is not None:
        where = "" if here == Path(".") else f" --dir {here}"
        context.info(
            f"Next: gaib server init{where} --guild ID (or without --guild: the offline sandbox), "
            "then gaib server plan"
        )
    else:
        context.info(
            f"Next: gaib server validate -c {output}; rename it to {CONFIG_FILE} for "
            "gaib server init"
        )
