"""``gaib restore list|preview|exec``: the Sietch app configuration back from a checkpoint.

A top-level group (PRD 6.7's commands), added through ``gaib_register_commands``. ``preview``
and ``exec`` read the live guild through the project's provider to remap role ids by name,
then compute the same :class:`~gaib_theme_sietch.appconfig.restore.RestorePlan`; ``exec``
writes it (``--dry-run``: prints it and writes nothing), keeping the configuration it replaces
as a new checkpoint.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from gaib_core.commands import CommandTree

if TYPE_CHECKING:
    from gaib_theme_sietch.appconfig.restore import RestorePlan

app = typer.Typer(
    help="Restore the Sietch app configuration (thresholds, gates, role mappings) from a "
    "checkpoint; `gaib server teardown` makes one.",
    no_args_is_help=True,
)
CHECKPOINT = typer.Option(..., "--checkpoint", help="The checkpoint's id (`gaib restore list`).")
GUILD = typer.Option(None, "--guild", help="Restore into this guild (default: the checkpoint's).")
CONFIG = typer.Option(
    None, "--config", "-c", help="The discord-server.yaml (default: the project's)."
)
AS_JSON = typer.Option(False, "--json", help="Machine-readable output.")
DROP_MISSING = typer.Option(
    False,
    "--drop-missing",
    help="Restore without the mappings of roles the guild does not have (else an error).",
)


@app.command("list")
def list_(
    guild: str | None = typer.Option(None, "--guild", help="Only this guild's checkpoints."),
    config: Path | None = CONFIG,
    as_json: bool = AS_JSON,
) -> None:
    """The checkpoints in the store, newest first."""
    from gaib_theme_sietch.appconfig import target

    project = target.project(config)
    with target.open_store(project) as store:
        checkpoints = store.checkpoints(guild)
        label = store.label
    if as_json:
        typer.echo(json.dumps([c.summary() for c in checkpoints], indent=2))
        return
    if not checkpoints:
        where = f" of guild {guild}" if guild else ""
        typer.echo(f"No checkpoints{where} in {label}.")
        return
    for c in checkpoints:
        when = c.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        typer.echo(
            f"{c.id}  guild {c.guild_id}  {when}  {c.reason}  ({len(c.config.roles)} role mappings)"
        )


def _plan(
    checkpoint_id: str, guild: str | None, config: Path | None, drop_missing: bool
) -> RestorePlan:
    from gaib_theme_sietch.appconfig import target
    from gaib_theme_sietch.appconfig.restore import plan_restore

    project = target.project(config)
    with target.open_store(project) as store:
        checkpoint = store.checkpoint(checkpoint_id)
        guild_id = target.guild_of(project, guild or checkpoint.guild_id)
        live = target.read_guild(project, guild_id, config)
        current = store.effective(guild_id)
        return plan_restore(
            checkpoint, guild_id, live.guild.roles, current, drop_missing=drop_missing
        )


def _print(plan: RestorePlan, *, done: bool) -> None:
    c = plan.checkpoint
    when = c.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    typer.echo(
        f"Checkpoint {c.id} (guild {c.guild_id}, {when}, {c.reason}) into guild {plan.guild_id}:"
    )
    moved = sum(1 for r in plan.remapped if r.checkpoint_id != r.guild_id)
    if moved:
        typer.echo(f"  ({moved} role ids remapped by name to the guild's roles now)")
    for change in plan.changes:
        typer.echo(f"  {change.line()}")
    count = len(plan.changes)
    noun = f"{count} setting{'s' if count != 1 else ''}"
    if not plan.has_changes:
        typer.echo("No changes: the app configuration already matches the checkpoint.")
    elif done:
        typer.echo(f"Restored: {noun} changed.")
    else:
        typer.echo(f"Restore: {noun} to change.")


@app.command("preview")
def preview(
    checkpoint: str = CHECKPOINT,
    guild: str | None = GUILD,
    config: Path | None = CONFIG,
    drop_missing: bool = DROP_MISSING,
    as_json: bool = AS_JSON,
) -> None:
    """Show exactly what `gaib restore exec` would change, role ids remapped by name."""
    plan = _plan(checkpoint, guild, config, drop_missing)
    if as_json:
        typer.echo(json.dumps(plan.as_json(), indent=2))
        return
    _print(plan, done=False)
    if plan.has_changes:
        extra = " --drop-missing" if drop_missing else ""
        typer.echo(f"Apply with: gaib restore exec --checkpoint {plan.checkpoint.id}{extra}")


@app.command("exec")
def exec_(
    checkpoint: str = CHECKPOINT,
    guild: str | None = GUILD,
    config: Path | None = CONFIG,
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the changes; write nothing."),
    drop_missing: bool = DROP_MISSING,
    as_json: bool = AS_JSON,
) -> None:
    """Restore the checkpoint; the replaced configuration is kept as a new checkpoint."""
    from gaib_theme_sietch.appconfig import target
    from gaib_theme_sietch.appconfig.restore import execute

    plan = _plan(checkpoint, guild, config, drop_missing)
    backup = None
    if not dry_run:
        with target.open_store(target.project(config)) as store:
            backup = execute(store, plan)
    if as_json:
        data = plan.as_json()
        data["dry_run"] = dry_run
        data["backup_checkpoint"] = backup.id if backup else None
        typer.echo(json.dumps(data, indent=2))
        return
    _print(plan, done=not dry_run)
    if backup is not None:
        typer.echo(
            f"The replaced configuration is checkpoint {backup.id}; undo with: "
            f"gaib restore exec --checkpoint {backup.id}"
        )


def register(commands: CommandTree) -> None:
    """Add the top-level ``restore`` group."""
    commands.add_group("restore", app)
