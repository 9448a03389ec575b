"""A sandbox guild with Sietch's 14 roles (below the bot) and a way to sync it over HTTP.

``sietch_guild`` builds on gaib-core's ``sandbox`` fixture (a fresh guild on the session's
sandbox server, reached over loopback HTTP); ``SietchGuild.sync`` runs a real sync through
``DiscordProvider``: read the guild and its members, plan, apply.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from gaib_core.provider.discord import DiscordProvider
from gaib_core.testing.fixtures import SandboxGuild
from gaib_theme_sietch.tiers.amounts import bgt_to_wei
from gaib_theme_sietch.tiers.holders import Holder
from gaib_theme_sietch.tiers.rolemanager import RoleManager, SyncPlan
from gaib_theme_sietch.tiers.roles import DEFAULT_NAMES, TIER_KEYS, RoleMap
from gaib_theme_sietch.tiers.sync import SyncResult, apply_plan, read_view

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def wallet(n: int) -> str:
    """A distinct wallet address."""
    return f"0x{n:040x}"


def whales(count: int = 100) -> list[Holder]:
    """``count`` unlinked holders of 5000+ BGT: they fill the seats (and the waitlist)."""
    return [Holder(wallet(0xA000 + i), bgt_to_wei(str(5000 + i))) for i in range(count)]


def holder(n: int, bgt: str, user: str | None, badges: tuple[str, ...] = ()) -> Holder:
    """A holder of ``bgt`` linked to ``user``."""
    return Holder(wallet(n), bgt_to_wei(bgt), user, badges)


@dataclass
class Synced:
    """One sync: its plan, what applying did, and the requests it sent in all."""

    plan: SyncPlan
    result: SyncResult | None
    requests: int
    pages: int


@dataclass
class SietchGuild:
    """A sandbox guild holding Sietch's roles, plus an unmanaged role ``Other``."""

    sandbox: SandboxGuild
    roles: dict[str, str]  # key -> role id
    other: str

    @property
    def guild_id(self) -> str:
        """The guild's id."""
        return self.sandbox.guild_id

    def add_member(self, name: str, keys: Iterable[str] = (), *, other: bool = False) -> str:
        """A member holding the Sietch roles ``keys`` (and ``Other``); returns the user id."""
        roles = [self.roles[k] for k in keys] + ([self.other] if other else [])
        return self.sandbox.server.sandbox.add_member(self.guild_id, name, roles)

    def role_ids(self, user: str) -> list[str]:
        """A member's role ids as the sandbox holds them."""
        guild = self.sandbox.server.sandbox.store.guild(self.guild_id)
        assert guild is not None
        return list(guild.members[user].roles)

    def held(self, user: str) -> set[str]:
        """A member's Sietch role keys."""
        key_of = {role_id: key for key, role_id in self.roles.items()}
        return {key_of[r] for r in self.role_ids(user) if r in key_of}

    def tiers(self, user: str) -> set[str]:
        """A member's tier role keys."""
        return self.held(user) & TIER_KEYS

    def sync(
        self,
        holders: list[Holder],
        *,
        dry_run: bool = False,
        strip_unknown: bool = False,
        concurrency: int = 8,
    ) -> Synced:
        """Read, plan and (unless ``dry_run``) apply, through the provider over HTTP."""

        async def go() -> Synced:
            async with DiscordProvider(
                token=self.sandbox.token,
                base_url=self.sandbox.base_url,
                retry_delay=0.01,
                max_retries=2,
            ) as provider:
                view = await read_view(provider, self.guild_id)
                roles = RoleMap.resolve(view.guild)
                plan = RoleManager(roles, strip_unknown=strip_unknown).plan(
                    self.guild_id, holders, view.members, now=NOW
                )
                result = None
                if not dry_run:
                    result = await apply_plan(
                        provider, plan, names=dict(roles.names), concurrency=concurrency
                    )
                return Synced(plan, result, provider.request_count, view.pages)

        return asyncio.run(go())


def make_sietch_guild(sandbox: SandboxGuild) -> SietchGuild:
    """Sietch's 14 roles and ``Other`` in the sandbox's fresh guild, all below the bot."""
    core = sandbox.server.sandbox
    roles = {
        key: core.add_role(sandbox.guild_id, name, position=100 - index)
        for index, (key, name) in enumerate(DEFAULT_NAMES.items())
    }
    other = core.add_role(sandbox.guild_id, "Other", position=50)
    return SietchGuild(sandbox, roles, other)


@pytest.fixture
def sietch_guild(sandbox: SandboxGuild) -> SietchGuild:
    """A fresh sandbox guild with Sietch's roles."""
    return make_sietch_guild(sandbox)
