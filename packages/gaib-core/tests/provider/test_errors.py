"""Discord's error answers become gaib's exceptions with messages a person can act on.

Provoked for real against the sandbox: hierarchy, missing access, unknown ids, bad bodies, the
role and channel limits, a missing token. The few codes the sandbox cannot produce (40333,
30060, 20028/20029) come from ``CannedServer``, a tiny loopback server, and are marked so.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from gaib_core.errors import (
    DiscordAPIError,
    InvalidFormBody,
    LimitReached,
    MissingAccess,
    MissingPermissions,
    RateLimited,
    ServerError,
    Unauthorized,
    UnknownObject,
)
from gaib_core.provider.discord import DiscordProvider
from gaib_core.provider.errors import flatten_form_errors
from gaib_core.provider.http import build_client
from gaib_core.provider.models import (
    CATEGORY,
    ChannelWrite,
    PermissionOverwrite,
    RolePosition,
    RoleWrite,
)
from gaib_core.testing.fixtures import SandboxGuild

from .conftest import Admin, Canned, CannedServer, fill_guild, owner_places_role_above_bot, run

VIEW_CHANNEL = 1 << 10
ADMINISTRATOR = 1 << 3
BAN_MEMBERS = 1 << 2
MANAGE_ROLES = 1 << 28
R = "gaib apply: test"


def test_editing_a_role_above_the_bot_names_the_role_to_move(sandbox: SandboxGuild) -> None:
    above = owner_places_role_above_bot(sandbox, "Naib")

    async def go(p: DiscordProvider) -> None:
        await p.modify_role(sandbox.guild_id, above, RoleWrite(color=0xFF0000), reason=R)

    with pytest.raises(MissingPermissions) as info:
        run(sandbox, go)
    err = info.value
    assert (err.status, err.code) == (403, 50013)
    assert "role 'Naib'" in str(err)
    assert "move the bot's role 'gaib' above 'Naib' in Server Settings > Roles" in str(err)
    assert "\n" not in str(err)


def test_moving_a_role_to_the_bots_height_is_explained(sandbox: SandboxGuild) -> None:
    async def go(p: DiscordProvider) -> None:
        role = await p.create_role(sandbox.guild_id, RoleWrite(name="Fedaykin"), reason=R)
        guild = await p.read_guild(sandbox.guild_id)
        await p.reorder_roles(
            sandbox.guild_id,
            [RolePosition(id=role.id, position=guild.bot_top_position)],
            reason=R,
        )

    with pytest.raises(MissingPermissions, match="move the bot's role 'gaib' above 'Fedaykin'"):
        run(sandbox, go)


def test_assigning_a_role_above_the_bot_is_explained(sandbox: SandboxGuild, admin: Admin) -> None:
    above = owner_places_role_above_bot(sandbox, "Kwisatz")
    user = admin.add_member(sandbox.guild_id, "paul")

    async def go(p: DiscordProvider) -> None:
        await p.add_member_role(sandbox.guild_id, user, above, reason=R)

    with pytest.raises(MissingPermissions, match="move the bot's role 'gaib' above 'Kwisatz'"):
        run(sandbox, go)


def test_granting_a_permission_the_bot_lacks_names_it(sandbox: SandboxGuild) -> None:
    async def go(p: DiscordProvider) -> None:
        await p.create_role(
            sandbox.guild_id, RoleWrite(name="Mod", permissions=BAN_MEMBERS), reason=R
        )

    with pytest.raises(MissingPermissions) as info:
        run(sandbox, go)
    assert "BAN_MEMBERS" in str(info.value)
    assert "give 'gaib' those permissions" in str(info.value)


def test_overwrite_with_manage_roles_needs_an_administrator(sandbox: SandboxGuild) -> None:
    async def go(p: DiscordProvider) -> None:
        await p.create_channel(
            sandbox.guild_id,
            ChannelWrite(
                name="mods",
                permission_overwrites=[
                    PermissionOverwrite(id=sandbox.guild_id, allow=MANAGE_ROLES)
                ],
            ),
            reason=R,
        )

    with pytest.raises(MissingPermissions, match="MANAGE_ROLES"):
        run(sandbox, go)


def test_a_channel_the_bot_cannot_see_is_missing_access(sandbox: SandboxGuild) -> None:
    async def go(p: DiscordProvider) -> None:
        hidden = await p.create_channel(
            sandbox.guild_id,
            ChannelWrite(
                name="hidden",
                type=CATEGORY,
                permission_overwrites=[PermissionOverwrite(id=sandbox.guild_id, deny=VIEW_CHANNEL)],
            ),
            reason=R,
        )
        await p.modify_channel(hidden.id, ChannelWrite(nsfw=True), reason=R)

    with pytest.raises(MissingAccess) as info:
        run(sandbox, go)
    assert info.value.code == 50001
    assert "View Channel" in str(info.value)


@pytest.mark.parametrize(
    ("what", "code", "needle"),
    [
        ("guild", 10004, "unknown guild 424242"),
        ("channel", 10003, "unknown channel 424242"),
        ("role", 10011, "unknown role 424242"),
        ("member", 10007, "unknown member 424242"),
    ],
)
def test_unknown_ids_name_the_id(sandbox: SandboxGuild, what: str, code: int, needle: str) -> None:
    gid, missing = sandbox.guild_id, "424242"

    async def go(p: DiscordProvider) -> None:
        if what == "guild":
            await p.read_guild(missing)
        elif what == "channel":
            await p.modify_channel(missing, ChannelWrite(name="x"), reason=R)
        elif what == "role":
            await p.delete_role(gid, missing, reason=R)
        else:
            await p.get_member(gid, missing)

    with pytest.raises(UnknownObject) as info:
        run(sandbox, go)
    assert info.value.code == code
    assert needle in str(info.value)


def test_invalid_bodies_list_each_field(sandbox: SandboxGuild) -> None:
    async def go(p: DiscordProvider) -> None:
        await p.create_channel(sandbox.guild_id, ChannelWrite(name="x" * 101, bitrate=10), reason=R)

    with pytest.raises(InvalidFormBody) as info:
        run(sandbox, go)
    err = info.value
    assert err.code == 50035
    paths = {d.path for d in err.details}
    assert {"name", "bitrate"} <= paths
    assert "name: " in str(err) and "bitrate: " in str(err)


def test_flatten_form_errors_walks_nested_arrays() -> None:
    tree = {
        "permission_overwrites": {
            "0": {"allow": {"_errors": [{"code": "NUMBER_TYPE_COERCE", "message": "bad"}]}}
        },
        "name": {"_errors": [{"code": "BASE_TYPE_REQUIRED", "message": "required"}]},
    }
    assert [(d.path, d.code, d.message) for d in flatten_form_errors(tree)] == [
        ("permission_overwrites.0.allow", "NUMBER_TYPE_COERCE", "bad"),
        ("name", "BASE_TYPE_REQUIRED", "required"),
    ]


def test_role_limit(sandbox: SandboxGuild) -> None:
    fill_guild(sandbox, roles=250, channels=0)

    async def go(p: DiscordProvider) -> None:
        await p.create_role(sandbox.guild_id, RoleWrite(name="one too many"), reason=R)

    with pytest.raises(LimitReached, match="maximum of 250 roles") as info:
        run(sandbox, go)
    assert info.value.code == 30005
    assert sandbox.guild_id in str(info.value)


def test_channel_limit(sandbox: SandboxGuild) -> None:
    fill_guild(sandbox, roles=2, channels=500)

    async def go(p: DiscordProvider) -> None:
        await p.create_channel(sandbox.guild_id, ChannelWrite(name="501"), reason=R)

    with pytest.raises(LimitReached, match="maximum of 500 channels") as info:
        run(sandbox, go)
    assert info.value.code == 30013


def test_missing_token_is_unauthorized_and_never_echoed(sandbox: SandboxGuild) -> None:
    async def go(p: DiscordProvider) -> None:
        await p.read_guild(sandbox.guild_id)

    with pytest.raises(Unauthorized) as info:
        run(sandbox, go, token="")
    assert info.value.status == 401
    assert "DISCORD_TOKEN" in str(info.value)

    async def with_client() -> None:
        async with build_client(None, sandbox.base_url) as client:
            provider = DiscordProvider(client, token="", token_env="GAIB_BOT_TOKEN")
            await provider.read_guild(sandbox.guild_id)

    with pytest.raises(Unauthorized, match="set GAIB_BOT_TOKEN"):
        asyncio.run(with_client())

    # And a client that does send a token never shows it, whatever the error.
    secret = "MTIz.secret-token-value"

    async def bad(p: DiscordProvider) -> None:
        assert secret not in repr(p) and secret not in repr(p.client)
        await p.read_guild("424242")

    with pytest.raises(UnknownObject) as unknown:
        run(sandbox, bad, token=secret)
    assert secret not in str(unknown.value)


def _canned(server: CannedServer, *answers: Canned, **options: Any) -> DiscordAPIError:
    """Run one write against the canned server and return the error it raised."""
    server.answers.extend(answers)

    async def go() -> None:
        async with DiscordProvider(
            token="t", base_url=server.base_url, retry_delay=0.01, **options
        ) as p:
            await p.modify_channel("1", ChannelWrite(nsfw=True), reason=R)

    with pytest.raises(DiscordAPIError) as info:
        asyncio.run(go())
    return info.value


# -- codes the sandbox cannot produce (CannedServer) ---------------------------------------


def test_cloudflare_block_points_at_the_user_agent(canned: CannedServer) -> None:
    err = _canned(canned, Canned(403, {"code": 40333, "message": "internal network error"}))
    assert err.code == 40333 and "User-Agent" in str(err)


def test_overwrite_limit(canned: CannedServer) -> None:
    err = _canned(canned, Canned(400, {"code": 30060, "message": "Maximum overwrites"}))
    assert isinstance(err, LimitReached)
    assert "channel 1 has reached Discord's maximum of 1000 permission overwrites" in str(err)


@pytest.mark.parametrize(("code", "scope"), [(20028, "channel"), (20029, "server")])
def test_write_limits(canned: CannedServer, code: int, scope: str) -> None:
    err = _canned(canned, Canned(400, {"code": code, "message": "write limit"}))
    assert isinstance(err, RateLimited)
    assert f"{scope} write limit" in str(err)


def test_write_limit_429_with_a_long_wait_names_the_limit(canned: CannedServer) -> None:
    body = {"message": "write limit", "code": 20029, "retry_after": 3600.0, "global": False}
    err = _canned(canned, Canned(429, body, {"Retry-After": "3600"}))
    assert isinstance(err, RateLimited)
    assert "server write limit" in str(err) and "3600s" in str(err)
    assert len(canned.requests) == 1


def test_5xx_after_all_retries_is_a_server_error(canned: CannedServer) -> None:
    err = _canned(canned, *[Canned(502, {"message": "bad gateway"})] * 3, max_retries=3)
    assert isinstance(err, ServerError)
    assert "answered 502" in str(err) and "after 3 attempts" in str(err)
    assert len(canned.requests) == 3


def test_user_agent_and_headers_on_the_wire(canned: CannedServer) -> None:
    canned.answers.append(Canned(200, {"id": "1", "type": 0, "name": "x"}))

    async def go() -> None:
        async with DiscordProvider(token="t0k", base_url=canned.base_url) as p:
            await p.modify_channel(
                "1", ChannelWrite(nsfw=True), reason="gaib apply: channel.général"
            )

    asyncio.run(go())
    method, path, headers = canned.requests[0]
    assert (method, path) == ("PATCH", "/api/v10/channels/1")
    assert headers["Authorization"] == "Bot t0k"
    assert headers["User-Agent"].startswith("DiscordBot (https://github.com/gaib-dev/gaib, ")
    assert "Python/3." in headers["User-Agent"] and "httpx/" in headers["User-Agent"]
    assert headers["X-Audit-Log-Reason"] == "gaib apply%3A channel.g%C3%A9n%C3%A9ral"
    assert headers["Content-Type"] == "application/json"
