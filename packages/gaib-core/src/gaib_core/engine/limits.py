"""Discord's guild limits in the middle of an apply: when removals must run before creations.

Apply normally creates first and deletes last (an interrupted apply then loses nothing the config
still wants). But Discord counts objects as they are: a guild at 250 roles refuses the next role
create with 30005 even when the same apply would delete two roles afterwards; likewise 500
channels and categories (30013) and 50 channels in one category. When the end result fits and
the creations alone would cross a limit that removals bring back under, the plan says so and
apply runs the removals first (and, within a phase, moves before creations).
"""

from __future__ import annotations

from gaib_core.engine.plan import Plan, ResourceChange
from gaib_core.engine.preflight import MAX_CHANNELS, MAX_PER_CATEGORY, MAX_ROLES
from gaib_core.engine.refs import raw_id
from gaib_core.provider.models import Guild

_CHANNEL_KINDS = ("category", "channel")


def removals_first(plan: Plan, guild: Guild) -> list[str]:
    """Why removals must run before creations in ``plan`` (empty when they need not)."""
    if plan.destroy:
        return []
    reasons: list[str] = []
    creates = [c for c in plan.changes if c.action == "create"]
    deletes = [c for c in plan.changes if c.action == "delete"]
    roles = len(guild.roles) + sum(c.kind == "role" for c in creates)
    if roles > MAX_ROLES and any(c.kind == "role" for c in deletes):
        reasons.append(f"creating roles first would make {roles}; Discord allows {MAX_ROLES} roles")
    channels = len(guild.channels) + sum(c.kind in _CHANNEL_KINDS for c in creates)
    if channels > MAX_CHANNELS and any(c.kind in _CHANNEL_KINDS for c in deletes):
        reasons.append(
            f"creating channels first would make {channels}; Discord allows {MAX_CHANNELS} "
            f"channels and categories"
        )
    reasons += _full_categories(plan, guild)
    return reasons


def _full_categories(plan: Plan, guild: Guild) -> list[str]:
    """Categories that arrivals would overfill before departures make room."""
    category_ids = {c.address: c.id for c in plan.changes if c.kind == "category" and c.id}
    held: dict[str, int] = {}
    for channel in guild.channels:
        if channel.parent_id is not None:
            held[channel.parent_id] = held.get(channel.parent_id, 0) + 1
    arriving: dict[str, int] = {}
    leaving: dict[str, int] = {}
    for change in plan.changes:
        if change.kind != "channel":
            continue
        before = _current_parent(change, guild)
        after = _new_parent(change, category_ids, before)
        if before == after:
            continue  # stays (a replace deletes before it creates anyway)
        if before is not None:
            leaving[before] = leaving.get(before, 0) + 1
        if after is not None:
            arriving[after] = arriving.get(after, 0) + 1
    out = []
    for category, count in arriving.items():
        peak = held.get(category, 0) + count
        if peak > MAX_PER_CATEGORY and leaving.get(category):
            name = next((c.name for c in guild.channels if c.id == category), category)
            out.append(
                f"moving or creating channels first would put {peak} in category '{name}'; "
                f"Discord allows {MAX_PER_CATEGORY}"
            )
    return out


def _current_parent(change: ResourceChange, guild: Guild) -> str | None:
    if change.id is None:
        return None
    channel = guild.channel(change.id)
    return channel.parent_id if channel is not None else None


def _new_parent(
    change: ResourceChange, category_ids: dict[str, str], before: str | None
) -> str | None:
    if change.action == "delete":
        return None
    if change.action in ("create", "replace"):
        ref = change.channel.parent if change.channel is not None else None
    else:
        moved = next((a for a in change.changes if a.attribute == "parent"), None)
        if moved is None:
            return before
        ref = str(moved.after) if moved.after else None
    if ref is None:
        return None
    # A category this apply creates has no id yet and starts empty: never over the limit.
    return category_ids.get(ref) or raw_id(ref) or ref
