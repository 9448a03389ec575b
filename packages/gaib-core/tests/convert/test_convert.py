"""``gaib_core.convert``: discord-backup backups and Discord server templates, built here in their
own formats, become configs that load back with the same names, colours and permissions."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from gaib_core import permissions as perms
from gaib_core.config.loader import load_document, parse_yaml
from gaib_core.config.models import ServerConfig
from gaib_core.convert import convert_data, convert_file
from gaib_core.errors import ConfigError
from gaib_core.testing.images import png_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

KNOWN = [info.value for info in perms.all_permissions()]
CHANNEL_BITS = [info.value for info in perms.all_permissions() if "T" in info.channel]

names = (
    st.text(
        alphabet=st.characters(categories=("L", "N"), include_characters=" -_!'é🌶"),
        min_size=1,
        max_size=24,
    )
    .map(str.strip)
    .filter(lambda n: n and n not in ("@everyone", "@bot"))
)
bitfields = st.lists(st.sampled_from(KNOWN), max_size=6).map(lambda bits: sum(set(bits)))
channel_bitfields = st.lists(st.sampled_from(CHANNEL_BITS), max_size=4).map(
    lambda bits: sum(set(bits))
)
roles = st.lists(
    st.tuples(names, st.integers(0, 0xFFFFFF), bitfields, st.booleans()),
    min_size=1,
    max_size=6,
    unique_by=lambda role: role[0],
)


def loaded(text: str) -> ServerConfig:
    """The config a user gets from the written file (the loader `plan` uses)."""
    return load_document(parse_yaml(text, "discord-server.yaml"))[0]


def backup(
    role_rows: list[tuple[str, int, int, bool]], overwrite: tuple[int, int]
) -> dict[str, Any]:
    """A discord-backup v3.3+ ``BackupData`` (discord.js v14: numeric types, string bitfields)."""
    first = role_rows[0][0]
    return {
        "name": "Old Server",
        "verificationLevel": 2,
        "explicitContentFilter": 1,
        "defaultMessageNotifications": 1,
        "widget": {"enabled": False, "channel": None},
        "roles": [
            {
                "name": "@everyone",
                "color": "#000000",
                "hoist": False,
                "permissions": "1024",
                "mentionable": False,
                "position": 0,
                "isEveryone": True,
            },
            *(
                {
                    "name": name,
                    "color": f"#{color:06x}",
                    "hoist": hoist,
                    "permissions": str(bits),
                    "mentionable": False,
                    "position": len(role_rows) - i,
                    "isEveryone": False,
                }
                for i, (name, color, bits, hoist) in enumerate(role_rows)
            ),
        ],
        "channels": {
            "categories": [
                {
                    "name": "Council",
                    "permissions": [
                        {"roleName": first, "allow": str(overwrite[0]), "deny": str(overwrite[1])}
                    ],
                    "children": [
                        {
                            "type": 0,
                            "name": "chamber",
                            "nsfw": False,
                            "topic": None,
                            "isNews": False,
                            "messages": [],
                            "threads": [],
                            "permissions": [
                                {
                                    "roleName": first,
                                    "allow": str(overwrite[0]),
                                    "deny": str(overwrite[1]),
                                }
                            ],
                        },
                    ],
                }
            ],
            "others": [],
        },
        "bans": [],
        "emojis": [],
        "members": [],
        "createdTimestamp": 1700000000000,
        "guildID": "123456789012345678",
        "id": "1",
    }


def template(
    role_rows: list[tuple[str, int, int, bool]], overwrite: tuple[int, int]
) -> dict[str, Any]:
    """``GET /guilds/templates/{code}``: roles lowest first with ids from 0 (@everyone)."""
    lowest_first = list(reversed(role_rows))
    top_id = len(role_rows)  # the highest role, the first of role_rows
    return {
        "code": "hgM48av5Q69A",
        "name": "Old Server",
        "description": None,
        "usage_count": 0,
        "creator_id": "132837293881950208",
        "creator": None,
        "created_at": "2024-01-01T00:00:00+00:00",
        "updated_at": "2024-01-01T00:00:00+00:00",
        "source_guild_id": "123456789012345678",
        "is_dirty": None,
        "serialized_source_guild": {
            "name": "Old Server",
            "description": None,
            "region": None,
            "verification_level": 2,
            "default_message_notifications": 1,
            "explicit_content_filter": 1,
            "preferred_locale": "en-US",
            "afk_channel_id": None,
            "afk_timeout": 300,
            "system_channel_id": 2,
            "system_channel_flags": 0,
            "roles": [
                {
                    "id": 0,
                    "name": "@everyone",
                    "permissions": "1024",
                    "color": 0,
                    "colors": None,
                    "hoist": False,
                    "mentionable": False,
                    "icon": None,
                    "unicode_emoji": None,
                },
                *(
                    {
                        "id": i + 1,
                        "name": name,
                        "permissions": str(bits),
                        "color": color,
                        "colors": None,
                        "hoist": hoist,
                        "mentionable": False,
                        "icon": None,
                        "unicode_emoji": None,
                    }
                    for i, (name, color, bits, hoist) in enumerate(lowest_first)
                ),
            ],
            "channels": [
                _template_channel(1, 4, "Council", None, top_id, overwrite),
                _template_channel(2, 0, "chamber", 1, top_id, overwrite),
            ],
        },
    }


def _template_channel(
    cid: int, kind: int, name: str, parent: int | None, role: int, overwrite: tuple[int, int]
) -> dict[str, Any]:
    return {
        "id": cid, "type": kind, "name": name, "position": 0, "topic": None, "bitrate": 64000,
        "user_limit": 0, "nsfw": False, "rate_limit_per_user": 0, "parent_id": parent,
        "default_auto_archive_duration": None, "available_tags": None, "template": "",
        "default_reaction_emoji": None, "default_thread_rate_limit_per_user": None,
        "default_sort_order": None, "default_forum_layout": None, "default_tag_setting": None,
        "theme_color": None,
        "permission_overwrites": [
            {"id": str(role), "type": 0, "allow": str(overwrite[0]), "deny": str(overwrite[1])}
        ],
    }  # fmt: skip


@pytest.mark.parametrize("build", [backup, template], ids=["discord-backup", "template"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=roles, allow=channel_bitfields, deny=channel_bitfields)
def test_names_colours_and_permissions_round_trip(
    build: Any, rows: list[tuple[str, int, int, bool]], allow: int, deny: int
) -> None:
    deny &= ~allow
    conversion = convert_data(build(rows, (allow, deny)), "old.json")
    config = loaded(conversion.yaml("old.json"))
    assert [
        (role.name, int(role.color[1:], 16), role.permission_bits, role.hoist)
        for role in config.roles
    ] == rows
    assert perms.to_bits(config.server.everyone_permissions or []) == 1024
    (category,) = config.categories
    first = rows[0][0]
    assert (category.overwrites[first].allow_bits, category.overwrites[first].deny_bits) == (
        allow,
        deny,
    )
    (channel,) = category.channels
    # The child carries its category's overwrites: it stays synced, as it was.
    assert "overwrites" not in channel.model_fields_set
    assert config.server.verification_level == "medium"
    assert config.server.explicit_content_filter == "members_without_roles"
    assert config.server.default_notifications == "only_mentions"
    assert not conversion.warnings


def test_older_discord_backup_generations_read_alike() -> None:
    """discord.js v12 (``"text"``, numbers) and v13 (``"GUILD_NEWS"``, ``"HIGH"``) backups."""
    data = backup([("Mod", 0xFF0000, 8192, True)], (1024, 0))
    data["verificationLevel"] = "HIGH"
    data["defaultMessageNotifications"] = "MENTIONS"
    data["roles"][1]["permissions"] = 8192  # v2 wrote numbers
    data["channels"]["others"] = [
        {"type": "GUILD_NEWS", "name": "news", "permissions": [], "messages": [], "threads": []},
        {"type": "text", "name": "chat", "isNews": True, "permissions": [], "messages": []},
        {"type": "GUILD_STAGE_VOICE", "name": "Stage", "bitrate": 64000, "userLimit": 0,
         "permissions": []},
    ]  # fmt: skip
    config = convert_data({"id": "1", "size": 1, "data": data}, "old.json").config
    assert [(c.name, c.type.value) for c in config.channels] == [
        ("news", "announcement"),
        ("chat", "announcement"),
        ("Stage", "stage"),
    ]
    assert config.server.verification_level == "high"
    assert config.server.default_notifications == "only_mentions"
    assert config.roles[0].permissions == ["MANAGE_MESSAGES"]


def test_what_a_config_cannot_hold_is_a_warning_each() -> None:
    data = backup([("Mod", 0, 0, False)], (0, 0))
    data["emojis"] = [{"name": "pog", "url": "https://cdn.example/pog.png"}]
    data["bans"] = [{"id": "1", "reason": "spam"}, {"id": "2", "reason": "spam"}]
    child = data["channels"]["categories"][0]["children"][0]
    child["messages"] = [{"username": "a", "content": "hi", "sentAt": "2024-01-01"}] * 3
    child["threads"] = [{"type": 11, "name": "t", "messages": []}]
    child["permissions"].append({"roleName": "SomeBot", "allow": "1024", "deny": "0"})
    child["permissions"].append({"roleName": "@everyone", "allow": "0", "deny": "1024"})
    data["iconURL"] = "https://cdn.discordapp.com/icons/1/a.png"
    conversion = convert_data(data, "old.json")
    text = "\n".join(conversion.warnings)
    for expected in (
        "1 emoji(s)",
        "2 ban(s)",
        "3 message(s) in 1 channel(s)",
        "1 thread(s)",
        "role 'SomeBot'",
        "server icon",
    ):
        assert expected in text, text
    # ...and in the written file, where the next reader finds them.
    assert "# - 2 ban(s)" in conversion.yaml("old.json")
    # A child whose overwrites differ from its category's keeps its own.
    (channel,) = conversion.config.categories[0].channels
    assert "overwrites" in channel.model_fields_set


def test_template_member_overwrites_and_kinds_that_do_not_apply_are_warnings() -> None:
    data = template([("Mod", 0, 0, False)], (0, 0))
    chamber = data["serialized_source_guild"]["channels"][1]
    chamber["permission_overwrites"].append(
        {"id": "132837293881950208", "type": 1, "allow": "1024", "deny": "0"}
    )
    # CONNECT is a voice permission: on a text channel, Discord's overwrite means nothing.
    chamber["permission_overwrites"][0]["allow"] = str(perms.flag("CONNECT") | 1024)
    conversion = convert_data(data, "t.json")
    text = "\n".join(conversion.warnings)
    assert "overwrite for member 132837293881950208 not converted" in text
    assert "CONNECT (does not apply to a text channel)" in text
    assert conversion.config.server.system_channel == "channel.chamber"


def test_duplicate_names_and_keys_become_valid_distinct_items() -> None:
    data = backup([("Mod Team", 0, 0, False), ("mod-team", 0, 0, False)], (0, 0))
    data["roles"].append(dict(data["roles"][1], position=0))  # a second "Mod Team"
    data["channels"]["others"] = [
        {"type": 0, "name": "chat", "permissions": [], "messages": []},
        {"type": 0, "name": "chat", "permissions": [], "messages": []},
        {"type": 2, "name": "chat", "permissions": [], "bitrate": 64000, "userLimit": 0},
    ]
    conversion = convert_data(data, "old.json")
    config = conversion.config
    assert [r.address for r in config.roles] == ["role.mod_team", "role.mod_team_2"]
    assert [c.address for c in config.channels] == ["channel.chat", "channel.chat_2"]
    assert any("a second role named 'Mod Team'" in w for w in conversion.warnings)
    assert any("a second text channel 'chat'" in w for w in conversion.warnings)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "old.json:1:2: not JSON"),
        ('{"guild": {}}', "old.json: neither a discord-backup backup nor a Discord server template"),
        ("[1, 2]", "found a list of 2 item(s)"),
        ('{"roles": [{"color": 1}], "channels": {"others": []}, "name": "x"}',
         "old.json: roles[0].name: Field required"),
    ],
)  # fmt: skip
def test_anything_else_is_one_line_naming_the_file(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "old.json"
    path.write_text(content)
    with pytest.raises(ConfigError) as raised:
        convert_file(path)
    message = str(raised.value).replace(str(tmp_path) + "/", "")
    assert expected in message and "\n" not in message
    assert "discord-backup backup" in message and "GET /guilds/templates/{code}" in message


def test_the_written_file_is_json_free_yaml_that_validates(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text(json.dumps(backup([("Naib", 0xFFD700, 0, True)], (1024, 0))))
    text = convert_file(path).yaml(path.name)
    assert text.startswith("# Converted by `gaib server convert` from old.json (discord-backup).")
    assert loaded(text).roles[0].color == "#FFD700"


def test_an_icon_saved_in_the_backup_becomes_the_server_icon() -> None:
    data = backup([("Mod", 0, 0, False)], (0, 0))
    data["iconBase64"] = base64.b64encode(png_bytes()).decode()
    conversion = convert_data(data, "old.json")
    assert conversion.config.server.icon == "server-icon.png"
    assert conversion.icon == png_bytes()
    data["iconBase64"] = base64.b64encode(b"<html>").decode()
    broken = convert_data(data, "old.json")
    assert broken.icon is None and broken.config.server.icon is None
    assert any("not a PNG, JPEG or GIF" in warning for warning in broken.warnings)


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=12),
    st.sampled_from(["@everyone", "#ff0000", "GUILD_TEXT", "news", "0", "-1", "99999999999"]),
)


def _nodes(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every value in ``data`` (containers too), the root excepted."""
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    out = [path] if path else []
    for key, value in items:
        out += _nodes(value, (*path, key))
    return out


def _replace(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = _replace(data[path[0]], path[1:], value)
    return copy


@pytest.mark.parametrize("build", [backup, template], ids=["discord-backup", "template"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_damage_is_a_config_or_a_one_line_error(build: Any, data: st.DataObject) -> None:
    """Whatever a field holds, convert gives a config that loads, or one ConfigError line."""
    document = build([("Naib", 0xFFD700, 0, True), ("Fremen", 0, 1024, False)], (1024, 0))
    nodes = _nodes(document)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(nodes))
        document = _replace(document, path, data.draw(json_scalars | st.just([]) | st.just({})))
        nodes = _nodes(document)
    try:
        conversion = convert_data(document, "old.json")
    except ConfigError as exc:
        assert str(exc).startswith("old.json: ") and "\n" not in str(exc)
        return
    loaded(conversion.yaml("old.json"))
