"""Every provider operation against the sandbox over real loopback HTTP."""

from __future__ import annotations

import pytest
from gaib_core.errors import MissingAccess
from gaib_core.provider.discord import DiscordProvider
from gaib_core.provider.models import (
    CATEGORY,
    TEXT,
    VOICE,
    ChannelPosition,
    ChannelWrite,
    PermissionOverwrite,
    RolePosition,
    RoleWrite,
)
from gaib_core.testing.fixtures import SandboxGuild

from .conftest import Admin, fill_guild, run

VIEW_CHANNEL, SEND_MESSAGES = 1 << 10, 1 << 11
REASON = "gaib apply: test"


def test_read_guild_returns_roles_channels_and_the_bot(sandbox: SandboxGuild) -> None:
    async def go(p: DiscordProvider) -> None:
        guild = await p.read_guild(sandbox.guild_id)
        assert guild.id == sandbox.guild_id
        assert guild.owner_id == sandbox.info.owner_id
        assert guild.bot_user_id == sandbox.info.bot_user_id
        assert guild.everyone.position == 0
        managed = guild.bot_managed_role
        assert managed is not None and managed.id == sandbox.info.bot_role_id
        assert guild.bot_top_role == managed
        assert guild.bot_member.roles == [sandbox.info.bot_role_id]
        assert guild.channels == []
        assert p.request_count == 4  # @me, guild, channels, bot member
        await p.read_guild(sandbox.guild_id)
        assert p.request_count == 7  # @me is cached

    run(sandbox, go)


def test_role_lifecycle(sandbox: SandboxGuild) -> None:
    async def go(p: DiscordProvider) -> None:
        gid = sandbox.guild_id
        naib = await p.create_role(
            gid,
            RoleWrite(name="Naib", permissions=VIEW_CHANNEL, color=0xFFD700, hoist=True),
            reason=REASON,
        )
        assert (naib.name, naib.permissions, naib.color, naib.hoist, naib.position) == (
            "Naib",
            VIEW_CHANNEL,
            0xFFD700,
            True,
            1,
        )
        fedaykin = await p.create_role(gid, RoleWrite(name="Fedaykin"), reason=REASON)
        changed = await p.modify_role(
            gid, naib.id, RoleWrite(name="Naib Council", mentionable=True), reason=REASON
        )
        assert (changed.name, changed.mentionable, changed.hoist) == ("Naib Council", True, True)

        roles = await p.reorder_roles(
            gid,
            [RolePosition(id=naib.id, position=3), RolePosition(id=fedaykin.id, position=2)],
            reason=REASON,
        )
        by_id = {r.id: r for r in roles}
        assert (by_id[naib.id].position, by_id[fedaykin.id].position) == (3, 2)
        assert gid in by_id  # every role comes back, @everyone included

        await p.delete_role(gid, fedaykin.id, reason=REASON)
        guild = await p.read_guild(gid)
        assert guild.role(fedaykin.id) is None
        assert [r.name for r in guild.sorted_roles()] == ["gaib", "Naib Council", "@everyone"]

    run(sandbox, go)


def test_channel_lifecycle_with_overwrites(sandbox: SandboxGuild) -> None:
    async def go(p: DiscordProvider) -> None:
        gid = sandbox.guild_id
        role = await p.create_role(gid, RoleWrite(name="Fremen"), reason=REASON)
        category = await p.create_channel(
            gid,
            ChannelWrite(
                name="The Sietch",
                type=CATEGORY,
                permission_overwrites=[
                    PermissionOverwrite(id=gid, type=0, deny=VIEW_CHANNEL),
                    PermissionOverwrite(id=role.id, type=0, allow=VIEW_CHANNEL),
                    PermissionOverwrite(id=sandbox.info.bot_role_id, type=0, allow=VIEW_CHANNEL),
                ],
            ),
            reason=REASON,
        )
        assert (category.type, category.name) == (CATEGORY, "The Sietch")
        text = await p.create_channel(
            gid,
            ChannelWrite(name="Water Discipline", type=TEXT, parent_id=category.id, topic="Hi"),
            reason=REASON,
        )
        assert (text.name, text.parent_id, text.topic) == ("water-discipline", category.id, "Hi")
        voice = await p.create_channel(
            gid, ChannelWrite(name="Stillsuit Lounge", type=VOICE, bitrate=64000), reason=REASON
        )
        assert (voice.name, voice.bitrate) == ("Stillsuit Lounge", 64000)

        text = await p.modify_channel(
            text.id,
            ChannelWrite(
                nsfw=True,
                permission_overwrites=[PermissionOverwrite(id=role.id, allow=SEND_MESSAGES)],
            ),
            reason=REASON,
        )
        assert text.nsfw
        assert [(o.id, o.allow, o.deny) for o in text.permission_overwrites] == [
            (role.id, SEND_MESSAGES, 0)
        ]

        await p.reorder_channels(
            gid,
            [
                ChannelPosition(id=voice.id, position=0, parent_id=category.id),
                ChannelPosition(id=text.id, position=1),
            ],
            reason=REASON,
        )
        guild = await p.read_guild(gid)
        moved = guild.channel(voice.id)
        assert moved is not None and moved.parent_id == category.id
        assert guild.channel(text.id) is not None
        assert guild.channel(text.id).position == 1  # type: ignore[union-attr]

        await p.delete_channel(category.id, reason=REASON)
        guild = await p.read_guild(gid)
        assert guild.channel(category.id) is None
        orphan = guild.channel(text.id)
        assert orphan is not None and orphan.parent_id is None

    run(sandbox, go)


