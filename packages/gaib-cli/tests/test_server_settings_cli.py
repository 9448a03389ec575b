"""The server's own settings through the CLI, in real subprocesses against the sandbox server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from gaib_core.testing.fixtures import SandboxGuild
from gaib_core.testing.images import png_bytes

from .test_server_cli import gaib


def state(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`gaib server state ARGS` (state commands take no --guild)."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "gaib_cli", "server", "state", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def write(root: Path, base: dict[str, Any], server: dict[str, Any]) -> None:
    (root / "discord-server.yaml").write_text(
        yaml.safe_dump({**base, "server": server}, sort_keys=False)
    )


def test_settings_plan_apply_and_show_in_state(
    sandbox: SandboxGuild, tmp_path: Path, base: dict[str, Any]
) -> None:
    (tmp_path / "logo.png").write_bytes(png_bytes())
    write(
        tmp_path,
        base,
        {
            "name": "Arrakis",
            "icon": "logo.png",
            "afk_channel": "channel.voice_hall",
            "afk_timeout": 1800,
            "verification_level": "high",
        },
    )
    planned = gaib(tmp_path, sandbox, "plan", "--detailed-exitcode")
    assert planned.returncode == 2, planned.stderr
    out = planned.stdout
    assert '~ server  "Sandbox"' in out
    assert '~ name: "Sandbox" -> "Arrakis"' in out
    assert "+ afk_channel: Voice Hall" in out
    assert "~ afk_timeout: 300 -> 1800" in out
    assert "~ verification_level: none -> high" in out
    assert "# logo.png" in out
    assert "Plan: 8 to add, 1 to change, 0 to destroy." in out
    applied = gaib(tmp_path, sandbox, "apply", "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    again = gaib(tmp_path, sandbox, "plan", "--detailed-exitcode")
    assert again.returncode == 0, again.stdout + again.stderr
    listed = state(tmp_path, "ls")
    assert listed.stdout.splitlines()[-1] == "server", listed.stdout + listed.stderr
    shown = state(tmp_path, "show", "server")
    assert "name = 'Arrakis'" in shown.stdout and "icon file sha256 = " in shown.stdout

    # Removing the settings stops managing them: no plan, the server keeps its name.
    write(tmp_path, base, {})
    unmanaged = gaib(tmp_path, sandbox, "plan", "--detailed-exitcode")
    assert unmanaged.returncode == 0, unmanaged.stdout + unmanaged.stderr


def test_a_bad_setting_is_one_line_naming_file_line_and_field(
    sandbox: SandboxGuild, tmp_path: Path, base: dict[str, Any]
) -> None:
    write(tmp_path, base, {"afk_channel": "channel.general"})
    result = gaib(tmp_path, sandbox, "plan")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "discord-server.yaml:" in lines[0] and "server.afk_channel:" in lines[0]
    assert "channel.general is a text channel" in lines[0]
    assert "did you mean channel.voice_hall?" in lines[0]
    assert "Traceback" not in result.stderr
    # The advice, followed literally, fixes it.
    write(tmp_path, base, {"afk_channel": "channel.voice_hall"})
    assert gaib(tmp_path, sandbox, "plan").returncode == 0
