"""Recovery paths that work as written (issue 8, items 10-13): corrupt state, pull -> edit ->
push, files never overwritten, teardown's dry run, the sandbox file shared with a server.

The real command in subprocesses; guilds in the project's sandbox file or a sandbox server over
loopback HTTP. Every piece of advice an error gives is followed literally.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gaib_cli.testing import Gaib, advice
from gaib_core.sandbox.core import Sandbox

DATA = ".gaib/sandbox.json"
GARBAGE = b'{"version": 1, "serial": \xff\xfe oops'


def _state_file(root: Path, workspace: str = "default") -> Path:
    return root / ".gaib" / "workspaces" / workspace / "state.json"


def _applied(gaib: Gaib, root: Path) -> None:
    assert gaib("server", "init", cwd=root).code == 0
    applied = gaib("server", "apply", "--auto-approve", cwd=root)
    assert applied.code == 0, applied


def test_a_corrupt_state_is_recovered_by_following_the_advice(gaib: Gaib, mini: Path) -> None:
    _applied(gaib, mini)
    _state_file(mini).write_bytes(GARBAGE)
    broken = gaib("server", "plan", cwd=mini)
    assert broken.code == 1 and "state file is corrupt" in broken.err, broken
    assert len(broken.err.strip().splitlines()) == 1
    fixed = gaib(*advice(broken.err), cwd=mini)
    assert fixed.code == 0, fixed
    assert "Restored" in fixed.out
    # The corrupt bytes were kept (as the backup), not thrown away.
    assert Path(str(_state_file(mini)) + ".backup").read_bytes() == GARBAGE
    plan = gaib("server", "plan", cwd=mini)
    # The backup is the version before the last write: the journal of that write lets the
    # plan adopt the last object instead of creating it again.
    assert plan.code == 0, plan
    assert "No changes" in plan.out or "Plan: 0 to add, 0 to change, 0 to destroy" in plan.out


def test_a_corrupt_state_accepts_a_pushed_good_copy(gaib: Gaib, mini: Path) -> None:
    _applied(gaib, mini)
    good = mini / "good.json"
    good.write_text(gaib("server", "state", "pull", cwd=mini).out)
    backup_before = Path(str(_state_file(mini)) + ".backup").read_bytes()
    _state_file(mini).write_bytes(GARBAGE)
    broken = gaib("server", "state", "ls", cwd=mini)
    assert "gaib server state push FILE" in broken.err
    pushed = gaib("server", "state", "push", "good.json", cwd=mini)
    assert pushed.code == 0, pushed
    assert gaib("server", "plan", "--detailed-exitcode", cwd=mini).code == 0
    kept = list((mini / ".gaib" / "state-backups").glob("default.*.json"))
    assert [p.read_bytes() for p in kept] == [backup_before]


def test_pull_edit_push_is_accepted_as_terraform_does(gaib: Gaib, mini: Path) -> None:
    _applied(gaib, mini)
    pulled = json.loads(gaib("server", "state", "pull", cwd=mini).out)
    serial = pulled["serial"]
    edited = mini / "edited.json"
    edited.write_text(json.dumps(pulled))
    same = gaib("server", "state", "push", "edited.json", cwd=mini)
    assert same.code == 0, same  # nothing changed: accepted, nothing written
    assert json.loads(gaib("server", "state", "pull", cwd=mini).out)["serial"] == serial
    del pulled["resources"]["role.member"]
    edited.write_text(json.dumps(pulled))
    pushed = gaib("server", "state", "push", "edited.json", cwd=mini)
    assert pushed.code == 0, pushed
    now = json.loads(gaib("server", "state", "pull", cwd=mini).out)
    assert now["serial"] == serial + 1 and "role.member" not in now["resources"]
    # An older serial is refused, and the hint's path (pull, edit, push) works.
    pulled["serial"] = serial - 1
    edited.write_text(json.dumps(pulled))
    old = gaib("server", "state", "push", "edited.json", cwd=mini)
    assert old.code == 1 and "older than" in old.err and "state pull" in old.err, old
    fresh = json.loads(gaib("server", "state", "pull", cwd=mini).out)
    fresh["resources"].pop("role.admin")
    edited.write_text(json.dumps(fresh))
    assert gaib("server", "state", "push", "edited.json", cwd=mini).code == 0


def test_no_file_is_overwritten_without_force(gaib: Gaib, mini: Path) -> None:
    _applied(gaib, mini)
    for name, args in {
        "export.yaml": ("server", "export", "-o", "export.yaml"),
        "plan.json": ("server", "plan", "-out", "plan.json"),
        "schema.json": ("server", "schema", "-o", "schema.json"),
    }.items():
        target = mini / name
        target.write_text("mine\n")
        refused = gaib(*args, cwd=mini)
        assert refused.code == 1 and "already exists" in refused.err, refused
        assert "--force" in refused.err and target.read_text() == "mine\n"
        forced = gaib(*args, "--force", cwd=mini)
        assert forced.code == 0, forced
        assert target.read_text() != "mine\n"
    (mini / "adir").mkdir()
    into_dir = gaib("server", "export", "-o", "adir", cwd=mini)
    assert into_dir.code == 1 and "is a directory" in into_dir.err, into_dir


def test_teardown_dry_run_needs_no_confirmation_and_output_is_never_clobbered(
    gaib: Gaib, mini: Path
) -> None:
    _applied(gaib, mini)
    guild = json.loads(gaib("server", "workspace", "show", "--json", cwd=mini).out)["guild_id"]
    dry = gaib("server", "teardown", "--guild", guild, "--dry-run", cwd=mini)
    assert dry.code == 0 and "objects would be removed" in dry.out, dry
    (mini / "backup.yaml").write_text("mine\n")
    refused = gaib(
        "server", "teardown", "--guild", guild, "--confirm-teardown", "-o", "backup.yaml", cwd=mini
    )
    assert refused.code == 1 and "already exists" in refused.err, refused
    assert (mini / "backup.yaml").read_text() == "mine\n"
    roles = {g["id"]: g["roles"] for g in Sandbox(mini / ".gaib" / "sandbox.json").guilds()}
    assert roles[guild] == 4  # nothing was deleted


@pytest.fixture
def served(mini: Path, gaib: Gaib) -> Iterator[tuple[str, str]]:
    """``gaib sandbox serve`` on the project's own sandbox file: (API base, guild id)."""
    assert gaib("server", "init", cwd=mini).code == 0
    guild = json.loads(gaib("server", "workspace", "show", "--json", cwd=mini).out)["guild_id"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "GAIB_"))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gaib_cli", "sandbox", "serve", "--port", "0", "--data", DATA],
        cwd=mini,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        found = re.search(r"http://[0-9.:]+/api/v10", first)
        assert found, first + (proc.stderr.read() if proc.stderr else "")
        yield found.group(0), guild
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def _create_role(base: str, guild: str, name: str) -> None:
    answer = httpx.post(
        f"{base}/guilds/{guild}/roles", json={"name": name}, headers={"Authorization": "Bot x"}
    )
    assert answer.status_code == 200, answer.text


