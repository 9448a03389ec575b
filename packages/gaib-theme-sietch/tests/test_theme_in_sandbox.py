"""The Sietch theme in the Discord-compatible sandbox, over real loopback HTTP.

The bot (with the default bot permissions) creates every role, category and channel with its
overwrites, then edits and reads each channel: the sandbox refuses overwrites naming a
permission the bot lacks and any channel the bot cannot view. Then one member per role checks
the matrix against the sandbox's own implementation of Discord's permission resolution.
"""

from __future__ import annotations

from typing import Any

import httpx
from gaib_core.config.models import BOT, EVERYONE, Overwrite, ServerConfig, color_to_int
from gaib_core.sandbox import rules
from gaib_core.testing.fixtures import SandboxGuild
from gaib_core.themes.matrix import permission_matrix, summarize

CATEGORY = 4


def _overwrites(overwrites: dict[str, Overwrite], ids: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"id": ids[name], "type": 0, "allow": str(ow.allow_bits), "deny": str(ow.deny_bits)}
        for name, ow in overwrites.items()
    ]


def _create(client: httpx.Client, path: str, body: dict[str, Any]) -> str:
    response = client.post(path, json=body)
    assert response.status_code in (200, 201), (body.get("name"), response.text)
    return str(response.json()["id"])


def test_sietch_applies_in_the_sandbox_and_matches_its_permissions(
    sandbox: SandboxGuild, sietch: ServerConfig
) -> None:
    gid = sandbox.guild_id
    ids = {EVERYONE: gid, BOT: sandbox.info.bot_role_id}
    channel_ids: dict[str, str] = {}
    with httpx.Client(base_url=sandbox.base_url, headers=sandbox.headers, timeout=10) as client:
        for role in reversed(sietch.roles):
            ids[role.name] = _create(
                client,
                f"/guilds/{gid}/roles",
                {
                    "name": role.name,
                    "color": color_to_int(role.color),
                    "hoist": role.hoist,
                    "permissions": "0",
                },
            )
        for category in sietch.categories:
            parent = _create(
                client,
                f"/guilds/{gid}/channels",
                {
                    "name": category.name,
                    "type": CATEGORY,
                    "permission_overwrites": _overwrites(category.overwrites, ids),
                },
            )
            for channel in category.channels:
                effective = ServerConfig.effective_overwrites(category, channel)
                body = {
                    "name": channel.name,
                    "type": channel.type.discord_type,
                    "parent_id": parent,
                    "permission_overwrites": _overwrites(effective, ids),
                }
                channel_ids[channel.name] = _create(client, f"/guilds/{gid}/channels", body)
        # Managing a channel needs seeing it: every channel must stay editable by the bot.
        for name, channel_id in channel_ids.items():
            edited = client.patch(f"/channels/{channel_id}", json={"nsfw": False})
            assert edited.status_code == 200, (name, edited.text)
            assert client.get(f"/channels/{channel_id}").status_code == 200, name

    core = sandbox.server.sandbox
    members = {
        role.name: core.add_member(gid, f"member-{role.address_key}", roles=[ids[role.name]])
        for role in sietch.roles
    }
    members[EVERYONE] = core.add_member(gid, "member-nobody")
    members[BOT] = sandbox.info.bot_user_id
    guild = core.store.guild(gid)
    assert guild is not None
    matrix = permission_matrix(sietch, bot_permissions=rules.BOT_DEFAULT)
    for row in matrix.rows:
        stored = guild.channels[channel_ids[row.channel]]
        for column, cell in zip(matrix.roles, row.cells, strict=True):
            bits = rules.channel_permissions(guild, stored, members[column])
            assert summarize(bits, row.type) == cell, (row.channel, column)
