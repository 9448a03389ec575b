"""The state backend and locker protocols, and the state file codec (Terraform's split).

A *backend* stores one state document per workspace and keeps the previous version as a backup;
a *locker* guards one workspace's state so that only one writer runs at a time. They are separate
protocols (Terraform's ``statemgr.Persister`` vs ``statemgr.Locker``): a backend hands out a
locker per workspace with ``backend.locker(workspace)``.

The codec (:func:`decode_state` / :func:`encode_state`) validates with pydantic on read and runs
the schema upgrade chain (:func:`upgrade_state`) first, so old files load as the current model.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from pydantic import ValidationError

from gaib_core.errors import LockInfo, StateError
from gaib_core.state.models import STATE_VERSION, State

STATE_FILE = "state.json"
BACKUP_SUFFIX = ".backup"
LOCK_FILE = "state.lock"


@runtime_checkable
class Locker(Protocol):
    """Guards one workspace's state.

    Every method talks to the storage directly (no caching), so two processes see each other's
    locks. ``LockError`` always carries the current holder's ``LockInfo``.
    """

    def lock(self, info: LockInfo) -> str:
        """Take the lock for ``info`` (atomically); return ``info.id``.

        Raises ``LockError`` naming the holder when someone already holds it.
        """
        ...

    def unlock(self, lock_id: str) -> None:
        """Release the lock held under ``lock_id``.

        Raises ``LockError`` (naming the holder) if the lock is held under another id, and
        ``StateError`` if it is not held at all.
        """
        ...

    def force_unlock(self, lock_id: str) -> None:
        """Remove a lock some other (maybe dead) process holds; ``lock_id`` must match its id.

        Raises ``LockError`` naming the real holder for a wrong id, ``StateError`` if nothing is
        locked.
        """
        ...

    def holder(self) -> LockInfo | None:
        """Who holds the lock now, or None."""
        ...


@runtime_checkable
class StateBackend(Protocol):
    """Stores one state document (bytes) per workspace.

    ``write_bytes`` replaces the document atomically (readers see the old or the new one, never a
    mix) and first keeps the previous document as the backup. Backends never interpret the bytes;
    :func:`read_state` / :func:`write_state` do.
    """

    def describe(self, workspace: str) -> str:
        """Where the workspace's state lives (a path or URL), for messages and ``LockInfo``."""
        ...

    def backup_location(self, workspace: str) -> str:
        """Where the previous version is kept (a path or URL), for messages."""
        ...

    def read_bytes(self, workspace: str) -> bytes | None:
        """The current state document, or None when the workspace has none."""
        ...

    def read_backup_bytes(self, workspace: str) -> bytes | None:
        """The previous state document, or None."""
        ...

    def write_bytes(self, workspace: str, data: bytes) -> None:
        """Replace the document atomically, keeping the previous one as the backup."""
        ...

    def list_workspaces(self) -> list[str]:
        """Names of the workspaces that have anything stored (state, backup or lock), sorted."""
        ...

    def delete_workspace(self, workspace: str) -> None:
        """Remove the workspace's state, backup and lock. Missing workspaces are fine."""
        ...

    def locker(self, workspace: str) -> Locker:
        """The locker guarding the workspace's state."""
        ...


# Upgrade steps: UPGRADES[n] turns a version-n document into a version-(n+1) document. Version 1
# is the first schema, so there is nothing to upgrade yet; add `UPGRADES[1] = _v1_to_v2` together
# with STATE_VERSION = 2 when the format changes.
Upgrade = Callable[[dict[str, Any]], dict[str, Any]]
UPGRADES: dict[int, Upgrade] = {}


def upgrade_state(raw: dict[str, Any], *, source: str = "state") -> dict[str, Any]:
    """Bring a decoded state document up to ``STATE_VERSION`` (identity for version 1).

    Raises ``StateError`` for a missing or unknown version, or one newer than this gaib knows.
    """
    version = raw.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise StateError(
            f"{source}: state has no valid 'version' (got {version!r})",
            hint="the file is not a gaib state; restore the backup or push a good copy",
        )
    if version > STATE_VERSION:
        raise StateError(
            f"{source}: state version {version} is newer than this gaib supports "
            f"(up to {STATE_VERSION})",
            hint="upgrade gaib-core to read it",
        )
    doc = dict(raw)
    while doc["version"] < STATE_VERSION:
        step = UPGRADES[doc["version"]]
        doc = step(doc)
    return doc


def decode_state(data: bytes, *, source: str, backup: str | None = None) -> State:
    """Parse, upgrade and validate a state document; ``StateError`` naming ``source`` if bad."""
    hint = (
        f"run `gaib server state restore-backup` to make the previous version ({backup}) "
        "current again, or push a good copy with `gaib server state push FILE`"
        if backup
        else "fix the file or push a good copy with `gaib server state push FILE`"
    )
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StateError(f"{source}: state file is corrupt ({exc})", hint=hint) from None
    if not isinstance(raw, dict):
        raise StateError(f"{source}: state file is corrupt (not a JSON object)", hint=hint)
    try:
        raw = upgrade_state(raw, source=source)
    except StateError as exc:
        if exc.hint and "upgrade gaib-core" in exc.hint:
            raise
        raise StateError(exc.message, hint=hint) from None
    try:
        return State.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise StateError(
            f"{source}: state file is corrupt at {where}: {first['msg']}", hint=hint
        ) from None


def encode_state(state: State) -> bytes:
    """The state as stable, indented JSON (what ``state pull`` prints and backends store)."""
    return (json.dumps(state.model_dump(mode="json"), indent=2) + "\n").encode("utf-8")


def read_state(backend: StateBackend, workspace: str) -> State | None:
    """The workspace's validated state, or None when it has none."""
    data = backend.read_bytes(workspace)
    if data is None:
        return None
    return decode_state(
        data, source=backend.describe(workspace), backup=backend.backup_location(workspace)
    )


def write_state(backend: StateBackend, workspace: str, state: State) -> None:
    """Store ``state`` as is (no serial bump: that is the state manager's job)."""
    backend.write_bytes(workspace, encode_state(state))
