"""Scheduled backups (PRD 15.1): every enrolled server's workspace backed up at its service
tier's frequency — free daily at 03:00 UTC, premium hourly.

A server is *enrolled* by a record in the backup store, ``schedules/{server_id}/{workspace}.json``
(:class:`ScheduledTarget`): where its state lives (an fsspec URL a scheduled run can reach, such as
the project's ``s3://`` state backend) and when its last scheduled backup ran. Because the record
lives beside the backups, the Lambda handler, a cron job and the CLI all see the same servers.

Service tiers with ``snapshot_every_days`` (premium: weekly) also get a full snapshot when the
last scheduled one is that many days of periods old, with the config of the workspace's newest
snapshot (a deployment's) or the newest stored export; without either there is no config to
bundle, and the run says so instead of snapshotting an empty one.

A run is idempotent per period: a target whose last scheduled run is inside the current period
(since today's 03:00 UTC for a daily tier, since the top of the hour for an hourly one) is not
due, so a retried or doubled invocation backs nothing up twice, and a missed run is caught up by
the next one. An unchanged state is not stored again (the existing backup is named).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from gaib_core.errors import GaibError
from gaib_core.state.backend import read_state
from gaib_core.state.backends import FsspecBackend
from gaib_core.state.models import State
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gaib_backup.backups import create_backup
from gaib_backup.context import BackupContext, parse_timestamp, timestamp
from gaib_backup.errors import BackupError
from gaib_backup.exports import latest_export
from gaib_backup.names import SCHEDULE_DAILY
from gaib_backup.notify import Notification, ServerOutcome
from gaib_backup.service_tiers import policies, policy
from gaib_backup.snapshots import create_snapshot, list_snapshots, load_snapshot
from gaib_backup.store import safe_part
from gaib_backup.theme_registry import read_registry

SCHEDULES_PREFIX = "schedules"
#: The EventBridge rules infrastructure/terraform creates, and the service tiers each one runs.
RULE_SERVICE_TIERS: Mapping[str, tuple[str, ...]] = {
    "gaib-backup-daily": ("free",),
    "gaib-backup-hourly": ("premium",),
}


def _daily_anchor() -> dt.time:
    """03:00 UTC, read from the daily rule's cron expression (``cron(0 3 * * ? *)``)."""
    match = re.fullmatch(r"cron\((\d+) (\d+) .*\)", SCHEDULE_DAILY)
    if match is None:  # names.py is ours; this guards a future edit there
        raise ValueError(f"cannot read the hour of {SCHEDULE_DAILY!r}")
    return dt.time(int(match.group(2)), int(match.group(1)), tzinfo=dt.UTC)


DAILY_ANCHOR = _daily_anchor()


class ScheduledTarget(BaseModel):
    """One enrolled server workspace and its last scheduled run."""

    model_config = ConfigDict(extra="forbid")

    server_id: str
    workspace: str
    state_url: str = Field(description="fsspec URL of the workspace's state backend (its root).")
    storage_options: dict[str, Any] = Field(default_factory=dict)
    enrolled_at: str
    last_run: str | None = None
    last_backup_id: str | None = None
    last_snapshot: str | None = None
    last_snapshot_id: str | None = None

    @property
    def key(self) -> str:
        """``schedules/{server_id}/{workspace}.json``."""
        return target_key(self.server_id, self.workspace)


_RUN_FIELDS = {"last_run", "last_backup_id", "last_snapshot", "last_snapshot_id"}
#: Storage options that carry credentials: never written into an enrolment record (the record
#: sits in the backup store; scheduled runs take credentials from their own environment).
_SECRET_OPTIONS = re.compile(r"key|secret|token|password|credential", re.IGNORECASE)


def target_key(server_id: str, workspace: str) -> str:
    """The enrolment record's key (both parts validated)."""
    return (
        f"{SCHEDULES_PREFIX}/{safe_part(server_id, what='server id')}/"
        f"{safe_part(workspace, what='workspace')}.json"
    )


def period_start(service_tier: str, now: dt.datetime) -> dt.datetime:
    """Start of the service tier's current backup period containing ``now`` (UTC).

    Periods are ``backup_every_hours`` long and aligned on 03:00 UTC: daily periods start at
    03:00, hourly ones at the top of each hour.
    """
    hours = policy(service_tier).backup_every_hours
    now = now.astimezone(dt.UTC)
    anchor = dt.datetime.combine(now.date(), DAILY_ANCHOR)
    if anchor > now:
        anchor -= dt.timedelta(days=1)
    elapsed = (now - anchor) // dt.timedelta(hours=hours)
    return anchor + elapsed * dt.timedelta(hours=hours)


