"""The built-in state backends: ``local`` (files under ``.gaib``) and ``fsspec`` (any URL).

Layout, for both: ``<root>/<workspace>/state.json`` with ``state.json.backup`` (the previous
version) and ``state.lock`` (the lock, while held) beside it.
"""

from __future__ import annotations

import contextlib
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import fsspec

from gaib_core.errors import StateError
from gaib_core.plugins import missing_plugin_hint
from gaib_core.project import Project, atomic_write_bytes
from gaib_core.state.backend import BACKUP_SUFFIX, LOCK_FILE, STATE_FILE, StateBackend
from gaib_core.state.lock import FsspecLocker, LocalLocker, is_local_fs

if TYPE_CHECKING:
    from gaib_core.plugins import Hooks

STATE_MODE = 0o600
DIR_MODE = 0o700


class LocalBackend:
    """State files under a local directory (default ``.gaib/workspaces``), mode 0600."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _dir(self, workspace: str) -> Path:
        return self.root / workspace

    def _path(self, workspace: str) -> Path:
        return self._dir(workspace) / STATE_FILE

    def describe(self, workspace: str) -> str:
        """The state file's path."""
        return str(self._path(workspace))

    def backup_location(self, workspace: str) -> str:
        """The backup file's path."""
        return str(self._path(workspace)) + BACKUP_SUFFIX

    def read_bytes(self, workspace: str) -> bytes | None:
        """The state file's bytes, or None."""
        try:
            return self._path(workspace).read_bytes()
        except FileNotFoundError:
            return None

    def read_backup_bytes(self, workspace: str) -> bytes | None:
        """The backup file's bytes, or None."""
        try:
            return Path(self.backup_location(workspace)).read_bytes()
        except FileNotFoundError:
            return None

    def write_bytes(self, workspace: str, data: bytes) -> None:
        """Keep the current file as the backup, then replace it (temp + fsync + rename, 0600)."""
        directory = self._dir(workspace)
        directory.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        previous = self.read_bytes(workspace)
        if previous is not None:  # bytes as they are: even a corrupt file is kept intact
            atomic_write_bytes(Path(self.backup_location(workspace)), previous, mode=STATE_MODE)
        atomic_write_bytes(self._path(workspace), data, mode=STATE_MODE)

    def list_workspaces(self) -> list[str]:
        """Sub-directories of the root holding a state, backup or lock file."""
        if not self.root.is_dir():
            return []
        names = (STATE_FILE, STATE_FILE + BACKUP_SUFFIX, LOCK_FILE)
        return sorted(
            p.name
            for p in self.root.iterdir()
            if p.is_dir() and any((p / name).exists() for name in names)
        )

    def delete_workspace(self, workspace: str) -> None:
        """Remove the workspace directory."""
        shutil.rmtree(self._dir(workspace), ignore_errors=True)

    def locker(self, workspace: str) -> LocalLocker:
        """The workspace's lock file."""
        return LocalLocker(self._dir(workspace) / LOCK_FILE)


