"""Guilds survive a restart: every write is persisted atomically to the JSON data file."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import httpx
import pytest
from gaib_core.errors import ConfigError
from gaib_core.sandbox.core import Sandbox
from gaib_core.sandbox.server import SandboxServer


def _client(server: SandboxServer) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, headers={"Authorization": "Bot x"})


def test_guild_survives_restart(tmp_path: Path) -> None:
    data = tmp_path / "sandbox.json"
    with SandboxServer(data_path=data) as first, _client(first) as api:
        info = first.sandbox.create_guild(bot_role_name="Shai-Hulud")
        gid = info.guild_id
        role = api.post(f"/guilds/{gid}/roles", json={"name": "Naib", "permissions": "1024"}).json()
        cat = api.post(f"/guilds/{gid}/channels", json={"name": "Cat", "type": 4}).json()
        ow = [{"id": role["id"], "type": 0, "allow": "1024"}]
        ch = api.post(
            f"/guilds/{gid}/channels",
            json={"name": "General", "parent_id": cat["id"], "permission_overwrites": ow},
        ).json()
        uid = first.sandbox.add_member(gid, "alice")
        api.put(f"/guilds/{gid}/members/{uid}/roles/{role['id']}")
        api.patch(f"/guilds/{gid}/roles", json=[{"id": role["id"], "position": 4}])
        before = {
            path: api.get(path).json()
            for path in (
                f"/guilds/{gid}/roles",
                f"/guilds/{gid}/channels",
                f"/guilds/{gid}/members/{uid}",
                f"/channels/{ch['id']}",
                "/users/@me",
            )
        }
    assert stat.S_IMODE(data.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".sandbox.json.*"))  # no temp files left behind
    with SandboxServer(data_path=data) as second, _client(second) as api:
        after = {path: api.get(path).json() for path in before}
        assert after == before
        # ids keep growing after a restart (no snowflake reuse)
        new = api.post(f"/guilds/{gid}/roles", json={"name": "later"}).json()
        assert int(new["id"]) > max(int(r["id"]) for r in before[f"/guilds/{gid}/roles"])


def test_failed_write_is_not_persisted(tmp_path: Path) -> None:
    data = tmp_path / "s.json"
    core = Sandbox(data)
    gid = core.create_guild().guild_id
    saved = data.read_text()
    answer = core.handle(
        "POST",
        f"/api/v10/guilds/{gid}/roles",
        {"Authorization": "Bot x", "Content-Type": "application/json"},
        b'{"permissions": "8"}',
    )
    assert answer.status == 403
    assert data.read_text() == saved


def test_reset_empties_the_file(tmp_path: Path) -> None:
    data = tmp_path / "s.json"
    core = Sandbox(data)
    core.create_guild()
    core.reset()
    assert json.loads(data.read_text())["guilds"] == {}
    assert Sandbox(data).guilds() == []


def test_corrupt_data_file_is_a_clear_error(tmp_path: Path) -> None:
    data = tmp_path / "s.json"
    data.write_text("{not json")
    with pytest.raises(ConfigError, match=r"s\.json.*cannot read the sandbox data file"):
        Sandbox(data)


def test_an_unknown_guild_is_told_the_guilds_there_are(tmp_path: Path) -> None:
    """Creating a guild gives a new id, so the advice names the existing ones; passing one of
    them (as the hint says) works."""
    from gaib_core.sandbox.core import UnknownSandboxGuild

    sandbox = Sandbox(tmp_path / "s.json")
    with pytest.raises(UnknownSandboxGuild) as empty:
        sandbox.add_member("123", "bob")
    assert empty.value.hint == "create one with `gaib sandbox create-guild`"
    made = sandbox.create_guild().guild_id
    with pytest.raises(UnknownSandboxGuild) as wrong:
        sandbox.add_member("123", "bob")
    hint = wrong.value.hint or ""
    assert f"pass --guild with one of its guilds ({made})" in hint
    named = hint.split("(")[1].split(")")[0]
    assert sandbox.add_member(named, "bob")
    with pytest.raises(UnknownSandboxGuild, match=made):
        sandbox.grant_bot("123", 8)
