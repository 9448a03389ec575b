"""``gaib server snapshot create|list|restore|download|upload|compare|verify|delete``."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from gaib_backup.cli.common import (
    AS_JSON,
    AUTO_APPROVE,
    CONFIG,
    DRY_RUN,
    FORCE_LINEAGE,
    GUILD,
    MESSAGE,
    STORE,
    Opened,
    confirm,
    dry_run_ends,
    on_record,
    print_json,
    print_plan,
    printable,
    project,
    say,
    size,
)
from gaib_backup.errors import BackupError

# The engine, the store and the snapshot machinery are imported where a command runs: gaib
# imports this module to build `gaib --help`.
if TYPE_CHECKING:
    from gaib_core.engine.plan import Plan

    from gaib_backup.context import BackupContext
    from gaib_backup.snapshots import Snapshot

HELP = "Full snapshots (state, config, theme registry): create, restore, download, compare."
app = typer.Typer(help=HELP, no_args_is_help=True)
SNAPSHOT_ID = typer.Argument(..., help="The snapshot's id (or its first characters).")


@app.command("create")
def create(
    message: str | None = MESSAGE,
    config: Path | None = CONFIG,
    guild: str | None = GUILD,
    store: str | None = STORE,
    as_json: bool = AS_JSON,
) -> None:
    """Snapshot the workspace: state, config and theme registry (free: 3 a week)."""
    from gaib_backup.snapshots import create_snapshot, manifest_json
    from gaib_backup.theme_registry import read_registry

    with project(guild, store, config=config) as opened:
        state = opened.state_to_keep("snapshot")
        path = opened.session.config_path  # the project's, or the --config given
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        manifest = create_snapshot(
            opened.ctx,
            state,
            text,
            read_registry(opened.ctx, opened.server_id),
            server_id=opened.server_id,
            message=message,
        )
    if as_json:
        print_json(manifest_json(manifest))
        return
    total = sum(f.size for f in (manifest.files.state, manifest.files.config,
                                 manifest.files.theme_registry))  # fmt: skip
    say(f"Created snapshot {manifest.id} (serial {manifest.serial}, {manifest.discord.role_count} "
        f"roles, {manifest.discord.category_count} categories, {manifest.discord.channel_count} "
        f"channels, {size(total)})", "green")  # fmt: skip


@app.command("list")
def list_command(
    limit: int = typer.Option(20, "--limit", min=1, help="Show at most this many (newest first)."),
    guild: str | None = GUILD,
    store: str | None = STORE,
    as_json: bool = AS_JSON,
) -> None:
    """List the server's snapshots, newest first."""
    from gaib_backup.snapshots import list_snapshots, manifest_json

    with project(guild, store) as opened:
        found = list_snapshots(opened.ctx, opened.server_id, limit=limit)
    if as_json:
        print_json([manifest_json(m) for m in found])
        return
    if not found:
        say(f"No snapshots of server {opened.server_id}.")
        return
    say(f"{'ID':25}  {'CREATED (UTC)':19}  {'WORKSPACE':10}  {'SERIAL':>6}  {'KIND':10}  "
        "THEME           MESSAGE")  # fmt: skip
    for m in found:
        theme = f"{m.theme.name} {m.theme.version}" if m.theme else "-"
        say(f"{m.id:25}  {m.timestamp[:19].replace('T', ' '):19}  {m.workspace:10}  "
            f"{m.serial:>6}  {m.kind:10}  {theme:15} {printable(m.message)}")  # fmt: skip


@app.command("restore")
def restore(
    snapshot_id: str = SNAPSHOT_ID,
    dry_run: bool = DRY_RUN,
    apply: bool = typer.Option(
        False, "--apply", help="Then make the guild match (plan shown, then applied)."
    ),
    force: bool = FORCE_LINEAGE,
    auto_approve: bool = AUTO_APPROVE,
    config: Path | None = CONFIG,
    guild: str | None = GUILD,
    store: str | None = STORE,
) -> None:
    """Put a snapshot's state and config back (previous config kept as <file>.backup)."""

    async def body(opened: Opened, snap: Snapshot) -> None:
        await _restore(opened, snap, dry_run, apply, force, auto_approve)

    on_record(guild, store, _loader(snapshot_id), body, config=config)


