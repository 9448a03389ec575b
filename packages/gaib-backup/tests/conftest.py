"""Fixtures: a ``BackupContext`` on each kind of store (memory://, file://, s3:// on moto)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import fsspec
import pytest
from gaib_backup.context import BackupContext
from gaib_core.state.models import ResourceState, State
from gaib_core.testing.moto import MotoS3


class Clock:
    """A settable clock for retention and usage windows."""

    def __init__(self, now: dt.datetime) -> None:
        self.value = now

    def __call__(self) -> dt.datetime:
        # each call moves a microsecond on, as real time would
        self.value += dt.timedelta(microseconds=1)
        return self.value

    def advance(self, **delta: float) -> None:
        """Move the clock forward."""
        self.value += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    """Noon UTC on a Wednesday."""
    return Clock(dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC))


@pytest.fixture
def memory_url() -> Iterator[str]:
    """A fresh memory:// root, cleared before and after."""
    fs = fsspec.filesystem("memory")
    root = f"memory://gaib-backup-tests/{uuid.uuid4().hex}"
    yield root
    fs.rm(root.removeprefix("memory://"), recursive=True) if fs.exists(
        root.removeprefix("memory://")
    ) else None


@pytest.fixture(params=["memory", "file", "s3"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, dict[str, object]]:
    """(url, storage_options) of an empty store of each kind."""
    if request.param == "memory":
        return request.getfixturevalue("memory_url"), {}
    if request.param == "file":
        return (tmp_path / "backups").as_uri(), {}
    moto: MotoS3 = request.getfixturevalue("moto_s3")
    return moto.url("backups"), moto.storage_options


@pytest.fixture
def ctx(store_url: tuple[str, dict[str, object]], clock: Clock) -> BackupContext:
    """A context on each kind of store, with the test clock."""
    url, options = store_url
    context = BackupContext.from_url(url, dict(options))
    context.now = clock
    return context


def make_state(serial: int = 3, roles: int = 2, guild: str = "123456789012345678") -> State:
    """A small state with ``roles`` roles."""
    return State(
        serial=serial,
        guild_id=guild,
        resources={
            f"role.r{i}": ResourceState(
                type="role", id=str(1000 + i), name=f"R{i}", attributes={"color": i}
            )
            for i in range(roles)
        },
    )


StateFactory = Callable[..., State]


@pytest.fixture
def state_factory() -> StateFactory:
    """:func:`make_state`."""
    return make_state
