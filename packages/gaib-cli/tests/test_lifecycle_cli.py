"""Lifecycle settings through the real CLI against the sandbox: saved to state and enforced.

A ``prevent_destroy`` added to a resource that is otherwise unchanged must still reach the state:
once the resource leaves the config, the state entry is all that protects it. A typo in
``ignore_changes`` is a validation error with a did-you-mean, not a silent no-op.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from gaib_core.project import Project, ProjectSettings
from gaib_core.testing.fixtures import SandboxGuild

from .test_server_cli import gaib


def cli(cwd: Path, sandbox: SandboxGuild, *args: str) -> subprocess.CompletedProcess[str]:
    """``gaib server ARGS`` as a user runs it (no ``--guild`` added) in a project that targets
    the sandbox server's guild."""
    if not (cwd / ".gaib").is_dir():
        Project(cwd).save(ProjectSettings(provider="discord", guild_id=sandbox.guild_id))
    env = {**os.environ, "DISCORD_API_BASE": sandbox.base_url, "DISCORD_TOKEN": sandbox.token}
    return subprocess.run(
        [sys.executable, "-m", "gaib_cli", "--no-color", "server", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def write(path: Path, config: dict[str, Any]) -> None:
    (path / "discord-server.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def test_prevent_destroy_added_later_is_saved_and_protects(
    sandbox: SandboxGuild, tmp_path: Path, base: dict[str, Any]
) -> None:
    write(tmp_path, base)
    assert gaib(tmp_path, sandbox, "apply", "--auto-approve").returncode == 0
    base["roles"][0]["lifecycle"] = {"prevent_destroy": True, "ignore_changes": ["color"]}
    write(tmp_path, base)
    plan = gaib(tmp_path, sandbox, "plan", "--detailed-exitcode")
    assert plan.returncode == 2, plan.stdout + plan.stderr  # a state change is a change
    assert "lifecycle.prevent_destroy: False -> True" in plan.stdout
    applied = gaib(tmp_path, sandbox, "apply", "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    state = json.loads(cli(tmp_path, sandbox, "state", "pull").stdout)
    saved = state["resources"]["role.naib"]["attributes"]
    assert saved["prevent_destroy"] is True and saved["ignore_changes"] == ["color"]
    again = gaib(tmp_path, sandbox, "plan", "--detailed-exitcode")
    assert again.returncode == 0, again.stdout
    # the role leaves the config: only the state's copy of prevent_destroy protects it now
    base["roles"].pop(0)
    for category in base["categories"]:
        category["overwrites"].pop("Naib", None)
    write(tmp_path, base)
    refused = gaib(tmp_path, sandbox, "apply", "--auto-approve")
    assert refused.returncode == 1, refused.stdout
    assert "prevent_destroy forbids deleting 'Naib'" in refused.stdout + refused.stderr


def test_a_typo_in_ignore_changes_is_a_validation_error(
    sandbox: SandboxGuild, tmp_path: Path, base: dict[str, Any]
) -> None:
    base["roles"][1]["lifecycle"] = {"ignore_changes": ["colour"]}
    write(tmp_path, base)
    for command in ("validate", "plan"):
        result = cli(tmp_path, sandbox, command)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert "'colour', which is not a role attribute" in result.stderr, result.stderr
        assert "did you mean 'color'?" in result.stderr
        assert "discord-server.yaml:" in result.stderr  # file and line
    assert not (tmp_path / ".gaib" / "terraform.tfstate").exists()
