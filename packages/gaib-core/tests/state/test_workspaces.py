"""Workspaces over the local backend and an fsspec (memory://) backend."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from gaib_core.errors import LockError, StateError
from gaib_core.project import Project
from gaib_core.state.backend import StateBackend
from gaib_core.state.backends import FsspecBackend, LocalBackend
from gaib_core.state.lock import new_lock_info
from gaib_core.state.manager import StateManager
from gaib_core.state.models import ResourceState
from gaib_core.state.workspaces import Workspaces, validate_workspace_name


@pytest.fixture(params=["local", "memory"])
def workspaces(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Workspaces:
    monkeypatch.delenv("GAIB_WORKSPACE", raising=False)
    project = Project(tmp_path)
    backend: StateBackend
    if request.param == "local":
        backend = LocalBackend(project.gaib_dir / "workspaces")
    else:
        backend = FsspecBackend(f"memory://ws-{uuid.uuid4().hex}")
    return Workspaces(project, backend)


def test_new_select_delete(workspaces: Workspaces) -> None:
    assert workspaces.list() == ["default"] and workspaces.current() == "default"
    state = workspaces.new("prod")
    assert (state.serial, state.workspace) == (1, "prod") and state.lineage
    assert workspaces.show("prod") == state
    assert workspaces.list() == ["default", "prod"]
    workspaces.select("prod")
    assert workspaces.current() == "prod"
    assert workspaces.project.load().workspace == "prod"
    manager = StateManager(workspaces.backend, "prod")
    current = manager.read()
    current.resources["role.a"] = ResourceState(type="role", id="1", name="A")
    manager.write(current)
    workspaces.select("default")
    with pytest.raises(StateError, match="still manages 1 resource"):
        workspaces.delete("prod")
    assert workspaces.delete("prod", force=True, dry_run=True) is None
    assert workspaces.list() == ["default", "prod"]
    saved = workspaces.delete("prod", force=True)
    assert saved is not None and saved.is_file()
    assert workspaces.list() == ["default"]


def test_deleting_the_current_workspace_with_force_selects_default(
    workspaces: Workspaces,
) -> None:
    workspaces.new("tmp")
    workspaces.select("tmp")
    assert workspaces.delete("tmp", force=True) is not None
    assert workspaces.current() == "default"


def test_delete_respects_the_lock(workspaces: Workspaces) -> None:
    workspaces.new("busy")
    holder = new_lock_info("apply")
    workspaces.backend.locker("busy").lock(holder)
    with pytest.raises(LockError) as caught:
        workspaces.delete("busy")
    assert caught.value.holder == holder
    assert workspaces.list() == ["busy", "default"]


def test_env_overrides_the_selected_workspace(
    workspaces: Workspaces, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GAIB_WORKSPACE", "ci")
    assert workspaces.current() == "ci"


@pytest.mark.parametrize("name", ["a", "prod-1", "feature_x", "x" * 64, "0"])
def test_valid_names(name: str) -> None:
    assert validate_workspace_name(name) == name


@pytest.mark.parametrize("name", ["", "Prod", "a b", "x" * 65, "../up", "a.b", "é", "prod\n"])
def test_invalid_names(name: str) -> None:
    with pytest.raises(StateError, match="invalid workspace name"):
        validate_workspace_name(name)
