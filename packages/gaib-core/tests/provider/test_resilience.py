"""5xx and dropped connections are retried; an ambiguous create is checked, never duplicated.

Every fault is injected into the sandbox through its admin API and happens over real loopback
HTTP (a dropped connection is a real closed socket).
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from gaib_core.errors import ServerError
from gaib_core.provider.discord import DiscordProvider
from gaib_core.provider.http import build_client
from gaib_core.provider.models import ChannelWrite, RoleWrite
from gaib_core.sandbox.store import StoredRole
from gaib_core.testing.fixtures import SandboxGuild

from .conftest import Admin, run

R = "gaib apply: test"
ROLES = "POST /guilds/{guild_id}/roles"
LIST_ROLES = "GET /guilds/{guild_id}/roles"
CHANNELS = "POST /guilds/{guild_id}/channels"
LIST_CHANNELS = "GET /guilds/{guild_id}/channels"


def _roles_named(sandbox: SandboxGuild, name: str) -> int:
    guild = sandbox.server.sandbox.store.guild(sandbox.guild_id)
    assert guild is not None
    return sum(1 for role in guild.roles.values() if role.name == name)


def _channels_named(sandbox: SandboxGuild, name: str) -> int:
    guild = sandbox.server.sandbox.store.guild(sandbox.guild_id)
    assert guild is not None
    return sum(1 for ch in guild.channels.values() if ch.name == name)


@pytest.mark.parametrize("status", [500, 502, 503, 504, 524])
def test_5xx_on_an_update_is_retried(sandbox: SandboxGuild, admin: Admin, status: int) -> None:
    async def go(p: DiscordProvider) -> None:
        role = await p.create_role(sandbox.guild_id, RoleWrite(name="Naib"), reason=R)
        admin.fault("5xx", count=2, route=r"PATCH /guilds/\d+/roles/\d+", status=status)
        changed = await p.modify_role(sandbox.guild_id, role.id, RoleWrite(hoist=True), reason=R)
        assert changed.hoist

    run(sandbox, go)
    assert admin.stats()["by_route"]["PATCH /guilds/{guild_id}/roles/{role_id}"] == 3


def test_a_dropped_connection_on_a_read_is_retried(sandbox: SandboxGuild, admin: Admin) -> None:
    admin.fault("drop", count=2, route=r"GET /guilds/\d+")

    async def go(p: DiscordProvider) -> str:
        return (await p.read_guild(sandbox.guild_id)).id

    assert run(sandbox, go) == sandbox.guild_id
    assert admin.stats()["by_route"]["GET /guilds/{guild_id}"] == 3


def test_a_5xx_on_a_create_is_checked_before_it_is_sent_again(
    sandbox: SandboxGuild, admin: Admin
) -> None:
    admin.fault("5xx", route=r"POST /guilds/\d+/roles", status=502)

    async def go(p: DiscordProvider) -> None:
        await p.create_role(sandbox.guild_id, RoleWrite(name="Naib"), reason=R)

    run(sandbox, go)
    by_route = admin.stats()["by_route"]
    assert (by_route[ROLES], by_route[LIST_ROLES]) == (2, 1)
    assert _roles_named(sandbox, "Naib") == 1


@pytest.mark.parametrize("kind", ["drop_after", "drop"])
def test_an_ambiguous_role_create_is_never_duplicated(
    sandbox: SandboxGuild, admin: Admin, kind: str
) -> None:
    """``drop_after``: created, answer lost -> adopted. ``drop``: not created -> sent again."""
    admin.fault(kind, route=r"POST /guilds/\d+/roles")

    async def go(p: DiscordProvider) -> tuple[str, int]:
        await p.read_guild(sandbox.guild_id)
        role = await p.create_role(
            sandbox.guild_id, RoleWrite(name="Naib", color=0xFFD700, hoist=True), reason=R
        )
        guild = await p.read_guild(sandbox.guild_id)
        assert guild.role(role.id) == role
        return role.name, role.color

    assert run(sandbox, go) == ("Naib", 0xFFD700)
    assert _roles_named(sandbox, "Naib") == 1
    by_route = admin.stats()["by_route"]
    assert by_route[LIST_ROLES] == 1
    assert by_route[ROLES] == (1 if kind == "drop_after" else 2)


def test_an_existing_namesake_is_not_adopted(sandbox: SandboxGuild, admin: Admin) -> None:
    """A role that already had the name before the create is not mistaken for the new one."""

    async def go(p: DiscordProvider) -> None:
        old = await p.create_role(sandbox.guild_id, RoleWrite(name="Naib"), reason=R)
        admin.fault("drop", route=r"POST /guilds/\d+/roles")
        new = await p.create_role(sandbox.guild_id, RoleWrite(name="Naib"), reason=R)
        assert new.id != old.id

    run(sandbox, go)
    assert _roles_named(sandbox, "Naib") == 2


def test_an_older_namesake_unseen_by_this_provider_is_not_adopted(
    sandbox: SandboxGuild, admin: Admin
) -> None:
    """A fresh provider (say, applying a saved plan) never read the guild; its snowflake dates it."""
    core = sandbox.server.sandbox
    guild = core.store.guild(sandbox.guild_id)
    assert guild is not None
    old_id = str(int(core.store.snowflake()) - (120_000 << 22))  # made two minutes ago
    guild.roles[old_id] = StoredRole(id=old_id, name="Naib", position=1)
    admin.fault("drop", route=r"POST /guilds/\d+/roles")

    async def go(p: DiscordProvider) -> str:
        return (await p.create_role(sandbox.guild_id, RoleWrite(name="Naib"), reason=R)).id

    assert run(sandbox, go) != old_id
    assert _roles_named(sandbox, "Naib") == 2


def test_a_role_with_other_fields_is_not_adopted(sandbox: SandboxGuild, admin: Admin) -> None:
    """Matching is by name and every field sent: a same-named role of another colour is not it."""

    async def go(p: DiscordProvider) -> int:
        # Someone else's "Naib", made through another client, so this provider never saw it.
        async with DiscordProvider(token=sandbox.token, base_url=sandbox.base_url) as stranger:
            await stranger.create_role(sandbox.guild_id, RoleWrite(name="Naib", color=1), reason=R)
        admin.fault("drop", route=r"POST /guilds/\d+/roles")
        made = await p.create_role(sandbox.guild_id, RoleWrite(name="Naib", color=2), reason=R)
        return made.color

    assert run(sandbox, go) == 2
    assert _roles_named(sandbox, "Naib") == 2


@pytest.mark.parametrize("kind", ["drop_after", "drop"])
@pytest.mark.parametrize("name", ["Water Discipline", "Water Discipline!"])
def test_an_ambiguous_channel_create_is_never_duplicated(
    sandbox: SandboxGuild, admin: Admin, kind: str, name: str
) -> None:
    admin.fault(kind, route=r"POST /guilds/\d+/channels")

    async def go(p: DiscordProvider) -> str:
        channel = await p.create_channel(
            sandbox.guild_id, ChannelWrite(name=name, type=0), reason=R
        )
        return channel.name

    assert run(sandbox, go) == "water-discipline"  # Discord drops the "!" too
    assert _channels_named(sandbox, "water-discipline") == 1
    by_route = admin.stats()["by_route"]
    assert by_route[LIST_CHANNELS] == 1
    assert by_route[CHANNELS] == (1 if kind == "drop_after" else 2)


def test_a_create_that_times_out_is_checked_after_it_settles(
    sandbox: SandboxGuild, admin: Admin
) -> None:
    """The request is sent, the client gives up waiting, the server still creates the role."""
    admin.fault("delay", route=r"POST /guilds/\d+/roles", delay=0.6)

    async def go() -> None:
        client = build_client(sandbox.token, sandbox.base_url, timeout=httpx.Timeout(0.3))
        async with client:
            p = DiscordProvider(client, token=sandbox.token, retry_delay=0.01, ambiguous_settle=0.6)
            await p.create_role(sandbox.guild_id, RoleWrite(name="Slow"), reason=R)

    asyncio.run(go())
    assert _roles_named(sandbox, "Slow") == 1
    assert admin.stats()["by_route"][ROLES] == 1


def test_a_delete_whose_answer_was_lost_counts_as_done(sandbox: SandboxGuild, admin: Admin) -> None:
    async def go(p: DiscordProvider) -> None:
        channel = await p.create_channel(sandbox.guild_id, ChannelWrite(name="gone"), reason=R)
        role = await p.create_role(sandbox.guild_id, RoleWrite(name="gone"), reason=R)
        admin.fault("drop_after", route=r"DELETE /channels/\d+")
        admin.fault("drop_after", route=r"DELETE /guilds/\d+/roles/\d+")
        await p.delete_channel(channel.id, reason=R)  # 2nd attempt answers 404 Unknown Channel
        await p.delete_role(sandbox.guild_id, role.id, reason=R)

    run(sandbox, go)
    by_route = admin.stats()["by_route"]
    assert by_route["DELETE /channels/{channel_id}"] == 2
    assert by_route["DELETE /guilds/{guild_id}/roles/{role_id}"] == 2
    assert _channels_named(sandbox, "gone") == 0 and _roles_named(sandbox, "gone") == 0


def test_a_server_that_keeps_failing_is_a_server_error(sandbox: SandboxGuild, admin: Admin) -> None:
    admin.fault("5xx", count=3, route=r"GET /users/@me", status=503)

    async def go(p: DiscordProvider) -> None:
        await p.read_guild(sandbox.guild_id)

    with pytest.raises(ServerError, match=r"answered 503 to GET /users/@me after 3 attempts"):
        run(sandbox, go, max_retries=3)


def test_a_create_that_keeps_failing_creates_nothing(sandbox: SandboxGuild, admin: Admin) -> None:
    admin.fault("5xx", count=3, route=r"POST /guilds/\d+/roles", status=500)

    async def go(p: DiscordProvider) -> None:
        await p.create_role(sandbox.guild_id, RoleWrite(name="Never"), reason=R)

    with pytest.raises(ServerError, match="after 3 attempts"):
        run(sandbox, go, max_retries=3)
    assert _roles_named(sandbox, "Never") == 0
    assert admin.stats()["by_route"][LIST_ROLES] == 3
