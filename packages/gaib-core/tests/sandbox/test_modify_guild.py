"""Modify Guild (``PATCH /guilds/{id}``) over loopback HTTP, every exchange checked against the spec.

The ``api`` client validates each response (and each accepted request) against Discord's OpenAPI
description, so the guild object answered and the error bodies have Discord's shapes.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import httpx
import pytest
from gaib_core.permissions import default_bot, to_bits
from gaib_core.sandbox.server import SandboxServer
from gaib_core.testing.fixtures import SandboxGuild
from gaib_core.testing.images import png_bytes

OWNER = {"X-Sandbox-Actor": "owner"}
MANAGE_GUILD = 1 << 5


def data_uri(content: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(content).decode()}"


def channels(api: httpx.Client, gid: str) -> tuple[str, str]:
    """A text and a voice channel: (text id, voice id)."""
    text = api.post(f"/guilds/{gid}/channels", json={"name": "welcome"}).json()["id"]
    voice = api.post(f"/guilds/{gid}/channels", json={"name": "AFK", "type": 2}).json()["id"]
    return text, voice


def field_errors(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["code"] == 50035 and body["message"] == "Invalid Form Body"
    return {k: [e["code"] for e in v["_errors"]] for k, v in body["errors"].items()}


def test_every_setting_is_set_and_read_back(api: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    text, voice = channels(api, gid)
    icon = png_bytes()
    body = {
        "name": "Arrakis",
        "description": "The desert planet",
        "icon": data_uri(icon),
        "verification_level": 2,
        "default_message_notifications": 1,
        "explicit_content_filter": 2,
        "afk_channel_id": voice,
        "afk_timeout": 900,
        "system_channel_id": text,
    }
    answer = api.patch(f"/guilds/{gid}", json=body, headers={"X-Audit-Log-Reason": "gaib"})
    assert answer.status_code == 200, answer.text
    guild = answer.json()
    expected = {**body, "icon": hashlib.md5(icon).hexdigest()}
    assert {k: guild[k] for k in expected} == expected
    assert guild["roles"] and guild["id"] == gid
    again = api.get(f"/guilds/{gid}").json()
    assert {k: again[k] for k in expected} == expected


def test_only_the_fields_sent_change_and_null_clears(
    api: httpx.Client, sandbox: SandboxGuild
) -> None:
    gid = sandbox.guild_id
    text, voice = channels(api, gid)
    first = {
        "description": "d",
        "icon": data_uri(png_bytes()),
        "afk_channel_id": voice,
        "system_channel_id": text,
        "verification_level": 1,
    }
    api.patch(f"/guilds/{gid}", json=first).raise_for_status()
    renamed = api.patch(f"/guilds/{gid}", json={"name": "Dune"}).json()
    assert renamed["name"] == "Dune" and renamed["description"] == "d"
    assert renamed["verification_level"] == 1 and renamed["icon"] is not None
    cleared = api.patch(
        f"/guilds/{gid}",
        json={"description": None, "icon": None, "afk_channel_id": None, "system_channel_id": None},
    ).json()
    assert [cleared[k] for k in first if k != "verification_level"] == [None] * 4
    assert cleared["verification_level"] == 1 and cleared["name"] == "Dune"


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"name": "A"}, {"name": ["BASE_TYPE_BAD_LENGTH"]}),
        ({"name": "x" * 101}, {"name": ["BASE_TYPE_BAD_LENGTH"]}),
        ({"name": None}, {"name": ["BASE_TYPE_REQUIRED"]}),
        ({"description": "x" * 301}, {"description": ["BASE_TYPE_MAX_LENGTH"]}),
        ({"verification_level": 5}, {"verification_level": ["ENUM_TYPE_COERCE"]}),
        (
            {"default_message_notifications": 2},
            {"default_message_notifications": ["ENUM_TYPE_COERCE"]},
        ),
        ({"explicit_content_filter": 3}, {"explicit_content_filter": ["ENUM_TYPE_COERCE"]}),
        ({"afk_timeout": 120}, {"afk_timeout": ["ENUM_TYPE_COERCE"]}),
        ({"afk_timeout": "300"}, {"afk_timeout": ["ENUM_TYPE_COERCE"]}),
        ({"icon": "not an image"}, {"icon": ["IMAGE_INVALID"]}),
        ({"icon": data_uri(b"plain text, not a picture")}, {"icon": ["IMAGE_INVALID"]}),
        ({"afk_channel_id": "nope"}, {"afk_channel_id": ["NUMBER_TYPE_COERCE"]}),
        ({"afk_channel_id": "123"}, {"afk_channel_id": ["CHANNEL_UNKNOWN"]}),
    ],
)
def test_invalid_bodies_get_discords_field_errors_and_change_nothing(
    api: httpx.Client, sandbox: SandboxGuild, body: dict[str, Any], errors: dict[str, Any]
) -> None:
    gid = sandbox.guild_id
    before = api.get(f"/guilds/{gid}").json()
    assert field_errors(api.patch(f"/guilds/{gid}", json={**body})) == errors
    assert api.get(f"/guilds/{gid}").json() == before


def test_afk_and_system_channels_must_have_the_right_type(
    api: httpx.Client, sandbox: SandboxGuild
) -> None:
    gid = sandbox.guild_id
    text, voice = channels(api, gid)
    wrong = {"afk_channel_id": text, "system_channel_id": voice, "name": "Still Valid"}
    assert field_errors(api.patch(f"/guilds/{gid}", json=wrong)) == {
        "afk_channel_id": ["CHANNEL_TYPE_INVALID"],
        "system_channel_id": ["CHANNEL_TYPE_INVALID"],
    }
    assert api.get(f"/guilds/{gid}").json()["name"] == "Sandbox"  # nothing half-applied


def test_deleting_the_afk_or_system_channel_unsets_it(
    api: httpx.Client, sandbox: SandboxGuild
) -> None:
    gid = sandbox.guild_id
    text, voice = channels(api, gid)
    api.patch(f"/guilds/{gid}", json={"afk_channel_id": voice, "system_channel_id": text})
    api.delete(f"/channels/{voice}").raise_for_status()
    api.delete(f"/channels/{text}").raise_for_status()
    guild = api.get(f"/guilds/{gid}").json()
    assert guild["afk_channel_id"] is None and guild["system_channel_id"] is None


def test_manage_guild_is_required_the_owner_may_always(
    api: httpx.Client, sandbox_server: SandboxServer
) -> None:
    info = sandbox_server.sandbox.create_guild(
        bot_permissions=to_bits(default_bot()) & ~MANAGE_GUILD
    )
    gid = info.guild_id
    denied = api.patch(f"/guilds/{gid}", json={"name": "Mine Now"})
    assert denied.status_code == 403
    assert denied.json() == {"message": "Missing Permissions", "code": 50013}
    assert api.get(f"/guilds/{gid}").json()["name"] == "Sandbox"
    by_hand = api.patch(f"/guilds/{gid}", json={"name": "Owner's"}, headers=OWNER)
    assert by_hand.status_code == 200 and by_hand.json()["name"] == "Owner's"


def test_the_default_bot_may_manage_the_guild(sandbox: SandboxGuild, api: httpx.Client) -> None:
    assert "MANAGE_GUILD" in default_bot()
    answer = api.patch(f"/guilds/{sandbox.guild_id}", json={"afk_timeout": 60})
    assert answer.status_code == 200 and answer.json()["afk_timeout"] == 60


def test_gif_icons_are_animated_only_with_the_feature(
    api: httpx.Client, sandbox: SandboxGuild, sandbox_server: SandboxServer
) -> None:
    gid = sandbox.guild_id
    gif = b"GIF89a" + bytes(20)
    plain = api.patch(f"/guilds/{gid}", json={"icon": data_uri(gif, "image/gif")}).json()
    assert plain["icon"] == hashlib.md5(gif).hexdigest()
    stored = sandbox_server.sandbox.store.guild(gid)
    assert stored is not None
    stored.features.append("ANIMATED_ICON")
    animated = api.patch(f"/guilds/{gid}", json={"icon": data_uri(gif, "image/gif")}).json()
    assert animated["icon"] == "a_" + hashlib.md5(gif).hexdigest()


def test_modify_guild_is_rate_limited_per_guild_like_other_writes() -> None:
    with SandboxServer(limits="strict") as server:
        first = server.sandbox.create_guild().guild_id
        other = server.sandbox.create_guild().guild_id
        with httpx.Client(base_url=server.base_url, headers={"Authorization": "Bot x"}) as api:
            answers = [api.patch(f"/guilds/{first}", json={"afk_timeout": 60}) for _ in range(6)]
            assert [a.status_code for a in answers] == [200] * 5 + [429]
            assert [a.headers["X-RateLimit-Remaining"] for a in answers[:5]] == list("43210")
            assert len({a.headers["X-RateLimit-Bucket"] for a in answers}) == 1
            limited = answers[-1]
            assert limited.headers["X-RateLimit-Scope"] == "user"
            assert limited.json()["retry_after"] > 0 and int(limited.headers["Retry-After"]) >= 1
            read = api.get(f"/guilds/{first}")
            assert read.status_code == 200
            assert read.headers["X-RateLimit-Bucket"] != answers[0].headers["X-RateLimit-Bucket"]
            assert api.patch(f"/guilds/{other}", json={"afk_timeout": 60}).status_code == 200