def enrol(
    ctx: BackupContext,
    server_id: str,
    workspace: str,
    state_url: str,
    storage_options: Mapping[str, Any] | None = None,
) -> ScheduledTarget:
    """Enrol (or re-point) a workspace for scheduled backups; its last run is kept.

    ``state_url`` is the workspace's state backend root (``{state_url}/{workspace}/state.json``):
    an ``s3://`` backend is readable by every scheduled run, the Lambda included; a ``file://``
    one only by runs on the machine that has it (cron).
    """
    if state_url.startswith("memory:") or "://" not in state_url:
        raise BackupError(
            f"state at {state_url} cannot be read by a scheduled run",
            hint="enrol a state backend URL: s3://... (any machine, the Lambda too) or file://... "
            "(only runs on this machine)",
        )
    for name in storage_options or {}:
        if _SECRET_OPTIONS.search(name):
            raise BackupError(
                f"backend option {name!r} looks like a credential; it would be stored with the "
                "enrolment",
                hint="give scheduled runs credentials through their environment (AWS_* variables, "
                "a profile or the Lambda's role) and remove it from backend.options",
            )
    current = find_target(ctx, server_id, workspace)
    target = ScheduledTarget(
        server_id=server_id,
        workspace=workspace,
        state_url=state_url.rstrip("/"),
        storage_options=dict(storage_options or {}),
        enrolled_at=current.enrolled_at if current else timestamp(ctx.now()),
        **(current.model_dump(include=_RUN_FIELDS) if current else {}),
    )
    _save(ctx, target)
    return target


def unenrol(ctx: BackupContext, server_id: str, workspace: str) -> bool:
    """Stop scheduled backups of the workspace (its backups stay); False if it was not enrolled."""
    return ctx.store.delete(target_key(server_id, workspace))


def find_target(ctx: BackupContext, server_id: str, workspace: str) -> ScheduledTarget | None:
    """The enrolment record, or None."""
    key = target_key(server_id, workspace)
    data = ctx.store.read(key)
    return None if data is None else _parse(data, key)


def enrolled(ctx: BackupContext) -> list[ScheduledTarget]:
    """Every enrolled workspace, ordered by server id then workspace."""
    return [
        _parse(ctx.store.read(key) or b"", key)
        for key in ctx.store.list(SCHEDULES_PREFIX)
        if key.endswith(".json")
    ]


def _parse(data: bytes, key: str) -> ScheduledTarget:
    try:
        return ScheduledTarget.model_validate_json(data)
    except ValidationError as exc:
        raise BackupError(
            f"store key {key}: not a valid enrolment record ({exc.errors()[0]['msg']})",
            hint="enrol the workspace again (gaib server backup schedule enable)",
        ) from None


def _save(ctx: BackupContext, target: ScheduledTarget) -> None:
    ctx.store.write(target.key, target.model_dump_json(indent=2).encode("utf-8"))


@dataclass
class ScheduledRun:
    """The outcome of one run: one entry per enrolled target, in order."""

    run_at: dt.datetime
    trigger: str
    outcomes: list[ServerOutcome] = field(default_factory=list)

    @property
    def failures(self) -> int:
        """How many targets failed."""
        return sum(1 for o in self.outcomes if o.status == "failed")

    def notification(self) -> Notification:
        """The notification this run sends."""
        done = [o for o in self.outcomes if o.status in ("backed-up", "unchanged")]
        if self.failures:
            subject = f"gaib: {self.failures} scheduled backup(s) FAILED ({len(done)} succeeded)"
        else:
            subject = f"gaib: {len(done)} scheduled backup(s) succeeded"
        return Notification(
            status="failed" if self.failures else "succeeded",
            subject=subject,
            run_at=timestamp(self.run_at),
            trigger=self.trigger,
            outcomes=self.outcomes,
        )


def service_tiers_for(rules: Iterable[str]) -> tuple[str, ...]:
    """The service tiers the fired rules run (every tier when no known rule fired)."""
    found = [tier for rule in rules for tier in RULE_SERVICE_TIERS.get(rule, ())]
    return tuple(dict.fromkeys(found)) or tuple(policies())


