"""The CLI commands in real subprocesses against the sandbox server (what a user runs)."""

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


def gaib(
    cwd: Path, sandbox: SandboxGuild, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """``gaib server ARGS --guild G`` in ``cwd``, a project that targets the sandbox server."""
    if not (cwd / ".gaib").is_dir():
        Project(cwd).save(ProjectSettings(provider="discord", guild_id=sandbox.guild_id))
    env = {
        **os.environ,
        "DISCORD_API_BASE": sandbox.base_url,
        "DISCORD_TOKEN": sandbox.token,
        "NO_COLOR": "1",
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "gaib_cli", "server", *args, "--guild", sandbox.guild_id],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_plan_apply_saved_plan_destroy(
    sandbox: SandboxGuild, tmp_path: Path, base: dict[str, Any]
) -> None:
    (tmp_path / "discord-server.yaml").write_text(yaml.safe_dump(base, sort_keys=False))
    first = gaib(tmp_path, sandbox, "plan", "--detailed-exitcode", "-out", "p.json")
    assert first.returncode == 2, first.stderr
    assert "Plan: 8 to add, 0 to change, 0 to destroy." in first.stdout
    applied = gaib(tmp_path, sandbox, "apply", "p.json")
    assert applied.returncode == 0, applied.stderr
    assert "Apply complete! Resources: 8 added, 0 changed, 0 destroyed." in applied.stdout
    stale = gaib(tmp_path, sandbox, "apply", "p.json")
    assert stale.returncode == 1 and "stale" in stale.stderr
    again = gaib(tmp_path, sandbox, "plan", "--detailed-exitcode", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["summary"]["has_changes"] is False
    base["roles"][0]["color"] = "#00FF00"
    (tmp_path / "discord-server.yaml").write_text(yaml.safe_dump(base, sort_keys=False))
    diff = gaib(tmp_path, sandbox, "diff")
    assert "~ color: #FFD700 -> #00FF00" in diff.stdout, diff.stdout
    refused = gaib(tmp_path, sandbox, "apply", stdin="no\n")
    assert refused.returncode == 1 and "cancelled" in refused.stderr
    destroyed = gaib(tmp_path, sandbox, "destroy", "--auto-approve")
    assert destroyed.returncode == 0, destroyed.stderr
    assert "8 destroyed" in destroyed.stdout


def test_export_teardown_and_restore(
    sandbox: SandboxGuild, tmp_path: Path, base: dict[str, Any]
) -> None:
    (tmp_path / "discord-server.yaml").write_text(yaml.safe_dump(base, sort_keys=False))
    assert gaib(tmp_path, sandbox, "apply", "--auto-approve").returncode == 0
    dry = gaib(tmp_path, sandbox, "teardown", "--confirm-teardown", "--dry-run")
    assert dry.returncode == 0 and "8 objects would be removed" in dry.stdout, dry.stdout
    assert gaib(tmp_path, sandbox, "teardown").returncode == 1  # no --confirm-teardown
    done = gaib(tmp_path, sandbox, "teardown", "--confirm-teardown", "-o", "backup.yaml")
    assert done.returncode == 0, done.stderr
    restore = tmp_path / "restore"
    restore.mkdir()
    (restore / "backup.yaml").write_text((tmp_path / "backup.yaml").read_text())
    back = gaib(restore, sandbox, "apply", "--config", "backup.yaml", "--auto-approve")
    assert back.returncode == 0, back.stderr
    check = gaib(restore, sandbox, "plan", "--config", "backup.yaml", "--detailed-exitcode")
    assert check.returncode == 0, check.stdout


def test_export_teardown_apply_keeps_addresses_after_renames(
    sandbox: SandboxGuild, tmp_path: Path, base: dict[str, Any]
) -> None:
    """The export records every key, managed objects keeping their state address's key, so the
    original config (with renamed objects) plans empty after teardown and a restore."""
    config = tmp_path / "discord-server.yaml"
    config.write_text(yaml.safe_dump(base, sort_keys=False))
    assert gaib(tmp_path, sandbox, "apply", "--auto-approve").returncode == 0
    base["roles"][0]["key"] = "naib"
    base["roles"][0]["name"] = "Naib Council"
    base["categories"][0]["overwrites"]["Naib Council"] = base["categories"][0]["overwrites"].pop(
        "Naib"
    )
    base["channels"][0].update(key="general", name="lobby")
    base["categories"][0].update(key="stillsuit", name="Sietch")
    config.write_text(yaml.safe_dump(base, sort_keys=False))
    renamed = gaib(tmp_path, sandbox, "apply", "--auto-approve")
    assert renamed.returncode == 0, renamed.stderr
    exported = gaib(tmp_path, sandbox, "export", "-o", "export.yaml")
    assert exported.returncode == 0, exported.stderr
    data = yaml.safe_load((tmp_path / "export.yaml").read_text())
    assert {r["name"]: r.get("key") for r in data["roles"]} == {
        "Naib Council": "naib",
        "Fedaykin": "fedaykin",
        "Member": "member",
    }
    assert [c.get("key") for c in data["channels"]] == ["general", "announcements"]
    assert [c.get("key") for c in data["categories"]] == ["stillsuit"]
    torn = gaib(tmp_path, sandbox, "teardown", "--confirm-teardown", "-o", "backup.yaml")
    assert torn.returncode == 0, torn.stderr
    back = gaib(tmp_path, sandbox, "apply", "--config", "backup.yaml", "--auto-approve")
    assert back.returncode == 0, back.stderr
    check = gaib(tmp_path, sandbox, "plan", "--detailed-exitcode")
    assert check.returncode == 0, check.stdout + check.stderr
