"""Small things a new user runs into, as subprocesses against the sandbox (issue #8, item 17)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import yaml
from gaib_core.testing.fixtures import SandboxGuild

REPO = Path(__file__).resolve().parents[3]


def gaib(
    cwd: Path, sandbox: SandboxGuild, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    full = {
        **os.environ,
        "DISCORD_API_BASE": sandbox.base_url,
        "DISCORD_TOKEN": sandbox.token,
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "gaib_cli", *args],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=180,
    )


def project(tmp_path: Path, config: dict[str, Any], sandbox: SandboxGuild) -> Path:
    """A project (``.gaib/`` made by ``init``) targeting the sandbox guild, reached like Discord."""
    (tmp_path / "discord-server.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    made = gaib(tmp_path, sandbox, "server", "init", "--guild", sandbox.guild_id)
    assert made.returncode == 0, made.stderr
    return tmp_path


def test_no_color_anywhere_removes_all_styling(
    sandbox: SandboxGuild, tmp_path: Path, base: dict[str, Any]
) -> None:
    cwd = project(tmp_path, base, sandbox)
    guild = ["--guild", sandbox.guild_id]
    styled = gaib(cwd, sandbox, "server", "plan", *guild, FORCE_COLOR="1")
    assert styled.returncode == 0 and "\x1b[" in styled.stdout  # styling reaches a pipe here
    for args in (
        ["--no-color", "server", "plan", *guild],
        ["server", "plan", "--no-color", *guild],
        ["server", "plan", *guild, "--no-color"],
    ):
        result = gaib(cwd, sandbox, *args, FORCE_COLOR="1")
        assert result.returncode == 0, (args, result.stderr)
        assert "\x1b[" not in result.stdout + result.stderr, args
        assert "Plan: 8 to add" in result.stdout
    by_env = gaib(cwd, sandbox, "server", "plan", *guild, FORCE_COLOR="1", NO_COLOR="1")
    assert by_env.returncode == 0 and "\x1b[" not in by_env.stdout + by_env.stderr


def test_state_show_prints_discord_values(
    sandbox: SandboxGuild, tmp_path: Path, base: dict[str, Any]
) -> None:
    cwd = project(tmp_path, base, sandbox)
    assert (
        gaib(
            cwd, sandbox, "server", "apply", "--auto-approve", "--guild", sandbox.guild_id
        ).returncode
        == 0
    )
    shown = gaib(cwd, sandbox, "server", "state", "show", "role.naib").stdout
    assert "color = #FFD700" in shown
    assert "permissions = MANAGE_MESSAGES" in shown
    assert "hoist = true" in shown and "True" not in shown and "'" not in shown


def test_target_warns_that_targeting_is_in_effect(
    sandbox: SandboxGuild, tmp_path: Path, base: dict[str, Any]
) -> None:
    cwd = project(tmp_path, base, sandbox)
    result = gaib(
        cwd, sandbox, "server", "plan", "-target", "role.naib", "--guild", sandbox.guild_id
    )
    assert result.returncode == 0, result.stderr
    assert "Warning: resource targeting is in effect" in result.stdout
    assert "Plan: 1 to add" in result.stdout


def test_apply_of_a_config_file_points_to_config_and_the_advice_works(
    sandbox: SandboxGuild, tmp_path: Path, base: dict[str, Any]
) -> None:
    cwd = project(tmp_path, base, sandbox)
    guild = ["--guild", sandbox.guild_id]
    wrong = gaib(cwd, sandbox, "server", "apply", "discord-server.yaml", *guild)
    assert wrong.returncode == 1 and wrong.stdout == ""
    assert len(wrong.stderr.strip().splitlines()) == 1
    advice = "gaib server apply --config discord-server.yaml"
    assert advice in wrong.stderr
    followed = gaib(cwd, sandbox, *advice.split()[1:], "--auto-approve", *guild)
    assert followed.returncode == 0, followed.stderr


def test_counts_agree_with_their_nouns(sandbox: SandboxGuild, tmp_path: Path) -> None:
    cwd = project(tmp_path, {"roles": [{"name": "Solo"}]}, sandbox)
    guild = ["--guild", sandbox.guild_id]
    assert gaib(cwd, sandbox, "server", "apply", "--auto-approve", *guild).returncode == 0
    dry = gaib(cwd, sandbox, "server", "teardown", "--confirm-teardown", "--dry-run", *guild)
    assert dry.returncode == 0, dry.stderr
    assert "1 object would be removed" in dry.stdout


def test_ctrl_c_says_what_was_done_and_how_to_continue(
    sandbox: SandboxGuild, tmp_path: Path, base: dict[str, Any]
) -> None:
    cwd = project(tmp_path, base, sandbox)
    body = {"kind": "delay", "count": 20, "delay": 1.0, "route": "POST /guilds/.*/channels"}
    httpx.post(f"{sandbox.admin_url}/faults", json=body).raise_for_status()
    env = {**os.environ, "DISCORD_API_BASE": sandbox.base_url, "DISCORD_TOKEN": sandbox.token}
    argv = [sys.executable, "-m", "gaib_cli", "server", "apply", "--auto-approve"]
    proc = subprocess.Popen(
        [*argv, "--guild", sandbox.guild_id],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    for line in proc.stdout:  # wait until something finished, then press Ctrl-C
        if "created" in line or time.monotonic() > deadline:
            break
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted after" in stderr and "run `gaib server apply` again" in stderr, stderr
    httpx.delete(f"{sandbox.admin_url}/faults").raise_for_status()
    again = gaib(cwd, sandbox, "server", "apply", "--auto-approve", "--guild", sandbox.guild_id)
    assert again.returncode == 0, again.stderr
    plan = gaib(cwd, sandbox, "server", "plan", "--detailed-exitcode", "--guild", sandbox.guild_id)
    assert plan.returncode == 0, plan.stdout


def test_demo_ends_by_saying_where_to_look(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "DISCORD_API_BASE")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(
        ["bash", str(REPO / "scripts" / "demo.sh")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    tail = result.stdout.strip().splitlines()[-8:]
    assert any("Where to look" in line for line in tail)
    assert any("discord-server.yaml" in line for line in tail)


def test_a_renamed_key_plans_with_a_state_mv_hint_that_works(
    sandbox: SandboxGuild, tmp_path: Path, base: dict[str, Any]
) -> None:
    cwd = project(tmp_path, base, sandbox)
    guild = ["--guild", sandbox.guild_id]
    assert gaib(cwd, sandbox, "server", "apply", "--auto-approve", *guild).returncode == 0
    base["roles"][1]["key"] = "warriors"
    project(tmp_path, base, sandbox)
    plan = gaib(cwd, sandbox, "server", "plan", *guild)
    advice = "gaib server state mv role.fedaykin role.warriors"
    assert f"run `{advice}` and plan again" in plan.stdout, plan.stdout
    moved = gaib(cwd, sandbox, *advice.split()[1:])
    assert moved.returncode == 0, moved.stderr
    again = gaib(cwd, sandbox, "server", "plan", "--detailed-exitcode", *guild)
    assert again.returncode == 0, again.stdout
