"""StateManager: serial and lineage, push checks, token refusal, rm/mv, lock waits, force-unlock."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import yaml
from gaib_core import __version__, hookimpl
from gaib_core.errors import LockError, StateError
from gaib_core.plugins import Hooks, build_plugin_manager
from gaib_core.project import Project, ProjectSettings
from gaib_core.state.backend import decode_state, encode_state
from gaib_core.state.backends import FsspecBackend, LocalBackend
from gaib_core.state.lock import new_lock_info, parse_timeout
from gaib_core.state.manager import StateManager, open_state
from gaib_core.state.models import ResourceState, State
from gaib_core.testing.moto import MotoS3

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.fake-token-for-tests-only"


@pytest.fixture
def manager(tmp_path: Path) -> StateManager:
    return StateManager(LocalBackend(tmp_path / "workspaces"), "default")


def with_resources(state: State, *addresses: str) -> State:
    for i, address in enumerate(addresses):
        kind = address.split(".")[0]
        state.resources[address] = ResourceState(type=kind, id=str(100 + i), name=address)
    return state


def test_empty_state_then_serial_and_lineage(manager: StateManager) -> None:
    empty = manager.read()
    assert (empty.serial, empty.lineage, empty.workspace) == (0, "", "default")
    written = manager.write(empty)
    assert written is empty and empty.serial == 1 and empty.lineage
    lineage = empty.lineage
    manager.persist(empty)
    again = manager.read()
    assert (again.serial, again.lineage, again.gaib_version) == (2, lineage, __version__)


def test_write_refuses_another_lineage(manager: StateManager) -> None:
    manager.write(manager.read())
    with pytest.raises(StateError, match="lineage"):
        manager.write(State(lineage="someone-else"))
    stale = State(lineage="")
    with pytest.raises(StateError, match="lineage"):
        manager.write(stale)
    assert stale.serial == 0  # a refused write leaves the caller's copy alone


def test_write_refuses_the_token(manager: StateManager, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    manager.write(manager.read())
    before = Path(manager.url).read_bytes()
    state = manager.read()
    state.resources["role.x"] = ResourceState(
        type="role", id="1", name="x", attributes={"note": f"Bot {TOKEN}"}
    )
    with pytest.raises(StateError, match=r"contains the bot token \(\$DISCORD_TOKEN\)") as caught:
        manager.write(state)
    assert TOKEN not in str(caught.value)
    assert Path(manager.url).read_bytes() == before


def test_token_env_from_the_config_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIETCH_BOT_TOKEN", TOKEN)
    monkeypatch.delenv("GAIB_WORKSPACE", raising=False)
    (tmp_path / "discord-server.yaml").write_text(
        yaml.safe_dump({"server": {"token_env": "SIETCH_BOT_TOKEN"}})
    )
    manager = open_state(Project(tmp_path), Hooks())
    state = with_resources(manager.read(), "role.a")
    state.guild_id = TOKEN
    with pytest.raises(StateError, match="SIETCH_BOT_TOKEN"):
        manager.write(state)


def test_push_checks_lineage_and_serial(manager: StateManager) -> None:
    current = manager.write(with_resources(manager.read(), "role.a"))
    manager.write(current)  # serial 2
    with pytest.raises(StateError, match=r"serial 1 is older than .* serial 2") as info:
        manager.push(encode_state(current.model_copy(update={"serial": 1})), source="old.json")
    assert "gaib server state pull" in str(info.value)
    other = State(lineage="other", serial=99)
    with pytest.raises(StateError, match="lineage 'other' differs"):
        manager.push(encode_state(other))
    assert manager.read().serial == 2

    newer = current.model_copy(update={"serial": 5, "resources": {}})
    manager.push(encode_state(newer))
    assert manager.read() == newer
    previous = Path(manager.backend.backup_location("default")).read_bytes()

    manager.push(encode_state(other), force=True)
    assert manager.read().lineage == "other"
    backup = manager.backend.read_backup_bytes("default")
    assert backup is not None and backup != previous and b'"serial": 5' in backup


def test_push_of_an_edited_pull_is_the_next_serial(manager: StateManager) -> None:
    """Terraform's pull -> edit -> push: the same serial and lineage with other content."""
    manager.write(with_resources(manager.read(), "role.a", "role.b"))
    pulled = decode_state(manager.pull().encode(), source="pull")
    assert manager.push(encode_state(pulled)) == pulled  # unchanged: nothing written
    assert manager.read().serial == pulled.serial
    del pulled.resources["role.b"]
    pushed = manager.push(encode_state(pulled))
    assert pushed.serial == pulled.serial + 1
    assert list(manager.read().resources) == ["role.a"]


