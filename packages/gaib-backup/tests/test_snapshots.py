"""Snapshots: bundle layout, manifest last, tamper refusals, download/upload, compare."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gaib_backup.context import BackupContext
from gaib_backup.errors import BackupError, IntegrityError, NotFound, UnsafePath
from gaib_backup.models import ThemeRegistry
from gaib_backup.snapshots import (
    BUNDLE_FILES,
    compare_snapshots,
    create_snapshot,
    download_snapshot,
    list_snapshots,
    load_snapshot,
    snapshot_prefix,
    upload_snapshot,
)
from gaib_core.config.models import ThemeRef
from gaib_core.state.models import ResourceState
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SERVER = "123456789012345678"
CONFIG = "version: 1\nroles:\n  - name: Naib\n"


def _snap(ctx: BackupContext, state, config: str = CONFIG, message: str | None = None):  # type: ignore[no-untyped-def]
    return create_snapshot(
        ctx, state, config, ThemeRegistry(server_id=SERVER), server_id=SERVER, message=message
    )


def test_a_snapshot_is_the_prd_bundle(ctx: BackupContext, state_factory) -> None:  # type: ignore[no-untyped-def]
    state = state_factory()
    state.theme = ThemeRef(name="sietch", version="3.0.0")
    manifest = _snap(ctx, state, message="Full snapshot")
    prefix = snapshot_prefix(SERVER, manifest.id)
    assert sorted(k.rsplit("/", 1)[1] for k in ctx.store.list(prefix)) == sorted(BUNDLE_FILES)
    raw = json.loads(ctx.store.read(f"{prefix}/manifest.json") or b"")
    assert raw["version"] == "1.0" and raw["serverId"] == SERVER
    assert set(raw["files"]) == {"state", "config", "themeRegistry"}
    assert raw["discord"] == {"roleCount": 2, "channelCount": 0, "categoryCount": 0}
    assert raw["theme"] == {"name": "sietch", "version": "3.0.0"}
    loaded = load_snapshot(ctx, SERVER, manifest.id)
    assert loaded.state == state and loaded.config_text == CONFIG
    assert [m.id for m in list_snapshots(ctx, SERVER)] == [manifest.id]


def test_without_a_manifest_a_snapshot_does_not_exist(ctx: BackupContext, state_factory) -> None:  # type: ignore[no-untyped-def]
    manifest = _snap(ctx, state_factory())
    ctx.store.delete(f"{snapshot_prefix(SERVER, manifest.id)}/manifest.json")
    assert list_snapshots(ctx, SERVER) == []
    with pytest.raises(NotFound):
        load_snapshot(ctx, SERVER, manifest.id)


def _tamper(ctx: BackupContext, key: str, change) -> None:  # type: ignore[no-untyped-def]
    data = ctx.store.read(key)
    assert data is not None
    ctx.store.write(key, change(data))


def _lying_manifest(data: bytes) -> bytes:
    raw = json.loads(data)
    raw["files"]["state"]["checksum"] = "0" * 64
    return json.dumps(raw).encode()


def _flip(data: bytes) -> bytes:
    return data[:20] + bytes([data[20] ^ 0x10]) + data[21:]


@pytest.mark.parametrize(
    ("name", "change", "message"),
    [
        ("state.json.gz", _flip, "checksum mismatch"),
        ("config.yaml.gz", lambda d: d[:-5], "size is"),
        ("manifest.json", _lying_manifest, "checksum mismatch"),
        ("manifest.json", lambda d: d.replace(b'"1.0"', b'"9.9"'), "invalid manifest"),
    ],
)
def test_tampered_bundles_are_refused(
    ctx: BackupContext,
    state_factory,
    name: str,
    change,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    manifest = _snap(ctx, state_factory())
    _tamper(ctx, f"{snapshot_prefix(SERVER, manifest.id)}/{name}", change)
    with pytest.raises(IntegrityError, match=message):
        load_snapshot(ctx, SERVER, manifest.id)


def test_a_missing_or_extra_file_is_refused(ctx: BackupContext, state_factory) -> None:  # type: ignore[no-untyped-def]
    first, second = _snap(ctx, state_factory()), _snap(ctx, state_factory(serial=4))
    ctx.store.delete(f"{snapshot_prefix(SERVER, first.id)}/theme-registry.json.gz")
    with pytest.raises(
        IntegrityError, match=r"theme-registry\.json\.gz listed in the manifest is missing"
    ):
        load_snapshot(ctx, SERVER, first.id)
    ctx.store.write(f"{snapshot_prefix(SERVER, second.id)}/extra.json", b"{}")
    with pytest.raises(IntegrityError, match=r"'extra\.json' is not part"):
        load_snapshot(ctx, SERVER, second.id)


def test_download_writes_only_inside_the_directory_and_round_trips(
    ctx: BackupContext,
    state_factory,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    manifest = _snap(ctx, state_factory())
    parent = tmp_path / "downloads"
    out = parent / "test-backup"
    download_snapshot(ctx, SERVER, manifest.id, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(BUNDLE_FILES)
    assert [p.name for p in parent.iterdir()] == ["test-backup"]
    with pytest.raises(BackupError, match="--force"):
        download_snapshot(ctx, SERVER, manifest.id, out)
    stored = {
        k.rsplit("/", 1)[1]: ctx.store.read(k)
        for k in ctx.store.list(snapshot_prefix(SERVER, manifest.id))
    }
    assert {p.name: p.read_bytes() for p in out.iterdir()} == stored


def test_a_damaged_snapshot_is_not_downloaded(
    ctx: BackupContext, state_factory, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    manifest = _snap(ctx, state_factory())
    _tamper(ctx, f"{snapshot_prefix(SERVER, manifest.id)}/state.json.gz", _flip)
    out = tmp_path / "out"
    with pytest.raises(IntegrityError):
        download_snapshot(ctx, SERVER, manifest.id, out)
    assert not out.exists()


def test_ids_with_dot_dot_are_refused(ctx: BackupContext) -> None:
    with pytest.raises(UnsafePath):
        load_snapshot(ctx, SERVER, "../../state")


def test_upload_refuses_a_manifest_id_that_escapes(
    ctx: BackupContext, state_factory, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    manifest = _snap(ctx, state_factory())
    out = tmp_path / "bundle"
    download_snapshot(ctx, SERVER, manifest.id, out)
    raw = json.loads((out / "manifest.json").read_text())
    raw["id"] = "../../escape"
    (out / "manifest.json").write_text(json.dumps(raw))
    with pytest.raises(UnsafePath):
        upload_snapshot(
            BackupContext.from_url(ctx.store.url + "-other", ctx.store.fs.storage_options), out
        )
    assert ctx.store.list("escape") == []


resources = st.dictionaries(
    st.sampled_from(["role.a", "role.b", "channel.c", "category.d"]),
    st.tuples(st.integers(1, 99), st.integers(0, 2**40)),
    max_size=4,
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spec=resources, text=st.text(max_size=200))
def test_compare_with_itself_is_empty_and_download_upload_is_identical(
    memory_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    spec,
    text: str,  # type: ignore[no-untyped-def]
) -> None:
    import uuid

    from gaib_core.state.models import State

    ctx = BackupContext.from_url(f"{memory_url}/{uuid.uuid4().hex}")
    ctx.set_service_tier(SERVER, "premium")
    state = State(
        serial=5,
        guild_id=SERVER,
        resources={
            a: ResourceState(type=a.split(".")[0], id=str(i), name=a, attributes={"permissions": p})
            for a, (i, p) in spec.items()
        },
    )
    manifest = _snap(ctx, state, config=text)
    assert compare_snapshots(ctx, SERVER, manifest.id, manifest.id).empty
    out = tmp_path_factory.mktemp("dl")
    download_snapshot(ctx, SERVER, manifest.id, out)
    other = BackupContext.from_url(f"{memory_url}/{uuid.uuid4().hex}")
    uploaded = upload_snapshot(other, out)
    assert uploaded == manifest
    again = tmp_path_factory.mktemp("dl2")
    download_snapshot(other, SERVER, manifest.id, again)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {
        p.name: p.read_bytes() for p in again.iterdir()
    }


def test_compare_names_roles_channels_overwrites_and_permissions(
    ctx: BackupContext,
    state_factory,  # type: ignore[no-untyped-def]
) -> None:
    ctx.set_service_tier(SERVER, "premium")
    a = state_factory(roles=2)
    a.resources["role.r0"].attributes["permissions"] = 1024
    a.resources["channel.general"] = ResourceState(
        type="channel", id="9", name="general",
        attributes={"overwrites": {"role.r0": {"allow": 1024, "deny": 0}}},
    )  # fmt: skip
    b = a.model_copy(deep=True)
    b.resources["role.r0"].attributes["permissions"] = 1024 | 2048
    b.resources["channel.general"].attributes["overwrites"]["role.r0"]["deny"] = 2048
    del b.resources["role.r1"]
    b.resources["role.new"] = ResourceState(type="role", id="77", name="New")
    first, second = _snap(ctx, a), _snap(ctx, b)
    result = compare_snapshots(ctx, SERVER, first.id, second.id)
    text = "\n".join(result.diff.lines())
    assert "+ role.new" in text and "- role.r1" in text
    assert "permissions: [VIEW_CHANNEL] -> [VIEW_CHANNEL, SEND_MESSAGES]" in text
    assert "overwrites.role.r0.deny: [] -> [SEND_MESSAGES]" in text
    assert result.to_json()["summary"] == {"added": 1, "changed": 2, "removed": 1}


def test_prune_removes_the_snapshots_retention_says(
    ctx: BackupContext, state_factory, clock
) -> None:  # type: ignore[no-untyped-def]
    from gaib_backup.snapshots import prune_snapshots

    made = []
    for day in range(9):  # deployment snapshots count against no limit
        made.append(create_snapshot(ctx, state_factory(serial=day + 1), CONFIG,
                                    ThemeRegistry(server_id=SERVER), server_id=SERVER,
                                    kind="deployment"))  # fmt: skip
        clock.advance(days=1)
    # day 9 now: free keeps 7 days, so the snapshots of days 0, 1 and 2 (7 days old and a bit) go
    assert [m.serial for m in prune_snapshots(ctx, SERVER, dry_run=True)] == [3, 2, 1]
    assert len(list_snapshots(ctx, SERVER)) == 9
    assert [m.serial for m in prune_snapshots(ctx, SERVER)] == [3, 2, 1]
    assert sorted(m.serial for m in list_snapshots(ctx, SERVER)) == list(range(4, 10))
    assert ctx.store.list(snapshot_prefix(SERVER, made[0].id)) == []


def test_compare_and_restore_previews_name_the_servers_own_settings(state_factory) -> None:  # type: ignore[no-untyped-def]
    from gaib_backup.statediff import diff_states
    from gaib_core.state.models import ServerState

    a = state_factory()
    a.server = ServerState(id=SERVER, attributes={"name": "Arrakis", "verification_level": 1})
    b = a.model_copy(deep=True)
    assert diff_states(a, b).empty
    assert b.server is not None
    b.server.attributes["name"] = "Dune"
    b.server.icon_hash = "discord-side-hash-only"  # bookkeeping, not a setting
    lines = diff_states(a, b).lines()
    assert lines == ["~ server (server 'Dune')", "    name: 'Arrakis' -> 'Dune'",
                     "0 added, 1 changed, 0 removed."]  # fmt: skip
