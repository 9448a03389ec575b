"""Workspaces: named states of one project (``gaib server workspace ls|new|select|delete|show``).

The selected workspace is stored in ``.gaib/config.yaml`` (``workspace:``); ``GAIB_WORKSPACE``
overrides it for one process (Terraform's ``TF_WORKSPACE``). "default" always exists and cannot
be deleted.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from gaib_core import __version__
from gaib_core.errors import StateError
from gaib_core.project import DEFAULT_WORKSPACE, Project, atomic_write_text
from gaib_core.state.backend import StateBackend, encode_state, read_state, write_state
from gaib_core.state.lock import acquire, new_lock_info
from gaib_core.state.models import State

WORKSPACE_ENV = "GAIB_WORKSPACE"
_NAME = re.compile(r"[a-z0-9_-]{1,64}")


def validate_workspace_name(name: str) -> str:
    """``name`` if it is a valid workspace name; ``StateError`` saying what is allowed."""
    if not _NAME.fullmatch(name):
        raise StateError(
            f"invalid workspace name {name!r}",
            hint="use 1 to 64 characters from a-z, 0-9, '_' and '-'",
        )
    return name


class Workspaces:
    """The workspaces of ``project`` whose states live in ``backend``."""

    def __init__(self, project: Project, backend: StateBackend) -> None:
        self.project = project
        self.backend = backend

    def current(self) -> str:
        """The selected workspace (``GAIB_WORKSPACE`` wins over ``.gaib/config.yaml``)."""
        return validate_workspace_name(
            os.environ.get(WORKSPACE_ENV) or self.project.load().workspace
        )

    def list(self) -> list[str]:
        """Every workspace name, sorted; "default" is always there."""
        names = {n for n in self.backend.list_workspaces() if _NAME.fullmatch(n)}
        return sorted(names | {DEFAULT_WORKSPACE})

    def exists(self, name: str) -> bool:
        """True if the workspace is listed."""
        return name in self.list()

    def show(self, name: str | None = None) -> State | None:
        """The (current, by default) workspace's state, or None if it has none yet."""
        return read_state(self.backend, validate_workspace_name(name or self.current()))

    def new(self, name: str, guild_id: str | None = None) -> State:
        """Create workspace ``name`` with an empty state (serial 1, a fresh lineage).

        ``guild_id`` binds the workspace to that guild: commands in it target the guild without
        ``--guild`` (staging and production as two guilds from one config).
        """
        validate_workspace_name(name)
        if self.exists(name):
            raise StateError(
                f"workspace '{name}' already exists",
                hint=f"select it with `gaib server workspace select {name}`",
            )
        locker = self.backend.locker(name)
        lock_id = acquire(locker, new_lock_info("workspace new", self.backend.describe(name)))
        try:
            state = State(workspace=name, serial=1, gaib_version=__version__, guild_id=guild_id)
            write_state(self.backend, name, state)
        finally:
            locker.unlock(lock_id)
        return state

    def select(self, name: str) -> None:
        """Make ``name`` the current workspace (it must exist)."""
        validate_workspace_name(name)
        if not self.exists(name):
            raise StateError(
                f"workspace '{name}' does not exist",
                hint=f"create it with `gaib server workspace new {name}`",
            )
        settings = self.project.load()
        settings.workspace = name
        self.project.save(settings)

    def delete(self, name: str, *, force: bool = False, dry_run: bool = False) -> Path | None:
        """Delete workspace ``name``; returns where its last state was saved (or None).

        Refused for "default", and for the current workspace or one whose state still has
        resources unless ``force`` (then the state is first copied to
        ``.gaib/deleted-workspaces/`` and, for the current one, "default" is selected).
        """
        validate_workspace_name(name)
        if name == DEFAULT_WORKSPACE:
            raise StateError("the default workspace cannot be deleted")
        if not self.exists(name):
            raise StateError(
                f"workspace '{name}' does not exist",
                hint="`gaib server workspace ls` lists them",
            )
        is_current = name == self.current()
        if is_current and not force:
            raise StateError(
                f"workspace '{name}' is the current workspace",
                hint="select another one first, or use --force",
            )
        locker = self.backend.locker(name)
        lock_id = acquire(locker, new_lock_info("workspace delete", self.backend.describe(name)))
        deleted = False
        try:
            state = read_state(self.backend, name)
            if state is not None and state.resources and not force:
                raise StateError(
                    f"workspace '{name}' still manages {len(state.resources)} resource(s)",
                    hint="destroy them first, or use --force to forget them",
                )
            if dry_run:
                return None
            saved = self._save_copy(name, state) if state is not None else None
            self.backend.delete_workspace(name)
            deleted = True
        finally:
            if not deleted:
                locker.unlock(lock_id)
        if is_current:
            settings = self.project.load()
            settings.workspace = DEFAULT_WORKSPACE
            self.project.save(settings)
        return saved

    def _save_copy(self, name: str, state: State) -> Path:
        """Keep the deleted workspace's last state locally (0600), as a backup."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        path = self.project.gaib_dir / "deleted-workspaces" / f"{name}.{stamp}.json"
        atomic_write_text(path, encode_state(state).decode("utf-8"), mode=0o600)
        return path
