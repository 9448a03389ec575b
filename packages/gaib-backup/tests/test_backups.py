"""State backups on every store: round trips, dedup, integrity refusals, restore semantics."""

from __future__ import annotations

import gzip
import json

import pytest
from gaib_backup.backups import (
    create_backup,
    delete_backup,
    find_backup,
    list_backups,
    load_backup,
    preview_restore,
    prune_backups,
)
from gaib_backup.context import BackupContext
from gaib_backup.errors import IntegrityError, LineageError, NotFound, UnsafePath
from gaib_backup.metadata import StoreMetadata
from gaib_backup.operations import restore_state
from gaib_core.state.backend import encode_state
from gaib_core.state.backends import FsspecBackend
from gaib_core.state.manager import StateManager
from gaib_core.state.models import ResourceState, State
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SERVER = "123456789012345678"


def write_restored(ctx: BackupContext, manager: StateManager, preview) -> State:  # type: ignore[no-untyped-def]
    """Restore through the change lifecycle, as the CLI does."""
    return restore_state(ctx, manager, preview, guild_id=SERVER, source="test")


def premium(ctx: BackupContext) -> BackupContext:
    ctx.set_service_tier(SERVER, "premium")
    return ctx


def test_create_list_find_load(ctx: BackupContext, state_factory) -> None:  # type: ignore[no-untyped-def]
    state = state_factory()
    created = create_backup(ctx, state, server_id=SERVER, message="Test backup")
    assert not created.reused
    meta = created.backup
    assert meta.key == f"state/{SERVER}/default/backup.{meta.key.split('.')[1]}.json.gz"
    assert meta.message == "Test backup" and meta.service_tier == "free" and meta.serial == 3
    assert list_backups(ctx, SERVER) == [meta]
    assert find_backup(ctx, SERVER, meta.id[:8]) == meta
    assert load_backup(ctx, meta) == state
    stored = ctx.store.read(meta.key)
    assert stored is not None and json.loads(gzip.decompress(stored)) == json.loads(
        encode_state(state)
    )


def test_metadata_json_uses_the_prd_field_names(ctx: BackupContext, state_factory) -> None:  # type: ignore[no-untyped-def]
    meta = create_backup(ctx, state_factory(), server_id=SERVER).backup
    raw = ctx.store.read(StoreMetadata.meta_key(meta))
    assert raw is not None
    assert {"id", "serverId", "workspace", "timestamp", "serial", "lineage", "tier", "size",
            "checksum"} <= set(json.loads(raw))  # fmt: skip


def test_an_unchanged_state_is_not_stored_twice(ctx: BackupContext, state_factory) -> None:  # type: ignore[no-untyped-def]
    premium(ctx)
    state = state_factory()
    first = create_backup(ctx, state, server_id=SERVER)
    again = create_backup(ctx, state, server_id=SERVER)
    assert again.reused and again.backup == first.backup
    assert len(list_backups(ctx, SERVER)) == 1


def test_delete_removes_object_and_record(ctx: BackupContext, state_factory) -> None:  # type: ignore[no-untyped-def]
    meta = create_backup(ctx, state_factory(), server_id=SERVER).backup
    delete_backup(ctx, meta)
    assert ctx.store.read(meta.key) is None
    with pytest.raises(NotFound, match="backup list"):
        find_backup(ctx, SERVER, meta.id)


def test_dot_dot_in_an_id_is_refused(ctx: BackupContext) -> None:
    with pytest.raises(UnsafePath, match="invalid backup id"):
        find_backup(ctx, SERVER, "../../etc")


def _damage(ctx: BackupContext, key: str, change) -> None:  # type: ignore[no-untyped-def]
    data = ctx.store.read(key)
    assert data is not None
    ctx.store.write(key, change(data))


