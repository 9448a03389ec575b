"""State backups (PRD 14.1): create, list, find, verify, restore, delete, prune.

A backup is the workspace's state document, gzip-compressed, stored at
``state/{server_id}/{workspace}/backup.{timestamp}.json.gz``, with a ``BackupMetadata`` record
(SHA-256 of the compressed bytes, size, serial, lineage, service tier) in the metadata store.

Typical use from a program::

    from gaib_backup.backups import create_backup, list_backups
    from gaib_backup.context import BackupContext

    ctx = BackupContext.from_url("file:///var/backups/gaib")
    created = create_backup(ctx, state, server_id="123", workspace="default", message="nightly")
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from gaib_core.errors import StateError
from gaib_core.state.backend import decode_state, encode_state
from gaib_core.state.manager import StateManager
from gaib_core.state.models import State

from gaib_backup.codec import checksum, pack, unpack, verify
from gaib_backup.context import BackupContext, compact, parse_timestamp, timestamp
from gaib_backup.errors import BackupError, LineageError, NotFound
from gaib_backup.models import BackupKind, BackupMetadata
from gaib_backup.names import STATE_PREFIX
from gaib_backup.statediff import StateDiff, diff_states
from gaib_backup.store import safe_part

#: How many leading characters of an id identify a backup (like a short git hash).
MIN_PREFIX = 6


@dataclass
class CreatedBackup:
    """What ``create_backup`` did: the backup, and whether an identical one existed already."""

    backup: BackupMetadata
    reused: bool


def backup_key(server_id: str, workspace: str, when: dt.datetime) -> str:
    """``state/{server_id}/{workspace}/backup.{timestamp}.json.gz``."""
    return (
        f"{STATE_PREFIX}/{safe_part(server_id, what='server id')}/"
        f"{safe_part(workspace, what='workspace')}/backup.{compact(when)}.json.gz"
    )


def create_backup(
    ctx: BackupContext,
    state: State,
    *,
    server_id: str,
    workspace: str | None = None,
    message: str | None = None,
    kind: BackupKind = "on-demand",
    document: bytes | None = None,
) -> CreatedBackup:
    """Back ``state`` up.

    An on-demand backup counts against the service tier's ``backup create`` limit
    (``ServiceTierLimit`` when used up); ``safety``, ``scheduled`` and ``export`` backups do not.
    A state identical to the workspace's newest backup is not stored again: that backup is
    returned with ``reused=True`` (every state write moves the serial on, so an identical
    document can be no older backup). ``document`` is ``state`` as stored already
    (``encode_state(state)``), when the caller has it: it saves encoding it again.
    """
    workspace = workspace or state.workspace
    document = document if document is not None else encode_state(state)
    packed = pack(document)
    digest = checksum(packed)
    # Every write moves the serial on, so an identical document can only be the newest backup.
    for existing in ctx.metadata.backups(server_id, workspace, limit=1):
        if existing.checksum == digest:
            return CreatedBackup(existing, reused=True)
    with ctx.allowance(server_id, "backup create", enforce=kind == "on-demand"):
        when = ctx.now()
        meta = BackupMetadata(
            id=str(uuid.uuid4()),
            server_id=server_id,
            workspace=workspace,
            timestamp=timestamp(when),
            serial=state.serial,
            lineage=state.lineage,
            message=message,
            service_tier=ctx.service_tier(server_id),
            size=len(packed),
            checksum=digest,
            key=backup_key(server_id, workspace, when),
            kind=kind,
            resource_count=len(state.resources),
        )
        ctx.store.write(meta.key, packed, service_tier=meta.service_tier, exclusive=True)
        ctx.metadata.put_backup(meta, expires=ctx.expires(server_id, when))
    return CreatedBackup(meta, reused=False)


def list_backups(
    ctx: BackupContext, server_id: str, *, workspace: str | None = None, limit: int | None = None
) -> list[BackupMetadata]:
    """The server's backups (of one workspace or all), newest first, at most ``limit``."""
    return ctx.metadata.backups(server_id, workspace, limit=limit)


