"""A lock whose holder was killed on this host is taken over; a live holder's never is."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from gaib_core.errors import LockError
from gaib_core.state.backends import FsspecBackend, LocalBackend
from gaib_core.state.lock import new_lock_info


def _hold_forever(backend: Any, ready: Any) -> None:
    backend.locker("default").lock(new_lock_info("apply"))
    ready.set()
    time.sleep(600)


@pytest.fixture(params=["local", "memory"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "local":
        return LocalBackend(tmp_path)
    return FsspecBackend(f"memory://stale-{os.getpid()}-{time.monotonic_ns()}")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() with other threads alive
def test_lock_of_a_killed_holder_is_taken_over(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path)  # memory:// lives in one process: nothing to share
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()
    holder = ctx.Process(target=_hold_forever, args=(backend, ready))
    holder.start()
    assert ready.wait(30)
    locker = backend.locker("default")
    with pytest.raises(LockError, match="held by"):  # alive: refused, holder named
        locker.lock(new_lock_info("apply"))
    os.kill(holder.pid or 0, signal.SIGKILL)
    holder.join()
    info = new_lock_info("apply")
    assert locker.lock(info) == info.id
    assert locker.holder() == info


def test_lock_of_a_holder_on_another_host_is_never_taken_over(backend: Any) -> None:
    locker = backend.locker("default")
    foreign = new_lock_info("apply")
    foreign.who = "someone@another-host"
    foreign.info = "pid 999999"
    locker.lock(foreign)
    with pytest.raises(LockError, match="someone@another-host"):
        locker.lock(new_lock_info("apply"))


def test_lock_of_a_dead_pid_on_this_host_is_taken_over(backend: Any) -> None:
    locker = backend.locker("default")
    dead = new_lock_info("apply")
    dead.info = "pid 999999999"  # beyond pid_max: no such process
    locker.lock(dead)
    mine = new_lock_info("plan")
    assert locker.lock(mine) == mine.id