def _loader(snapshot_id: str) -> Callable[[BackupContext, str], Snapshot]:
    def load(ctx: BackupContext, server_id: str) -> Snapshot:
        from gaib_backup.snapshots import load_snapshot

        return load_snapshot(ctx, server_id, snapshot_id)

    return load


async def _restore(
    opened: Opened, snap: Snapshot, dry_run: bool, apply: bool, force: bool, auto_approve: bool
) -> None:
    from gaib_backup.backups import preview_state
    from gaib_backup.operations import restore_config, restore_state

    manager = opened.session.manager
    config = opened.session.config_path  # the project's, or the --config given
    preview = preview_state(snap.state, manager, source=f"snapshot {snap.manifest.id}", force=force)
    current_text = config.read_text(encoding="utf-8") if config.exists() else None
    say(f"Restoring snapshot {snap.manifest.id} ({snap.manifest.timestamp}) into workspace "
        f"'{manager.workspace}' (serial {preview.current.serial} -> {preview.target.serial}):")  # fmt: skip
    for line in preview.diff.lines():
        say(f"  {line}")
    changed = current_text != snap.config_text
    say(f"  {config}: {'replaced by the snapshot' + chr(39) + 's' if changed else 'unchanged'}")
    if dry_run_ends(dry_run):
        return
    if apply:
        # Reach the guild before anything is put back: a rejected token or a guild the bot
        # cannot see would otherwise stop the apply after state and config were restored.
        await opened.session.provider.read_guild(opened.server_id)
    with opened.ctx.allowance(opened.server_id, "snapshot restore"):
        if not auto_approve:
            confirm("Do you want to restore this snapshot?")
        written = restore_state(
            opened.ctx,
            manager,
            preview,
            guild_id=opened.server_id,
            source=f"snapshot {snap.manifest.id}",
            snapshot_id=snap.manifest.id,
        )
        kept = restore_config(config, snap.config_text)
    say(f"Restored snapshot {snap.manifest.id}: state serial {written.serial}"
        + (f"; previous config kept in {kept}" if kept else ""), "green")  # fmt: skip
    if apply:
        await _apply(opened, config, auto_approve)
    else:
        say("Run `gaib server plan` to see how the guild differs, or restore with --apply.")


async def _apply(opened: Opened, config: Path, auto_approve: bool) -> None:
    from gaib_backup.operations import apply_config, plan_config

    session = opened.session
    plan = await plan_config(config, session.provider, session.guild_id, session.manager)
    print_plan(plan)
    if not plan.has_changes:
        return
    if not auto_approve:
        confirm("Do you want to perform these actions?")
    result = await apply_config(
        plan, config, session.provider, session.manager, session.hooks, operation="apply"
    )
    _report(result.errors, plan)


def _report(errors: list[str], plan: Plan) -> None:
    add, change, destroy = plan.counts()
    if errors:
        raise BackupError(
            f"apply stopped after {len(errors)} error(s): {errors[0]}",
            hint="what finished is recorded in state; fix the cause and run `gaib server apply`",
        )
    say(f"Apply complete! Resources: {add} added, {change} changed, {destroy} destroyed.", "green")


@app.command("download")
def download(
    snapshot_id: str = SNAPSHOT_ID,
    output: Path = typer.Option(..., "-o", "--output", help="Directory to write the files into."),
    force: bool = typer.Option(False, "--force", help="Overwrite files already in the directory."),
    guild: str | None = GUILD,
    store: str | None = STORE,
) -> None:
    """Write a snapshot's four files into a directory (all verified first)."""
    from gaib_backup.snapshots import download_snapshot

    with project(guild, store) as opened:
        snap = download_snapshot(opened.ctx, opened.server_id, snapshot_id, output, force=force)
    say(f"Downloaded snapshot {snap.manifest.id} to {output} (manifest.json, state.json.gz, "
        "config.yaml.gz, theme-registry.json.gz; checksums verified)", "green")  # fmt: skip


