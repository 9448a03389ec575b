"""Scheduled runs: which workspaces are due per service tier, idempotence within a period,
enrolment records, and one server's failure not stopping the others."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from gaib_backup import scheduled
from gaib_backup.backups import list_backups
from gaib_backup.context import BackupContext
from gaib_backup.errors import BackupError
from gaib_backup.exports import store_export
from gaib_backup.scheduled import ScheduledTarget, enrol, period_start, run_scheduled
from gaib_backup.snapshots import list_snapshots, load_snapshot
from gaib_core.state.backend import encode_state
from gaib_core.state.backends import FsspecBackend
from hypothesis import given
from hypothesis import strategies as st

Clock = Any  # conftest's settable clock
StateFactory = Any  # conftest's make_state

SERVER = "555555555555555555"


@given(
    st.datetimes(
        min_value=dt.datetime(2000, 1, 1),
        max_value=dt.datetime(2100, 1, 1),
        timezones=st.just(dt.UTC),
    )
)
def test_period_contains_now_and_is_aligned(now: dt.datetime) -> None:
    daily = period_start("free", now)
    assert daily <= now < daily + dt.timedelta(days=1)
    assert (daily.hour, daily.minute, daily.second, daily.microsecond) == (3, 0, 0, 0)
    hourly = period_start("premium", now)
    assert hourly <= now < hourly + dt.timedelta(hours=1)
    assert (hourly.minute, hourly.second, hourly.microsecond) == (0, 0, 0)


@pytest.fixture
def memory_ctx(memory_url: str, clock: Clock) -> BackupContext:
    ctx = BackupContext.from_url(memory_url)
    ctx.now = clock
    return ctx


def _target(
    ctx: BackupContext, state_factory: StateFactory, server: str = SERVER, roles: int = 2
) -> ScheduledTarget:
    # A memory:// state backend: reachable in this process only, so not enrollable; handed in.
    url = f"memory://gaib-scheduled-state/{uuid.uuid4().hex}"
    FsspecBackend(url).write_bytes(
        "default", encode_state(state_factory(roles=roles, guild=server))
    )
    return ScheduledTarget(
        server_id=server,
        workspace="default",
        state_url=url,
        enrolled_at="2026-11-01T00:00:00.000000Z",
    )


def test_premium_is_due_every_hour_and_never_twice_in_one(
    memory_ctx: BackupContext, clock: Clock, state_factory: StateFactory
) -> None:
    memory_ctx.set_service_tier(SERVER, "premium")
    target = _target(memory_ctx, state_factory)
    statuses = lambda: [o.status for o in run_scheduled(memory_ctx, targets=[target]).outcomes]  # noqa: E731
    assert statuses() == ["backed-up"]
    clock.advance(minutes=59)  # 12:59, same hour
    assert statuses() == ["not-due"]
    clock.advance(minutes=1)  # 13:00
    assert statuses() == ["unchanged"]  # due, but the state did not change: not stored again
    assert [b.kind for b in list_backups(memory_ctx, SERVER)] == ["scheduled"]
    assert target.last_backup_id == list_backups(memory_ctx, SERVER)[0].id


def test_free_is_due_once_a_day_from_03_utc(
    memory_ctx: BackupContext, clock: Clock, state_factory: StateFactory
) -> None:
    target = _target(memory_ctx, state_factory)  # no service tier recorded: free
    assert [o.status for o in run_scheduled(memory_ctx, targets=[target]).outcomes] == ["backed-up"]
    clock.advance(hours=14, minutes=59)  # next day 02:59: still the period that began at 03:00
    assert [o.status for o in run_scheduled(memory_ctx, targets=[target]).outcomes] == ["not-due"]
    clock.advance(minutes=1)
    assert [o.service_tier for o in run_scheduled(memory_ctx, targets=[target]).outcomes] == [
        "free"
    ]
    assert target.last_run is not None and target.last_run.endswith("03:00:00.000004Z")


def test_only_the_requested_service_tiers_run(
    memory_ctx: BackupContext, state_factory: StateFactory
) -> None:
    memory_ctx.set_service_tier(SERVER, "premium")
    target = _target(memory_ctx, state_factory)
    run = run_scheduled(memory_ctx, targets=[target], service_tiers=["free"])
    assert [o.status for o in run.outcomes] == ["not-due"]
    assert list_backups(memory_ctx, SERVER) == []


def test_a_failing_server_does_not_stop_the_others(
    memory_ctx: BackupContext, state_factory: StateFactory
) -> None:
    broken = ScheduledTarget(server_id="666666666666666666", workspace="default",
                             state_url="memory://gaib-scheduled-state/nothing-here", enrolled_at="x")  # fmt: skip
    good = _target(memory_ctx, state_factory)
    run = run_scheduled(memory_ctx, targets=[broken, good])
    assert [o.status for o in run.outcomes] == ["failed", "backed-up"]
    assert run.failures == 1
    assert run.outcomes[0].error is not None and run.outcomes[0].error.startswith(
        "no state at memory://"
    )
    notification = run.notification()
    assert notification.status == "failed"
    assert notification.subject == "gaib: 1 scheduled backup(s) FAILED (1 succeeded)"


def test_enrolment_records_round_trip_and_local_state_is_refused(memory_ctx: BackupContext) -> None:
    for url in ("memory://x", "/srv/project/.gaib/workspaces"):
        with pytest.raises(BackupError, match="cannot be read by a scheduled run"):
            enrol(memory_ctx, SERVER, "default", url)
    first = enrol(memory_ctx, SERVER, "default", "s3://states/community/", {"anon": False})
    assert first.state_url == "s3://states/community"
    again = enrol(memory_ctx, SERVER, "staging", "s3://states/staging")
    assert [(t.server_id, t.workspace) for t in scheduled.enrolled(memory_ctx)] == [
        (SERVER, "default"),
        (SERVER, "staging"),
    ]
    assert scheduled.find_target(memory_ctx, SERVER, "staging") == again
    assert scheduled.unenrol(memory_ctx, SERVER, "staging") is True
    assert scheduled.unenrol(memory_ctx, SERVER, "staging") is False
    assert [t.workspace for t in scheduled.enrolled(memory_ctx)] == ["default"]


@pytest.mark.parametrize("option", ["key", "secret", "token", "aws_secret_access_key"])
def test_credentials_are_never_written_into_an_enrolment(
    memory_ctx: BackupContext, option: str
) -> None:
    with pytest.raises(BackupError, match=f"backend option '{option}' looks like a credential"):
        enrol(memory_ctx, SERVER, "default", "s3://states/x", {option: "AKIA..."})
    assert scheduled.enrolled(memory_ctx) == []


def test_ids_that_leave_the_store_are_refused(memory_ctx: BackupContext) -> None:
    with pytest.raises(BackupError, match=re.escape("invalid server id '../x'")):
        enrol(memory_ctx, "../x", "default", "s3://states/x")


def test_a_corrupt_enrolment_record_is_named(memory_ctx: BackupContext) -> None:
    memory_ctx.store.write(scheduled.target_key(SERVER, "default"), b"{not json")
    with pytest.raises(
        BackupError,
        match=f"store key schedules/{SERVER}/default.json: not a valid enrolment record",
    ):
        scheduled.enrolled(memory_ctx)


def test_rules_choose_service_tiers() -> None:
    assert scheduled.service_tiers_for(["gaib-backup-daily"]) == ("free",)
    assert scheduled.service_tiers_for(["gaib-backup-hourly"]) == ("premium",)
    assert scheduled.service_tiers_for(["someone-elses-rule"]) == ("free", "premium")


def test_premium_gets_a_weekly_snapshot_with_the_newest_config(
    memory_ctx: BackupContext, clock: Clock, state_factory: StateFactory
) -> None:
    memory_ctx.set_service_tier(SERVER, "premium")
    target = _target(memory_ctx, state_factory)
    first = run_scheduled(memory_ctx, targets=[target]).outcomes[0]
    assert (
        first.snapshot
        == "skipped: no config to bundle (apply or `gaib server export --backup` first)"
    )
    assert first.status == "backed-up"

    store_export(memory_ctx, SERVER, "server:\n  name: Sietch\n")
    clock.advance(hours=1)
    second = run_scheduled(memory_ctx, targets=[target]).outcomes[0]
    assert second.snapshot is not None and not second.snapshot.startswith("skipped")
    snapshot = load_snapshot(memory_ctx, SERVER, second.snapshot)
    assert (snapshot.manifest.kind, snapshot.config_text) == (
        "scheduled",
        "server:\n  name: Sietch\n",
    )
    assert snapshot.state.serial == list_backups(memory_ctx, SERVER)[0].serial
    assert f"; snapshot {second.snapshot}" in second.line()

    for hours in (1, 24 * 7 - 2):  # the rest of the week: backups, no snapshot
        clock.advance(hours=hours)
        assert run_scheduled(memory_ctx, targets=[target]).outcomes[0].snapshot is None
    clock.advance(hours=1)  # a week of periods after the last one
    third = run_scheduled(memory_ctx, targets=[target]).outcomes[0]
    assert third.snapshot is not None and third.snapshot != second.snapshot
    assert len(list_snapshots(memory_ctx, SERVER)) == 2


def test_free_takes_no_scheduled_snapshot(
    memory_ctx: BackupContext, state_factory: StateFactory
) -> None:
    store_export(memory_ctx, SERVER, "server:\n  name: Sietch\n")
    target = _target(memory_ctx, state_factory)
    assert run_scheduled(memory_ctx, targets=[target]).outcomes[0].snapshot is None
    assert list_snapshots(memory_ctx, SERVER) == []
