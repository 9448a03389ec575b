"""Full snapshots (PRD 14.3): state, config and theme registry in one verified bundle.

::

    snapshots/{server_id}/{snapshot_id}/
        state.json.gz           the workspace's state
        config.yaml.gz          the discord-server.yaml that produced it
        theme-registry.json.gz  the server's theme registry at that moment
        manifest.json           SnapshotManifest: checksums and sizes of the three files

The manifest is written last and only if absent (an exclusive write): a snapshot without a
valid manifest does not exist, so a crash half-way leaves nothing that could be restored. Every
read checks the whole bundle: the manifest's schema and id, each file's size and SHA-256, that
the files gunzip and parse, that no file is missing or extra, and that the state is the one the
manifest describes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from gaib_core.errors import StateError
from gaib_core.state.backend import decode_state, encode_state
from gaib_core.state.models import State
from pydantic import ValidationError

from gaib_backup.codec import checksum, pack, unpack, verify
from gaib_backup.context import BackupContext, compact, parse_timestamp, timestamp
from gaib_backup.errors import BackupError, IntegrityError, NotFound
from gaib_backup.metadata import MANIFEST
from gaib_backup.models import (
    DiscordCounts,
    FileEntry,
    SnapshotFiles,
    SnapshotManifest,
    ThemeInfo,
    ThemeRegistry,
)
from gaib_backup.names import SNAPSHOTS_PREFIX
from gaib_backup.statediff import StateDiff, diff_states
from gaib_backup.store import safe_part

STATE_FILE = "state.json.gz"
CONFIG_FILE = "config.yaml.gz"
REGISTRY_FILE = "theme-registry.json.gz"
BUNDLE_FILES = (STATE_FILE, CONFIG_FILE, REGISTRY_FILE, MANIFEST)

SnapshotKind = Literal["on-demand", "deployment", "scheduled"]


@dataclass
class Snapshot:
    """A verified snapshot: its manifest and its three files, unpacked."""

    manifest: SnapshotManifest
    state: State
    config_text: str
    registry: ThemeRegistry
    raw: dict[str, bytes]  # file name -> stored bytes (manifest included), for download


def snapshot_prefix(server_id: str, snapshot_id: str) -> str:
    """``snapshots/{server_id}/{snapshot_id}``."""
    return (
        f"{SNAPSHOTS_PREFIX}/{safe_part(server_id, what='server id')}/"
        f"{safe_part(snapshot_id, what='snapshot id')}"
    )


def new_snapshot_id(when: dt.datetime) -> str:
    """``20261129T162838Z-1a2b3c4d``: sorts by time, unique."""
    return f"{compact(when)[:15]}Z-{uuid.uuid4().hex[:8]}"


def _counts(state: State) -> DiscordCounts:
    types = [r.type for r in state.resources.values()]
    return DiscordCounts(
        role_count=types.count("role"),
        channel_count=types.count("channel"),
        category_count=types.count("category"),
    )


def create_snapshot(
    ctx: BackupContext,
    state: State,
    config_text: str,
    registry: ThemeRegistry,
    *,
    server_id: str,
    workspace: str | None = None,
    message: str | None = None,
    kind: SnapshotKind = "on-demand",
) -> SnapshotManifest:
    """Store a bundle; the manifest goes last, exclusively.

    An on-demand snapshot counts against the service tier's ``snapshot create`` limit.
    """
    with ctx.allowance(server_id, "snapshot create", enforce=kind == "on-demand"):
        when = ctx.now()
        snapshot_id = new_snapshot_id(when)
        prefix = snapshot_prefix(server_id, snapshot_id)
        service_tier = ctx.service_tier(server_id)
        contents = {
            STATE_FILE: pack(encode_state(state)),
            CONFIG_FILE: pack(config_text.encode("utf-8")),
            REGISTRY_FILE: pack(registry.to_json()),
        }
        entries = {}
        for name, data in contents.items():
            ctx.store.write(f"{prefix}/{name}", data, service_tier=service_tier, exclusive=True)
            entries[name] = FileEntry(path=name, checksum=checksum(data), size=len(data))
        theme = state.theme
        manifest = SnapshotManifest(
            id=snapshot_id,
            server_id=server_id,
            workspace=workspace or state.workspace,
            timestamp=timestamp(when),
            serial=state.serial,
            lineage=state.lineage,
            message=message,
            service_tier=service_tier,
            files=SnapshotFiles(
                state=entries[STATE_FILE],
                config=entries[CONFIG_FILE],
                theme_registry=entries[REGISTRY_FILE],
            ),
            discord=_counts(state),
            theme=ThemeInfo(name=theme.name, version=theme.version) if theme else None,
            kind=kind,
        )
        ctx.store.write(
            f"{prefix}/{MANIFEST}", manifest.to_json(), service_tier=service_tier, exclusive=True
        )
        ctx.metadata.put_snapshot(manifest, expires=ctx.expires(server_id, when))
    return manifest


def _parse_manifest(data: bytes, where: str) -> SnapshotManifest:
    try:
        return SnapshotManifest.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise IntegrityError(
            f"{where}: invalid manifest at {field}: {first['msg']}",
            hint="the snapshot is damaged; use another snapshot",
        ) from None


def check_bundle(
    files: dict[str, bytes], *, where: str, snapshot_id: str, server_id: str | None = None
) -> Snapshot:
    """Verify a bundle given as file name -> stored bytes (see the module docstring)."""
    if MANIFEST not in files:
        raise NotFound(
            f"{where}: no snapshot '{snapshot_id}' (no manifest)",
            hint="`gaib server snapshot list` shows the snapshots",
        )
    manifest = _parse_manifest(files[MANIFEST], f"{where}/{MANIFEST}")
    if manifest.id != snapshot_id or (server_id is not None and manifest.server_id != server_id):
        raise IntegrityError(
            f"{where}/{MANIFEST}: describes snapshot {manifest.id} of server "
            f"{manifest.server_id}, not {snapshot_id}" + (f" of {server_id}" if server_id else ""),
            hint="the manifest was copied or edited; use another snapshot",
        )
    listed = {
        STATE_FILE: manifest.files.state,
        CONFIG_FILE: manifest.files.config,
        REGISTRY_FILE: manifest.files.theme_registry,
    }
    for name, entry in listed.items():
        if entry.path != name:
            raise IntegrityError(
                f"{where}/{MANIFEST}: file path {entry.path!r} where {name!r} belongs",
                hint="the manifest was edited; use another snapshot",
            )
    extra = sorted(set(files) - set(BUNDLE_FILES))
    if extra:
        raise IntegrityError(
            f"{where}: file {extra[0]!r} is not part of the snapshot's manifest",
            hint="something was added to the bundle; remove it or use another snapshot",
        )
    missing = [name for name in listed if name not in files]
    if missing:
        raise IntegrityError(
            f"{where}: {missing[0]} listed in the manifest is missing",
            hint="the bundle is incomplete; use another snapshot",
        )
    for name, entry in listed.items():
        verify(files[name], expected=entry.checksum, size=entry.size, where=f"{where}/{name}")
    state_doc = unpack(files[STATE_FILE], where=f"{where}/{STATE_FILE}")
    try:
        state = decode_state(state_doc, source=f"{where}/{STATE_FILE}")
    except StateError as exc:
        raise IntegrityError(exc.message, hint="use another snapshot") from None
    if (state.serial, state.lineage) != (manifest.serial, manifest.lineage) or _counts(
        state
    ) != manifest.discord:
        raise IntegrityError(
            f"{where}/{STATE_FILE}: is not the state the manifest describes "
            f"(serial {state.serial}, manifest {manifest.serial})",
            hint="the bundle was mixed up; use another snapshot",
        )
    config_text = unpack(files[CONFIG_FILE], where=f"{where}/{CONFIG_FILE}").decode(
        "utf-8", errors="strict"
    )
    registry_doc = unpack(files[REGISTRY_FILE], where=f"{where}/{REGISTRY_FILE}")
    try:
        registry = ThemeRegistry.model_validate_json(registry_doc)
    except ValidationError as exc:
        raise IntegrityError(
            f"{where}/{REGISTRY_FILE}: invalid theme registry: {exc.errors()[0]['msg']}",
            hint="use another snapshot",
        ) from None
    return Snapshot(manifest, state, config_text, registry, dict(files))


def _read_bundle(ctx: BackupContext, server_id: str, snapshot_id: str) -> dict[str, bytes]:
    prefix = snapshot_prefix(server_id, snapshot_id)
    files: dict[str, bytes] = {}
    for key in ctx.store.list(prefix):
        name = key[len(prefix) + 1 :]
        data = ctx.store.read(key)
        if data is not None:
            files[name] = data
    return files


def snapshot_ids(ctx: BackupContext, server_id: str) -> list[str]:
    """Ids of the server's snapshots, newest first."""
    return ctx.metadata.snapshot_ids(server_id)


