"""The plugin contract through the real CLI: a plugin found by its entry point sees every change.

The recorder (``tests/recorder/gaib_recorder.py``) is installed the way a third-party plugin is:
a ``dist-info`` with a ``gaib`` entry point on ``PYTHONPATH``; no discovery is patched. Each
``gaib`` run is a subprocess against the sandbox on loopback.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from gaib_core.sandbox.faults import FaultSpec
from gaib_core.state.backend import STATE_FILE
from gaib_core.testing.fixtures import SandboxGuild

RECORDER = Path(__file__).parent / "recorder" / "gaib_recorder.py"


class Cli:
    """``gaib`` in a project directory, with the recorder installed and its log read back."""

    def __init__(self, root: Path, site: Path, sandbox: SandboxGuild) -> None:
        self.root = root
        self.log = root / "hooks.jsonl"
        self.sandbox = sandbox
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "GAIB_"))}
        self.env.update(
            {
                "PYTHONPATH": os.pathsep.join(
                    filter(None, [str(site), os.environ.get("PYTHONPATH")])
                ),
                "GAIB_RECORDER_LOG": str(self.log),
                "DISCORD_API_BASE": sandbox.base_url,
                "DISCORD_TOKEN": sandbox.token,
                "NO_COLOR": "1",
                "COLUMNS": "200",
            }
        )
        self._seen = 0

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "gaib_cli", *args]

    def run(self, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
            cwd=self.root,
            env={**self.env, **env},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def calls(self) -> list[dict[str, Any]]:
        """Hook calls logged since the last ``calls()``."""
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        new = [json.loads(line) for line in lines[self._seen :]]
        self._seen = len(lines)
        return new

    def changes(self) -> list[dict[str, Any]]:
        """Lifecycle calls logged since the last read (other hooks dropped)."""
        return [c for c in self.calls() if c["hook"] in ("gaib_before_change", "gaib_after_change")]

    def guild(self) -> dict[str, Any]:
        base, headers = self.sandbox.base_url, self.sandbox.headers
        gid = self.sandbox.guild_id
        roles = httpx.get(f"{base}/guilds/{gid}/roles", headers=headers).json()
        channels = httpx.get(f"{base}/guilds/{gid}/channels", headers=headers).json()
        return {"roles": sorted(r["name"] for r in roles), "channels": len(channels)}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A directory holding the recorder as an installed distribution (module + dist-info)."""
    site = tmp_path / "site"
    dist = site / "gaib_recorder-0.1.dist-info"
    dist.mkdir(parents=True)
    shutil.copy(RECORDER, site / "gaib_recorder.py")
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: gaib-recorder\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[gaib]\nrecorder = gaib_recorder\n")
    return site


@pytest.fixture
def cli(tmp_path: Path, site: Path, sandbox: SandboxGuild, base: dict[str, Any]) -> Cli:
    root = tmp_path / "project"
    root.mkdir()
    (root / "discord-server.yaml").write_text(yaml.safe_dump(base, sort_keys=False))
    (root / ".gaib").mkdir()
    (root / ".gaib" / "config.yaml").write_text(
        yaml.safe_dump({"provider": "discord", "guild_id": sandbox.guild_id})
    )
    return Cli(root, site, sandbox)


def _once(calls: list[dict[str, Any]], operation: str, status: str) -> dict[str, Any]:
    """The before/after pair of one operation; the after-hook exactly once with ``status``."""
    assert [(c["hook"], c["operation"]) for c in calls] == [
        ("gaib_before_change", operation),
        ("gaib_after_change", operation),
    ], calls
    after = calls[1]
    assert after["status"] == status, after
    return after


def test_discovered_by_entry_point_with_its_own_group_and_hook(cli: Cli) -> None:
    listed = cli.run("plugins", "--json")
    assert {
        "name": "recorder",
        "origin": "gaib-recorder 0.1",
        "distribution": "gaib-recorder",
        "version": "0.1",
    } in json.loads(listed.stdout)
    echoed = cli.run("recorder", "echo", "hello")
    assert echoed.returncode == 0, echoed.stderr
    assert echoed.stdout.strip() == "echo: hello"  # its own firstresult hook, through pm.hook
    extended = cli.run("server", "state", "recorded")
    assert extended.stdout.strip() == "recorded: extended server state", extended.stderr
    registered = next(c for c in cli.calls() if c["hook"] == "gaib_register_commands")
    assert {"server", "server theme", "server state", "server workspace", "sandbox"} <= set(
        registered["groups"]
    )


