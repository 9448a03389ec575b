"""`gaib server workspace ...`, `gaib server state ...` and `force-unlock` through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from gaib_cli.app import build_app
from gaib_core.errors import LockError, StateError
from gaib_core.plugins import Hooks
from gaib_core.project import Project, ProjectSettings
from gaib_core.state.backend import encode_state
from gaib_core.state.lock import new_lock_info
from gaib_core.state.manager import open_state
from gaib_core.state.models import ResourceState
from typer.testing import CliRunner

GUILD = "111111111111111111"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GAIB_WORKSPACE", raising=False)
    project = Project(tmp_path)
    project.save(ProjectSettings(provider="discord", guild_id=GUILD))
    return project


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    return build_app()


def gaib(app: typer.Typer, *args: str, input: str | None = None) -> str:
    """Run `gaib server ARGS`; the output, or raise the GaibError the command raised."""
    result = CliRunner().invoke(app, ["server", *args], input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.output


def test_workspace_lifecycle(app: typer.Typer, project: Project) -> None:
    assert gaib(app, "workspace", "ls") == "* default\n"
    assert gaib(app, "workspace", "show") == f"default (guild {GUILD})\n"
    assert "Created workspace 'staging' and selected it" in gaib(app, "workspace", "new", "staging")
    assert gaib(app, "workspace", "ls") == "  default\n* staging\n"
    assert project.load().workspace == "staging"
    listing = json.loads(gaib(app, "workspace", "ls", "--json"))
    assert listing == {"current": "staging", "workspaces": ["default", "staging"]}
    shown = json.loads(gaib(app, "workspace", "show", "--json"))
    assert shown["workspace"] == "staging" and shown["serial"] == 1

    with pytest.raises(StateError, match="already exists"):
        gaib(app, "workspace", "new", "staging")
    with pytest.raises(StateError, match="invalid workspace name 'Prod!'"):
        gaib(app, "workspace", "new", "Prod!")
    with pytest.raises(StateError, match="does not exist"):
        gaib(app, "workspace", "select", "nope")
    with pytest.raises(StateError, match="is the current workspace"):
        gaib(app, "workspace", "delete", "staging")
    with pytest.raises(StateError, match="default workspace cannot be deleted"):
        gaib(app, "workspace", "delete", "default", "--force")

    gaib(app, "workspace", "select", "default")
    assert "Would delete" in gaib(app, "workspace", "delete", "staging", "--dry-run")
    assert "staging" in gaib(app, "workspace", "ls")
    gaib(app, "workspace", "delete", "staging")
    assert gaib(app, "workspace", "ls") == "* default\n"


def test_workspaces_have_separate_states(app: typer.Typer, project: Project) -> None:
    gaib(app, "workspace", "new", "a")
    manager = open_state(project, Hooks())
    assert manager.workspace == "a"
    state = manager.read()
    state.resources["role.x"] = ResourceState(type="role", id="1", name="X")
    manager.write(state)
    gaib(app, "workspace", "new", "b")
    assert gaib(app, "state", "ls") == ""
    gaib(app, "workspace", "select", "a")
    assert gaib(app, "state", "ls") == "role.x\n"
    gaib(app, "workspace", "select", "b")
    with pytest.raises(StateError, match="still manages 1 resource"):
        gaib(app, "workspace", "delete", "a")
    out = gaib(app, "workspace", "delete", "a", "--force")
    kept = Path(out.split("kept in ")[1].strip())
    assert json.loads(kept.read_text())["resources"]["role.x"]["id"] == "1"
    assert kept.stat().st_mode & 0o777 == 0o600


def test_state_commands(app: typer.Typer, project: Project, tmp_path: Path) -> None:
    manager = open_state(project, Hooks())
    state = manager.read()
    for address, kind in [("role.naib", "role"), ("category.desert", "category")]:
        state.resources[address] = ResourceState(
            type=kind,
            id="42",
            name=address,
            attributes={"color": 16711680, "name": address},
        )
    manager.write(state)

    assert gaib(app, "state", "ls") == "role.naib\ncategory.desert\n"
    listed = json.loads(gaib(app, "state", "ls", "--json"))
    assert listed[0] == {"address": "role.naib", "type": "role", "id": "42", "name": "role.naib"}
    shown = json.loads(gaib(app, "state", "show", "role.naib", "--json"))
    assert shown["attributes"] == {"color": 16711680, "name": "role.naib"}
    shown = gaib(app, "state", "show", "role.naib")
    assert "color = #FF0000" in shown  # hex, as Discord shows it
    assert [line for line in shown.splitlines() if line.startswith("name")] == ["name = role.naib"]

    assert "Would move" in gaib(app, "state", "mv", "role.naib", "role.fedaykin", "--dry-run")
    assert manager.read().serial == 1
    gaib(app, "state", "mv", "role.naib", "role.fedaykin")
    with pytest.raises(StateError, match="a role cannot become a category"):
        gaib(app, "state", "mv", "role.fedaykin", "category.x")
    out = gaib(app, "state", "rm", "category.desert")
    assert "Removed category.desert" in out and "Previous state kept in" in out
    assert gaib(app, "state", "rm", "role.fedaykin", "--dry-run") == "Would remove role.fedaykin\n"
    assert list(manager.read().resources) == ["role.fedaykin"]
    assert manager.read().serial == 3

    pulled = gaib(app, "state", "pull")
    assert json.loads(pulled) == json.loads(manager.pull())
    saved = tmp_path / "pulled.json"
    saved.write_text(pulled)
    gaib(app, "state", "push", str(saved))  # unchanged, equal serial: a no-op (as Terraform)
    assert manager.read().serial == 3
    edited = manager.read().model_copy(update={"serial": 10, "resources": {}})
    gaib(app, "state", "push", "-", input=encode_state(edited).decode())
    assert manager.read() == edited
    gaib(app, "state", "push", str(saved), "--force")
    assert manager.read().serial == 3
    with pytest.raises(StateError, match=r"missing\.json: cannot read"):
        gaib(app, "state", "push", "missing.json")


def test_lock_timeout_and_force_unlock(app: typer.Typer, project: Project) -> None:
    manager = open_state(project, Hooks())
    manager.write(manager.read())
    stale = new_lock_info("apply", manager.url)
    manager.locker.lock(stale)
    with pytest.raises(LockError, match=r"still locked after waiting 0\.3s") as caught:
        gaib(app, "state", "rm", "role.x", "-lock-timeout", "300ms")
    assert caught.value.holder == stale
    with pytest.raises(LockError, match=stale.id):
        gaib(app, "force-unlock", "not-the-id", "--force")
    result = CliRunner().invoke(app, ["server", "force-unlock", stale.id], input="n\n")
    assert result.exit_code == 1 and manager.holder() == stale
    out = gaib(app, "force-unlock", stale.id, input="y\n")
    assert f"Unlocked {manager.url}" in out
    assert manager.holder() is None


def test_a_lock_error_is_one_line_and_exit_1(project: Project) -> None:
    """Through the real entry point: stderr names the holder, exit code 1, no traceback."""
    manager = open_state(project, Hooks())
    holder = new_lock_info("apply", manager.url)
    manager.locker.lock(holder)
    env = {k: v for k, v in os.environ.items() if k != "GAIB_WORKSPACE"}
    done = subprocess.run(
        [sys.executable, "-m", "gaib_cli", "server", "state", "rm", "role.x"],
        cwd=project.root,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: state is locked: ")
    assert f"lock {holder.id} held by {holder.who} for 'apply'" in lines[0]
    assert f"gaib server force-unlock {holder.id}" in lines[0]
