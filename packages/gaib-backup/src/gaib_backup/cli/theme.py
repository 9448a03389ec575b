"""``gaib server theme registry|history|rollback``: the theme deployment registry (PRD 14.4)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from gaib_backup.cli.common import (
    AS_JSON,
    AUTO_APPROVE,
    CONFIG,
    DRY_RUN,
    GUILD,
    STORE,
    Opened,
    confirm,
    dry_run_ends,
    open_project,
    print_json,
    print_plan,
    project,
    say,
)
from gaib_backup.errors import BackupError

# The engine and the registry are imported where a command runs: gaib imports this module to
# build `gaib --help`.
if TYPE_CHECKING:
    from gaib_backup.models import ThemeDeployment


def register(group: Any) -> None:
    """Add ``registry``, ``history`` and ``rollback`` to ``gaib server theme``."""
    group.command("registry")(registry_command)
    group.command("history")(history_command)
    group.command("rollback")(rollback_command)


def _line(d: ThemeDeployment) -> str:
    theme = f"{d.theme_name} {d.theme_version}".strip()
    extra = f"  snapshot {d.snapshot_id}" if d.snapshot_id else ""
    if d.rollback_of:
        extra += f"  (back to {d.rollback_of[:8]})"
    if d.error:
        extra += f"  error: {d.error}"
    return (f"{d.id[:8]}  {d.timestamp[:19].replace('T', ' ')}  {d.action:9} {d.outcome:11} "
            f"{theme:18} serial {d.serial:<5} {d.workspace}{extra}")  # fmt: skip


def registry_command(
    guild: str | None = GUILD, store: str | None = STORE, as_json: bool = AS_JSON
) -> None:
    """Show the deployed theme and the last 5 deployments."""
    from gaib_backup.theme_registry import read_registry

    with project(guild, store) as opened:
        reg = read_registry(opened.ctx, opened.server_id)
    if as_json:
        print_json(reg.model_dump(by_alias=True, exclude_none=True))
        return
    current = reg.current_theme
    if current is None:
        say(f"Server {opened.server_id}: no theme deployed.")
    else:
        say(f"Server {opened.server_id}: {current.name} {current.version}, deployed "
            f"{current.deployed_at[:19].replace('T', ' ')} UTC (deployment {current.deployment_id[:8]})")  # fmt: skip
    for d in reg.history[:5]:
        say(f"  {_line(d)}")


def history_command(
    limit: int | None = typer.Option(None, "--limit", min=1, help="Show at most this many."),
    guild: str | None = GUILD,
    store: str | None = STORE,
    as_json: bool = AS_JSON,
) -> None:
    """Every recorded deployment, newest first (free service tier: the last 5)."""
    from gaib_backup.theme_registry import history

    with project(guild, store) as opened:
        found = history(opened.ctx, opened.server_id, limit=limit)
    if as_json:
        print_json([d.model_dump(by_alias=True, exclude_none=True) for d in found])
        return
    if not found:
        say("No deployments recorded yet.")
    for d in found:
        say(_line(d))


def rollback_command(
    steps: int | None = typer.Option(None, "--steps", help="Go back N deployments (default 1)."),
    to: str | None = typer.Option(None, "--to", help="Go back to this deployment id."),
    dry_run: bool = DRY_RUN,
    auto_approve: bool = AUTO_APPROVE,
    config: Path | None = CONFIG,
    guild: str | None = GUILD,
    store: str | None = STORE,
) -> None:
    """Return to an earlier deployment's config through plan and apply (a new deployment)."""
    import asyncio

    if steps is not None and to is not None:
        raise BackupError("give --steps or --to, not both", hint="e.g. --steps 1")
    opened = open_project(guild, store, config=config)
    asyncio.run(_rollback(opened, steps, to, dry_run, auto_approve))


async def _rollback(
    opened: Opened,
    steps: int | None,
    to: str | None,
    dry_run: bool,
    auto_approve: bool,
) -> None:
    from gaib_backup.operations import apply_config, restore_config
    from gaib_backup.snapshots import load_snapshot
    from gaib_backup.theme_registry import rollback_target

    try:
        ctx, session = opened.ctx, opened.session
        config = session.config_path  # the project's, or the --config given
        target = rollback_target(ctx, opened.server_id, steps=steps, to=to)
        snap = load_snapshot(ctx, opened.server_id, target.snapshot_id or "")
        say(f"Rolling back to deployment {target.id[:8]} ({target.theme_name} "
            f"{target.theme_version}, {target.timestamp[:19].replace('T', ' ')} UTC):")  # fmt: skip
        plan = await _plan_text(opened, config, snap.config_text)
        if (
            plan.theme is not None
            and target.theme_version
            and plan.theme.version != target.theme_version
        ):
            say(f"Warning: that deployment used {target.theme_name} {target.theme_version}; the "
                f"installed theme renders {plan.theme.version}. Install {target.theme_name} "
                f"{target.theme_version} to return to it exactly.", "yellow")  # fmt: skip
        print_plan(plan)
        if dry_run_ends(dry_run):
            return
        if not auto_approve:
            confirm("Do you want to roll back?")
        kept = restore_config(config, snap.config_text)
        if kept:
            say(f"{config} is the rolled-back config now; the previous one is kept in {kept}")
        result = await apply_config(
            plan, config, session.provider, session.manager, session.hooks,
            operation="rollback", rollback_of=target.id,
        )  # fmt: skip
        if result.errors:
            raise BackupError(
                f"rollback stopped after {len(result.errors)} error(s): {result.errors[0]}",
                hint="what finished is recorded in state; fix the cause and run the rollback again",
            )
        add, change, destroy = plan.counts()
        say(f"Rollback complete! Resources: {add} added, {change} changed, {destroy} destroyed.",
            "green")  # fmt: skip
    finally:
        await opened.aclose()


async def _plan_text(opened: Opened, config: Path, text: str):  # type: ignore[no-untyped-def]
    """Plan ``text`` (written beside ``config`` so its paths resolve) against the guild."""
    from gaib_core.config.loader import load_config
    from gaib_core.engine.workflow import refresh_plan

    directory = config.resolve().parent
    fd, path = tempfile.mkstemp(prefix=".gaib-rollback-", suffix=".yaml", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        loaded = load_config(Path(path))
    finally:
        os.unlink(path)
    session = opened.session
    with session.manager.locked("plan"):
        return await refresh_plan(loaded, session.provider, session.guild_id, session.manager)
