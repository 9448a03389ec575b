"""The same provider through ``SandboxTransport`` (in-process, no socket): a subset of the suite."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest
from gaib_core.errors import MissingPermissions, UnknownObject
from gaib_core.provider.discord import DiscordProvider
from gaib_core.provider.models import ChannelWrite, RolePosition, RoleWrite
from gaib_core.sandbox.core import GuildInfo, Sandbox
from gaib_core.sandbox.faults import FaultSpec
from gaib_core.sandbox.transport import SandboxTransport

T = TypeVar("T")
R = "gaib apply: test"


def in_process(
    fn: Callable[[DiscordProvider, Sandbox, GuildInfo], Awaitable[T]], limits: str = "relaxed"
) -> T:
    sandbox = Sandbox(limits=limits)
    info = sandbox.create_guild(bot_role_name="Shai-Hulud")

    async def main() -> T:
        async with DiscordProvider(
            token=info.token,
            base_url="http://sandbox.invalid/api/v10",
            transport=SandboxTransport(sandbox),
            retry_delay=0.01,
        ) as p:
            return await fn(p, sandbox, info)

    return asyncio.run(main())


def test_read_and_write_in_process() -> None:
    async def go(p: DiscordProvider, sb: Sandbox, info: GuildInfo) -> None:
        gid = info.guild_id
        a = await p.create_role(gid, RoleWrite(name="A"), reason=R)
        b = await p.create_role(gid, RoleWrite(name="B"), reason=R)
        await p.reorder_roles(
            gid, [RolePosition(id=a.id, position=2), RolePosition(id=b.id, position=1)], reason=R
        )
        ch = await p.create_channel(gid, ChannelWrite(name="Hello World"), reason=R)
        await p.modify_channel(ch.id, ChannelWrite(topic="hi"), reason=R)
        before = p.request_count
        guild = await p.read_guild(gid)
        assert p.request_count - before == 4
        assert [r.name for r in guild.sorted_roles()] == ["Shai-Hulud", "A", "B", "@everyone"]
        assert [(c.name, c.topic) for c in guild.channels] == [("hello-world", "hi")]
        await p.delete_channel(ch.id, reason=R)
        await p.delete_role(gid, b.id, reason=R)
        user = sb.add_member(gid, "jessica")
        await p.add_member_role(gid, user, a.id, reason=R)
        assert (await p.get_member(gid, user)).roles == [a.id]
        await p.remove_member_role(gid, user, a.id, reason=R)

    in_process(go)


def test_errors_in_process() -> None:
    async def go(p: DiscordProvider, sb: Sandbox, info: GuildInfo) -> None:
        with pytest.raises(UnknownObject, match="unknown role 1"):
            await p.delete_role(info.guild_id, "1", reason=R)
        with pytest.raises(MissingPermissions, match="own highest role"):
            await p.modify_role(info.guild_id, info.bot_role_id, RoleWrite(name="x"), reason=R)

    in_process(go)


def test_dropped_create_and_429_in_process() -> None:
    async def go(p: DiscordProvider, sb: Sandbox, info: GuildInfo) -> int:
        sb.add_fault(FaultSpec(kind="drop_after", route=r"POST /guilds/\d+/roles"))
        sb.add_fault(FaultSpec(kind="429", route=r"POST /guilds/\d+/channels", retry_after=0.1))
        await p.create_role(info.guild_id, RoleWrite(name="Once"), reason=R)
        await p.create_channel(info.guild_id, ChannelWrite(name="after-429"), reason=R)
        guild = await p.read_guild(info.guild_id)
        return sum(1 for r in guild.roles if r.name == "Once")

    assert in_process(go) == 1


def test_strict_limits_in_process_get_no_429() -> None:
    async def go(p: DiscordProvider, sb: Sandbox, info: GuildInfo) -> int:
        user = sb.add_member(info.guild_id, "alia")
        await asyncio.gather(*(p.get_member(info.guild_id, user) for _ in range(7)))
        return int(sb.stats()["rate_limited"])

    assert in_process(go, limits="strict") == 0
