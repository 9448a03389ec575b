"""``gaib server teardown``: remove every role and channel the bot can remove.

For the disaster-recovery drill (PRD section 6.7): the CLI first exports the guild's structure
(:mod:`export`) so ``gaib server apply`` can rebuild it. Managed or not, everything goes that
the bot is allowed to delete: every channel and category, and every role below the bot's
highest role except integration roles and @everyone. Channels Discord refuses to delete (e.g.
the rules channel of a Community server) are reported and kept.

Teardown holds the workspace's state lock and runs inside the change lifecycle (operation
``teardown``); state entries of objects it removed are dropped from the state, so the state
stays true to the guild.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from gaib_core.engine.order import movable_roles
from gaib_core.errors import DiscordAPIError, UnknownObject
from gaib_core.lifecycle import ChangeRecord, change_event, change_lifecycle
from gaib_core.plugins import DEFAULT_HOOKS, Hooks
from gaib_core.provider.models import Guild

if TYPE_CHECKING:
    from gaib_core.provider.base import Provider
    from gaib_core.state.manager import StateManager


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
    provider: Provider,
    guild: Guild,
    manager: StateManager,
    hooks: Hooks = DEFAULT_HOOKS,
    *,
    parallelism: int = 4,
    reason: str = "gaib teardown",
    lock_timeout: float = 0.0,
) -> TeardownResult:
    """Delete :func:`teardown_targets` of ``guild`` (channels, then categories, then roles).

    Under ``manager``'s lock (re-entrant: a caller that read ``guild`` under it keeps it) and
    inside the change lifecycle; ``outcome.changed`` names each removed object by its state
    address when gaib managed it, else as ``<kind>:<id>``.
    """
    with manager.locked(operation="teardown", timeout=lock_timeout):
        state = manager.read()
        event = change_event(
            "teardown",
            workspace=manager.workspace,
            guild_id=guild.id,
            state_before=state,
            state_url=manager.url,
        )
        with change_lifecycle(hooks, event, state) as record:
            result = TeardownResult()
            try:
                await _delete_all(provider, guild, result, parallelism, reason)
            finally:
                _forget_removed(manager, guild, result, record)
    return result


async def _delete_all(
    provider: Provider, guild: Guild, result: TeardownResult, parallelism: int, reason: str
) -> None:
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


def _forget_removed(
    manager: StateManager, guild: Guild, result: TeardownResult, record: ChangeRecord
) -> None:
    """Drop the state entries of removed objects (only a state of this guild), and record."""
    state = record.state
    ours = state.guild_id == guild.id
    forgotten = False
    for item in result.removed:
        found = state.resource_by_id(item.id) if ours else None
        if found is not None:
            del state.resources[found[0]]
            forgotten = True
        record.changed.append(found[0] if found is not None else f"{item.kind}:{item.id}")
    if forgotten:
        manager.write(state)
    record.errors.extend(
        f"could not remove {item.kind} '{item.name}': {error}" for item, error in result.failed
    )
