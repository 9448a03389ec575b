"""State locks: a lock file beside local state, a conditionally-put lock object elsewhere.

A lock is a small JSON document (the holder's ``LockInfo``) created *exclusively*: locally with
``O_CREAT | O_EXCL``, on object stores with a conditional put (S3 ``If-None-Match: *`` through
``fs.pipe_file(..., mode="create")``), so of two writers racing exactly one creates it. Whoever
fails reads the document and raises ``LockError`` naming the holder. Locks never expire on their
own, with one exception: a lock whose holder is a process *on this host* that no longer runs
(killed, crashed) is stale for certain, so the next writer on this host takes it over (logged as
a warning) -- a crash never leaves a workspace that only a person can unlock. A holder on another
host is never second-guessed: its lock stays until ``gaib server force-unlock LOCK_ID``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import getpass
import json
import logging
import os
import re
import socket
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from gaib_core import __version__
from gaib_core.errors import LockError, LockInfo, StateError
from gaib_core.state.backend import Locker

# A local lock file is created empty and filled right after; a reader that catches it in between
# retries this long before calling the file corrupt.
_PARTIAL_READ_WAIT = 1.0


def new_lock_info(operation: str, path: str = "", info: str = "") -> LockInfo:
    """A fresh ``LockInfo``: random id, ``user@host``, now (UTC, ISO 8601), gaib's version.

    ``info`` defaults to the process id, so a person can check whether the holder still runs.
    """
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers): still say which host
        user = "unknown"
    return LockInfo(
        id=str(uuid.uuid4()),
        operation=operation,
        who=f"{user}@{socket.gethostname()}",
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        path=path,
        info=info or f"pid {os.getpid()}",
        version=__version__,
    )


def encode_lock_info(info: LockInfo) -> bytes:
    """The lock document."""
    return json.dumps(dataclasses.asdict(info), indent=2).encode("utf-8")


def decode_lock_info(data: bytes, *, source: str) -> LockInfo:
    """Parse a lock document; ``StateError`` naming ``source`` if it is not one."""
    try:
        raw = json.loads(data.decode("utf-8"))
        fields = {f.name for f in dataclasses.fields(LockInfo)}
        if not isinstance(raw, dict) or not {"id", "operation", "who", "created"} <= raw.keys():
            raise ValueError("missing fields")
        return LockInfo(**{k: str(v) for k, v in raw.items() if k in fields})
    except (UnicodeDecodeError, ValueError) as exc:
        raise StateError(
            f"{source}: lock file is corrupt ({exc})",
            hint="if no gaib process is running for this workspace, delete the lock file",
        ) from None


T = TypeVar("T")
log = logging.getLogger(__name__)
_PID = re.compile(r"pid (\d+)")


def is_stale(holder: LockInfo) -> bool:
    """True when ``holder`` is a process on this host that no longer exists.

    Only provable staleness counts: another host, an unparseable ``info`` or a pid we may not
    signal all mean "maybe alive".
    """
    if holder.who.rpartition("@")[2] != socket.gethostname():
        return False
    match = _PID.fullmatch(holder.info.strip())
    if match is None:
        return False
    try:
        os.kill(int(match.group(1)), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False
    return False


def _retry_if_released(
    create: Callable[[], T],
    holder: Callable[[], LockInfo | None],
    break_stale: Callable[[LockInfo], None],
) -> T:
    """Run an exclusive ``create``; on a clash raise ``LockError`` naming the holder.

    A holder that released between our failed create and our read is retried (a few times), so
    the error never says "locked" without saying by whom; a provably dead holder's lock is
    broken (``break_stale``) and the create retried.
    """
    for _ in range(3):
        try:
            return create()
        except FileExistsError:
            current = holder()
            if current is None:
                continue
            if not is_stale(current):
                raise LockError(current) from None
            log.warning(
                "taking over stale lock %s: its holder (%s, %s) no longer runs",
                current.id,
                current.who,
                current.info,
            )
            break_stale(current)
    raise LockError(holder())


def _check_holder(holder: LockInfo | None, lock_id: str, what: str) -> LockInfo:
    if holder is None:
        raise StateError(f"cannot {what} {lock_id}: the state is not locked")
    if holder.id != lock_id:
        raise LockError(
            holder, f"cannot {what} {lock_id}: the state is locked by {holder.describe()}"
        )
    return holder


class LocalLocker:
    """A lock file (``state.lock``) beside a local state file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def lock(self, info: LockInfo) -> str:
        """Create the lock file exclusively with ``info``; ``LockError`` naming the holder."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Written in full to a private file, then hard-linked into place: the link is the
        # exclusive create (EEXIST if held), and a lock file is never seen half-written.
        tmp = self.path.with_name(f".{self.path.name}.{info.id}.tmp")
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        try:
            os.write(fd, encode_lock_info(info))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            _retry_if_released(lambda: os.link(tmp, self.path), self.holder, self._break_stale)
        finally:
            os.unlink(tmp)
        return info.id

    def _break_stale(self, stale: LockInfo) -> None:
        # Move it aside under a unique name first: of two processes breaking the same stale
        # lock only one rename succeeds, and we can check we moved the lock we judged.
        aside = self.path.with_name(f".{self.path.name}.stale-{stale.id}")
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:
            return
        moved = decode_lock_info(aside.read_bytes(), source=str(aside))
        if moved.id != stale.id:  # a live holder slipped in between: put its lock back
            with contextlib.suppress(FileExistsError):
                os.link(aside, self.path)
        aside.unlink()

    def holder(self) -> LockInfo | None:
        """The lock file's ``LockInfo``, or None when unlocked."""
        deadline = time.monotonic() + _PARTIAL_READ_WAIT
        while True:
            try:
                data = self.path.read_bytes()
            except FileNotFoundError:
                return None
            try:
                return decode_lock_info(data, source=str(self.path))
            except StateError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.02)

    def unlock(self, lock_id: str) -> None:
        """Remove our lock file."""
        _check_holder(self.holder(), lock_id, "unlock")
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def force_unlock(self, lock_id: str) -> None:
        """Remove the lock file of ``lock_id`` (refused for another id)."""
        _check_holder(self.holder(), lock_id, "force-unlock")
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


