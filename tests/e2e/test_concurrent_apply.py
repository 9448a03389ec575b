"""Two applies on one workspace at once: exactly one runs, the other names the lock's holder.

Both are real ``gaib server apply`` processes against a sandbox guild on loopback; the
sandbox holds the first write for a moment so that the two surely overlap. Once with local
state, once with state on ``s3://`` served by moto over real HTTP.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import fsspec
import pytest
import yaml
from gaib_core.sandbox.faults import FaultSpec
from gaib_core.testing.fixtures import SandboxGuild
from gaib_core.testing.moto import MotoS3

from .gaibrun import gaib


def _start_apply(root: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "GAIB_"))}
    full.update(env)
    return subprocess.Popen(
        [sys.executable, "-m", "gaib_cli", "server", "apply", "--auto-approve"],
        cwd=root,
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _race(sandbox: SandboxGuild, root: Path, env: dict[str, str]) -> None:
    # hold the first write long enough for both processes to reach the lock
    sandbox.server.sandbox.add_fault(FaultSpec(kind="delay", delay=3.0, route="POST /.*"))
    first, second = _start_apply(root, env), _start_apply(root, env)
    results = [(p.wait(timeout=120), *p.communicate()) for p in (first, second)]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 1], results
    loser_err = next(err for code, _, err in results if code == 1)
    assert "state is locked" in loser_err and "held by" in loser_err, loser_err
    assert "force-unlock" in loser_err
    assert len(loser_err.strip().splitlines()) == 1, loser_err  # one clear line
    plan = gaib("server", "plan", "--detailed-exitcode", cwd=root, env=env)
    assert plan.code == 0, plan  # the winner applied everything, once


def test_two_applies_on_local_state(sandbox: SandboxGuild, tmp_path: Path) -> None:
    env = {"DISCORD_API_BASE": sandbox.base_url, "DISCORD_TOKEN": sandbox.token}
    init = gaib(
        "server", "init", "--theme", "sietch", "--guild", sandbox.guild_id, cwd=tmp_path, env=env
    )
    assert init.code == 0, init
    _race(sandbox, tmp_path, env)


def test_two_applies_on_s3_state(sandbox: SandboxGuild, moto_s3: MotoS3, tmp_path: Path) -> None:
    env = {"DISCORD_API_BASE": sandbox.base_url, "DISCORD_TOKEN": sandbox.token, **moto_s3.env()}
    gaib_dir = tmp_path / ".gaib"
    gaib_dir.mkdir()
    settings = {
        "provider": "discord",
        "guild_id": sandbox.guild_id,
        "backend": {
            "type": "fsspec",
            "url": moto_s3.url("gaib-state"),
            "options": {"endpoint_url": moto_s3.endpoint_url},
        },
    }
    (gaib_dir / "config.yaml").write_text(yaml.safe_dump(settings))
    init = gaib(
        "server", "init", "--theme", "sietch", "--guild", sandbox.guild_id, "--force",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert init.code == 0, init
    project = yaml.safe_load((gaib_dir / "config.yaml").read_text())
    if project.get("backend", {}).get("type") != "fsspec":
        pytest.fail(f"init replaced the project's backend settings: {project}")
    _race(sandbox, tmp_path, env)
    s3 = fsspec.filesystem("s3", **moto_s3.storage_options)
    assert s3.exists(f"{moto_s3.bucket}/gaib-state/default/state.json")
    assert not (gaib_dir / "workspaces" / "default" / "state.json").exists()