def test_reorder_channels_splits_parent_changes(sandbox: SandboxGuild, admin: Admin) -> None:
    """Discord allows one parent change per bulk request; the provider sends one per move."""

    async def go(p: DiscordProvider) -> None:
        gid = sandbox.guild_id
        cat = await p.create_channel(gid, ChannelWrite(name="Cat", type=CATEGORY), reason=REASON)
        a = await p.create_channel(gid, ChannelWrite(name="a"), reason=REASON)
        b = await p.create_channel(gid, ChannelWrite(name="b"), reason=REASON)
        c = await p.create_channel(gid, ChannelWrite(name="c"), reason=REASON)
        admin.reset_stats()
        await p.reorder_channels(
            gid,
            [
                ChannelPosition(id=a.id, parent_id=cat.id, position=0),
                ChannelPosition(id=b.id, parent_id=cat.id, position=1),
                ChannelPosition(id=c.id, position=5),
            ],
            reason=REASON,
        )
        assert admin.stats()["by_route"] == {"PATCH /guilds/{guild_id}/channels": 2}
        guild = await p.read_guild(gid)
        assert {guild.channel(a.id).parent_id, guild.channel(b.id).parent_id} == {cat.id}  # type: ignore[union-attr]

    run(sandbox, go)


def test_members_get_and_lose_roles(sandbox: SandboxGuild, admin: Admin) -> None:
    user_id = admin.add_member(sandbox.guild_id, "stilgar")

    async def go(p: DiscordProvider) -> None:
        gid = sandbox.guild_id
        role = await p.create_role(gid, RoleWrite(name="Naib"), reason=REASON)
        assert (await p.get_member(gid, user_id)).roles == []
        await p.add_member_role(gid, user_id, role.id, reason="gaib tiers: naib")
        member = await p.get_member(gid, user_id)
        assert (member.user_id, member.username, member.roles) == (user_id, "stilgar", [role.id])
        await p.remove_member_role(gid, user_id, role.id, reason="gaib tiers: naib")
        assert (await p.get_member(gid, user_id)).roles == []

    run(sandbox, go)


def test_list_members_reads_every_member_in_pages_of_1000(
    sandbox: SandboxGuild, admin: Admin
) -> None:
    """2,000 added members + owner + bot = 2,002: pages of 1000, 1000 and 2 (3 requests)."""
    gid = sandbox.guild_id
    core = sandbox.server.sandbox
    added = [core.add_member(gid, f"m{i}") for i in range(2000)]
    admin.reset_stats()

    async def go(p: DiscordProvider) -> None:
        members = await p.list_members(gid)
        ids = [m.user_id for m in members]
        assert len(ids) == 2002 and len(set(ids)) == 2002
        assert ids == sorted(ids, key=int)
        assert set(added) | {sandbox.info.owner_id, sandbox.info.bot_user_id} == set(ids)
        assert p.request_count == 3
        small = await p.list_members(gid, page_size=1000)
        assert [m.user_id for m in small] == ids

    run(sandbox, go)
    assert admin.stats()["by_route"] == {"GET /guilds/{guild_id}/members": 6}


def test_list_members_asks_one_more_page_when_the_last_is_full(sandbox: SandboxGuild) -> None:
    """Owner + bot with pages of 2: a full page, then an empty one says it was the last."""

    async def go(p: DiscordProvider) -> None:
        members = await p.list_members(sandbox.guild_id, page_size=2)
        assert {m.user_id for m in members} == {sandbox.info.owner_id, sandbox.info.bot_user_id}
        assert p.request_count == 2
        with pytest.raises(ValueError, match=r"page_size 1001 is not in 1\.\.1000"):
            await p.list_members(sandbox.guild_id, page_size=1001)

    run(sandbox, go)


def test_list_members_without_the_members_intent_says_where_to_turn_it_on(
    sandbox: SandboxGuild,
) -> None:
    core = sandbox.server.sandbox
    core.set_members_intent(False)
    try:

        async def go(p: DiscordProvider) -> str:
            try:
                await p.list_members(sandbox.guild_id)
            except MissingAccess as err:
                return str(err)
            raise AssertionError("listing members without the intent succeeded")

        message = run(sandbox, go)
    finally:
        core.set_members_intent(True)
    assert "error 50001" in message
    assert "turn on 'Server Members Intent' in the Developer Portal" in message


def test_read_guild_costs_the_same_for_250_roles_and_500_channels(
    sandbox: SandboxGuild, admin: Admin
) -> None:
    """A fixed number of requests whatever the guild's size: 4 the first time, then 3."""
    gid = sandbox.guild_id

    async def count(p: DiscordProvider) -> tuple[int, int, int, int]:
        await p.read_guild(gid)
        first = p.request_count
        guild = await p.read_guild(gid)
        return first, p.request_count - first, len(guild.roles), len(guild.channels)

    small = run(sandbox, count)
    fill_guild(sandbox, roles=250, channels=500)
    admin.reset_stats()
    big = run(sandbox, count)
    assert small[:2] == big[:2] == (4, 3)
    assert big[2:] == (250, 500)
    assert admin.stats()["requests"] == 7
