"""``gaib server backup create|list|restore|delete|verify|prune``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import typer
from gaib_core.errors import GaibError

from gaib_backup.cli.common import (
    AS_JSON,
    AUTO_APPROVE,
    DRY_RUN,
    FORCE_LINEAGE,
    GUILD,
    MESSAGE,
    STORE,
    Opened,
    confirm,
    dry_run_ends,
    err,
    on_record,
    print_json,
    printable,
    project,
    say,
    size,
)
from gaib_backup.errors import BackupError

# The backup machinery (pydantic models, the store, the engine) is imported where a command
# runs: gaib imports this module to build `gaib --help`.
if TYPE_CHECKING:
    from gaib_backup.context import BackupContext
    from gaib_backup.models import BackupMetadata

HELP = "State backups: create, list, restore, delete, verify, prune."
app = typer.Typer(help=HELP, no_args_is_help=True)
LIMIT = typer.Option(20, "--limit", min=1, help="Show at most this many (newest first).")
LOCK_TIMEOUT = typer.Option("0s", "--lock-timeout", help="Wait this long for the state lock.")
BACKUP_ID = typer.Argument(..., help="The backup's id (or its first 6+ characters).")


def _row(meta: BackupMetadata) -> dict[str, object]:
    return meta.model_dump(by_alias=True, exclude_none=True)


@app.command("create")
def create(
    message: str | None = MESSAGE,
    guild: str | None = GUILD,
    store: str | None = STORE,
    as_json: bool = AS_JSON,
) -> None:
    """Back the workspace's state up (free service tier: 1 on-demand backup a day)."""
    with project(guild, store) as opened:
        _create(opened, message, as_json)


def _create(opened: Opened, message: str | None, as_json: bool) -> None:
    from gaib_backup.backups import create_backup

    state = opened.state_to_keep("back up")
    made = create_backup(opened.ctx, state, server_id=opened.server_id, message=message)
    meta = made.backup
    if as_json:
        print_json({**_row(meta), "reused": made.reused})
    elif made.reused:
        say(f"Unchanged since backup {meta.id} ({meta.timestamp}); nothing new stored.")
    else:
        say(
            f"Created backup {meta.id} of workspace '{meta.workspace}' (serial {meta.serial}, "
            f"{meta.resource_count} resources, {size(meta.size)}) in "
            f"{opened.ctx.store.describe(meta.key)}",
            "green",
        )


@app.command("list")
def list_command(
    limit: int = LIMIT,
    guild: str | None = GUILD,
    store: str | None = STORE,
    as_json: bool = AS_JSON,
) -> None:
    """List the server's backups (every workspace), newest first."""
    from gaib_backup.backups import list_backups

    with project(guild, store) as opened:
        found = list_backups(opened.ctx, opened.server_id, limit=limit)
        where = opened.ctx.store.describe()
    if as_json:
        print_json([_row(m) for m in found])
        return
    if not found:
        say(f"No backups of server {opened.server_id} in {where}.")
        return
    say(f"{'ID':36}  {'CREATED (UTC)':19}  {'WORKSPACE':10}  {'SERIAL':>6}  {'KIND':9}  "
        f"{'SIZE':>8}  MESSAGE")  # fmt: skip
    for m in found:
        created = m.timestamp[:19].replace("T", " ")
        say(f"{m.id:36}  {created:19}  {m.workspace:10}  {m.serial:>6}  {m.kind:9}  "
            f"{size(m.size):>8}  {printable(m.message)}")  # fmt: skip


@app.command("restore")
def restore(
    backup_id: str = BACKUP_ID,
    dry_run: bool = DRY_RUN,
    force: bool = FORCE_LINEAGE,
    auto_approve: bool = AUTO_APPROVE,
    guild: str | None = GUILD,
    store: str | None = STORE,
    lock_timeout: str = LOCK_TIMEOUT,
) -> None:
    """Put a backed-up state back: verified, shown first, the current state backed up."""
    from gaib_core.state.lock import parse_timeout

    wait = parse_timeout(lock_timeout)

    async def body(opened: Opened, meta: BackupMetadata) -> None:
        _restore(opened, meta, dry_run, force, auto_approve, wait)

    on_record(guild, store, _finder(backup_id), body)


def _finder(backup_id: str) -> Callable[[BackupContext, str], BackupMetadata]:
    def find(ctx: BackupContext, server_id: str) -> BackupMetadata:
        from gaib_backup.backups import find_backup

        return find_backup(ctx, server_id, backup_id)

    return find


