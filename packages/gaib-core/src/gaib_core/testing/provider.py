"""Conformance kit for providers: what the engine relies on a ``Provider`` to do.

A provider plugin proves itself by subclassing :class:`ProviderContract` in a test module and
providing two fixtures: ``make_provider`` (a callable returning a fresh provider, called inside
the test's event loop) and ``guild_id`` (a fresh guild the provider's bot was invited to, with
gaib's documented bot permissions and nothing else in it)::

    class TestMyProvider(ProviderContract):
        @pytest.fixture
        def make_provider(self, my_server):
            return lambda: MyProvider(my_server.url)

        @pytest.fixture
        def guild_id(self, my_server):
            return my_server.new_guild()

gaib runs it against its own Discord provider on the sandbox over loopback HTTP
(``packages/gaib-core/tests/provider/test_conformance.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from gaib_core.errors import UnknownObject
from gaib_core.permissions import flag
from gaib_core.provider.base import Provider
from gaib_core.provider.models import (
    CATEGORY,
    TEXT,
    ChannelPosition,
    ChannelWrite,
    GuildWrite,
    PermissionOverwrite,
    RolePosition,
    RoleWrite,
)

T = TypeVar("T")
REASON = "gaib conformance kit"
VIEW_CHANNEL = flag("VIEW_CHANNEL")
SEND_MESSAGES = flag("SEND_MESSAGES")
ROLE_OVERWRITE = 0


class ProviderContract:
    """The behaviour gaib's engine relies on; see the module docstring for the fixtures."""

    @staticmethod
    def run(make: Callable[[], Provider], fn: Callable[[Provider], Awaitable[T]]) -> T:
        """``fn(provider)`` in a fresh event loop; the provider is closed afterwards."""

        async def main() -> T:
            provider = make()
            try:
                return await fn(provider)
            finally:
                await provider.aclose()

        return asyncio.run(main())

    def test_is_a_provider(self, make_provider: Callable[[], Provider]) -> None:
        async def go(p: Provider) -> None:
            assert isinstance(p, Provider) and p.name

        self.run(make_provider, go)

    def test_read_guild_names_everyone_and_the_bot(
        self, make_provider: Callable[[], Provider], guild_id: str
    ) -> None:
        async def go(p: Provider) -> None:
            guild = await p.read_guild(guild_id)
            assert guild.id == guild_id
            assert guild.everyone.id == guild_id and guild.everyone.position == 0
            assert guild.bot_user_id and guild.bot_member.user_id == guild.bot_user_id
            managed = guild.bot_managed_role
            assert managed is not None and managed.id in guild.bot_member.roles
            assert guild.bot_top_role is not None and guild.bot_permissions() != 0
            member = await p.get_member(guild_id, guild.bot_user_id)
            assert member.roles == guild.bot_member.roles

        self.run(make_provider, go)

    def test_roles_are_created_at_the_bottom_changed_by_field_and_deleted(
        self, make_provider: Callable[[], Provider], guild_id: str
    ) -> None:
        async def go(p: Provider) -> None:
            first = await p.create_role(
                guild_id,
                RoleWrite(name="Naib", permissions=VIEW_CHANNEL, color=0xFFD700),
                reason=REASON,
            )
            assert (first.name, first.permissions, first.color, first.position) == (
                "Naib",
                VIEW_CHANNEL,
                0xFFD700,
                1,
            )
            changed = await p.modify_role(guild_id, first.id, RoleWrite(hoist=True), reason=REASON)
            assert changed.hoist and changed.name == "Naib" and changed.color == 0xFFD700
            guild = await p.read_guild(guild_id)
            assert guild.role(first.id) == changed
            await p.delete_role(guild_id, first.id, reason=REASON)
            assert (await p.read_guild(guild_id)).role(first.id) is None
            with pytest.raises(UnknownObject):
                await p.delete_role(guild_id, first.id, reason=REASON)

        self.run(make_provider, go)

    def test_roles_reorder_in_one_request(
        self, make_provider: Callable[[], Provider], guild_id: str
    ) -> None:
        async def go(p: Provider) -> None:
            low = await p.create_role(guild_id, RoleWrite(name="Low"), reason=REASON)
            high = await p.create_role(guild_id, RoleWrite(name="High"), reason=REASON)
            roles = await p.reorder_roles(
                guild_id,
                [RolePosition(id=high.id, position=2), RolePosition(id=low.id, position=1)],
                reason=REASON,
            )
            by_id = {r.id: r for r in roles}
            assert guild_id in by_id  # every role of the guild comes back
            assert by_id[high.id].position > by_id[low.id].position

        self.run(make_provider, go)

    def test_channels_carry_parent_and_overwrites(
        self, make_provider: Callable[[], Provider], guild_id: str
    ) -> None:
        async def go(p: Provider) -> None:
            bot_role = (await p.read_guild(guild_id)).bot_managed_role
            assert bot_role is not None
            role = await p.create_role(guild_id, RoleWrite(name="Fremen"), reason=REASON)
            category = await p.create_channel(
                guild_id, ChannelWrite(name="Sietch", type=CATEGORY), reason=REASON
            )
            hidden = PermissionOverwrite(id=guild_id, type=ROLE_OVERWRITE, deny=VIEW_CHANNEL)
            shown = PermissionOverwrite(
                id=role.id, type=ROLE_OVERWRITE, allow=VIEW_CHANNEL | SEND_MESSAGES
            )
            # Without it the bot could not see (so not manage) the channel it hides.
            bot = PermissionOverwrite(id=bot_role.id, type=ROLE_OVERWRITE, allow=VIEW_CHANNEL)
            channel = await p.create_channel(
                guild_id,
                ChannelWrite(
                    name="council",
                    type=TEXT,
                    topic="for the Naib",
                    parent_id=category.id,
                    permission_overwrites=[hidden, shown, bot],
                ),
                reason=REASON,
            )
            assert channel.parent_id == category.id and channel.topic == "for the Naib"
            read = (await p.read_guild(guild_id)).channel(channel.id)
            assert read is not None
            assert {(o.id, o.allow, o.deny) for o in read.permission_overwrites} == {
                (guild_id, 0, VIEW_CHANNEL),
                (role.id, VIEW_CHANNEL | SEND_MESSAGES, 0),
                (bot_role.id, VIEW_CHANNEL, 0),
            }
            changed = await p.modify_channel(channel.id, ChannelWrite(topic="new"), reason=REASON)
            assert changed.topic == "new" and changed.parent_id == category.id
            assert len(changed.permission_overwrites) == 3  # untouched when not sent
            await p.delete_channel(category.id, reason=REASON)
            orphan = (await p.read_guild(guild_id)).channel(channel.id)
            assert orphan is not None and orphan.parent_id is None
            await p.delete_channel(channel.id, reason=REASON)
            with pytest.raises(UnknownObject):
                await p.delete_channel(channel.id, reason=REASON)

        self.run(make_provider, go)

    def test_channel_positions_and_parent_moves_in_bulk(
        self, make_provider: Callable[[], Provider], guild_id: str
    ) -> None:
        async def go(p: Provider) -> None:
            category = await p.create_channel(
                guild_id, ChannelWrite(name="Hall", type=CATEGORY), reason=REASON
            )
            a = await p.create_channel(guild_id, ChannelWrite(name="a", type=TEXT), reason=REASON)
            b = await p.create_channel(guild_id, ChannelWrite(name="b", type=TEXT), reason=REASON)
            await p.reorder_channels(
                guild_id,
                [
                    ChannelPosition(id=b.id, position=0),
                    ChannelPosition(id=a.id, position=1, parent_id=category.id),
                ],
                reason=REASON,
            )
            guild = await p.read_guild(guild_id)
            moved, first = guild.channel(a.id), guild.channel(b.id)
            assert moved is not None and moved.parent_id == category.id
            assert first is not None and first.position == 0

        self.run(make_provider, go)

    def test_member_roles(self, make_provider: Callable[[], Provider], guild_id: str) -> None:
        async def go(p: Provider) -> None:
            guild = await p.read_guild(guild_id)
            role = await p.create_role(guild_id, RoleWrite(name="Marked"), reason=REASON)
            await p.add_member_role(guild_id, guild.bot_user_id, role.id, reason=REASON)
            assert role.id in (await p.get_member(guild_id, guild.bot_user_id)).roles
            await p.remove_member_role(guild_id, guild.bot_user_id, role.id, reason=REASON)
            assert role.id not in (await p.get_member(guild_id, guild.bot_user_id)).roles

        self.run(make_provider, go)

    def test_members_are_listed_in_pages(
        self, make_provider: Callable[[], Provider], guild_id: str
    ) -> None:
        async def go(p: Provider) -> None:
            guild = await p.read_guild(guild_id)
            everyone = await p.list_members(guild_id)
            ids = [m.user_id for m in everyone]
            assert guild.bot_user_id in ids and ids == sorted(set(ids), key=int)
            paged = await p.list_members(guild_id, page_size=1)  # one member per page
            assert [m.user_id for m in paged] == ids

        self.run(make_provider, go)

    def test_guild_settings_change_by_field(
        self, make_provider: Callable[[], Provider], guild_id: str
    ) -> None:
        async def go(p: Provider) -> None:
            before = (await p.read_guild(guild_id)).settings
            after = await p.modify_guild(guild_id, GuildWrite(afk_timeout=900), reason=REASON)
            assert after.afk_timeout == 900 and after.name == before.name
            assert (await p.read_guild(guild_id)).settings == after

        self.run(make_provider, go)