class FsspecLocker:
    """A lock object ``<prefix>/<workspace>/state.lock`` on any fsspec filesystem."""

    def __init__(self, fs: Any, path: str, url: str) -> None:
        self.fs = fs
        self.path = path
        self.url = url

    def _create_exclusive(self, data: bytes) -> None:
        if is_local_fs(self.fs):
            # LocalFileSystem.pipe_file(mode="create") checks then writes (racy); "xb" is O_EXCL.
            self.fs.makedirs(self.fs._parent(self.path), exist_ok=True)
            with self.fs.open(self.path, "xb") as handle:
                handle.write(data)
        else:
            # s3fs sends If-None-Match: *; memory:// opens with "xb". Both raise FileExistsError.
            self.fs.pipe_file(self.path, data, mode="create")

    def lock(self, info: LockInfo) -> str:
        """Put the lock object conditionally; ``LockError`` naming the holder if it exists."""
        data = encode_lock_info(info)
        _retry_if_released(lambda: self._create_exclusive(data), self.holder, self._break_stale)
        return info.id

    def _break_stale(self, stale: LockInfo) -> None:
        if (current := self.holder()) is not None and current.id == stale.id:
            self._remove()

    def holder(self) -> LockInfo | None:
        """The lock object's ``LockInfo``, or None when unlocked."""
        try:
            data = self.fs.cat_file(self.path)
        except FileNotFoundError:
            return None
        return decode_lock_info(data, source=self.url)

    def _remove(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm_file(self.path)

    def unlock(self, lock_id: str) -> None:
        """Delete our lock object."""
        _check_holder(self.holder(), lock_id, "unlock")
        self._remove()

    def force_unlock(self, lock_id: str) -> None:
        """Delete the lock object of ``lock_id`` (refused for another id)."""
        _check_holder(self.holder(), lock_id, "force-unlock")
        self._remove()


def is_local_fs(fs: Any) -> bool:
    """True for fsspec's local filesystem (``file://``)."""
    protocol = fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)
    return "file" in protocol


def acquire(locker: Locker, info: LockInfo, *, timeout: float = 0.0, poll: float = 0.25) -> str:
    """Take the lock, polling until ``timeout`` seconds passed; then ``LockError`` (the holder)."""
    deadline = time.monotonic() + max(timeout, 0.0)
    while True:
        try:
            return locker.lock(info)
        except LockError as exc:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if timeout > 0 and exc.holder is not None:
                    raise LockError(
                        exc.holder,
                        f"state is still locked after waiting {timeout:g}s: "
                        f"{exc.holder.describe()}",
                    ) from None
                raise
            time.sleep(min(poll, remaining))


_DURATION = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_timeout(text: str) -> float:
    """Seconds from ``--lock-timeout`` text: ``30``, ``30s``, ``500ms``, ``2m``, ``1h``."""
    value = text.strip().lower()
    for suffix in sorted(_DURATION, key=len, reverse=True):
        if value.endswith(suffix):
            number, scale = value[: -len(suffix)], _DURATION[suffix]
            break
    else:
        number, scale = value, 1.0
    try:
        seconds = float(number) * scale
    except ValueError:
        seconds = -1.0
    if not seconds >= 0 or seconds == float("inf"):
        raise StateError(
            f"invalid lock timeout '{text}'", hint="use seconds or a duration like 30s, 2m"
        )
    return seconds
