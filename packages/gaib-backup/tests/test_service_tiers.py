"""Service tiers: PRD 15.3 limits (also under concurrency), the message, premium, DynamoDB."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from gaib_backup.backups import create_backup, find_backup, list_backups
from gaib_backup.context import BackupContext
from gaib_backup.errors import ServiceTierLimit
from gaib_backup.metadata import StoreMetadata
from gaib_backup.metadata_dynamodb import DynamoMetadata
from gaib_backup.models import ThemeRegistry
from gaib_backup.service_tiers import policy, window
from gaib_backup.settings import BackupSettings
from gaib_backup.snapshots import create_snapshot
from gaib_backup.store import BackupStore
from gaib_core.testing.moto import REGION, MotoDynamo, MotoS3

SERVER = "123456789012345678"


def test_the_prd_limits_are_the_data() -> None:
    free, premium = policy("free"), policy("premium")
    assert {op: (lim.count, lim.per) for op, lim in free.limits.items()} == {
        "backup create": (1, "day"),
        "backup restore": (3, "day"),
        "snapshot create": (3, "week"),
        "snapshot restore": (1, "day"),
    }
    assert premium.limits == {}
    assert (free.retention_days, premium.retention_days) == (7, 90)
    assert (free.theme_history, premium.theme_history) == (5, None)


def test_windows_are_utc_days_and_iso_weeks() -> None:
    sunday = dt.datetime(2026, 11, 29, 23, 59, tzinfo=dt.UTC)
    assert window("day", sunday).key == "2026-11-29"
    week = window("week", sunday)
    assert week.key == "2026-W48" and week.end == dt.datetime(2026, 11, 30, tzinfo=dt.UTC)


def test_second_on_demand_backup_on_a_free_server_is_refused_until_tomorrow(
    ctx: BackupContext,
    state_factory,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    create_backup(ctx, state_factory(serial=1), server_id=SERVER)
    with pytest.raises(ServiceTierLimit) as refused:
        create_backup(ctx, state_factory(serial=2), server_id=SERVER)
    message = str(refused.value)
    assert "free service tier" in message and "1 backup create per day" in message
    assert "next one is allowed at 2026-11-26 00:00 UTC" in message
    assert len(list_backups(ctx, SERVER)) == 1
    # safety and scheduled backups are counted outside the on-demand limit
    create_backup(ctx, state_factory(serial=3), server_id=SERVER, kind="safety")
    create_backup(ctx, state_factory(serial=4), server_id=SERVER, kind="scheduled")
    clock.advance(hours=12)  # the next UTC day
    create_backup(ctx, state_factory(serial=5), server_id=SERVER)
    assert len(list_backups(ctx, SERVER)) == 4


def test_premium_is_not_limited(ctx: BackupContext, state_factory) -> None:  # type: ignore[no-untyped-def]
    ctx.set_service_tier(SERVER, "premium")
    for serial in range(1, 6):
        create_backup(ctx, state_factory(serial=serial), server_id=SERVER)
    for _ in range(5):
        create_snapshot(ctx, state_factory(), "", ThemeRegistry(server_id=SERVER), server_id=SERVER)
    assert len(list_backups(ctx, SERVER)) == 5


def test_free_snapshots_are_three_a_week(ctx: BackupContext, state_factory, clock) -> None:  # type: ignore[no-untyped-def]
    registry = ThemeRegistry(server_id=SERVER)
    for _ in range(3):
        create_snapshot(ctx, state_factory(), "", registry, server_id=SERVER)
    with pytest.raises(ServiceTierLimit, match=r"3 snapshot create per week.*2026-11-30 00:00 UTC"):
        create_snapshot(ctx, state_factory(), "", registry, server_id=SERVER)
    clock.advance(days=5)  # Monday: a new ISO week
    create_snapshot(ctx, state_factory(), "", registry, server_id=SERVER)


class GatedStore(BackupStore):
    """A real store whose exclusive writes of usage slots wait until ``parties`` writers are
    there: the worst interleaving, every creator past its checks and about to take the same slot
    at once. If one creator could finish before another started, the gate would time out."""

    def __init__(self, url: str, options: dict[str, object], parties: int) -> None:
        super().__init__(url, options)
        self.gate = threading.Barrier(parties, timeout=60)

    def write(self, key: str, data: bytes, *, exclusive: bool = False, **kwargs: Any) -> None:
        if exclusive and key.startswith("usage/"):
            self.gate.wait()
        super().write(key, data, exclusive=exclusive, **kwargs)


def _race(ctx: BackupContext, state_factory, creators: int) -> list[str]:  # type: ignore[no-untyped-def]
    start = threading.Barrier(creators, timeout=60)

    def attempt(serial: int) -> str:
        start.wait()
        try:
            create_backup(ctx, state_factory(serial=serial), server_id=SERVER)
        except ServiceTierLimit:
            return "refused"
        return "created"

    with ThreadPoolExecutor(creators) as pool:
        return sorted(pool.map(attempt, range(1, creators + 1)))


def test_two_creates_at_the_same_instant_on_a_free_server_let_exactly_one_through(
    atomic_store_url: tuple[str, dict[str, object]],
    clock,
    state_factory,  # type: ignore[no-untyped-def]
) -> None:
    url, options = atomic_store_url
    store = GatedStore(url, options, parties=2)
    ctx = BackupContext(store, StoreMetadata(store), BackupSettings(store=url), now=clock)
    assert _race(ctx, state_factory, 2) == ["created", "refused"]
    assert len(list_backups(ctx, SERVER)) == 1
    assert ctx.metadata.used(SERVER, "backup create", "2026-11-25") == 1


def test_six_concurrent_creates_on_a_free_server_let_exactly_one_through(
    atomic_store_url: tuple[str, dict[str, object]],
    clock,
    state_factory,  # type: ignore[no-untyped-def]
) -> None:
    url, options = atomic_store_url
    ctx = BackupContext.from_url(url, dict(options))
    ctx.now = clock
    assert _race(ctx, state_factory, 6) == ["created"] + ["refused"] * 5
    assert len(list_backups(ctx, SERVER)) == 1


@pytest.fixture
def dynamo_ctx(moto_s3: MotoS3, moto_dynamodb: MotoDynamo, clock) -> BackupContext:  # type: ignore[no-untyped-def]
    settings = BackupSettings(store=moto_s3.url("b"), storage_options=moto_s3.storage_options)
    settings.metadata.type = "dynamodb"
    settings.metadata.table = moto_dynamodb.metadata_table
    settings.metadata.tiers_table = moto_dynamodb.tiers_table
    settings.metadata.region = REGION
    settings.metadata.endpoint_url = moto_dynamodb.endpoint_url
    ctx = BackupContext.from_settings(settings)
    ctx.now = clock
    return ctx


def test_dynamodb_metadata_counts_atomically_and_keeps_records(
    dynamo_ctx: BackupContext,
    state_factory,
    moto_dynamodb: MotoDynamo,  # type: ignore[no-untyped-def]
) -> None:
    assert isinstance(dynamo_ctx.metadata, DynamoMetadata)
    # One after the other here: moto serves requests on threads and checks an UpdateItem's
    # condition, then applies it, without a lock, so a race on moto would test moto. DynamoDB
    # applies a conditional update atomically; what this proves is that the count is taken by
    # one conditional UpdateItem (refused at the limit) and never by a read and a write.
    create_backup(dynamo_ctx, state_factory(serial=1), server_id=SERVER)
    with pytest.raises(ServiceTierLimit, match="1 backup create per day"):
        create_backup(dynamo_ctx, state_factory(serial=2), server_id=SERVER)
    assert dynamo_ctx.metadata.used(SERVER, "backup create", "2026-11-25") == 1
    [meta] = list_backups(dynamo_ctx, SERVER)
    assert dynamo_ctx.metadata.find_backup_server(meta.id) == SERVER
    assert find_backup(dynamo_ctx, SERVER, meta.id) == meta
    assert find_backup(dynamo_ctx, SERVER, meta.id[:8]) == meta
    import boto3

    table = boto3.resource(
        "dynamodb", endpoint_url=moto_dynamodb.endpoint_url, region_name=REGION
    ).Table(moto_dynamodb.metadata_table)
    item = table.get_item(
        Key={"PK": f"SERVER#{SERVER}", "SK": f"BACKUP#{meta.timestamp}#{meta.id}"}
    )
    expires = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC) + dt.timedelta(days=7)
    assert abs(int(item["Item"]["TTL"]) - int(expires.timestamp())) < 5
    dynamo_ctx.set_service_tier(SERVER, "premium")
    tiers = boto3.resource(
        "dynamodb", endpoint_url=moto_dynamodb.endpoint_url, region_name=REGION
    ).Table(moto_dynamodb.tiers_table)
    assert tiers.get_item(Key={"PK": f"SERVER#{SERVER}"})["Item"]["tier"] == "premium"
    create_backup(dynamo_ctx, state_factory(serial=99), server_id=SERVER)
    assert len(list_backups(dynamo_ctx, SERVER)) == 2
