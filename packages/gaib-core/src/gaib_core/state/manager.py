"""The state manager: one workspace's state, read and written under its lock.

``open_state(project, hooks)`` picks the backend from ``.gaib/config.yaml`` (through the
``gaib_register_state_backends`` hook) and the workspace (argument, ``GAIB_WORKSPACE``, or the
selected one). Every write holds the lock (taken for the write alone if the caller does not hold
it already), bumps ``serial``, keeps ``lineage``, keeps the previous version as a backup, and
refuses a document that contains the bot token. The state commands (``rm``, ``mv``, ``push``) run
inside the change lifecycle (``gaib_before_change`` / ``gaib_after_change``) of the manager's
``hooks``; a dry run fires nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import yaml

from gaib_core import __version__
from gaib_core.errors import LockError, LockInfo, StateError
from gaib_core.lifecycle import ChangeRecord, Operation, change_event, change_lifecycle
from gaib_core.plugins import DEFAULT_HOOKS, Hooks
from gaib_core.project import CONFIG_FILE, DEFAULT_WORKSPACE, Project, atomic_write_bytes
from gaib_core.state.backend import (
    StateBackend,
    decode_state,
    encode_state,
    read_state,
)
from gaib_core.state.backends import open_backend
from gaib_core.state.lock import acquire, new_lock_info
from gaib_core.state.models import STATE_VERSION, ResourceState, State
from gaib_core.state.workspaces import Workspaces, validate_workspace_name

__all__ = ["StateManager", "check_address", "open_backend", "open_state"]

DEFAULT_TOKEN_ENV = "DISCORD_TOKEN"
RESOURCE_TYPES = ("role", "category", "channel")
# Shorter values are not plausibly tokens and would match innocent JSON by accident.
_MIN_TOKEN_LENGTH = 8


class StateManager:
    """Reads and writes one workspace's state through a backend, under the backend's lock."""

    def __init__(
        self,
        backend: StateBackend,
        workspace: str,
        *,
        project: Project | None = None,
        token_envs: Sequence[str] = (DEFAULT_TOKEN_ENV,),
        hooks: Hooks = DEFAULT_HOOKS,
    ) -> None:
        self.backend = backend
        self.hooks = hooks
        self.workspace = validate_workspace_name(workspace)
        self.project = project
        self.token_envs = tuple(dict.fromkeys([*token_envs, DEFAULT_TOKEN_ENV]))
        self.locker = backend.locker(self.workspace)
        self._lock: LockInfo | None = None
        # (lineage, serial) of our last write; only trusted while we hold the lock.
        self._written: tuple[str, int] | None = None

    @property
    def url(self) -> str:
        """Where this workspace's state lives."""
        return self.backend.describe(self.workspace)

    @property
    def lock_info(self) -> LockInfo | None:
        """The lock this manager holds, or None."""
        return self._lock

    # --- locking -------------------------------------------------------------------------------

    @contextmanager
    def locked(self, operation: str = "apply", timeout: float = 0.0) -> Iterator[LockInfo]:
        """Hold the workspace's lock for the block; re-entrant within one manager.

        Waits up to ``timeout`` seconds for another holder; then ``LockError`` naming it.
        """
        if self._lock is not None:
            yield self._lock
            return
        info = new_lock_info(operation, path=self.url)
        acquire(self.locker, info, timeout=timeout)
        self._lock = info
        try:
            yield info
        finally:
            self._lock = None
            self._written = None
            try:
                self.locker.unlock(info.id)
            except LockError:
                # Someone force-unlocked us; only report it if nothing else is going wrong.
                if sys.exc_info()[0] is None:
                    raise

    def force_unlock(self, lock_id: str) -> None:
        """Remove the lock ``lock_id`` (refused if the lock has another id or none is held)."""
        self.locker.force_unlock(lock_id)

    def holder(self) -> LockInfo | None:
        """Who holds this workspace's lock now."""
        return self.locker.holder()

    # --- reading and writing ---------------------------------------------------------------------

    def read(self) -> State:
        """The current state; an empty one (``serial`` 0, ``lineage`` "") if there is none yet.

        The empty lineage means "no state yet": the first write gives the state its lineage.
        """
        state = read_state(self.backend, self.workspace)
        if state is None:
            return State(workspace=self.workspace, lineage="", serial=0)
        return state

    def write(self, state: State) -> State:
        """Store ``state`` as the next version: serial + 1, lineage kept, previous backed up.

        ``state`` is updated in place (serial, lineage, workspace, gaib_version, version) and
        returned, so a caller can keep persisting the same object. Refuses a state of another
        lineage and one that contains the bot token.
        """
        with self.locked(operation="write"):
            stored = self._stored_version()
            if stored is not None and state.lineage != stored[0]:
                raise StateError(
                    f"{self.url}: refusing to write a state of lineage '{state.lineage or '(new)'}' "
                    f"over lineage '{stored[0]}'",
                    hint="the state changed since it was read; read it again and retry",
                )
            serial = max(state.serial, stored[1] if stored else 0) + 1
            lineage = state.lineage or State().lineage
            update = {
                "serial": serial,
                "lineage": lineage,
                "version": STATE_VERSION,
                "workspace": self.workspace,
                "gaib_version": __version__,
            }
            self._store(state.model_copy(update=update))
            self._written = (lineage, serial)
            # Only after a successful store, so a refused write leaves the caller's copy as it was.
            for key, value in update.items():
                setattr(state, key, value)
        return state

    def _stored_version(self) -> tuple[str, int] | None:
        """(lineage, serial) of the stored state, or None when there is none.

        While this manager holds the lock nobody else writes, so after our own first write the
        answer is remembered (one request less per resource saved during an apply).
        """
        if self._written is not None:
            return self._written
        current = read_state(self.backend, self.workspace)
        return (current.lineage, current.serial) if current is not None else None

    def persist(self, state: State) -> State:
        """Same as :meth:`write`; called after each resource during apply."""
        return self.write(state)

    def _store(self, state: State) -> None:
        data = encode_state(state)
        self._refuse_tokens(data)
        self.backend.write_bytes(self.workspace, data)

    def _refuse_tokens(self, data: bytes) -> None:
        text = data.decode("utf-8")
        for name in self.token_envs:
            value = os.environ.get(name, "")
            if len(value) >= _MIN_TOKEN_LENGTH and value in text:
                raise StateError(
                    f"refusing to write {self.url}: it contains the bot token (${name})",
                    hint="tokens never belong in state; remove it from the resource attributes",
                )

    # --- state commands ------------------------------------------------------------------------

    def pull(self) -> str:
        """The current state as JSON text (``gaib server state pull``)."""
        return encode_state(self.read()).decode("utf-8")

    def push(
        self,
        data: bytes,
        *,
        force: bool = False,
        dry_run: bool = False,
        source: str = "pushed state",
        operation: Operation = "state-push",
    ) -> State:
        """Replace the state with ``data`` (``gaib server state push``), as Terraform does.

        Refused unless ``force``: another lineage, or an older serial. An equal serial of the
        same lineage is the pull -> edit -> push path: accepted when the content changed (stored
        as the next serial), a no-op when it did not. A current state that is corrupt is replaced
        by any valid file (the corrupt bytes stay in the backup; the previous backup is kept as
        ``<backup>.<time>``). The previous version is kept as the backup either way; ``dry_run``
        checks without writing. ``operation`` names the change for the lifecycle hooks
        (gaib-backup's ``restore`` writes a backed-up state through here).
        """
        new = decode_state(data, source=source)
        with self.locked(operation="push"):
            raw = self.backend.read_bytes(self.workspace)
            current = self._decode_current(raw)
            new.workspace = self.workspace
            if current is not None and not force:
                if new.lineage != current.lineage:
                    raise StateError(
                        f"{source}: lineage '{new.lineage}' differs from {self.url} "
                        f"lineage '{current.lineage}'",
                        hint="it belongs to another deployment; use --force to replace it anyway",
                    )
                if new.serial < current.serial:
                    raise StateError(
                        f"{source}: serial {new.serial} is older than {self.url} serial "
                        f"{current.serial}",
                        hint="pull the current state (`gaib server state pull > FILE`), edit that "
                        "and push it, or use --force",
                    )
                if new.serial == current.serial:
                    if new.model_dump(exclude={"gaib_version"}) == current.model_dump(
                        exclude={"gaib_version"}
                    ):
                        return current
                    new.serial = current.serial + 1
            if not dry_run:
                if raw is not None and current is None:
                    self._keep_backup_aside()
                before = current or State(workspace=self.workspace, lineage="", serial=0)
                with self._change(operation, before) as record:
                    self._store(new)
                    self._written = (new.lineage, new.serial)
                    record.state = new
                    record.changed.extend(sorted(new.resources))
        return new

    def _decode_current(self, raw: bytes | None) -> State | None:
        """The stored state, or None when there is none or it is corrupt (push replaces it)."""
        if raw is None:
            return None
        try:
            return decode_state(raw, source=self.url)
        except StateError:
            return None

    def _keep_backup_aside(self) -> None:
        """Before a corrupt state rotates into the backup slot, keep the backup's content."""
        backup = self.backend.read_backup_bytes(self.workspace)
        if backup is None or self.project is None:
            return
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        path = self.project.gaib_dir / "state-backups" / f"{self.workspace}.{stamp}.json"
        atomic_write_bytes(path, backup, mode=0o600)

    def restore_backup(self, *, force: bool = False, dry_run: bool = False) -> State:
        """Make the backup (the version before the last write) current again.

        For a corrupt state (its bytes become the backup, so nothing is lost). A healthy state
        is only rolled back with ``force``. Returns the restored state.
        """
        location = self.backend.backup_location(self.workspace)
        with self.locked(operation="restore-backup"):
            backup = self.backend.read_backup_bytes(self.workspace)
            if backup is None:
                raise StateError(
                    f"{self.url}: there is no backup at {location}",
                    hint="push a good copy with `gaib server state push FILE`",
                )
            restored = decode_state(backup, source=location)
            current = self._decode_current(self.backend.read_bytes(self.workspace))
            if current is not None and not force:
                raise StateError(
                    f"{self.url} is readable (serial {current.serial}); restoring the backup "
                    f"(serial {restored.serial}) would roll it back",
                    hint="pass --force to roll back anyway",
                )
            if not dry_run:
                # A push of the backup, as far as plugins are concerned (gaib-backup backs up).
                before = current or State(workspace=self.workspace, lineage="", serial=0)
                with self._change("state-push", before) as record:
                    self.backend.write_bytes(self.workspace, backup)
                    self._written = (restored.lineage, restored.serial)
                    record.state = restored
                    record.changed.extend(sorted(restored.resources))
        return restored

    def resource(self, address: str) -> ResourceState:
        """The resource at ``address``; ``StateError`` if the state has none."""
        state = self.read()
        if address not in state.resources:
            raise StateError(
                f"{self.url}: no resource {address} in state",
                hint="`gaib server state ls` lists the addresses",
            )
        return state.resources[address]

    def rm(self, address: str, *, dry_run: bool = False) -> ResourceState:
        """Forget ``address`` (the Discord object stays); returns what was removed."""
        check_address(address)
        with self.locked(operation="state rm"):
            state = self.read()
            removed = self.resource(address)
            if not dry_run:
                with self._change("state-rm", state) as record:
                    del state.resources[address]
                    self.write(state)
                    record.changed.append(address)
        return removed

    def mv(self, source: str, destination: str, *, dry_run: bool = False) -> ResourceState:
        """Rename ``source`` to ``destination`` (same type, destination free); returns it."""
        src_type, dst_type = check_address(source), check_address(destination)
        if src_type != dst_type:
            raise StateError(
                f"cannot move {source} to {destination}: a {src_type} cannot become a {dst_type}",
                hint=f"use a destination address starting with '{src_type}.'",
            )
        with self.locked(operation="state mv"):
            state = self.read()
            resource = self.resource(source)
            if destination in state.resources:
                raise StateError(
                    f"cannot move {source} to {destination}: {destination} is already in state",
                    hint=f"`gaib server state rm {destination}` first if it is stale",
                )
            if not dry_run:
                with self._change("state-mv", state) as record:
                    state.resources = {
                        (destination if key == source else key): value
                        for key, value in state.resources.items()
                    }
                    self.write(state)
                    record.changed += [source, destination]
        return resource

    def _change(self, operation: Operation, state: State) -> AbstractContextManager[ChangeRecord]:
        """The change lifecycle of a state command on ``state`` (read under the lock)."""
        event = change_event(
            operation,
            workspace=self.workspace,
            guild_id=state.guild_id or "",
            state_before=state,
            state_url=self.url,
        )
        return change_lifecycle(self.hooks, event, state)

    # --- workspaces ----------------------------------------------------------------------------

    def workspace_guild(self) -> str | None:
        """The guild this workspace was created for, or None (then the config's guild is used).

        A workspace other than "default" belongs to the guild its state records (set by
        ``gaib server workspace new NAME --guild ID``, or by its first apply): that is how one
        config manages staging and production as two guilds. The default workspace targets the
        config's guild; its state's guild is only checked against it.
        """
        if self.workspace == DEFAULT_WORKSPACE:
            return None
        state = read_state(self.backend, self.workspace)
        return state.guild_id if state is not None else None

    def _workspaces(self) -> Workspaces:
        if self.project is None:
            raise StateError("workspace commands need a project directory")
        return Workspaces(self.project, self.backend)

    def list_workspaces(self) -> list[str]:
        """Every workspace's name ("default" always included)."""
        return self._workspaces().list()

    def current_workspace(self) -> str:
        """The selected workspace's name."""
        return self._workspaces().current()

    def select(self, name: str) -> None:
        """Select an existing workspace."""
        self._workspaces().select(name)

    def new(self, name: str) -> None:
        """Create a workspace (with an empty state)."""
        self._workspaces().new(name)

    def delete(self, name: str, *, force: bool = False) -> Path | None:
        """Delete a workspace (refused for the current or a non-empty one unless ``force``).

        Returns where the deleted workspace's last state was kept, if it had one.
        """
        return self._workspaces().delete(name, force=force)


