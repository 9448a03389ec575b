"""``gaib server import ADDRESS ID`` and ``gaib server export [-o FILE]``.

``import`` adopts an existing Discord object under a config address. ``export`` writes a
``discord-server.yaml`` describing the live guild; with ``--adopt`` it also records every
exported object in the current workspace's state, so applying the export to the same guild
changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from gaib_core.commands import CommandTree

from gaib_cli import context
from gaib_cli.commands.plan import CONFIG, GUILD, LOCK_TIMEOUT, session
from gaib_cli.outputs import FORCE, refuse_existing, write_output

# The engine is imported where a command runs, not here: `gaib --help` must start fast.
if TYPE_CHECKING:
    from gaib_core.engine.export import Export


async def _import(
    config: Path | None, guild: str | None, address: str, object_id: str, lock_timeout: str
) -> None:
    from gaib_core.engine.importer import import_address
    from gaib_core.state.lock import parse_timeout
    from rich.text import Text

    opened = session(config, guild)
    try:
        entry = await import_address(
            opened.require_config(),
            opened.provider,
            opened.guild_id,
            opened.manager,
            address,
            object_id,
            opened.hooks,
            lock_timeout=parse_timeout(lock_timeout),
        )
    finally:
        await opened.aclose()
    context.out.print(
        Text(f"{address}: imported {entry.type} '{entry.name}' (id {entry.id})", style="green")
    )
    if not context.quiet():
        context.out.print(
            Text("Import successful! Run `gaib server plan` to see how it differs from the config.")
        )


async def _export(
    config: Path | None, guild: str | None, adopt_it: bool, lock_timeout: str
) -> Export:
    from gaib_core.engine.export import adopt, export_guild
    from gaib_core.state.lock import parse_timeout

    opened = session(config, guild, need_config=False)
    try:
        if not adopt_it:
            live = await opened.provider.read_guild(opened.guild_id)
            return export_guild(live, opened.manager.read())
        with opened.manager.locked("export", timeout=parse_timeout(lock_timeout)):
            state = opened.manager.read()
            exported = export_guild(await opened.provider.read_guild(opened.guild_id), state)
            added = adopt(exported, state)
            opened.manager.write(state)
            context.err(
                f"adopted {len(added)} resources into workspace '{opened.manager.workspace}'"
            )
            return exported
    finally:
        await opened.aclose()


def register(commands: CommandTree) -> None:
    """Add ``import`` and ``export`` to ``gaib server``."""
    server = commands.group("server")

    @server.command("import")
    def import_command(
        address: str = typer.Argument(..., help="Config address, e.g. role.naib."),
        discord_id: str = typer.Argument(..., help="The Discord id of the existing object."),
        config: Path | None = CONFIG,
        guild: str | None = GUILD,
        lock_timeout: str = LOCK_TIMEOUT,
    ) -> None:
        """Adopt an existing role, category or channel under a config address."""
        context.run_async(_import(config, guild, address, discord_id, lock_timeout))

    @server.command("export")
    def export_command(
        output: Path | None = typer.Option(
            None, "-o", "--output", help="File to write (default: stdout)."
        ),
        guild: str | None = GUILD,
        config: Path | None = CONFIG,
        adopt_it: bool = typer.Option(
            False, "--adopt", help="Also record every exported object in state (apply = no-op)."
        ),
        lock_timeout: str = LOCK_TIMEOUT,
        force: bool = FORCE,
    ) -> None:
        """Write a discord-server.yaml describing the live guild."""
        from rich.text import Text

        if output is not None:
            refuse_existing(output, force=force)
        exported = context.run_async(_export(config, guild, adopt_it, lock_timeout))
        for warning in exported.warnings:
            context.err(f"Warning: {warning}")
        text = exported.yaml()
        if output is None:
            typer.echo(text, nl=False)
            return
        write_output(output, text, force=force)
        cfg = exported.config
        channels = len(cfg.all_channels())
        context.out.print(
            Text(
                f"Exported {len(cfg.roles)} roles, {len(cfg.categories)} categories and "
                f"{channels} channels of guild {cfg.server.guild_id} to {output}",
                style="green",
            )
        )
