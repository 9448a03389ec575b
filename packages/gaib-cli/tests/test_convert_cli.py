"""``gaib server convert`` as a user runs it: a discord-backup backup and a Discord server
template, built here in their own formats, converted, set up with ``init --guild`` and applied to
the sandbox over loopback HTTP (subprocesses, as from a shell)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
from gaib_cli.testing import Gaib, files_of
from gaib_core.testing.fixtures import SandboxGuild
from gaib_core.testing.images import png_bytes

# Bits the sandbox's bot holds (it may grant only those): VIEW_CHANNEL, SEND_MESSAGES,
# MANAGE_MESSAGES, CONNECT, SPEAK; MANAGE_ROLES for the moderators.
VIEW, SEND, MANAGE_MESSAGES, CONNECT, SPEAK = 1 << 10, 1 << 11, 1 << 13, 1 << 20, 1 << 21
MANAGE_ROLES = 1 << 28


def discord_backup(everyone: int) -> dict[str, Any]:
    """A discord-backup 3.4 ``BackupData`` as its ``create()`` writes it (discord.js v14)."""
    return {
        "name": "Old Sietch",
        "verificationLevel": 1,
        "explicitContentFilter": 0,
        "defaultMessageNotifications": 1,
        "afk": {"name": "Quiet Room", "timeout": 900},
        "widget": {"enabled": False, "channel": None},
        "roles": [
            {"name": "Naib", "color": "#ffd700", "hoist": True,
             "permissions": str(MANAGE_ROLES | MANAGE_MESSAGES), "mentionable": True,
             "position": 2, "isEveryone": False},
            {"name": "@everyone", "color": "#000000", "hoist": False,
             "permissions": str(everyone), "mentionable": False, "position": 0,
             "isEveryone": True},
            {"name": "Fremen", "color": "#c0c0c0", "hoist": False, "permissions": "0",
             "mentionable": False, "position": 1, "isEveryone": False},
        ],
        "channels": {
            "categories": [{
                "name": "Stillsuit",
                "permissions": [
                    {"roleName": "@everyone", "allow": "0", "deny": str(VIEW)},
                    {"roleName": "Naib", "allow": str(VIEW | SEND), "deny": "0"},
                ],
                "children": [
                    {"type": 0, "name": "council", "nsfw": False, "topic": "for the Naib",
                     "rateLimitPerUser": 0, "isNews": False, "threads": [],
                     "messages": [{"username": "stilgar", "content": "welcome",
                                   "embeds": [], "files": [], "pinned": False,
                                   "sentAt": "2024-01-01T00:00:00.000Z"}],
                     "permissions": [
                         {"roleName": "@everyone", "allow": "0", "deny": str(VIEW)},
                         {"roleName": "Naib", "allow": str(VIEW | SEND), "deny": "0"},
                     ]},
                    {"type": 2, "name": "Quiet Room", "bitrate": 64000, "userLimit": 5,
                     "permissions": [
                         {"roleName": "@everyone", "allow": "0", "deny": str(VIEW)},
                         {"roleName": "Naib", "allow": str(VIEW | CONNECT | SPEAK),
                          "deny": "0"},
                     ]},
                ],
            }],
            "others": [
                {"type": 0, "name": "general", "nsfw": False, "topic": None,
                 "rateLimitPerUser": 5, "isNews": False, "messages": [], "threads": [],
                 "permissions": [{"roleName": "Fremen", "allow": str(SEND), "deny": "0"}]},
            ],
        },
        "bans": [{"id": "111111111111111111", "reason": "spam"}],
        "emojis": [{"name": "spice", "url": "https://cdn.discordapp.com/emojis/1.png"}],
        "members": [],
        "iconBase64": base64.b64encode(png_bytes()).decode(),
        "createdTimestamp": 1700000000000,
        "guildID": "123456789012345678",
        "id": "1180000000000000000",
    }  # fmt: skip


def server_template(everyone: int) -> dict[str, Any]:
    """``GET /guilds/templates/{code}``: ids local to the template, roles lowest first."""
    channel = {"topic": None, "bitrate": 64000, "user_limit": 0, "nsfw": False,
               "rate_limit_per_user": 0, "default_auto_archive_duration": None,
               "available_tags": None, "template": "", "default_reaction_emoji": None,
               "default_thread_rate_limit_per_user": None, "default_sort_order": None,
               "default_forum_layout": None, "default_tag_setting": None, "theme_color": None}  # fmt: skip
    return {
        "code": "hgM48av5Q69A", "name": "Sietch starter", "description": None, "usage_count": 3,
        "creator_id": "132837293881950208", "creator": None,
        "created_at": "2024-01-01T00:00:00+00:00", "updated_at": "2024-01-01T00:00:00+00:00",
        "source_guild_id": "123456789012345678", "is_dirty": None,
        "serialized_source_guild": {
            "name": "Sietch Tabr", "description": None, "region": None,
            "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "preferred_locale": "en-US",
            "afk_channel_id": None, "afk_timeout": 300, "system_channel_id": 11,
            "system_channel_flags": 0,
            "roles": [
                {"id": 0, "name": "@everyone", "permissions": str(everyone), "color": 0,
                 "colors": None, "hoist": False, "mentionable": False, "icon": None,
                 "unicode_emoji": None},
                {"id": 1, "name": "Fremen", "permissions": "0", "color": 0xC0C0C0,
                 "colors": None, "hoist": False, "mentionable": False, "icon": None,
                 "unicode_emoji": None},
                {"id": 2, "name": "Naib", "permissions": str(MANAGE_MESSAGES),
                 "color": 0xFFD700, "colors": None, "hoist": True, "mentionable": False,
                 "icon": None, "unicode_emoji": None},
            ],
            "channels": [
                {**channel, "id": 10, "type": 4, "name": "Stillsuit", "position": 0,
                 "parent_id": None, "permission_overwrites": [
                     {"id": 0, "type": 0, "allow": "0", "deny": str(VIEW)},
                     {"id": 2, "type": 0, "allow": str(VIEW), "deny": "0"}]},
                {**channel, "id": 11, "type": 0, "name": "council", "position": 0,
                 "parent_id": 10, "permission_overwrites": [
                     {"id": 0, "type": 0, "allow": "0", "deny": str(VIEW)},
                     {"id": 2, "type": 0, "allow": str(VIEW), "deny": "0"}]},
                {**channel, "id": 12, "type": 2, "name": "Voice Hall", "position": 1,
                 "parent_id": 10, "permission_overwrites": [
                     {"id": 0, "type": 0, "allow": "0", "deny": str(VIEW)},
                     {"id": 2, "type": 0, "allow": str(VIEW), "deny": "0"},
                     {"id": "132837293881950208", "type": 1, "allow": str(VIEW), "deny": "0"}]},
            ],
        },
    }  # fmt: skip


def everyone_bits(sandbox: SandboxGuild) -> int:
    roles = httpx.get(
        f"{sandbox.base_url}/guilds/{sandbox.guild_id}/roles", headers=sandbox.headers
    )
    return next(int(r["permissions"]) for r in roles.json() if r["id"] == sandbox.guild_id)


def converted_and_applied(
    gaib: Gaib, sandbox: SandboxGuild, root: Path, data: dict[str, Any]
) -> tuple[str, str]:
    """Convert ``data``, ``init --guild``, apply, plan again; (convert's stdout, its stderr)."""
    env = {"DISCORD_API_BASE": sandbox.base_url, "DISCORD_TOKEN": sandbox.token}
    (root / "old.json").write_text(json.dumps(data, indent=2))
    converted = gaib("server", "convert", "old.json", cwd=root)
    assert converted.code == 0, converted
    init = gaib("server", "init", "--guild", sandbox.guild_id, cwd=root, env=env)
    assert init.code == 0, init
    assert "Using discord-server.yaml as it is" in init.out
    applied = gaib("server", "apply", "--auto-approve", cwd=root, env=env)
    assert applied.code == 0, applied
    again = gaib("server", "plan", "--detailed-exitcode", cwd=root, env=env)
    assert again.code == 0, again
    return converted.out, converted.err


def live_roles(sandbox: SandboxGuild) -> dict[str, tuple[int, int, bool]]:
    roles = httpx.get(
        f"{sandbox.base_url}/guilds/{sandbox.guild_id}/roles", headers=sandbox.headers
    )
    return {r["name"]: (r["color"], int(r["permissions"]), r["hoist"]) for r in roles.json()}


def live_channels(sandbox: SandboxGuild) -> dict[str, dict[str, Any]]:
    url = f"{sandbox.base_url}/guilds/{sandbox.guild_id}/channels"
    return {c["name"]: c for c in httpx.get(url, headers=sandbox.headers).json()}


def test_a_discord_backup_is_converted_and_applied(
    gaib: Gaib, sandbox: SandboxGuild, tmp_path: Path
) -> None:
    _, err = converted_and_applied(gaib, sandbox, tmp_path, discord_backup(everyone_bits(sandbox)))
    assert "Wrote discord-server.yaml from old.json (discord-backup): 2 roles, 1 category" in err
    for left_out in ("1 emoji(s)", "1 ban(s)", "1 message(s) in 1 channel(s)"):
        assert f"Warning: {left_out}" in err, err
    # A private category stays manageable: gaib's bot may see it (said, not silent).
    assert "Note: category 'Stillsuit': @everyone cannot see it, so '@bot'" in err
    roles = live_roles(sandbox)
    assert roles["Naib"] == (0xFFD700, MANAGE_ROLES | MANAGE_MESSAGES, True)
    assert roles["Fremen"] == (0xC0C0C0, 0, False)
    channels = live_channels(sandbox)
    stillsuit = channels["Stillsuit"]
    council = channels["council"]
    assert council["parent_id"] == stillsuit["id"] and council["topic"] == "for the Naib"
    assert channels["Quiet Room"]["user_limit"] == 5
    assert channels["general"]["rate_limit_per_user"] == 5
    guild = httpx.get(f"{sandbox.base_url}/guilds/{sandbox.guild_id}", headers=sandbox.headers)
    assert guild.json()["name"] == "Old Sietch"
    # The icon the backup held is written beside the config and uploaded.
    assert (tmp_path / "server-icon.png").read_bytes() == png_bytes()
    assert guild.json()["icon"]
    assert guild.json()["afk_channel_id"] == channels["Quiet Room"]["id"]


def test_a_server_template_is_converted_and_applied(
    gaib: Gaib, sandbox: SandboxGuild, tmp_path: Path
) -> None:
    _, err = converted_and_applied(gaib, sandbox, tmp_path, server_template(everyone_bits(sandbox)))
    assert "(Discord server template): 2 roles, 1 category, 2 channels" in err
    assert "overwrite for member 132837293881950208 not converted" in err
    roles = live_roles(sandbox)
    assert roles["Naib"] == (0xFFD700, MANAGE_MESSAGES, True)
    channels = live_channels(sandbox)
    guild = httpx.get(f"{sandbox.base_url}/guilds/{sandbox.guild_id}", headers=sandbox.headers)
    assert guild.json()["system_channel_id"] == channels["council"]["id"]
    hall = {o["id"]: o for o in channels["Voice Hall"]["permission_overwrites"]}
    assert int(hall[sandbox.guild_id]["deny"]) == VIEW


def test_other_files_and_existing_output_are_refused_whole(gaib: Gaib, tmp_path: Path) -> None:
    (tmp_path / "export.json").write_text(json.dumps({"guild": {"id": "1"}, "messages": []}))
    before = files_of(tmp_path)
    refused = gaib("server", "convert", "export.json", cwd=tmp_path)
    assert refused.code == 1
    (line,) = refused.err.splitlines()
    assert line.startswith(
        "Error: export.json: neither a discord-backup backup nor a Discord server template"
    )
    assert "GET /guilds/templates/{code}" in line and "Traceback" not in refused.err
    assert files_of(tmp_path) == before
    (tmp_path / "old.json").write_text(json.dumps(server_template(0)))
    (tmp_path / "discord-server.yaml").write_text("roles: []\n")
    exists = gaib("server", "convert", "old.json", cwd=tmp_path)
    assert exists.code == 1 and "pass --force" in exists.err
    assert (tmp_path / "discord-server.yaml").read_text() == "roles: []\n"
    # The advice works as written.
    forced = gaib("server", "convert", "old.json", "--force", cwd=tmp_path)
    assert forced.code == 0, forced
    assert "Sietch Tabr" in (tmp_path / "discord-server.yaml").read_text()