def _restore(
    opened: Opened,
    meta: BackupMetadata,
    dry_run: bool,
    force: bool,
    auto_approve: bool,
    wait: float,
) -> None:
    from gaib_backup.backups import preview_restore
    from gaib_backup.operations import restore_state

    manager = opened.session.manager
    preview = preview_restore(opened.ctx, manager, meta, force=force)
    say(f"Restoring backup {meta.id} ({meta.timestamp}, serial {meta.serial}) into workspace "
        f"'{manager.workspace}' (serial {preview.current.serial} -> {preview.target.serial}):")  # fmt: skip
    if preview.lineage_changes:
        say(f"  lineage {preview.current.lineage} -> {preview.target.lineage}", "yellow")
    for line in preview.diff.lines():
        say(f"  {line}")
    if dry_run_ends(dry_run):
        return
    with opened.ctx.allowance(opened.server_id, "backup restore"):
        if not auto_approve:
            confirm("Do you want to restore this backup?")
        written = restore_state(
            opened.ctx,
            manager,
            preview,
            guild_id=opened.server_id,
            source=f"backup {meta.id}",
            lock_timeout=wait,
        )
    say(f"Restored backup {meta.id}: workspace '{manager.workspace}' is at serial "
        f"{written.serial} with {len(written.resources)} resources. Run `gaib server plan` to "
        "compare it with the guild.", "green")  # fmt: skip


@app.command("delete")
def delete(
    backup_id: str = BACKUP_ID,
    dry_run: bool = DRY_RUN,
    guild: str | None = GUILD,
    store: str | None = STORE,
) -> None:
    """Delete a backup (its object and its record)."""

    async def body(opened: Opened, meta: BackupMetadata) -> None:
        from gaib_backup.backups import delete_backup

        where = opened.ctx.store.describe(meta.key)
        if dry_run_ends(dry_run, f"Would delete backup {meta.id} ({where})."):
            return
        delete_backup(opened.ctx, meta)
        say(f"Deleted backup {meta.id}.", "green")

    on_record(guild, store, _finder(backup_id), body)


@app.command("verify")
def verify(
    backup_id: str | None = typer.Argument(None, help="One backup (default: every backup)."),
    guild: str | None = GUILD,
    store: str | None = STORE,
) -> None:
    """Check backups: object present, size and SHA-256, gzip, state schema, record agreement."""
    from gaib_backup.backups import find_backup, list_backups, verify_backup

    with project(guild, store) as opened:
        if backup_id is not None:
            metas = [find_backup(opened.ctx, opened.server_id, backup_id)]
        else:
            metas = list_backups(opened.ctx, opened.server_id)
        bad = 0
        for meta in metas:
            try:
                verify_backup(opened.ctx, meta)
            except GaibError as exc:
                bad += 1
                err(f"FAILED {meta.id}: {exc}")
                continue
            say(f"ok     {meta.id} (serial {meta.serial}, sha256 {meta.checksum[:12]}...)")
    if bad:
        raise BackupError(
            f"{bad} of {len(metas)} backup(s) failed verification (listed above)",
            hint="restore from another backup; delete the damaged ones with "
            "`gaib server backup delete ID`",
        )
    say(f"{len(metas)} backup(s) verified.", "green")


@app.command("prune")
def prune(dry_run: bool = DRY_RUN, guild: str | None = GUILD, store: str | None = STORE) -> None:
    """Delete the backups and snapshots older than the service tier's retention (free 7 days,
    premium 90)."""
    from gaib_backup.backups import prune_backups
    from gaib_backup.snapshots import prune_snapshots

    with project(guild, store) as opened:
        days = opened.ctx.policy(opened.server_id).retention_days
        gone = prune_backups(opened.ctx, opened.server_id, dry_run=dry_run)
        snapshots = prune_snapshots(opened.ctx, opened.server_id, dry_run=dry_run)
    verb = "Would delete" if dry_run else "Deleted"
    for item in gone:
        say(
            f"{verb} backup {item.backup.id} ({item.backup.timestamp}, {item.age_days:.1f} days old)"
        )
    for manifest in snapshots:
        say(f"{verb} snapshot {manifest.id} ({manifest.timestamp})")
    say(f"{verb} {len(gone)} backup(s) and {len(snapshots)} snapshot(s) older than {days} days.")