def test_push_dry_run_writes_nothing(manager: StateManager) -> None:
    manager.write(manager.read())
    before = Path(manager.url).read_bytes()
    manager.push(encode_state(State(lineage="x", serial=9)), force=True, dry_run=True)
    assert Path(manager.url).read_bytes() == before


def test_push_refuses_corrupt_input(manager: StateManager) -> None:
    with pytest.raises(StateError, match=r"bad\.json: state file is corrupt"):
        manager.push(b"{nope", source="bad.json")


def test_rm_and_mv(manager: StateManager) -> None:
    manager.write(with_resources(manager.read(), "role.a", "role.b", "channel.c"))
    removed = manager.rm("role.a", dry_run=True)
    assert removed.id == "100" and manager.read().serial == 1
    manager.rm("role.a")
    state = manager.read()
    assert list(state.resources) == ["role.b", "channel.c"] and state.serial == 2
    assert b'"role.a"' in (manager.backend.read_backup_bytes("default") or b"")

    manager.mv("role.b", "role.z")
    assert list(manager.read().resources) == ["role.z", "channel.c"]
    for src, dst, match in [
        ("role.z", "channel.y", "a role cannot become a channel"),
        ("role.z", "channel.c", "a role cannot become a channel"),
        ("channel.c", "channel.c", "already in state"),
        ("role.gone", "role.q", "no resource role.gone"),
        ("emoji.x", "emoji.y", "invalid resource address"),
        ("role.z", "role.", "invalid resource address"),
    ]:
        with pytest.raises(StateError, match=match):
            manager.mv(src, dst)
    assert manager.read().serial == 3


def test_locked_is_reentrant_and_released_on_error(manager: StateManager) -> None:
    with pytest.raises(RuntimeError), manager.locked("apply") as outer:
        with manager.locked("write") as inner:
            assert inner is outer
        manager.write(manager.read())  # writes under the held lock
        assert manager.holder() == outer
        raise RuntimeError("boom")
    assert manager.holder() is None


def test_lock_timeout_waits_then_succeeds(manager: StateManager) -> None:
    other = StateManager(manager.backend, "default")
    holding = threading.Event()

    def hold() -> None:
        with other.locked("apply"):
            holding.set()
            time.sleep(0.6)

    thread = threading.Thread(target=hold)
    thread.start()
    holding.wait()
    started = time.monotonic()
    with manager.locked("apply", timeout=10):
        waited = time.monotonic() - started
    thread.join()
    assert 0.3 < waited < 5


def test_lock_timeout_expires_naming_the_holder(manager: StateManager) -> None:
    info = new_lock_info("apply", manager.url)
    manager.locker.lock(info)
    started = time.monotonic()
    with (
        pytest.raises(LockError, match=r"still locked after waiting 0\.4s") as caught,
        manager.locked("plan", timeout=0.4),
    ):
        pass
    assert time.monotonic() - started >= 0.4
    assert caught.value.holder == info
    assert f"force-unlock {info.id}" in str(caught.value)


def test_force_unlock_a_dead_holder(manager: StateManager) -> None:
    crashed = new_lock_info("apply", manager.url)
    manager.locker.lock(crashed)  # a process that died without unlocking
    with pytest.raises(LockError) as caught:
        manager.write(manager.read())
    assert caught.value.holder == crashed
    with pytest.raises(LockError, match=f"locked by lock {crashed.id}"):
        manager.force_unlock("wrong-id")
    manager.force_unlock(crashed.id)
    manager.write(manager.read())
    with pytest.raises(StateError, match="not locked"):
        manager.force_unlock(crashed.id)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("0", 0), ("30", 30), ("30s", 30), ("500ms", 0.5), ("2m", 120), ("1h", 3600)],
)
def test_parse_timeout(text: str, seconds: float) -> None:
    assert parse_timeout(text) == seconds


@pytest.mark.parametrize("text", ["", "-1s", "soon", "nan", "inf"])
def test_parse_timeout_rejects(text: str) -> None:
    with pytest.raises(StateError, match="invalid lock timeout"):
        parse_timeout(text)