def run_scheduled(
    ctx: BackupContext,
    *,
    service_tiers: Iterable[str] | None = None,
    trigger: str = "manual",
    targets: Iterable[ScheduledTarget] | None = None,
) -> ScheduledRun:
    """Back up every enrolled target of ``service_tiers`` (default: all) that is due now."""
    wanted = set(service_tiers) if service_tiers is not None else set(policies())
    now = ctx.now()
    run = ScheduledRun(run_at=now, trigger=trigger)
    for target in enrolled(ctx) if targets is None else targets:
        run.outcomes.append(_run_one(ctx, target, wanted, now))
    return run


def _run_one(
    ctx: BackupContext, target: ScheduledTarget, wanted: set[str], now: dt.datetime
) -> ServerOutcome:
    outcome = {"server_id": target.server_id, "workspace": target.workspace}
    try:
        tier = ctx.service_tier(target.server_id)
    except GaibError as exc:
        return ServerOutcome(**outcome, service_tier="unknown", status="failed", error=str(exc))
    last = parse_timestamp(target.last_run) if target.last_run else None
    if tier not in wanted or (last is not None and last >= period_start(tier, now)):
        return ServerOutcome(**outcome, service_tier=tier, status="not-due")
    try:
        backend = FsspecBackend(target.state_url, target.storage_options)
        state = read_state(backend, target.workspace)
        if state is None:
            local = target.state_url.startswith("file:")
            raise BackupError(
                f"no state at {backend.describe(target.workspace)}",
                hint="that disk is the enrolling machine's: run `gaib server backup run-scheduled` "
                "there, or keep the state on s3://"
                if local
                else "apply the workspace first, or enrol it again with its state backend's URL",
            )
        created = create_backup(
            ctx,
            state,
            server_id=target.server_id,
            workspace=target.workspace,
            message=f"scheduled ({tier})",
            kind="scheduled",
        )
        target.last_run = timestamp(now)
        target.last_backup_id = created.backup.id
        snapshot = _snapshot_if_due(ctx, target, state, tier, now)
        _save(ctx, target)
    except Exception as exc:  # one server's failure must not stop the others' backups
        message = (
            str(exc) if isinstance(exc, GaibError | OSError) else f"{type(exc).__name__}: {exc}"
        )
        return ServerOutcome(**outcome, service_tier=tier, status="failed", error=message)
    status = "unchanged" if created.reused else "backed-up"
    return ServerOutcome(
        **outcome, service_tier=tier, status=status, backup_id=created.backup.id, snapshot=snapshot
    )


def snapshot_due(target: ScheduledTarget, service_tier: str, now: dt.datetime) -> bool:
    """Whether the service tier takes scheduled snapshots and the last one is old enough.

    Compared period to period, so a weekly snapshot stays at the same hour of the week.
    """
    days = policy(service_tier).snapshot_every_days
    if days is None:
        return False
    if target.last_snapshot is None:
        return True
    last = period_start(service_tier, parse_timestamp(target.last_snapshot))
    return period_start(service_tier, now) >= last + dt.timedelta(days=days)


def _config_for_snapshot(ctx: BackupContext, target: ScheduledTarget) -> str | None:
    for manifest in list_snapshots(ctx, target.server_id):
        if manifest.workspace == target.workspace:
            return load_snapshot(ctx, target.server_id, manifest.id).config_text
    return latest_export(ctx, target.server_id)


def _snapshot_if_due(
    ctx: BackupContext, target: ScheduledTarget, state: State, tier: str, now: dt.datetime
) -> str | None:
    """Take the scheduled snapshot when due; its id, ``skipped: ...`` or None (not due)."""
    if not snapshot_due(target, tier, now):
        return None
    config = _config_for_snapshot(ctx, target)
    if not config:
        return "skipped: no config to bundle (apply or `gaib server export --backup` first)"
    manifest = create_snapshot(
        ctx,
        state,
        config,
        read_registry(ctx, target.server_id),
        server_id=target.server_id,
        workspace=target.workspace,
        message=f"scheduled ({tier}, every {policy(tier).snapshot_every_days} days)",
        kind="scheduled",
    )
    target.last_snapshot = timestamp(now)
    target.last_snapshot_id = manifest.id
    return manifest.id
