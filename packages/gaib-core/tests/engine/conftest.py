"""Helpers for the engine tests: in-memory guilds (pure tests) and configs."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from gaib_core.config.models import ServerConfig
from gaib_core.engine.apply import apply_plan
from gaib_core.engine.desired import build_desired
from gaib_core.engine.plan import Plan
from gaib_core.engine.refs import Resolver
from gaib_core.engine.workflow import plan_and_apply, refresh_plan
from gaib_core.permissions import to_bits
from gaib_core.plugins import Hooks, build_plugin_manager
from gaib_core.project import Project
from gaib_core.provider.discord import DiscordProvider
from gaib_core.provider.models import Channel, Guild, Member, PermissionOverwrite, Role
from gaib_core.state.manager import StateManager, open_state
from gaib_core.state.models import ResourceState, State
from gaib_core.testing.fixtures import SandboxGuild

GUILD_ID = "1000"
BOT_USER = "1001"
BOT_ROLE = "1002"
EVERYONE_BITS = to_bits(
    ["VIEW_CHANNEL", "SEND_MESSAGES", "READ_MESSAGE_HISTORY", "CONNECT", "SPEAK"]
)
BOT_BITS = to_bits(
    [
        "MANAGE_ROLES",
        "MANAGE_CHANNELS",
        "VIEW_CHANNEL",
        "SEND_MESSAGES",
        "READ_MESSAGE_HISTORY",
        "CONNECT",
        "SPEAK",
        "MANAGE_MESSAGES",
    ]
)


class GuildFactory:
    """Builds in-memory ``Guild`` objects with increasing snowflakes."""

    def __init__(self) -> None:
        self._ids = itertools.count(2000)

    def next_id(self) -> str:
        """A fresh id, larger than every earlier one."""
        return str(next(self._ids))

    def empty(self, *, bot_bits: int = BOT_BITS) -> Guild:
        """A guild with @everyone and the bot's managed role at the top."""
        return Guild(
            id=GUILD_ID,
            name="Test",
            owner_id="999",
            bot_user_id=BOT_USER,
            bot_member=Member(user_id=BOT_USER, roles=[BOT_ROLE]),
            roles=[
                Role(id=GUILD_ID, name="@everyone", permissions=EVERYONE_BITS, position=0),
                Role(
                    id=BOT_ROLE,
                    name="gaib",
                    permissions=bot_bits,
                    position=250,
                    managed=True,
                    bot_id=BOT_USER,
                ),
            ],
        )

    def role(self, guild: Guild, name: str, position: int, **kw: Any) -> Role:
        """Add an unmanaged role."""
        role = Role(id=self.next_id(), name=name, position=position, **kw)
        guild.roles.append(role)
        return role

    def channel(
        self, guild: Guild, name: str, type: int = 0, position: int = 0, **kw: Any
    ) -> Channel:
        """Add an unmanaged channel."""
        ch = Channel(id=self.next_id(), name=name, type=type, position=position, **kw)
        guild.channels.append(ch)
        return ch

    def materialize(self, config: ServerConfig, guild: Guild | None = None) -> tuple[Guild, State]:
        """A guild (and state) exactly as if ``config`` had been applied to ``guild``."""
        guild = guild or self.empty()
        state = State(lineage="lin", serial=1, guild_id=guild.id)
        desired = build_desired(config, guild)
        ids: dict[str, str] = {}
        for i, role in enumerate(desired.roles):
            rid = self.next_id()
            ids[role.address] = rid
            guild.roles.append(
                Role(
                    id=rid,
                    name=role.name,
                    permissions=role.permissions,
                    color=role.color,
                    hoist=role.hoist,
                    mentionable=role.mentionable,
                    position=len(desired.roles) - i,
                )
            )
            state.resources[role.address] = ResourceState(type="role", id=rid, name=role.name)
        resolver = Resolver(guild, ids)
        positions: dict[tuple[str | None, bool], int] = {}
        for obj in [*desired.categories, *desired.channels]:
            cid = self.next_id()
            ids[obj.address] = cid
            parent = ids.get(obj.parent) if obj.parent else None
            key = (parent, obj.type in (2, 13))
            pos = positions.get(key, 0)
            positions[key] = pos + 1
            overwrites = []
            for ref, spec in obj.overwrites.items():
                target, kind = resolver.overwrite_target(ref)
                overwrites.append(
                    PermissionOverwrite(id=target, type=kind, allow=spec.allow, deny=spec.deny)
                )
            guild.channels.append(
                Channel(
                    id=cid,
                    name=obj.name,
                    type=obj.type,
                    position=pos,
                    parent_id=parent,
                    topic=obj.topic,
                    nsfw=obj.nsfw,
                    rate_limit_per_user=obj.slowmode,
                    bitrate=obj.bitrate
                    if obj.bitrate is not None
                    else (64000 if obj.type == 2 else None),
                    user_limit=obj.user_limit
                    if obj.user_limit is not None
                    else (0 if obj.type == 2 else None),
                    permission_overwrites=overwrites,
                )
            )
            state.resources[obj.address] = ResourceState(type=obj.kind, id=cid, name=obj.name)
        return guild, state


@pytest.fixture
def factory() -> GuildFactory:
    """A fresh guild factory."""
    return GuildFactory()


@pytest.fixture
def make_config() -> Callable[..., ServerConfig]:
    """Build a ServerConfig from a plain dict (keeps ``overwrites`` presence semantics)."""

    def build(data: dict[str, Any]) -> ServerConfig:
        return ServerConfig.model_validate(data)

    return build


class Env:
    """A sandbox guild, a project directory with local state, and helpers to plan/apply."""

    def __init__(self, sandbox: SandboxGuild, root: Path) -> None:
        self.sandbox = sandbox
        self.hooks = Hooks(build_plugin_manager(load_entry_points=False))
        self.manager: StateManager = open_state(Project(root), self.hooks)

    def provider(self) -> DiscordProvider:
        return DiscordProvider(token=self.sandbox.token, base_url=self.sandbox.base_url)

    def plan(self, config: ServerConfig, **kw: Any) -> Plan:
        async def go() -> Plan:
            async with self.provider() as provider:
                return await refresh_plan(
                    config, provider, self.sandbox.guild_id, self.manager, **kw
                )

        return asyncio.run(go())

    def apply(self, config: ServerConfig, **kw: Any) -> Any:
        async def go() -> Any:
            async with self.provider() as provider:
                return await plan_and_apply(
                    config, provider, self.sandbox.guild_id, self.manager, self.hooks, **kw
                )

        plan, result = asyncio.run(go())
        assert plan.errors == []
        assert result.errors == [], result.errors
        return plan, result

    def apply_saved(self, plan: Plan) -> Any:
        async def go() -> Any:
            async with self.provider() as provider:
                return await apply_plan(plan, provider, self.manager, self.hooks)

        return asyncio.run(go())

    def fault(self, **body: Any) -> None:
        httpx.post(f"{self.sandbox.admin_url}/faults", json=body).raise_for_status()


@pytest.fixture
def env(sandbox: SandboxGuild, tmp_path: Path) -> Env:
    """A sandbox guild with a project directory (local state) and plan/apply helpers."""
    return Env(sandbox, tmp_path)