def test_open_state_with_an_unknown_backend(tmp_path: Path) -> None:
    project = Project(tmp_path)
    settings = ProjectSettings()
    settings.backend.type = "ftp"
    project.save(settings)
    with pytest.raises(StateError, match=r"unknown state backend 'ftp'.*local"):
        open_state(project, Hooks())


def test_open_state_on_s3_merges_plugin_storage_options(
    tmp_path: Path, moto_s3: MotoS3, monkeypatch: pytest.MonkeyPatch
) -> None:
    """backend.options from .gaib/config.yaml + gaib_register_storage defaults reach s3fs."""
    monkeypatch.delenv("GAIB_WORKSPACE", raising=False)
    options = dict(moto_s3.storage_options)
    endpoint = options.pop("endpoint_url")

    class Endpoint:
        @hookimpl
        def gaib_register_storage(self, register):  # type: ignore[no-untyped-def]
            register("s3", {"endpoint_url": endpoint})

    project = Project(tmp_path)
    settings = ProjectSettings()
    settings.backend.type = "fsspec"
    settings.backend.url = moto_s3.url(f"p-{uuid.uuid4().hex[:6]}")
    settings.backend.options = options
    project.save(settings)
    hooks = Hooks(build_plugin_manager(load_entry_points=False, extra=[Endpoint()]))
    manager = open_state(project, hooks)
    assert isinstance(manager.backend, FsspecBackend)
    manager.write(with_resources(manager.read(), "role.a"))
    again = open_state(project, hooks).read()
    assert again.serial == 1 and list(again.resources) == ["role.a"]
    assert manager.url.startswith(f"s3://{moto_s3.bucket}/")


def test_writes_within_one_lock_keep_counting(manager: StateManager) -> None:
    with manager.locked("apply"):
        state = manager.read()
        for _ in range(3):
            manager.persist(state)
        pushed = state.model_copy(update={"serial": 10})
        manager.push(encode_state(pushed))
        manager.write(manager.read())
    assert manager.read().serial == 11
    assert manager.read().lineage == state.lineage


def test_an_unknown_protocol_is_a_state_error() -> None:
    with pytest.raises(StateError, match="Protocol not known"):
        FsspecBackend("nosuch://x")


# A fresh interpreter where ``import gcsfs`` fails (a None in sys.modules is how Python marks a
# module as unimportable): the state backend of a gs:// project, on a machine without gcsfs.
_WITHOUT_GCSFS = """
import sys
sys.modules["gcsfs"] = None
from gaib_core.errors import StateError
from gaib_core.state.backends import FsspecBackend
try:
    FsspecBackend("gs://bucket/x")
except StateError as exc:
    print(exc)
else:
    print("opened")
"""


def test_gs_without_gcsfs_is_a_state_error_naming_the_package() -> None:
    """The test suite installs gcsfs (gaib-backup tests gs://), so its absence runs apart."""
    out = subprocess.run(
        [sys.executable, "-c", _WITHOUT_GCSFS], capture_output=True, text=True, check=True
    ).stdout
    assert "cannot open state backend gs://bucket/x" in out
    assert "install gcsfs" in out.lower()
    assert "gcsfs for gs://" in out


def test_builtin_backends_come_through_the_hook() -> None:
    hooks = Hooks(build_plugin_manager(load_entry_points=False))
    assert {"local", "fsspec"} <= set(hooks.state_backends())


def test_a_plugin_backend_is_opened_from_the_project_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GAIB_WORKSPACE", raising=False)
    seen: list[dict] = []

    class Mine:
        @hookimpl
        def gaib_register_state_backends(self, register):  # type: ignore[no-untyped-def]
            def factory(settings):  # type: ignore[no-untyped-def]
                seen.append(dict(settings))
                return LocalBackend(tmp_path / "elsewhere")

            register("mine", factory)

    project = Project(tmp_path)
    settings = ProjectSettings()
    settings.backend.type = "mine"
    settings.backend.options = {"answer": 42}
    project.save(settings)
    hooks = Hooks(build_plugin_manager(load_entry_points=False, extra=[Mine()]))
    manager = open_state(project, hooks)
    manager.write(manager.read())
    assert (tmp_path / "elsewhere" / "default" / "state.json").is_file()
    assert seen[0]["options"] == {"answer": 42}
    assert seen[0]["root"] == str(tmp_path / ".gaib" / "workspaces")