def resolve_id(ctx: BackupContext, server_id: str, snapshot_id: str) -> str:
    """The full id for ``snapshot_id`` or a unique prefix of it."""
    safe_part(snapshot_id, what="snapshot id")
    ids = snapshot_ids(ctx, server_id)
    if snapshot_id in ids:
        return snapshot_id
    matches = [i for i in ids if i.startswith(snapshot_id)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise NotFound(
            f"snapshot id '{snapshot_id}' is ambiguous ({len(matches)} snapshots start with it)",
            hint="give more characters of the id",
        )
    raise NotFound(
        f"no snapshot '{snapshot_id}' for server {server_id} in {ctx.store.describe()}",
        hint="`gaib server snapshot list` shows the snapshots and their ids",
    )


def load_snapshot(ctx: BackupContext, server_id: str, snapshot_id: str) -> Snapshot:
    """The verified snapshot (``IntegrityError`` / ``NotFound`` naming what is wrong)."""
    full = resolve_id(ctx, server_id, snapshot_id)
    where = ctx.store.describe(snapshot_prefix(server_id, full))
    return check_bundle(
        _read_bundle(ctx, server_id, full), where=where, snapshot_id=full, server_id=server_id
    )


def list_snapshots(
    ctx: BackupContext, server_id: str, *, limit: int | None = None
) -> list[SnapshotManifest]:
    """Manifests of the server's snapshots, newest first (unreadable manifests are skipped)."""
    out = []
    for snapshot_id in snapshot_ids(ctx, server_id):
        key = f"{snapshot_prefix(server_id, snapshot_id)}/{MANIFEST}"
        data = ctx.store.read(key)
        if data is None:
            continue
        try:
            out.append(SnapshotManifest.model_validate_json(data))
        except ValidationError:
            continue  # a snapshot without a valid manifest does not exist
        if limit is not None and len(out) >= limit:
            break
    return out


def delete_snapshot(ctx: BackupContext, server_id: str, snapshot_id: str) -> None:
    """Remove a bundle: the manifest first (so it stops existing at once), then the files."""
    full = resolve_id(ctx, server_id, snapshot_id)
    prefix = snapshot_prefix(server_id, full)
    manifest_data = ctx.store.read(f"{prefix}/{MANIFEST}")
    ctx.store.delete(f"{prefix}/{MANIFEST}")
    for key in ctx.store.list(prefix):
        ctx.store.delete(key)
    if manifest_data is not None:
        with contextlib.suppress(ValidationError):
            ctx.metadata.delete_snapshot(SnapshotManifest.model_validate_json(manifest_data))


def prune_snapshots(
    ctx: BackupContext, server_id: str, *, dry_run: bool = False
) -> list[SnapshotManifest]:
    """Remove the server's snapshots older than its service tier's retention; returns them."""
    now = ctx.now()
    keep = dt.timedelta(days=ctx.policy(server_id).retention_days)
    removed = []
    for manifest in list_snapshots(ctx, server_id):
        if now - parse_timestamp(manifest.timestamp) > keep:
            removed.append(manifest)
            if not dry_run:
                delete_snapshot(ctx, server_id, manifest.id)
    return removed


def download_snapshot(
    ctx: BackupContext, server_id: str, snapshot_id: str, directory: Path, *, force: bool = False
) -> Snapshot:
    """Verify the bundle, then write its four files into ``directory`` exactly as stored.

    Only the bundle's fixed file names are written, all directly inside ``directory``. Existing
    files are not overwritten unless ``force``; nothing is written if anything is wrong.
    """
    snapshot = load_snapshot(ctx, server_id, snapshot_id)
    if directory.exists() and not directory.is_dir():
        raise BackupError(f"{directory} exists and is not a directory", hint="choose another -o")
    clashes = [name for name in BUNDLE_FILES if (directory / name).exists()]
    if clashes and not force:
        raise BackupError(
            f"{directory / clashes[0]} exists", hint="choose an empty directory or add --force"
        )
    for name in BUNDLE_FILES:
        _write_file(directory / name, snapshot.raw[name])
    return snapshot


def _write_file(path: Path, data: bytes) -> None:
    """Temp file in the same directory, fsync, rename (mode 0600: state is private)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def upload_snapshot(
    ctx: BackupContext, directory: Path, *, server_id: str | None = None
) -> SnapshotManifest:
    """Store a downloaded bundle again, byte for byte, after verifying it completely.

    Refused when a snapshot with its id exists already; the manifest goes last.
    """
    files: dict[str, bytes] = {}
    if not directory.is_dir():
        raise BackupError(f"{directory} is not a directory", hint="pass the download directory")
    for path in sorted(directory.iterdir()):
        if path.name.startswith("."):
            continue
        if not path.is_file():
            raise IntegrityError(
                f"{path}: is not part of a snapshot bundle",
                hint="a bundle holds only its four files; remove anything else",
            )
        files[path.name] = path.read_bytes()
    if MANIFEST not in files:
        raise NotFound(f"{directory}: no {MANIFEST}", hint="pass a directory `download` wrote")
    manifest = _parse_manifest(files[MANIFEST], str(directory / MANIFEST))
    snapshot = check_bundle(
        files, where=str(directory), snapshot_id=manifest.id, server_id=server_id
    )
    target = snapshot.manifest.server_id
    if snapshot.manifest.id in snapshot_ids(ctx, target):
        raise BackupError(
            f"snapshot {manifest.id} already exists in {ctx.store.describe()}",
            hint="nothing to do; `gaib server snapshot verify` checks the stored copy",
        )
    prefix = snapshot_prefix(target, manifest.id)
    for name in (STATE_FILE, CONFIG_FILE, REGISTRY_FILE):
        ctx.store.write(f"{prefix}/{name}", files[name], service_tier=manifest.service_tier)
    ctx.store.write(
        f"{prefix}/{MANIFEST}", files[MANIFEST], service_tier=manifest.service_tier, exclusive=True
    )
    when = parse_timestamp(manifest.timestamp)
    ctx.metadata.put_snapshot(manifest, expires=ctx.expires(target, when))
    return manifest


@dataclass
class SnapshotComparison:
    """Two snapshots side by side: resource differences, theme and config changes."""

    first: SnapshotManifest
    second: SnapshotManifest
    diff: StateDiff
    config_changed: bool

    @property
    def empty(self) -> bool:
        """True when the two snapshots hold the same resources and config."""
        return self.diff.empty and not self.config_changed

    def to_json(self) -> dict[str, object]:
        """A JSON-able dict (``--json``)."""
        theme = [m.theme.model_dump() if m.theme else None for m in (self.first, self.second)]
        return {
            "first": self.first.id,
            "second": self.second.id,
            "theme": {"first": theme[0], "second": theme[1]},
            "config_changed": self.config_changed,
            **self.diff.to_json(),
        }


def compare_snapshots(
    ctx: BackupContext, server_id: str, first: str, second: str
) -> SnapshotComparison:
    """What changed from snapshot ``first`` to ``second`` (both verified)."""
    a, b = load_snapshot(ctx, server_id, first), load_snapshot(ctx, server_id, second)
    return SnapshotComparison(
        a.manifest, b.manifest, diff_states(a.state, b.state), a.config_text != b.config_text
    )


def manifest_json(manifest: SnapshotManifest) -> dict[str, object]:
    """The manifest as JSON-able data with the PRD's field names."""
    return json.loads(manifest.to_json())
