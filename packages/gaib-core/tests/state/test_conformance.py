"""The state backend conformance kit, run over every built-in backend and storage."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import fsspec
import pytest
from gaib_core.state.backends import FsspecBackend, LocalBackend
from gaib_core.testing.moto import MotoS3
from gaib_core.testing.state import StateBackendContract
from hypothesis import settings


@pytest.fixture
def memory_url() -> Iterator[str]:
    """A fresh memory:// prefix; the in-memory filesystem is cleared before and after."""
    fs = fsspec.filesystem("memory")
    fs.store.clear()
    fs.pseudo_dirs[:] = [""]
    yield f"memory://gaib-{uuid.uuid4().hex[:8]}/states"
    fs.store.clear()
    fs.pseudo_dirs[:] = [""]


class TestLocalBackend(StateBackendContract):
    """``local``: files under .gaib/workspaces."""

    @pytest.fixture
    def backend(self, tmp_path: Path) -> LocalBackend:
        return LocalBackend(tmp_path / ".gaib" / "workspaces")


class TestMemoryBackend(StateBackendContract):
    """``fsspec`` on memory://."""

    @pytest.fixture
    def backend(self, memory_url: str) -> FsspecBackend:
        return FsspecBackend(memory_url)


class TestFileUrlBackend(StateBackendContract):
    """``fsspec`` on file://."""

    @pytest.fixture
    def backend(self, tmp_path: Path) -> FsspecBackend:
        return FsspecBackend(f"file://{tmp_path}/states")


class TestS3Backend(StateBackendContract):
    """``fsspec`` on s3:// against a moto server (real HTTP, conditional puts)."""

    machine_settings = settings(max_examples=15, stateful_step_count=15, deadline=None)

    @pytest.fixture
    def backend(self, moto_s3: MotoS3) -> FsspecBackend:
        return FsspecBackend(moto_s3.url("gaib/states"), moto_s3.storage_options)