def check_address(address: str) -> str:
    """Validate ``<type>.<key>`` and return the type; ``StateError`` naming the address."""
    kind, _, key = address.partition(".")
    if kind not in RESOURCE_TYPES or not key:
        raise StateError(
            f"invalid resource address '{address}'",
            hint="use role.<key>, category.<key> or channel.<key>",
        )
    return kind


def _config_server_field(project: Project, field: str) -> str | None:
    """``server.<field>`` from the project's discord-server.yaml, if it is a string."""
    try:
        raw = yaml.safe_load((project.root / CONFIG_FILE).read_text())
        value = raw["server"][field]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return None
    return value if isinstance(value, str) else None


def config_token_env(project: Project) -> str | None:
    """``server.token_env`` from the project's discord-server.yaml, if it names one."""
    return _config_server_field(project, "token_env")


def config_guild_id(project: Project) -> str | None:
    """``server.guild_id`` from the project's discord-server.yaml, if it names one."""
    return _config_server_field(project, "guild_id")


def open_state(
    project: Project, hooks: Hooks, workspace: str | None = None, *, token_env: str | None = None
) -> StateManager:
    """The state manager for ``workspace`` (default: the selected one) of ``project``."""
    backend = open_backend(project, hooks)
    envs = [env for env in (token_env, config_token_env(project)) if env]
    name = workspace or Workspaces(project, backend).current()
    return StateManager(backend, name, project=project, token_envs=envs, hooks=hooks)
