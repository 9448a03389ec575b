"""A saved plan is applied only with the config it was made from (its ``config_hash``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from gaib_core.project import Project, ProjectSettings
from gaib_core.testing.fixtures import SandboxGuild


def gaib(cwd: Path, sandbox: SandboxGuild, *args: str) -> subprocess.CompletedProcess[str]:
    """``gaib server ARGS --guild G`` in ``cwd``, a project that targets the sandbox server."""
    if not (cwd / ".gaib").is_dir():
        Project(cwd).save(ProjectSettings(provider="discord", guild_id=sandbox.guild_id))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "GAIB_"))}
    env.update(
        {
            "DISCORD_API_BASE": sandbox.base_url,
            "DISCORD_TOKEN": sandbox.token,
            "NO_COLOR": "1",
            "COLUMNS": "200",
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "gaib_cli", "server", *args, "--guild", sandbox.guild_id],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_plan_saved_before_the_config_changed_is_refused(
    sandbox: SandboxGuild, tmp_path: Path, base: dict[str, Any]
) -> None:
    config = tmp_path / "discord-server.yaml"
    config.write_text(yaml.safe_dump(base, sort_keys=False))
    assert gaib(tmp_path, sandbox, "plan", "-out", "p.json").returncode == 0
    base["roles"][0]["color"] = "#00FF00"
    config.write_text(yaml.safe_dump(base, sort_keys=False))
    refused = gaib(tmp_path, sandbox, "apply", "p.json")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "Error: the saved plan was made from another version of the config (the config changed "
        "since `gaib server plan -out`); run `gaib server plan -out FILE --force` again (--force "
        "replaces the old FILE)"
    )
    state = tmp_path / ".gaib"
    assert not list(state.rglob("state.json"))  # nothing applied
    # the advice, followed literally (FILE = p.json), works
    assert gaib(tmp_path, sandbox, "plan", "-out", "p.json", "--force").returncode == 0
    applied = gaib(tmp_path, sandbox, "apply", "p.json")
    assert applied.returncode == 0, applied.stderr
    assert "Apply complete! Resources: 8 added" in applied.stdout
