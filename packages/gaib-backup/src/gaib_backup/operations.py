"""The changes gaib-backup makes to a workspace, each inside gaib-core's change lifecycle:
restoring a backup or a snapshot (operation ``restore``) and rolling a theme deployment back
(operation ``rollback``). ``gaib_before_change`` / ``gaib_after_change`` fire for them exactly as
for an apply, so the safety backup and the theme registry see them too.

A restore writes the backed-up resources and lineage with a serial one above the current one
(state only moves forward), after backing the current state up. A snapshot restore also puts the
snapshot's ``discord-server.yaml`` back (the previous file kept as ``discord-server.yaml.backup``)
and, with ``apply``, makes the guild match through a normal plan and apply. A rollback restores
the config of an earlier deployment and applies it: a new, forward deployment, never a rewrite
of the history.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from pathlib import Path

from gaib_core.config.loader import load_config
from gaib_core.engine.apply import ApplyListener, ApplyResult, apply_plan
from gaib_core.engine.plan import Plan
from gaib_core.engine.workflow import refresh_plan
from gaib_core.errors import StateError
from gaib_core.lifecycle import Operation
from gaib_core.plugins import Hooks
from gaib_core.project import atomic_write_text
from gaib_core.provider.base import Provider
from gaib_core.state.backend import decode_state, encode_state
from gaib_core.state.manager import StateManager
from gaib_core.state.models import State

from gaib_backup.backups import RestorePreview, create_backup
from gaib_backup.context import BackupContext

#: What the running rollback returns to (read by the after-hook to fill ``rollbackOf``).
ROLLBACK_OF: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "gaib_backup_rollback_of", default=None
)
#: The snapshot a running restore came from (recorded in the deployment's message).
RESTORED_FROM: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "gaib_backup_restored_from", default=None
)


def restore_state(
    ctx: BackupContext,
    manager: StateManager,
    preview: RestorePreview,
    *,
    guild_id: str,
    source: str,
    lock_timeout: float = 0.0,
    snapshot_id: str | None = None,
) -> State:
    """Write the preview's state inside the ``restore`` lifecycle (the manager's hooks fire with
    operation ``restore``), after a safety backup of the state it replaces.

    ``snapshot_id`` names the snapshot restored (recorded with the deployment). Refused (nothing
    written) when the state moved since the preview was computed.
    """
    with manager.locked("restore", timeout=lock_timeout):
        raw = manager.backend.read_bytes(manager.workspace)
        if preview.unreadable is not None:
            # a corrupt state (restored over with --force): the same bytes, or it moved
            if raw != preview.unreadable:
                raise StateError(
                    f"{manager.url} changed while the restore was prepared",
                    hint="run the restore again",
                )
            return _push(manager, preview, source, snapshot_id)
        current = decode_state(raw, source=manager.url) if raw is not None else manager.read()
        if (current.lineage, current.serial) != (preview.current.lineage, preview.current.serial):
            raise StateError(
                f"{manager.url} changed while the restore was prepared "
                f"(serial {preview.current.serial} -> {current.serial})",
                hint="run the restore again",
            )
        if raw is not None and current.serial > 0 and guild_id:
            create_backup(ctx, current, server_id=guild_id, kind="safety", document=raw)
        return _push(manager, preview, source, snapshot_id)


def _push(
    manager: StateManager, preview: RestorePreview, source: str, snapshot_id: str | None
) -> State:
    token = RESTORED_FROM.set(snapshot_id)
    try:
        # push fires gaib_before_change / gaib_after_change as operation "restore"
        return manager.push(
            encode_state(preview.target), force=True, source=source, operation="restore"
        )
    finally:
        RESTORED_FROM.reset(token)


def restore_config(config_path: Path, text: str) -> Path | None:
    """Put ``text`` into ``config_path`` atomically; the previous file (if it differs) is kept
    as ``<name>.backup``, whose path is returned."""
    kept = None
    if config_path.exists():
        previous = config_path.read_text(encoding="utf-8")
        if previous == text:
            return None
        kept = config_path.with_name(config_path.name + ".backup")
        atomic_write_text(kept, previous)
    atomic_write_text(config_path, text)
    return kept


@dataclass
class Deployment:
    """A plan made from a restored config, ready to show and apply."""

    plan: Plan
    config_path: Path


async def plan_config(
    config_path: Path, provider: Provider, guild_id: str, manager: StateManager
) -> Plan:
    """Refresh and plan ``config_path`` against the guild (no lock held afterwards)."""
    config = load_config(config_path)
    return await refresh_plan(config, provider, guild_id, manager)


async def apply_config(
    plan: Plan,
    config_path: Path,
    provider: Provider,
    manager: StateManager,
    hooks: Hooks,
    *,
    operation: Operation,
    rollback_of: str | None = None,
    listener: ApplyListener | None = None,
) -> ApplyResult:
    """Apply ``plan`` as ``operation`` (``restore`` or ``rollback``) through gaib-core's engine."""
    token = ROLLBACK_OF.set(rollback_of)
    try:
        return await apply_plan(
            plan,
            provider,
            manager,
            hooks,
            config=load_config(config_path),
            operation=operation,
            listener=listener,
            reason=f"gaib {operation}",
        )
    finally:
        ROLLBACK_OF.reset(token)
