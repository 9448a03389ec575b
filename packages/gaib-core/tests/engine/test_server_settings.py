"""The server's own settings (``~ server``) against the sandbox over loopback HTTP.

Configs are written to files and loaded the way the CLI loads them (the icon is found beside
the file); plans and applies go through the real provider and the local state backend.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from gaib_core.config.loader import load_config
from gaib_core.config.models import ServerConfig
from gaib_core.engine.plan import Plan
from gaib_core.engine.render import render_text
from gaib_core.errors import PlanError
from gaib_core.images import from_bytes
from gaib_core.permissions import default_bot, to_bits
from gaib_core.sandbox.server import SandboxServer
from gaib_core.testing.fixtures import SandboxGuild
from gaib_core.testing.images import png_bytes

from .conftest import Env

OWNER = {"X-Sandbox-Actor": "owner"}
GOLD, BLUE = (255, 215, 0), (65, 105, 225)
CHANNELS: dict[str, Any] = {
    "channels": [
        {"name": "welcome"},
        {"name": "rules"},
        {"name": "AFK", "type": "voice"},
        {"name": "Quiet Room", "type": "voice"},
    ]
}

# setting -> (first value, second value, what the guild shows for each)
CASES: dict[str, tuple[Any, Any, str, Any, Any]] = {
    "name": ("Arrakis", "Dune", "name", "Arrakis", "Dune"),
    "description": ("The desert planet", "", "description", "The desert planet", None),
    "icon": ("gold.png", "blue.png", "icon", "gold.png", "blue.png"),
    "verification_level": ("medium", "very_high", "verification_level", 2, 4),
    "default_notifications": (
        "only_mentions",
        "all_messages",
        "default_message_notifications",
        1,
        0,
    ),
    "explicit_content_filter": (
        "all_members",
        "members_without_roles",
        "explicit_content_filter",
        2,
        1,
    ),
    "afk_channel": ("channel.afk", "channel.quiet_room", "afk_channel_id", "AFK", "Quiet Room"),
    "afk_timeout": (900, 3600, "afk_timeout", 900, 3600),
    "system_channel": ("channel.welcome", "", "system_channel_id", "welcome", None),
}


def write_config(root: Path, server: dict[str, Any]) -> ServerConfig:
    """``discord-server.yaml`` in ``root`` (with two icons beside it), loaded like the CLI does."""
    (root / "gold.png").write_bytes(png_bytes(GOLD))
    (root / "blue.png").write_bytes(png_bytes(BLUE))
    path = root / "discord-server.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "server": server, **CHANNELS}, sort_keys=False))
    return load_config(path)


def guild_json(sandbox: SandboxGuild) -> dict[str, Any]:
    answer = httpx.get(f"{sandbox.base_url}/guilds/{sandbox.guild_id}", headers=sandbox.headers)
    answer.raise_for_status()
    return dict(answer.json())


def shown(sandbox: SandboxGuild, field: str, expected: Any) -> Any:
    """What the guild should show for ``expected`` (channel names -> ids, files -> hashes)."""
    if expected is None:
        return None
    if field.endswith("_channel_id"):
        listing = httpx.get(
            f"{sandbox.base_url}/guilds/{sandbox.guild_id}/channels", headers=sandbox.headers
        ).json()
        return next(c["id"] for c in listing if c["name"] == expected)
    if field == "icon":
        color = GOLD if expected == "gold.png" else BLUE
        return hashlib.md5(png_bytes(color)).hexdigest()
    return expected


def server_change(plan: Plan) -> dict[str, tuple[Any, Any]]:
    changes = [c for c in plan.actionable() if c.address == "server"]
    if not changes:
        return {}
    (change,) = changes
    assert change.kind == "server" and change.action == "update"
    return {a.attribute: (a.before, a.after) for a in change.changes}


@pytest.mark.parametrize("setting", list(CASES))
def test_each_setting_is_set_changed_and_left_alone_once_unset(
    env: Env, sandbox: SandboxGuild, tmp_path: Path, setting: str
) -> None:
    first, second, field, first_shown, second_shown = CASES[setting]
    base = env.apply(write_config(tmp_path, {}))[0]
    assert server_change(base) == {}  # nothing set: nothing managed, nothing planned
    untouched = guild_json(sandbox)

    config = write_config(tmp_path, {setting: first})
    plan = env.plan(config)
    assert list(server_change(plan)) == [setting]
    env.apply(config)
    after = guild_json(sandbox)
    assert after[field] == shown(sandbox, field, first_shown)
    assert {k: v for k, v in after.items() if k != field} == {
        k: v for k, v in untouched.items() if k != field
    }
    assert not env.plan(config).has_changes

    config = write_config(tmp_path, {setting: second})
    assert list(server_change(env.plan(config))) == [setting]
    env.apply(config)
    assert guild_json(sandbox)[field] == shown(sandbox, field, second_shown)
    assert not env.plan(config).has_changes

    # Removing the setting stops managing it: no plan, the server keeps its value.
    unset = write_config(tmp_path, {})
    assert not env.plan(unset).has_changes
    env.apply(unset)
    assert guild_json(sandbox)[field] == shown(sandbox, field, second_shown)


def test_hand_made_drift_shows_in_the_plan_and_apply_restores(
    env: Env, sandbox: SandboxGuild, tmp_path: Path
) -> None:
    config = write_config(
        tmp_path,
        {
            "name": "Arrakis",
            "icon": "gold.png",
            "afk_channel": "channel.afk",
            "afk_timeout": 300,
            "verification_level": "low",
        },
    )
    env.apply(config)
    assert not env.plan(config).has_changes
    other = from_bytes(png_bytes(BLUE)).data_uri()
    hand = {"name": "Giedi Prime", "icon": other, "afk_timeout": 60, "verification_level": 4}
    url = f"{sandbox.base_url}/guilds/{sandbox.guild_id}"
    httpx.patch(url, json=hand, headers={**sandbox.headers, **OWNER}).raise_for_status()

    plan = env.plan(config)
    changes = server_change(plan)
    assert changes["name"] == ("Giedi Prime", "Arrakis")
    assert changes["afk_timeout"] == (60, 300)
    assert changes["verification_level"] == (4, 1)
    before, after = changes["icon"]
    assert before == hashlib.md5(png_bytes(BLUE)).hexdigest()  # Discord's hash: not gaib's file
    assert after == "sha256:" + hashlib.sha256(png_bytes(GOLD)).hexdigest()
    assert "afk_channel" not in changes
    text = render_text(plan)
    assert '~ server  "Giedi Prime"' in text
    assert '~ name: "Giedi Prime" -> "Arrakis"' in text
    assert "~ verification_level: very_high -> low" in text
    assert "# gold.png" in text

    env.apply(config)
    restored = guild_json(sandbox)
    assert restored["name"] == "Arrakis" and restored["afk_timeout"] == 300
    assert restored["icon"] == hashlib.md5(png_bytes(GOLD)).hexdigest()
    assert not env.plan(config).has_changes


def test_editing_the_icon_file_is_a_change(env: Env, sandbox: SandboxGuild, tmp_path: Path) -> None:
    config = write_config(tmp_path, {"icon": "gold.png"})
    env.apply(config)
    (tmp_path / "gold.png").write_bytes(png_bytes((1, 2, 3)))
    changed = load_config(tmp_path / "discord-server.yaml")
    assert list(server_change(env.plan(changed))) == ["icon"]
    env.apply(changed)
    assert guild_json(sandbox)["icon"] == hashlib.md5(png_bytes((1, 2, 3))).hexdigest()
    assert not env.plan(changed).has_changes
    state = env.manager.read()
    assert state.server is not None
    assert state.server.icon_sha256 == hashlib.sha256(png_bytes((1, 2, 3))).hexdigest()


def test_server_settings_name_channels_created_in_the_same_apply(
    env: Env, sandbox: SandboxGuild, tmp_path: Path
) -> None:
    config = write_config(
        tmp_path, {"afk_channel": "channel.afk", "system_channel": "channel.rules"}
    )
    plan, _ = env.apply(config)
    assert [c.address for c in plan.changes][-1] == "server"
    guild = guild_json(sandbox)
    assert guild["afk_channel_id"] == shown(sandbox, "afk_channel_id", "AFK")
    assert guild["system_channel_id"] == shown(sandbox, "system_channel_id", "rules")
    assert not env.plan(config).has_changes


def test_missing_manage_guild_is_reported_before_any_request(
    sandbox_server: SandboxServer, tmp_path: Path
) -> None:
    core = sandbox_server.sandbox
    info = core.create_guild(bot_permissions=to_bits(default_bot()) & ~(1 << 5))
    guild = SandboxGuild(sandbox_server, info, sandbox_server.base_url, info.token)
    env = Env(guild, tmp_path)
    config = write_config(tmp_path, {"name": "Arrakis", "afk_timeout": 60})
    core.reset_stats()
    plan = env.plan(config)
    assert any(
        "MANAGE_GUILD" in e and "Manage Server" in e and "(name, afk_timeout)" in e
        for e in plan.errors
    ), plan.errors
    with pytest.raises(PlanError, match="MANAGE_GUILD"):
        env.apply_saved(plan)
    assert core.audit_log() == []  # not one write: not even the channels were created
    # Leaving the settings out of the file is the other fix: then nothing needs the permission.
    assert env.plan(write_config(tmp_path, {})).errors == []


def test_target_server_brings_the_channels_it_names(
    env: Env, sandbox: SandboxGuild, tmp_path: Path
) -> None:
    config = write_config(tmp_path, {"afk_channel": "channel.afk", "name": "Arrakis"})
    env.apply(config, targets=["server"])
    state = env.manager.read()
    assert set(state.resources) == {"channel.afk"}
    assert guild_json(sandbox)["name"] == "Arrakis"
