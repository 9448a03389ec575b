"""The role sync against Discord: read the guild, plan with ``RoleManager``, apply the plan.

Reading costs the guild read (4 requests the first time: the bot, guild, channels, the bot's
member) and one request per page of 1000 members (``n // 1000 + 1``). Applying costs one request
per role change and nothing else: ``PUT`` / ``DELETE /guilds/{id}/members/{user}/roles/{role}``.

Members are worked on concurrently (``concurrency`` at a time; the provider queues every request
in the guild's rate-limit bucket and honours 429s); each member's own changes go one after the
other, removals first. A member who left meanwhile (10007) is skipped; any other error stops new
work, lets what is in flight finish and is reported with what was done. Nothing is lost by
stopping: the next sync computes its plan from the guild as it then is.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gaib_core.errors import GaibError, UnknownObject

from gaib_theme_sietch.tiers.rolemanager import RoleChange, SyncPlan

if TYPE_CHECKING:
    from gaib_core.provider.base import Provider
    from gaib_core.provider.models import Guild, Member

#: Members worked on at once (their requests share the guild's bucket either way).
DEFAULT_CONCURRENCY = 8
MEMBER_PAGE = 1000
UNKNOWN_MEMBER = 10007


@dataclass(frozen=True)
class GuildView:
    """What a sync reads: the guild (roles, the bot) and every member."""

    guild: Guild
    members: list[Member]

    @property
    def pages(self) -> int:
        """Requests the member listing took (a page shorter than 1000 ends it)."""
        return len(self.members) // MEMBER_PAGE + 1


@dataclass
class SyncResult:
    """What applying a plan did."""

    applied: list[RoleChange] = field(default_factory=list)
    skipped: list[RoleChange] = field(default_factory=list)  # the member left meanwhile
    errors: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        """How many additions (``add``) or removals (``remove``) were made."""
        return sum(1 for change in self.applied if change.action == action)


async def read_view(provider: Provider, guild_id: str) -> GuildView:
    """The guild and its members (the listing needs Discord's Server Members intent)."""
    guild = await provider.read_guild(guild_id)
    return GuildView(guild, await provider.list_members(guild_id))


async def apply_plan(
    provider: Provider,
    plan: SyncPlan,
    *,
    names: dict[str, str],
    concurrency: int = DEFAULT_CONCURRENCY,
    reason: str = "gaib sietch sync",
) -> SyncResult:
    """Send exactly ``plan.changes`` (see the module docstring); never raises for a change."""
    if concurrency < 1:
        raise GaibError(f"concurrency {concurrency} is below 1", hint="use 1 or more")
    result = SyncResult()
    slots = asyncio.Semaphore(concurrency)
    stop = asyncio.Event()

    async def member(user: str, changes: list[RoleChange]) -> None:
        async with slots:
            for change in changes:
                if stop.is_set():
                    return
                why = (
                    f"{reason}: {'give' if change.action == 'add' else 'take'} {names[change.key]}"
                )
                try:
                    if change.action == "add":
                        await provider.add_member_role(
                            plan.guild_id, user, change.role_id, reason=why
                        )
                    else:
                        await provider.remove_member_role(
                            plan.guild_id, user, change.role_id, reason=why
                        )
                except UnknownObject as exc:
                    if exc.code != UNKNOWN_MEMBER:
                        raise
                    result.skipped.extend(changes[changes.index(change) :])
                    return
                result.applied.append(change)

    async def guarded(user: str, changes: list[RoleChange]) -> None:
        try:
            await member(user, changes)
        except GaibError as exc:
            result.errors.append(str(exc))
            stop.set()

    await asyncio.gather(*(guarded(u, c) for u, c in plan.by_member().items()))
    return result