def test_a_served_sandbox_and_the_embedded_one_never_lose_each_others_writes(
    gaib: Gaib, mini: Path, served: tuple[str, str]
) -> None:
    base, guild = served
    _create_role(base, guild, "Before")
    applied = gaib("server", "apply", "--auto-approve", cwd=mini)
    assert applied.code == 0, applied
    _create_role(base, guild, "After")
    seen = httpx.get(f"{base}/guilds/{guild}/roles", headers={"Authorization": "Bot x"}).json()
    names = {role["name"] for role in seen}
    assert {"Before", "After", "Admin", "Member"} <= names
    on_disk = Sandbox(mini / ".gaib" / "sandbox.json").handle(
        "GET", f"/api/v10/guilds/{guild}/roles", {"Authorization": "Bot x"}, b""
    )
    assert {"Before", "After", "Admin", "Member"} <= {r["name"] for r in on_disk.json()}
    # The next plan sees the guild as both left it: nothing of ours is missing (the two foreign
    # roles only move in the role order).
    plan = gaib("server", "plan", cwd=mini)
    assert plan.code == 0 and "Plan: 0 to add, 0 to change, 0 to destroy" in plan.out, plan


def test_sandbox_reset_repairs_a_corrupt_sandbox_file(gaib: Gaib, mini: Path) -> None:
    _applied(gaib, mini)
    (mini / ".gaib" / "sandbox.json").write_bytes(b"\x00garbage")
    broken = gaib("server", "plan", cwd=mini)
    assert broken.code == 1 and "cannot read the sandbox data file" in broken.err, broken
    reset = gaib(*advice(broken.err), cwd=mini, input="y\n")
    assert reset.code == 0, reset
    gone = gaib("server", "plan", cwd=mini)
    assert gone.code == 1 and "has no guild" in gone.err, gone
    assert gaib(*advice(gone.err), cwd=mini).code == 0
    plan = gaib("server", "plan", cwd=mini)
    assert plan.code == 0 and "Plan: 5 to add" in plan.out, plan
    started = time.monotonic()
    assert gaib("server", "apply", "--auto-approve", cwd=mini).code == 0
    assert time.monotonic() - started < 120