def test_every_change_fires_the_after_hook_exactly_once(cli: Cli, sandbox: SandboxGuild) -> None:
    applied = cli.run("server", "apply", "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    before, after = cli.changes()
    assert before["serial_before"] == 0 and before["has_plan"] and before["resources_before"] == []
    assert before["guild_id"] == sandbox.guild_id and before["workspace"] == "default"
    assert after["status"] == "succeeded" and after["error"] is None
    assert len(after["changed"]) == 9 and "role order" in after["changed"]  # 8 + the bulk reorder
    serial = after["serial_after"]

    moved = cli.run("server", "state", "mv", "role.member", "role.rank_and_file")
    assert moved.returncode == 0, moved.stderr
    after = _once(cli.changes(), "state-mv", "succeeded")
    assert after["changed"] == ["role.member", "role.rank_and_file"]
    assert after["serial_after"] == serial + 1

    removed = cli.run("server", "state", "rm", "role.rank_and_file")
    assert removed.returncode == 0, removed.stderr
    after = _once(cli.changes(), "state-rm", "succeeded")
    assert "role.rank_and_file" not in after["resources_after"]

    member = next(r for r in httpx.get(
        f"{sandbox.base_url}/guilds/{sandbox.guild_id}/roles", headers=sandbox.headers
    ).json() if r["name"] == "Member")  # fmt: skip
    imported = cli.run("server", "import", "role.member", member["id"])
    assert imported.returncode == 0, imported.stderr
    assert _once(cli.changes(), "import", "succeeded")["changed"] == ["role.member"]

    pulled = json.loads(cli.run("server", "state", "pull").stdout)
    pulled["serial"] += 1
    pushed = cli.run("server", "state", "push", "-", stdin=json.dumps(pulled))
    assert pushed.returncode == 0, pushed.stderr
    assert _once(cli.changes(), "state-push", "succeeded")["serial_after"] == pulled["serial"]

    refused = cli.run("server", "state", "rm", "role.nobody")
    assert refused.returncode == 1 and cli.changes() == []  # refused before any change began

    destroyed = cli.run("server", "destroy", "--auto-approve")
    assert destroyed.returncode == 0, destroyed.stderr
    after = _once(cli.changes(), "destroy", "succeeded")
    assert after["resources_after"] == [] and len(after["changed"]) == 8

    cli.run("server", "apply", "--auto-approve")
    cli.changes()
    torn = cli.run(
        "server", "teardown", "--confirm-teardown", "--guild", sandbox.guild_id, "-o", "x.yaml"
    )
    assert torn.returncode == 0, torn.stderr
    after = _once(cli.changes(), "teardown", "succeeded")
    assert after["resources_after"] == [] and len(after["changed"]) == 8
    assert cli.guild() == {"roles": ["@everyone", "gaib"], "channels": 0}


def test_a_refusing_before_hook_writes_nothing(cli: Cli) -> None:
    guild = cli.guild()
    refused = cli.run("server", "apply", "--auto-approve", GAIB_RECORDER_REFUSE="1")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "Error: the recorder refuses this change; unset GAIB_RECORDER_REFUSE"
    )
    after = _once(cli.changes(), "apply", "failed")
    assert after["error"] == refused.stderr.strip().removeprefix("Error: ")
    assert after["changed"] == [] and after["serial_after"] == 0
    assert cli.guild() == guild  # nothing sent to the guild
    assert not list((cli.root / ".gaib").rglob(STATE_FILE + "*"))
    shown = cli.run("server", "workspace", "show", "--json")
    assert json.loads(shown.stdout)["serial"] == 0  # nothing written to state


def test_sigint_mid_apply_is_interrupted_not_succeeded(cli: Cli, sandbox: SandboxGuild) -> None:
    # Hold the second role create in the sandbox so the interrupt lands mid-apply.
    sandbox.server.sandbox.add_fault(
        FaultSpec(kind="delay", delay=3.0, route=r"POST /guilds/\d+/roles", after=1)
    )
    proc = subprocess.Popen(
        cli.command("server", "apply", "--auto-approve"),
        cwd=cli.root,
        env=cli.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and sandbox.server.sandbox.stats()["faults_fired"] < 1:
            time.sleep(0.05)
        assert sandbox.server.sandbox.stats()["faults_fired"] == 1, "the apply never got going"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130 and err.strip().endswith("interrupted"), (err, out, cli.calls())
    after = _once(cli.changes(), "apply", "interrupted")
    assert after["changed"] == ["role.naib"] and after["error"]
    assert "role.naib" in after["resources_after"]  # what finished is in state
    # The held create still lands in the guild after the client left; the rerun adopts it.
    deadline = time.monotonic() + 30
    while "Fedaykin" not in cli.guild()["roles"] and time.monotonic() < deadline:
        time.sleep(0.1)
    rerun = cli.run("server", "apply", "--auto-approve")  # the lock was released
    assert rerun.returncode == 0, rerun.stderr
    assert _once(cli.changes(), "apply", "succeeded")["serial_after"] > after["serial_after"]
    assert cli.guild()["roles"].count("Fedaykin") == 1