def _flip(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


def _manager(ctx: BackupContext, state: State | None = None) -> StateManager:
    backend = FsspecBackend(f"{ctx.store.url}-state", ctx.store.fs.storage_options)
    manager = StateManager(backend, "default")
    if state is not None:
        manager.push(encode_state(state), force=True)
    return manager


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_flip, "checksum mismatch"),
        (lambda d: d[: len(d) - 7], "size is"),
    ],
)
def test_damaged_backups_are_refused_and_nothing_is_overwritten(
    ctx: BackupContext,
    state_factory,
    damage,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    meta = create_backup(ctx, state_factory(serial=3), server_id=SERVER).backup
    current = state_factory(serial=9, roles=5)
    current.lineage = meta.lineage
    manager = _manager(ctx, current)
    before = manager.backend.read_bytes("default")
    _damage(ctx, meta.key, damage)
    with pytest.raises(IntegrityError, match=message):
        preview_restore(ctx, manager, meta)
    assert manager.backend.read_bytes("default") == before


def test_a_truncated_gzip_with_a_matching_record_is_refused(
    ctx: BackupContext,
    state_factory,  # type: ignore[no-untyped-def]
) -> None:
    meta = create_backup(ctx, state_factory(), server_id=SERVER).backup
    data = ctx.store.read(meta.key)
    assert data is not None
    truncated = data[: len(data) // 2]
    # a record that agrees with the truncated bytes: only the gzip check can catch it
    from gaib_backup.codec import checksum

    lying = meta.model_copy(update={"size": len(truncated), "checksum": checksum(truncated)})
    ctx.store.write(meta.key, truncated)
    with pytest.raises(IntegrityError, match="not a complete gzip file"):
        load_backup(ctx, lying)


def test_restore_refuses_another_lineage_unless_forced(ctx: BackupContext, state_factory) -> None:  # type: ignore[no-untyped-def]
    meta = create_backup(ctx, state_factory(), server_id=SERVER).backup
    other = state_factory(serial=20, roles=1)  # a fresh lineage
    manager = _manager(ctx, other)
    before = manager.backend.read_bytes("default")
    with pytest.raises(LineageError, match="--force"):
        preview_restore(ctx, manager, meta)
    assert manager.backend.read_bytes("default") == before
    preview = preview_restore(ctx, manager, meta, force=True)
    restored = write_restored(ctx, manager, preview)
    assert restored.lineage == meta.lineage and restored.serial == 21
    # the state it replaced was backed up first
    safety = [m for m in list_backups(ctx, SERVER) if m.kind == "safety"]
    assert [(m.lineage, m.serial) for m in safety] == [(other.lineage, 21 - 1)]


def test_prune_removes_exactly_what_retention_says(
    ctx: BackupContext,
    state_factory,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    made = []
    for day in range(10):  # one scheduled backup a day, 10 days
        made.append(
            create_backup(ctx, state_factory(serial=day + 1), server_id=SERVER, kind="scheduled")
        )
        clock.advance(days=1)
    # now: day 10 at the same time of day (a few microseconds later). Free keeps 7 days, so
    # the backups of days 0-3 (7 days and a few microseconds old, or older) go, day 4 stays.
    dry = prune_backups(ctx, SERVER, dry_run=True)
    assert sorted(p.backup.serial for p in dry) == [1, 2, 3, 4]
    assert len(list_backups(ctx, SERVER)) == 10
    clock.advance(microseconds=-50)  # day 3's backup now is younger than 7 days: it stays
    assert sorted(p.backup.serial for p in prune_backups(ctx, SERVER, dry_run=True)) == [1, 2, 3]
    clock.advance(microseconds=50)
    gone = prune_backups(ctx, SERVER)
    assert sorted(p.backup.serial for p in gone) == [1, 2, 3, 4]
    assert sorted(m.serial for m in list_backups(ctx, SERVER)) == list(range(5, 11))
    assert all(ctx.store.read(c.backup.key) is None for c in made[:4])
    ctx.set_service_tier(SERVER, "premium")  # 90 days: nothing else is old enough
    assert prune_backups(ctx, SERVER) == []


addresses = st.sampled_from([f"role.r{i}" for i in range(6)] + ["channel.c1", "category.k1"])
resource_maps = st.dictionaries(
    addresses,
    st.tuples(st.integers(1, 10**6), st.integers(0, 0xFFFFFF)),
    max_size=8,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(backed_up=resource_maps, applies=st.lists(resource_maps, min_size=0, max_size=4))
def test_backup_then_any_applies_then_restore_gives_back_the_backup(
    memory_url: str,
    backed_up,
    applies,  # type: ignore[no-untyped-def]
) -> None:
    import uuid

    ctx = BackupContext.from_url(f"{memory_url}/{uuid.uuid4().hex}")
    ctx.set_service_tier(SERVER, "premium")
    manager = StateManager(FsspecBackend(f"{memory_url}/state-{uuid.uuid4().hex}"), "default")

    def resources(spec):  # type: ignore[no-untyped-def]
        return {
            a: ResourceState(type=a.split(".")[0], id=str(i), name=a, attributes={"color": c})
            for a, (i, c) in spec.items()
        }

    state = manager.read()
    state.guild_id = SERVER
    state.resources = resources(backed_up)
    manager.write(state)
    saved = manager.read()
    meta = create_backup(ctx, saved, server_id=SERVER).backup
    for spec in applies:
        current = manager.read()
        current.resources = resources(spec)
        manager.write(current)
    before = manager.read()
    restored = write_restored(ctx, manager, preview_restore(ctx, manager, meta))
    again = manager.read()
    assert again.resources == saved.resources
    assert again.lineage == saved.lineage
    assert again.serial > before.serial and again.serial == restored.serial
