"""``gaib sietch serve|register-commands|whois`` as subprocesses: one-line start-up errors, the
service for real, commands registered in the sandbox, profiles."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from gaib_core.testing.fixtures import SandboxGuild
from gaib_core.testing.postgres import free_port
from gaib_theme_sietch.verify.settings import VerifySettings
from gaib_theme_sietch.verify.store import open_store
from gaib_theme_sietch.verify.testing import link_wallet, service_env, spawn_service
from gaib_theme_sietch.verify.verifier import Verifier
from nacl.signing import SigningKey

PUBLIC_KEY = SigningKey.generate().verify_key.encode().hex()


def gaib(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gaib_cli", "sietch", *args],
        env={**env, "NO_COLOR": "1", "COLUMNS": "200"},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    return lines[0]


def test_missing_base_url_and_following_the_advice(tmp_path: Path) -> None:
    env = service_env(os.environ)
    line = _one_line_error(gaib("serve", env=env, cwd=tmp_path))
    assert line.startswith("Error: VERIFY_BASE_URL is not set; export VERIFY_BASE_URL=")
    advice = line.split("export ", 1)[1].split(" ", 1)[0]  # VERIFY_BASE_URL=https://...
    name, value = advice.split("=", 1)
    after = _one_line_error(gaib("serve", env={**env, name: value}, cwd=tmp_path))
    assert "VERIFY_BASE_URL" not in after and "DISCORD_PUBLIC_KEY" in after  # the next step
    assert not (tmp_path / ".gaib").exists()  # nothing written


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"VERIFY_BASE_URL": "verify.example.org"}, "VERIFY_BASE_URL"),
        ({"DISCORD_PUBLIC_KEY": "not-a-key"}, "DISCORD_PUBLIC_KEY"),
        ({"DATABASE_URL": "mysql://db/verify"}, "DATABASE_URL"),
        ({"VERIFY_SESSION_TTL": "5"}, "VERIFY_SESSION_TTL"),
        ({"VERIFY_CHAIN_ID": "berachain"}, "VERIFY_CHAIN_ID"),
        ({"TELEGRAM_BOT_TOKEN": "123456:" + "A" * 35}, "TELEGRAM_WEBHOOK_SECRET"),
        ({"TELEGRAM_BOT_TOKEN": "nope", "TELEGRAM_WEBHOOK_SECRET": "s"}, "TELEGRAM_BOT_TOKEN"),
        (
            {"TELEGRAM_BOT_TOKEN": "123456:" + "A" * 35, "TELEGRAM_WEBHOOK_SECRET": "a b"},
            "TELEGRAM_WEBHOOK_SECRET",
        ),
        ({"TELEGRAM_API_BASE": "ftp://example.org"}, "TELEGRAM_API_BASE"),
    ],
)
def test_malformed_settings_are_one_line(
    tmp_path: Path, settings: dict[str, str], named: str
) -> None:
    good = {"VERIFY_BASE_URL": "https://verify.example.org", "DISCORD_PUBLIC_KEY": PUBLIC_KEY}
    env = service_env(os.environ, **{**good, **settings})
    line = _one_line_error(gaib("serve", env=env, cwd=tmp_path))
    assert line.startswith(f"Error: {named} ")


def test_unreachable_postgres_is_one_line_without_the_password(tmp_path: Path) -> None:
    url = f"postgresql://gaib:s3cret-pw@127.0.0.1:{free_port()}/verify"
    env = service_env(
        os.environ,
        VERIFY_BASE_URL="https://verify.example.org",
        DISCORD_PUBLIC_KEY=PUBLIC_KEY,
        DATABASE_URL=url,
    )
    line = _one_line_error(gaib("serve", env=env, cwd=tmp_path))
    assert "cannot use the PostgreSQL database postgresql://127.0.0.1:" in line
    assert "s3cret-pw" not in line


def test_port_in_use_is_one_line(tmp_path: Path) -> None:
    import socket

    env = service_env(
        os.environ, VERIFY_BASE_URL="https://verify.example.org", DISCORD_PUBLIC_KEY=PUBLIC_KEY
    )
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        line = _one_line_error(gaib("serve", "--port", port, env=env, cwd=tmp_path))
    assert f"cannot listen on 127.0.0.1:{port}" in line and "--port" in line


def test_serve_answers_discord_and_stops_on_sigterm(tmp_path: Path) -> None:
    key = SigningKey.generate()
    env = service_env(
        os.environ,
        VERIFY_BASE_URL="https://verify.example.org",
        DISCORD_PUBLIC_KEY=key.verify_key.encode().hex(),
        DATABASE_URL=f"sqlite:///{tmp_path / 'verify.sqlite3'}",
    )
    with spawn_service(env) as url:
        body = b'{"type":1}'
        stamp = str(int(__import__("time").time()))
        signature = key.sign(stamp.encode() + body).signature.hex()
        pong = httpx.post(
            f"{url}/discord/interactions",
            content=body,
            headers={"X-Signature-Ed25519": signature, "X-Signature-Timestamp": stamp},
        )
        assert pong.json() == {"type": 1}
    assert (tmp_path / "verify.sqlite3").exists()


def test_register_commands_in_the_sandbox(tmp_path: Path, sandbox: SandboxGuild) -> None:
    app = sandbox.info.bot_user_id
    env = service_env(
        os.environ,
        DISCORD_API_BASE=sandbox.base_url,
        DISCORD_TOKEN=sandbox.token,
        DISCORD_APPLICATION_ID=app,
        VERIFY_BASE_URL="https://verify.example.org",
    )
    first = gaib("register-commands", "--guild", sandbox.guild_id, env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert (
        "registered /verify (id " in first.stdout and f"in guild {sandbox.guild_id}" in first.stdout
    )
    assert "https://verify.example.org/discord/interactions" in first.stdout
    again = gaib("register-commands", "--guild", sandbox.guild_id, env=env, cwd=tmp_path)
    assert again.stdout.splitlines()[0] == first.stdout.splitlines()[0]  # same id: no duplicate
    listed = httpx.get(
        f"{sandbox.base_url}/applications/{app}/guilds/{sandbox.guild_id}/commands",
        headers=sandbox.headers,
    ).json()
    assert [(c["name"], [o["name"] for o in c["options"]]) for c in listed] == [
        ("verify", ["new_wallet"])
    ]


def test_register_commands_needs_the_application(tmp_path: Path) -> None:
    env = service_env(os.environ, DISCORD_TOKEN="x")
    line = _one_line_error(gaib("register-commands", env=env, cwd=tmp_path))
    assert line.startswith(
        "Error: DISCORD_APPLICATION_ID is not set; export DISCORD_APPLICATION_ID="
    )


def test_whois(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'verify.sqlite3'}"
    settings = VerifySettings(base_url="https://verify.example.org", database_url=database)
    with open_store(database) as store:
        wallet, _ = link_wallet(Verifier(store, settings), "discord", "712345678901234567")
        Verifier(store, settings).start("discord", "812345678901234567")
    env = service_env(os.environ, DATABASE_URL=database)
    short = f"{wallet.address[:6]}…{wallet.address[-4:]}"

    shown = gaib("whois", "712345678901234567", env=env, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "discord user 712345678901234567: verified" in shown.stdout
    assert short in shown.stdout and wallet.address in shown.stdout

    data = json.loads(gaib("whois", "712345678901234567", "--json", env=env, cwd=tmp_path).stdout)
    assert data["verified"] is True and data["wallet"] == wallet.address

    pending = gaib("whois", "812345678901234567", env=env, cwd=tmp_path).stdout
    assert "not verified" in pending and "open until" in pending

    by_wallet = gaib("whois", wallet.address.lower(), env=env, cwd=tmp_path).stdout
    assert "discord user 712345678901234567" in by_wallet

    bad = _one_line_error(gaib("whois", "1", "--platform", "irc", env=env, cwd=tmp_path))
    assert "--platform 'irc'" in bad
