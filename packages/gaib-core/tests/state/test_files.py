"""The state file on disk: atomic replace, mode 0600, backup, corrupt files, schema versions."""

from __future__ import annotations

import json
import stat
import threading
from pathlib import Path

import pytest
from gaib_core.errors import StateError
from gaib_core.state.backend import decode_state, upgrade_state
from gaib_core.state.backends import LocalBackend
from gaib_core.state.manager import StateManager
from gaib_core.state.models import STATE_VERSION, ResourceState


@pytest.fixture
def manager(tmp_path: Path) -> StateManager:
    return StateManager(LocalBackend(tmp_path / "workspaces"), "default")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_is_0600_and_keeps_the_previous_version(manager: StateManager) -> None:
    state = manager.read()
    manager.write(state)
    first = Path(manager.url).read_bytes()
    state.resources["role.naib"] = ResourceState(type="role", id="1", name="Naib")
    manager.write(state)
    path = Path(manager.url)
    backup = Path(manager.backend.backup_location("default"))
    assert mode(path) == 0o600
    assert mode(backup) == 0o600
    assert backup.read_bytes() == first
    assert json.loads(path.read_text())["serial"] == 2
    assert sorted(p.name for p in path.parent.iterdir()) == ["state.json", "state.json.backup"]


def test_readers_never_see_a_partial_file(manager: StateManager) -> None:
    """Temp file + rename: a concurrent reader always decodes a whole state."""
    state = manager.read()
    state.resources = {
        f"channel.c{i}": ResourceState(type="channel", id=str(i), name="x" * 200)
        for i in range(200)
    }
    manager.write(state)
    stop = threading.Event()
    errors: list[Exception] = []

    def reader() -> None:
        while not stop.is_set():
            try:
                manager.read()
            except StateError as exc:  # pragma: no cover - only on a broken write path
                errors.append(exc)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for _ in range(30):
            manager.write(state)
    finally:
        stop.set()
        thread.join()
    assert errors == []
    assert manager.read().serial == 31


def test_corrupt_file_names_the_file_and_the_backup(manager: StateManager) -> None:
    manager.write(manager.read())
    manager.write(manager.read())
    Path(manager.url).write_text('{"version": 1, "serial": ')
    with pytest.raises(StateError) as caught:
        manager.read()
    message = str(caught.value)
    assert manager.url in message and "corrupt" in message
    assert manager.url + ".backup" in message


def test_invalid_field_is_named(manager: StateManager) -> None:
    manager.write(manager.read())
    raw = json.loads(Path(manager.url).read_text())
    raw["resources"] = {"role.x": {"type": "emoji", "id": "1", "name": "x"}}
    Path(manager.url).write_text(json.dumps(raw))
    with pytest.raises(StateError, match=r"resources\.role\.x\.type"):
        manager.read()


def test_upgrade_is_identity_for_the_current_version() -> None:
    raw = {"version": STATE_VERSION, "serial": 3, "lineage": "l"}
    assert upgrade_state(raw) == raw


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        ({"version": STATE_VERSION + 1}, "newer than this gaib supports"),
        ({"serial": 1}, "no valid 'version'"),
        ({"version": "1"}, "no valid 'version'"),
        ({"version": 0}, "no valid 'version'"),
    ],
)
def test_unsupported_versions_are_refused(raw: dict, match: str) -> None:
    with pytest.raises(StateError, match=match):
        decode_state(json.dumps(raw).encode(), source="s.json")


def test_not_an_object_is_corrupt() -> None:
    with pytest.raises(StateError, match=r"s\.json: state file is corrupt \(not a JSON object\)"):
        decode_state(b"[1, 2]", source="s.json")