def find_backup(ctx: BackupContext, server_id: str, backup_id: str) -> BackupMetadata:
    """The backup whose id is (or starts with, at least 6 characters) ``backup_id``."""
    safe_part(backup_id, what="backup id")
    found = ctx.metadata.find_backups(server_id, backup_id)
    exact = [m for m in found if m.id == backup_id]
    if exact:
        return exact[0]
    matches = [m for m in found if len(backup_id) >= MIN_PREFIX and m.id.startswith(backup_id)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise NotFound(
            f"backup id '{backup_id}' is ambiguous ({len(matches)} backups start with it)",
            hint="give more characters of the id",
        )
    raise NotFound(
        f"no backup '{backup_id}' for server {server_id} in {ctx.store.describe()}",
        hint="`gaib server backup list` shows the backups and their ids",
    )


def load_backup(ctx: BackupContext, meta: BackupMetadata) -> State:
    """The backed-up state, after checking size, checksum, gzip and the state schema."""
    where = ctx.store.describe(meta.key)
    data = ctx.store.read(meta.key)
    if data is None:
        raise NotFound(
            f"backup {meta.id}: its object {where} is missing",
            hint="it expired or was deleted; `gaib server backup delete "
            f"{meta.id}` removes the record",
        )
    verify(data, expected=meta.checksum, size=meta.size, where=where)
    document = unpack(data, where=where)
    try:
        state = decode_state(document, source=where)
    except StateError as exc:
        raise BackupError(exc.message, hint="use another backup") from None
    if state.lineage != meta.lineage or state.serial != meta.serial:
        raise BackupError(
            f"{where}: holds serial {state.serial} of lineage {state.lineage}, the record says "
            f"serial {meta.serial} of {meta.lineage}",
            hint="the record and the object do not belong together; use another backup",
        )
    return state


def verify_backup(ctx: BackupContext, meta: BackupMetadata) -> State:
    """Check one backup completely (see :func:`load_backup`); returns its state."""
    return load_backup(ctx, meta)


@dataclass
class RestorePreview:
    """What a restore would do, computed before anything is written."""

    source: str  # "backup <id>" or "snapshot <id>"
    current: State
    target: State
    diff: StateDiff
    lineage_changes: bool
    #: the current state's bytes when they cannot be read (corrupt): ``--force`` replaces them
    unreadable: bytes | None = None


def preview_state(
    backed_up: State, manager: StateManager, *, source: str, force: bool = False
) -> RestorePreview:
    """The state a restore of ``backed_up`` writes into ``manager``'s workspace.

    The target (``backed_up`` itself, updated) has exactly the backed-up resources, lineage and
    theme, and a serial one above the current one (state only moves forward). Another lineage is
    refused (``LineageError``) unless ``force``.
    """
    unreadable = _unreadable_state(manager, source=source, force=force)
    current = (
        manager.read()
        if unreadable is None
        else State(workspace=manager.workspace, lineage="", serial=0)
    )
    other = bool(current.lineage) and current.lineage != backed_up.lineage
    if other and not force:
        raise LineageError(
            f"{source} is of lineage {backed_up.lineage}, workspace '{manager.workspace}' has "
            f"lineage {current.lineage}",
            hint="it belongs to another deployment; add --force to replace the state anyway",
        )
    # ``backed_up`` is the caller's fresh copy (just loaded): no need to copy it again
    target = backed_up
    target.serial = max(current.serial, backed_up.serial) + 1
    target.workspace = manager.workspace
    diff = diff_states(current, target)
    return RestorePreview(source, current, target, diff, other, unreadable)


def _unreadable_state(manager: StateManager, *, source: str, force: bool) -> bytes | None:
    """The workspace's state bytes if they are there but corrupt (``--force`` restores over them:
    the push keeps them as the state's backup); None when the state reads, or there is none."""
    raw = manager.backend.read_bytes(manager.workspace)
    if raw is None:
        return None
    try:
        decode_state(raw, source=manager.url)
    except StateError as exc:
        if exc.hint and "upgrade gaib-core" in exc.hint:
            raise  # a newer gaib's state is not corrupt: never overwrite it
        if not force:
            raise StateError(
                exc.message,
                hint=f"add --force to put {source} in its place (the corrupt file is kept as "
                "the state's backup), or run `gaib server state restore-backup`",
            ) from None
        return raw
    return None


def preview_restore(
    ctx: BackupContext, manager: StateManager, meta: BackupMetadata, *, force: bool = False
) -> RestorePreview:
    """Load and verify the backup, then :func:`preview_state`."""
    return preview_state(load_backup(ctx, meta), manager, source=f"backup {meta.id}", force=force)


def delete_backup(ctx: BackupContext, meta: BackupMetadata) -> None:
    """Remove the object and its record."""
    ctx.store.delete(meta.key)
    ctx.metadata.delete_backup(meta)


@dataclass
class Pruned:
    """A backup prune removed (or would remove, for a dry run)."""

    backup: BackupMetadata
    age_days: float


def prune_backups(ctx: BackupContext, server_id: str, *, dry_run: bool = False) -> list[Pruned]:
    """Remove the server's backups older than its service tier's retention (7 or 90 days).

    Exactly those go: a backup made ``retention_days`` ago to the microsecond or later stays.
    """
    now = ctx.now()
    keep = dt.timedelta(days=ctx.policy(server_id).retention_days)
    removed = []
    for meta in ctx.metadata.backups(server_id):
        age = now - parse_timestamp(meta.timestamp)
        if age > keep:
            removed.append(Pruned(meta, age.total_seconds() / 86400))
            if not dry_run:
                delete_backup(ctx, meta)
    return removed