@app.command("upload")
def upload(
    directory: Path = typer.Argument(..., help="A directory `snapshot download` wrote."),
    guild: str | None = GUILD,
    store: str | None = STORE,
) -> None:
    """Store a downloaded snapshot again, byte for byte (verified first)."""
    from gaib_backup.snapshots import upload_snapshot

    with project(guild, store) as opened:
        manifest = upload_snapshot(opened.ctx, directory, server_id=opened.server_id)
    say(f"Uploaded snapshot {manifest.id} to {opened.ctx.store.describe()}", "green")


@app.command("compare")
def compare(
    first: str = typer.Argument(..., help="The older snapshot."),
    second: str = typer.Argument(..., help="The newer snapshot."),
    guild: str | None = GUILD,
    store: str | None = STORE,
    as_json: bool = AS_JSON,
) -> None:
    """What changed between two snapshots: roles, channels, overwrites, permissions, server settings, config."""
    from gaib_backup.snapshots import compare_snapshots

    with project(guild, store) as opened:
        result = compare_snapshots(opened.ctx, opened.server_id, first, second)
    if as_json:
        print_json(result.to_json())
        return
    a, b = result.first, result.second
    say(f"Snapshot {a.id} (serial {a.serial}) -> {b.id} (serial {b.serial})")
    if a.theme != b.theme:
        say(f"  theme: {_theme(a.theme)} -> {_theme(b.theme)}")
    if result.config_changed:
        say("  config: changed")
    if result.empty:
        say("No differences.")
        return
    for line in result.diff.lines():
        say(line)


def _theme(theme: object) -> str:
    return f"{theme.name} {theme.version}" if theme is not None else "(none)"  # type: ignore[attr-defined]


@app.command("verify")
def verify(
    snapshot_id: str = SNAPSHOT_ID,
    rehearse: bool = typer.Option(
        False, "--rehearse", help="Also restore into a scratch workspace and plan it."
    ),
    guild: str | None = GUILD,
    store: str | None = STORE,
) -> None:
    """Check a snapshot completely; --rehearse also plans it against the guild (read only)."""

    async def body(opened: Opened, snap: Snapshot) -> None:
        m = snap.manifest
        say(f"Snapshot {m.id}: manifest, 3 files, checksums and contents verified (serial "
            f"{m.serial}, {m.discord.role_count + m.discord.category_count + m.discord.channel_count}"
            " resources).", "green")  # fmt: skip
        if rehearse:
            plan = await rehearse_plan(opened, snap)
            say("Rehearsal in a scratch workspace: restoring and applying this snapshot would do:")
            print_plan(plan)

    on_record(guild, store, _loader(snapshot_id), body)


async def rehearse_plan(opened: Opened, snap: Snapshot) -> Plan:
    """Plan the snapshot's config against the guild with the snapshot's state in a scratch
    workspace (a temporary directory); nothing of the project is read or written."""
    from gaib_core.config.loader import load_config
    from gaib_core.engine.workflow import refresh_plan
    from gaib_core.state.backend import encode_state
    from gaib_core.state.backends import LocalBackend
    from gaib_core.state.manager import StateManager

    root = opened.session.project.root
    with tempfile.TemporaryDirectory(prefix="gaib-rehearsal-") as scratch:
        manager = StateManager(LocalBackend(Path(scratch)), "rehearsal")
        manager.push(encode_state(snap.state), force=True, source=f"snapshot {snap.manifest.id}")
        # beside the project's config, so paths in it resolve as they did
        fd, path = tempfile.mkstemp(prefix=".gaib-rehearsal-", suffix=".yaml", dir=root)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(snap.config_text)
            config = load_config(Path(path))
        finally:
            os.unlink(path)
        return await refresh_plan(config, opened.session.provider, opened.server_id, manager)


@app.command("delete")
def delete(
    snapshot_id: str = SNAPSHOT_ID,
    dry_run: bool = DRY_RUN,
    guild: str | None = GUILD,
    store: str | None = STORE,
) -> None:
    """Delete a snapshot (the manifest first, so it stops existing at once)."""

    async def body(opened: Opened, snap: Snapshot) -> None:
        from gaib_backup.snapshots import delete_snapshot

        if dry_run_ends(dry_run, f"Would delete snapshot {snap.manifest.id}."):
            return
        delete_snapshot(opened.ctx, opened.server_id, snap.manifest.id)
        say(f"Deleted snapshot {snap.manifest.id}.", "green")

    on_record(guild, store, _loader(snapshot_id), body)
