"""``gaib server teardown --guild ID --confirm-teardown [--dry-run] [-o FILE]``.

The disaster-recovery drill of PRD section 6.7: export the guild's structure to a file first,
then delete every role and channel the bot can delete, managed or not. Rebuild with
``gaib server apply --config FILE --guild ID``. A guild with nothing left to remove is left
alone: no export of its own (unless ``-o``), no restore advice, no change lifecycle.
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import typer
from gaib_core.commands import CommandTree
from gaib_core.errors import GaibError

from gaib_cli import context
from gaib_cli.commands.plan import CONFIG, session
from gaib_cli.errors import CommandFailed
from gaib_cli.outputs import FORCE, refuse_existing, write_output


async def _teardown(
    config: Path | None,
    guild: str,
    dry_run: bool,
    output: Path | None,
    as_json: bool,
    force: bool = False,
) -> None:
    # The engine is imported where a command runs, not here: `gaib --help` must start fast.
    from gaib_core.engine.export import export_guild
    from gaib_core.engine.teardown import TeardownResult, teardown, teardown_targets
    from rich.text import Text

    opened = session(config, guild, need_config=False)
    held = ExitStack()  # the state lock, from the read the export is made of to the last delete
    try:
        if not dry_run:
            held.enter_context(opened.manager.locked("teardown"))
        live = await opened.provider.read_guild(opened.guild_id)
        targets = teardown_targets(live)
        # A guild with nothing left to remove (a second teardown) gets no export of its own:
        # its "Restore with" would point at an empty file and rebuild nothing.
        if output is None and not dry_run and targets:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            output = Path(f"teardown-export-{live.id}-{stamp}.yaml")
        if output is not None:
            exported = export_guild(live, opened.manager.read())  # managed objects keep keys
            write_output(output, exported.yaml(), force=force)
            context.info(f"exported the structure of guild {live.id} to {output}")
        result = TeardownResult()
        if not dry_run and targets:
            result = await teardown(opened.provider, live, opened.manager, opened.hooks)
    finally:
        held.close()
        await opened.aclose()
    if as_json:
        report = {
            "guild_id": live.id,
            "dry_run": dry_run,
            "export": str(output) if output else None,
            "targets": [t.__dict__ for t in targets],
            "removed": [t.__dict__ for t in result.removed],
            "failed": [{**t.__dict__, "error": e} for t, e in result.failed],
        }
        if result.failed:  # one JSON document: the error object, the report as its details
            message = f"{context.count(len(result.failed), 'object')} could not be removed"
            raise CommandFailed(message, details=report)
        context.print_json(report)
    else:
        verb = "would remove" if dry_run else "removing"
        for item in targets:
            context.out.print(
                Text(f'  - {item.kind} "{item.name}" (id {item.id})  {verb}', style="red")
            )
        for item, error in result.failed:
            context.err(f"could not remove {item.kind} '{item.name}': {error}")
        done = (
            f"{context.count(len(targets), 'object')} would be removed"
            if dry_run
            else f"removed {context.count(len(result.removed), 'object')}"
        )
        if not targets:
            done = "nothing to remove (nothing is left that the bot can delete)"
        context.out.print(Text(f"Teardown of guild {live.id}: {done}.", style="bold"))
        if output is not None and targets:
            context.out.print(
                Text(f"Restore with: gaib server apply --config {output} --guild {live.id}")
            )
    if result.failed:
        raise GaibError(
            f"{context.count(len(result.failed), 'object')} could not be removed (listed above)"
        )


def register(commands: CommandTree) -> None:
    """Add ``teardown`` to ``gaib server``."""
    server = commands.group("server")

    @server.command("teardown")
    def teardown_command(
        guild: str = typer.Option(..., "--guild", help="The guild to tear down (required)."),
        confirm: bool = typer.Option(
            False, "--confirm-teardown", help="Required: you mean to delete everything."
        ),
        dry_run: bool = typer.Option(
            False, "--dry-run", help="List what would go; delete nothing."
        ),
        output: Path | None = typer.Option(
            None,
            "-o",
            "--output",
            help="Export file (default teardown-export-<guild>-<time>.yaml).",
        ),
        config: Path | None = CONFIG,
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
        force: bool = FORCE,
    ) -> None:
        """Export the guild's structure, then delete every role and channel the bot can.

        ``--dry-run`` lists what would go and needs no ``--confirm-teardown``.
        """
        if not confirm and not dry_run:
            raise GaibError(
                "teardown deletes every role and channel the bot can delete",
                hint="add --confirm-teardown to proceed (try --dry-run first)",
            )
        if output is not None:
            refuse_existing(output, force=force)
        context.run_async(_teardown(config, guild, dry_run, output, as_json, force))
