"""The guild a command touches is the one the project targets (issue 8, items 1, 2 and 4).

Each test runs the real ``gaib`` command in a subprocess; guilds live in the sandbox, reached
over HTTP on loopback (or the project's embedded sandbox file).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
from gaib_cli.testing import Gaib, files_of
from gaib_core.sandbox.server import SandboxServer

GUILD = "123456789012345678"
SERVER_TOKEN = "MTAx.sandbox-server.token"


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    assert "Traceback" not in err
    return lines[0]


def test_a_discord_project_without_a_token_stops_and_writes_nothing(gaib: Gaib, mini: Path) -> None:
    made = gaib("server", "init", "--guild", GUILD, cwd=mini)
    assert made.code == 0, made
    assert f"Target: Discord guild {GUILD}" in made.out
    assert "Set $DISCORD_TOKEN before" in made.out
    before = files_of(mini)
    for args in (
        ("server", "apply", "--auto-approve"),
        ("server", "plan"),
        ("server", "export", "--adopt"),
        ("server", "destroy", "--auto-approve"),
    ):
        result = gaib(*args, cwd=mini)
        assert result.code == 1, result
        line = _one_error_line(result.err)
        assert f"this project targets Discord guild {GUILD}; set DISCORD_TOKEN" in line
        assert "Apply complete" not in result.out
    assert files_of(mini) == before
    settings = (mini / ".gaib" / "config.yaml").read_text()
    assert GUILD in settings and "sandbox.json" not in {p.name for p in mini.rglob("*")}


def test_a_sandbox_project_stays_in_the_sandbox_whatever_the_environment(
    gaib: Gaib, mini: Path, token_server: SandboxServer
) -> None:
    assert gaib("server", "init", cwd=mini).code == 0
    guild = json.loads(gaib("server", "workspace", "show", "--json", cwd=mini).out)["guild_id"]
    env = {"DISCORD_TOKEN": SERVER_TOKEN, "DISCORD_API_BASE": token_server.base_url}
    applied = gaib("server", "apply", "--auto-approve", cwd=mini, env=env)
    assert applied.code == 0, applied
    # The embedded sandbox got the objects; the server the environment points at did not.
    assert token_server.sandbox.stats()["requests"] == 0
    from gaib_core.sandbox.core import Sandbox

    roles = {g["id"]: g["roles"] for g in Sandbox(mini / ".gaib" / "sandbox.json").guilds()}
    assert roles[guild] == 2 + 2  # @everyone, the bot's role, Admin, Member


def test_disabled_builtins_are_named_and_the_advice_works(gaib: Gaib, mini: Path) -> None:
    blocked = {"GAIB_DISABLE_PLUGINS": "gaib_core.builtins"}
    result = gaib("server", "init", "--provider", "sandbox", cwd=mini, env=blocked)
    assert result.code == 1, result
    line = _one_error_line(result.err)
    assert "provider 'sandbox' is not registered (registered: none)" in line
    assert "GAIB_DISABLE_PLUGINS=gaib_core.builtins blocks" in line
    assert "unset GAIB_DISABLE_PLUGINS" in line and "KeyError" not in line
    assert gaib("server", "init", "--provider", "sandbox", cwd=mini).code == 0  # unset
    result = gaib("server", "plan", cwd=mini, env=blocked)
    assert result.code == 1, result
    line = _one_error_line(result.err)
    assert "unknown state backend 'local'" in line and "unset GAIB_DISABLE_PLUGINS" in line
    assert gaib("server", "plan", cwd=mini).code == 0


def test_an_unknown_provider_name_is_one_line(gaib: Gaib, mini: Path) -> None:
    result = gaib("server", "init", "--provider", "acme", cwd=mini)
    assert result.code == 1, result
    assert "provider 'acme' is not registered (registered: discord, sandbox)" in result.err
    assert not (mini / ".gaib").exists()


def _discord_project(gaib: Gaib, mini: Path, server: SandboxServer) -> str:
    guild = server.sandbox.create_guild().guild_id
    assert gaib("server", "init", "--guild", guild, cwd=mini).code == 0
    return guild


def test_a_wrong_token_is_one_401_line_at_once(
    gaib: Gaib, mini: Path, token_server: SandboxServer
) -> None:
    _discord_project(gaib, mini, token_server)
    token_server.sandbox.reset_stats()
    env = {"DISCORD_TOKEN": "MTAx.wrong.token", "DISCORD_API_BASE": token_server.base_url}
    started = time.monotonic()
    result = gaib("server", "plan", cwd=mini, env=env)
    elapsed = time.monotonic() - started
    assert result.code == 1, result
    line = _one_error_line(result.err)
    assert "401 Unauthorized" in line and "DISCORD_TOKEN" in line
    assert "MTAx.wrong.token" not in result.err
    assert "attempt" not in result.err and "discordstatus" not in line
    # One refresh's requests, no retries (a refresh is at most a handful of reads).
    assert token_server.sandbox.stats()["requests"] <= 4, token_server.sandbox.stats()
    assert elapsed < 30


def test_a_token_with_surrounding_whitespace_works(
    gaib: Gaib, mini: Path, token_server: SandboxServer
) -> None:
    _discord_project(gaib, mini, token_server)
    env = {"DISCORD_TOKEN": f"  {SERVER_TOKEN}\n", "DISCORD_API_BASE": token_server.base_url}
    result = gaib("server", "plan", cwd=mini, env=env)
    assert result.code == 0, result
    assert "Plan: 5 to add" in result.out


def test_an_unsendable_token_and_a_bad_api_base_fail_before_any_request(
    gaib: Gaib, mini: Path, token_server: SandboxServer
) -> None:
    _discord_project(gaib, mini, token_server)
    token_server.sandbox.reset_stats()
    bad_token = {"DISCORD_TOKEN": "MTAx.tökén", "DISCORD_API_BASE": token_server.base_url}
    result = gaib("server", "plan", cwd=mini, env=bad_token)
    assert result.code == 1, result
    line = _one_error_line(result.err)
    assert "$DISCORD_TOKEN holds a non-ASCII character at position 7" in line
    assert "tökén" not in line
    for base in ("ftp://127.0.0.1/api/v10", "127.0.0.1:8787/api/v10", "http://"):
        env = {"DISCORD_TOKEN": SERVER_TOKEN, "DISCORD_API_BASE": base}
        result = gaib("server", "plan", cwd=mini, env=env)
        assert result.code == 1, result
        assert "is not an http(s) URL" in _one_error_line(result.err)
    assert token_server.sandbox.stats()["requests"] == 0


def test_the_sandbox_answers_a_wrong_token_with_discords_401(token_server: SandboxServer) -> None:
    guild = token_server.sandbox.create_guild().guild_id
    url = f"{token_server.base_url}/guilds/{guild}/roles"
    wrong = httpx.get(url, headers={"Authorization": "Bot nope"})
    assert wrong.status_code == 401
    assert wrong.json() == {"message": "401: Unauthorized", "code": 0}
    right = httpx.get(url, headers={"Authorization": f"Bot {SERVER_TOKEN}"})
    assert right.status_code == 200


def test_sandbox_serve_takes_its_token_from_the_environment(gaib: Gaib, tmp_path: Path) -> None:
    result = gaib("sandbox", "serve", "--port", "0", "--token-env", "NOPE", cwd=tmp_path)
    assert result.code == 1
    assert "--token-env NOPE: $NOPE is not set" in _one_error_line(result.err)


def test_init_does_not_point_a_workspace_that_manages_a_guild_at_another(
    gaib: Gaib, mini: Path, token_server: SandboxServer
) -> None:
    first = _discord_project(gaib, mini, token_server)
    env = {"DISCORD_TOKEN": SERVER_TOKEN, "DISCORD_API_BASE": token_server.base_url}
    assert gaib("server", "apply", "--auto-approve", cwd=mini, env=env).code == 0
    second = token_server.sandbox.create_guild().guild_id
    settings = (mini / ".gaib" / "config.yaml").read_text()

    result = gaib("server", "init", "--guild", second, cwd=mini, env=env)
    assert result.code == 1, result
    line = _one_error_line(result.err)
    assert f"manages guild {first}" in line and f"init --guild {second}" in line
    assert (mini / ".gaib" / "config.yaml").read_text() == settings  # still the first guild

    # The advice, followed literally: the other guild gets its own workspace.
    advice = line.split("manage the other guild from its own workspace: ")[1].split(" (any")[0]
    assert gaib(*advice.split()[1:], cwd=mini, env=env).code == 0
    planned = gaib("server", "plan", "--json", cwd=mini, env=env)
    assert json.loads(planned.out)["guild_id"] == second
