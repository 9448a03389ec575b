"""``gaib sandbox ...`` against the embedded sandbox, a running server, and ``serve`` itself."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from gaib_cli.app import build_app
from gaib_core.errors import GaibError
from gaib_core.sandbox.core import Sandbox
from gaib_core.testing.fixtures import SandboxGuild
from typer.testing import CliRunner

runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCORD_API_BASE", raising=False)
    (tmp_path / ".gaib").mkdir()
    return tmp_path


def test_embedded_create_guild_add_member_reset(project: Path) -> None:
    app = build_app()
    made = runner.invoke(app, ["sandbox", "create-guild", "--bot-role", "Shai-Hulud", "--json"])
    assert made.exit_code == 0, made.output
    info = json.loads(made.stdout)
    core = Sandbox(project / ".gaib" / "sandbox.json")
    assert [g["id"] for g in core.guilds()] == [info["guild_id"]]
    added = runner.invoke(app, ["sandbox", "add-member", "alice"])
    assert added.exit_code == 0, added.output
    uid = added.stdout.strip()
    answer = Sandbox(project / ".gaib" / "sandbox.json").handle(
        "GET", f"/api/v10/guilds/{info['guild_id']}/members/{uid}", {"Authorization": "Bot x"}, b""
    )
    assert answer.json()["user"]["username"] == "alice"
    runner.invoke(app, ["sandbox", "create-guild"])
    ambiguous = runner.invoke(app, ["sandbox", "add-member", "bob"])
    assert isinstance(ambiguous.exception, GaibError) and "--guild" in str(ambiguous.exception)
    assert runner.invoke(app, ["sandbox", "reset", "--yes"]).exit_code == 0
    assert Sandbox(project / ".gaib" / "sandbox.json").guilds() == []


def test_the_plan_names_the_grant_bot_command_and_following_it_works(project: Path) -> None:
    # A converted backup's Admin role: the sandbox's bot (like a freshly invited one) lacks it.
    (project / "discord-server.yaml").write_text(
        "version: 1\nroles:\n  - name: Admin\n    permissions: [ADMINISTRATOR]\n"
    )
    app = build_app()
    assert runner.invoke(app, ["server", "init"]).exit_code == 0
    refused = runner.invoke(app, ["server", "plan"])
    message = str(refused.exception) + refused.output
    advice = re.search(r"`(gaib sandbox grant-bot [A-Z_ ]+)`", message)
    assert refused.exit_code == 1 and advice, message
    granted = runner.invoke(app, advice.group(1).split()[1:])
    assert granted.exit_code == 0, granted.output
    assert "ADMINISTRATOR" in granted.stdout
    planned = runner.invoke(app, ["server", "plan", "--detailed-exitcode"])
    assert planned.exit_code == 2, planned.output  # changes to make, no problems


def test_remote_commands_use_the_admin_api(
    project: Path, sandbox: SandboxGuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_API_BASE", sandbox.base_url)
    app = build_app()
    made = runner.invoke(app, ["sandbox", "create-guild", "--name", "Remote"])
    assert made.exit_code == 0, made.output
    gid = made.stdout.strip()
    assert gid in {g["id"] for g in sandbox.server.sandbox.guilds()}
    granted = runner.invoke(app, ["sandbox", "grant-bot", "send_tts_messages", "--guild", gid])
    assert granted.exit_code == 0, granted.output
    bot_role = next(
        r
        for r in sandbox.server.sandbox.store.guild(gid).roles.values()  # type: ignore[union-attr]
        if r.managed
    )
    assert bot_role.permissions & (1 << 12)  # SEND_TTS_MESSAGES
    added = runner.invoke(app, ["sandbox", "add-member", "carol", "--guild", gid])
    assert added.exit_code == 0 and added.stdout.strip().isdigit()
    assert runner.invoke(app, ["sandbox", "faults", "add", "5xx", "--count", "2"]).exit_code == 0
    assert len(sandbox.server.sandbox.pending_faults()) == 1
    assert runner.invoke(app, ["sandbox", "faults", "clear"]).exit_code == 0
    assert sandbox.server.sandbox.pending_faults() == []
    stats = runner.invoke(app, ["sandbox", "stats"])
    assert "by_route" in json.loads(stats.stdout)
    bad = runner.invoke(app, ["sandbox", "faults", "add", "explode"])
    assert isinstance(bad.exception, GaibError)


def test_unreachable_server_is_a_clear_error(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_API_BASE", "http://127.0.0.1:9/api/v10")
    result = runner.invoke(build_app(), ["sandbox", "create-guild"])
    assert isinstance(result.exception, GaibError)
    assert "gaib sandbox serve" in str(result.exception)


def test_serve_prints_how_to_use_it_and_answers_curl(tmp_path: Path) -> None:
    data = tmp_path / "srv.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from gaib_cli.app import main; main()",
            "sandbox",
            "serve",
            "--port",
            "0",
            "--data",
            str(data),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(6)]
        text = "".join(lines)
        base = re.search(r"(http://127\.0\.0\.1:\d+/api/v10)", text)
        guild = re.search(r"guild:\s+(\d+)", text)
        assert base and guild, text
        assert "DISCORD_API_BASE=" in text and "curl" in text
        roles = httpx.get(
            f"{base.group(1)}/guilds/{guild.group(1)}/roles", headers={"Authorization": "Bot x"}
        )
        assert roles.status_code == 200 and roles.json()[0]["id"] == guild.group(1)
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0  # SIGTERM is a clean stop
        if proc.stdout is not None:
            proc.stdout.close()
    assert guild.group(1) in json.loads(data.read_text())["guilds"]


def test_serve_on_a_busy_port_is_a_clear_error(sandbox: SandboxGuild) -> None:
    result = runner.invoke(build_app(), ["sandbox", "serve", "--port", str(sandbox.server.port)])
    assert isinstance(result.exception, GaibError)
    assert "--port" in str(result.exception)
