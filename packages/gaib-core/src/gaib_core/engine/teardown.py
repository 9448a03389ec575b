"""``gaib server teardown``: remove every role and channel the bot can remove.

For the disaster-recovery drill (PRD section 6.7): the CLI first exports the guild's structure
(:mod:`export`) so ``gaib server apply`` can rebuild it. Managed or not, everything goes that
the bot is allowed to delete: every channel and category, and every role below the bot's
highest role except integration roles and @everyone. Channels Discord refuses to delete (e.g.
the rules channel of a Community server) are reported and kept.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from gaib_core.engine.order import movable_roles
from gaib_core.errors import DiscordAPIError, UnknownObject
from gaib_core.provider.models import Guild

if TYPE_CHECKING:
    from gaib_core.provider.base import Provider


@dataclass(frozen=True)
class Doomed:
    """One object teardown removes."""

    kind: Literal["role", "category", "channel"]
    id: str
    name: str


@dataclass
class TeardownResult:
    """What was removed and what could not be."""

    removed: list[Doomed] = field(default_factory=list)
    failed: list[tuple[Doomed, str]] = field(default_factory=list)


def teardown_targets(guild: Guild) -> list[Doomed]:
    """Everything teardown would remove, channels first, then categories, then roles."""
    out = [Doomed("channel", c.id, c.name) for c in guild.channels if not c.is_category]
    out += [Doomed("category", c.id, c.name) for c in guild.channels if c.is_category]
    bot_roles = set(guild.bot_member.roles)
    out += [
        Doomed("role", r.id, r.name)
        for r in movable_roles(guild)
        if not r.managed and r.id not in bot_roles
    ]
    return out


async def teardown(
    provider: Provider, guild: Guild, *, parallelism: int = 4, reason: str = "gaib teardown"
) -> TeardownResult:
    """Delete :func:`teardown_targets` (channels, then categories, then roles)."""
    result = TeardownResult()
    semaphore = asyncio.Semaphore(parallelism)

    async def one(item: Doomed) -> None:
        async with semaphore:
            try:
                if item.kind == "role":
                    await provider.delete_role(guild.id, item.id, reason=reason)
                else:
                    await provider.delete_channel(item.id, reason=reason)
            except UnknownObject:
                pass
            except DiscordAPIError as exc:
                result.failed.append((item, str(exc)))
                return
            result.removed.append(item)

    targets = teardown_targets(guild)
    for kind in ("channel", "category", "role"):
        await asyncio.gather(*(one(t) for t in targets if t.kind == kind))
    return result