class FsspecBackend:
    """State objects under any fsspec URL (``s3://bucket/prefix``, ``memory://x``, ``file://``).

    The filesystem is resolved once, with ``fsspec.core.url_to_fs(url, **storage_options)``;
    everything after goes through ``fs.*`` calls.
    """

    def __init__(self, url: str, storage_options: Mapping[str, Any] | None = None) -> None:
        self.url = url.rstrip("/")
        try:
            self.fs, root = fsspec.core.url_to_fs(self.url, **dict(storage_options or {}))
        except (ImportError, ValueError) as exc:
            raise StateError(
                f"cannot open state backend {self.url}: {exc}",
                hint="check backend.url in .gaib/config.yaml, and install the filesystem "
                "package its scheme needs (s3fs for s3://, gcsfs for gs://)",
            ) from None
        self.root = root.rstrip("/")

    def _path(self, workspace: str, name: str = STATE_FILE) -> str:
        return f"{self.root}/{workspace}/{name}"

    def describe(self, workspace: str) -> str:
        """The state object's URL."""
        return f"{self.url}/{workspace}/{STATE_FILE}"

    def backup_location(self, workspace: str) -> str:
        """The backup object's URL."""
        return self.describe(workspace) + BACKUP_SUFFIX

    def _cat(self, path: str) -> bytes | None:
        try:
            data: bytes = self.fs.cat_file(path)
        except FileNotFoundError:
            return None
        return data

    def read_bytes(self, workspace: str) -> bytes | None:
        """The state object's bytes, or None."""
        return self._cat(self._path(workspace))

    def read_backup_bytes(self, workspace: str) -> bytes | None:
        """The backup object's bytes, or None."""
        return self._cat(self._path(workspace, STATE_FILE + BACKUP_SUFFIX))

    def write_bytes(self, workspace: str, data: bytes) -> None:
        """Keep the current object as the backup, then replace it.

        Object stores replace a key atomically on put; on ``file://`` we write a temp file and
        rename it, like the local backend.
        """
        path = self._path(workspace)
        backup = self._path(workspace, STATE_FILE + BACKUP_SUFFIX)
        if is_local_fs(self.fs):
            previous = self.read_bytes(workspace)
            if previous is not None:
                self._put(backup, previous)
        else:
            # Server-side copy (S3 CopyObject): the previous version never travels to us.
            with contextlib.suppress(FileNotFoundError):
                self.fs.copy(path, backup)
        self._put(path, data)

    def _put(self, path: str, data: bytes) -> None:
        if not is_local_fs(self.fs):
            self.fs.pipe_file(path, data)
            return
        self.fs.makedirs(self.fs._parent(path), exist_ok=True)
        tmp = f"{path}.{uuid.uuid4().hex}.tmp"
        try:
            self.fs.pipe_file(tmp, data)
            self.fs.chmod(tmp, STATE_MODE)
            self.fs.mv(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                self.fs.rm_file(tmp)

    def list_workspaces(self) -> list[str]:
        """Names under the root holding a state, backup or lock object (one listing call)."""
        self.fs.invalidate_cache(self.root)
        try:
            paths = self.fs.find(self.root)
        except FileNotFoundError:
            return []
        names = {STATE_FILE, STATE_FILE + BACKUP_SUFFIX, LOCK_FILE}
        root = self.fs._strip_protocol(self.root).rstrip("/")
        found = set()
        for path in paths:
            parts = self.fs._strip_protocol(path)[len(root) :].strip("/").split("/")
            if len(parts) == 2 and parts[1] in names:
                found.add(parts[0])
        return sorted(found)

    def delete_workspace(self, workspace: str) -> None:
        """Remove every object of the workspace."""
        prefix = f"{self.root}/{workspace}"
        self.fs.invalidate_cache(prefix)
        for name in (STATE_FILE, STATE_FILE + BACKUP_SUFFIX, LOCK_FILE):
            with contextlib.suppress(FileNotFoundError):
                self.fs.rm_file(f"{prefix}/{name}")
        with contextlib.suppress(FileNotFoundError, OSError):
            if self.fs.exists(prefix):
                self.fs.rm(prefix, recursive=True)
        self.fs.invalidate_cache(self.root)

    def locker(self, workspace: str) -> FsspecLocker:
        """The workspace's lock object."""
        return FsspecLocker(self.fs, self._path(workspace, LOCK_FILE), self.describe(workspace))


def local_factory(settings: Mapping[str, Any]) -> LocalBackend:
    """The ``local`` backend; ``settings["root"]`` is the workspaces directory."""
    root = settings.get("root")
    if not root:
        raise StateError("the local state backend needs a 'root' directory setting")
    return LocalBackend(Path(str(root)))


def fsspec_factory(settings: Mapping[str, Any]) -> FsspecBackend:
    """The ``fsspec`` backend; ``settings["url"]`` plus ``settings["storage_options"]``."""
    url = settings.get("url")
    if not url:
        raise StateError(
            "the fsspec state backend needs a url",
            hint="set backend: {type: fsspec, url: s3://bucket/prefix} in .gaib/config.yaml",
        )
    return FsspecBackend(str(url), settings.get("storage_options") or {})


def open_backend(project: Project, hooks: Hooks) -> StateBackend:
    """The backend ``.gaib/config.yaml`` names, built by its registered factory.

    Every factory receives the same settings mapping: ``root`` (the project's
    ``.gaib/workspaces`` directory), ``url`` (``backend.url``, "" if unset), ``options``
    (``backend.options`` as written) and ``storage_options`` (the defaults plugins registered
    for the URL's scheme through ``gaib_register_storage``, overridden by ``backend.options``).
    """
    settings = project.load().backend
    factories = hooks.state_backends()
    factory = factories.get(settings.type)
    if factory is None:
        raise StateError(
            f"{project.settings_path}: backend.type: unknown state backend '{settings.type}'",
            hint=missing_plugin_hint("state backend", settings.type, factories),
        )
    url = settings.url or ""
    scheme = url.split("://", 1)[0] if "://" in url else "file"
    options = {**hooks.storage_options(scheme), **settings.options}
    backend: StateBackend = factory(
        {
            "root": str(project.gaib_dir / "workspaces"),
            "url": url,
            "options": dict(settings.options),
            "storage_options": options,
        }
    )
    return backend
