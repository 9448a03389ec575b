"""Relative order of roles and channels, and the positions that achieve it.

gaib never compares absolute positions (Discord renumbers them, unmanaged objects sit in
between, new objects land at the bottom): it compares the *relative* order of the managed
objects in each sorting group and keeps everything else where it is.

The method is the same for roles and channels. Walk the group as Discord sorts it; every slot
held by a managed object is a placeholder, slots for new (or arriving) managed objects are
appended at the end; the placeholders are then filled with the managed objects in config order.
Unmanaged objects keep their slots, so a guild adopted gradually is disturbed as little as
possible, and applying the result makes the next comparison equal (no perpetual diff).

Roles also need distinct positions: Discord creates every role at position 1 and sorts equal
positions by id, so an order that rests on the id tie-break looks right in the client but not to
a bot comparing ``position``. A reorder is therefore also planned when a managed role shares its
position with another movable role (every new role does); it renumbers the movable roles
n..1 top to bottom in one bulk request, after which each has its own position.

Channel groups are (parent, sorting bucket), FACTS.md section 6: text-like and voice-like
channels of one parent sort separately, categories among themselves.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from gaib_core.config.models import CATEGORY_TYPE
from gaib_core.engine.observed import RefMap
from gaib_core.provider.models import VOICE_LIKE, Channel, Guild, Role

GroupKey = tuple[str | None, str]


def bucket(discord_type: int) -> str:
    """The sorting bucket of a channel type: ``category``, ``voice`` or ``text``."""
    if discord_type == CATEGORY_TYPE:
        return "category"
    if discord_type in VOICE_LIKE:
        return "voice"
    return "text"


def fill_slots(current: Sequence[str], managed: Sequence[str]) -> list[str]:
    """``current`` with the slots of ``managed`` members refilled in ``managed`` order.

    Members of ``managed`` missing from ``current`` get new slots at the end.
    """
    wanted = set(managed)
    present = [ref for ref in current if ref in wanted]
    slots = [ref if ref not in wanted else None for ref in current]
    slots.extend([None] * (len(managed) - len(present)))
    queue = iter(managed)
    return [ref if ref is not None else next(queue) for ref in slots]


def moved(before: Sequence[str], after: Sequence[str]) -> set[str]:
    """The fewest members of ``before`` to move to get ``after``'s order (outside an LIS)."""
    rank = {ref: i for i, ref in enumerate(after)}
    seq = [ref for ref in before if ref in rank]
    tails: list[int] = []
    tail_refs: list[int] = []
    parent = [-1] * len(seq)
    for i, ref in enumerate(seq):
        k = bisect.bisect_left(tails, rank[ref])
        if k == len(tails):
            tails.append(rank[ref])
            tail_refs.append(i)
        else:
            tails[k] = rank[ref]
            tail_refs[k] = i
        parent[i] = tail_refs[k - 1] if k else -1
    keep: set[str] = set()
    i = tail_refs[-1] if tail_refs else -1
    while i >= 0:
        keep.add(seq[i])
        i = parent[i]
    return {ref for ref in seq if ref not in keep}


# --- roles ------------------------------------------------------------------------------------


NEW_ROLE_POSITION = 1  # where Discord puts a created role (FACTS.md section 1)


@dataclass
class RoleOrder:
    """The role order before and after: refs of every movable role, top to bottom."""

    current: list[str]
    desired: list[str]
    moved: set[str] = field(default_factory=set)
    shared: set[str] = field(default_factory=set)  # managed refs whose position is not their own

    @property
    def needed(self) -> bool:
        """True when a bulk positions request must be sent (order differs or positions tie)."""
        return self.current != self.desired or bool(self.shared)


def movable_roles(guild: Guild) -> list[Role]:
    """Roles the bot may position, top to bottom: below its highest role, not @everyone."""
    roles = [r for r in guild.sorted_roles() if r.id != guild.id]
    if guild.bot_is_owner:
        return roles
    top = guild.bot_top_role
    if top is None:
        return []
    top_key = (top.position, -int(top.id))
    return [r for r in roles if (r.position, -int(r.id)) < top_key]


def role_order(
    guild: Guild,
    refs: RefMap,
    desired: Sequence[str],
    creates: Sequence[str],
    removed: set[str],
    fixed: set[str],
) -> RoleOrder:
    """Where roles go: ``desired`` = managed addresses in config order, ``creates`` in creation
    order (they appear at the bottom), ``removed`` ids to delete, ``fixed`` addresses to keep."""
    roles = [r for r in movable_roles(guild) if r.id not in removed]
    position = {refs.role_ref(r.id): r.position for r in roles}
    position.update(dict.fromkeys(creates, NEW_ROLE_POSITION))
    current = [ref for ref in position if not ref.startswith("@")]
    present = set(current)
    managed = [a for a in desired if a in present and a not in fixed]
    target = fill_slots(current, managed)
    existing = [ref for ref in current if ref in set(managed) and ref not in set(creates)]
    after = [ref for ref in target if ref in set(existing)]
    return RoleOrder(
        current=current,
        desired=target,
        moved=moved(existing, after),
        shared=shared_positions(managed, {ref: position[ref] for ref in current}),
    )


def shared_positions(managed: Sequence[str], position: dict[str, int]) -> set[str]:
    """Members of ``managed`` whose position another role in ``position`` also holds."""
    counts = Counter(position.values())
    return {ref for ref in managed if counts[position[ref]] > 1}


def bulk_role_positions(sequence: Sequence[str]) -> list[tuple[str, int]]:
    """(ref, position) for a top-to-bottom sequence: the bottom one is 1 (just above @everyone)."""
    n = len(sequence)
    return [(ref, n - i) for i, ref in enumerate(sequence)]


# --- channels ---------------------------------------------------------------------------------


@dataclass
class Placement:
    """What apply must do so channels end up in the desired order."""

    create_positions: dict[str, int] = field(default_factory=dict)
    modify_positions: dict[str, int] = field(default_factory=dict)
    bulk: dict[str, int] = field(default_factory=dict)
    moved: dict[str, tuple[int, int]] = field(default_factory=dict)
    groups: dict[GroupKey, tuple[list[str], list[str]]] = field(default_factory=dict)


@dataclass
class ChannelWant:
    """A managed channel's target group, and whether it exists (with its current object)."""

    address: str
    group: GroupKey
    channel: Channel | None


def channel_placement(
    guild: Guild,
    refs: RefMap,
    wants: Sequence[ChannelWant],
    removed: set[str],
    fixed: set[str],
) -> Placement:
    """Positions for creates, arriving channels and reordered existing channels.

    ``wants`` are the managed channels and categories in config order; ``removed`` are ids that
    will be deleted (or replaced); ``fixed`` are addresses whose position gaib must not change.
    """
    out = Placement()
    ref_of = {w.channel.id: w.address for w in wants if w.channel is not None}
    current: dict[GroupKey, list[Channel]] = {}
    for ch in sorted(guild.channels, key=lambda c: (c.position, int(c.id))):
        if ch.id in removed:
            continue
        parent = None if ch.parent_id in removed else refs.parent_ref(ch.parent_id)
        current.setdefault((parent, bucket(ch.type)), []).append(ch)
    arriving: set[str] = set()
    for want in wants:
        if want.channel is not None:
            here = (refs.parent_ref(want.channel.parent_id), bucket(want.channel.type))
            if here != want.group:
                arriving.add(want.address)
    groups = list(dict.fromkeys(w.group for w in wants))
    for key in groups:
        members = [ch for ch in current.get(key, []) if ref_of.get(ch.id, "") not in arriving]
        refs_now = [ref_of.get(ch.id, unmanaged_ref(ch.id)) for ch in members]
        managed = [
            w.address
            for w in wants
            if w.group == key and (w.address not in fixed or w.address in arriving)
        ]
        target = fill_slots(refs_now, managed)
        position = {ref_of.get(ch.id, unmanaged_ref(ch.id)): ch for ch in members}
        items = [(ref, position.get(ref)) for ref in target]
        for ref, pos in assign_positions(items).items():
            existing = position.get(ref)
            if existing is None:
                if ref in arriving:
                    out.modify_positions[ref] = pos
                else:
                    out.create_positions[ref] = pos
            elif existing.position != pos:
                out.bulk[ref] = pos
        stay = [ref for ref in refs_now if ref in set(managed)]
        after = [ref for ref in target if ref in set(stay)]
        for ref in moved(stay, after):
            out.moved[ref] = (stay.index(ref) + 1, after.index(ref) + 1)
        out.groups[key] = (refs_now, target)
    return out


def unmanaged_ref(channel_id: str) -> str:
    """How an unmanaged channel appears in a placement (``#<id>``; ``bulk`` uses it too)."""
    return f"#{channel_id}"


def assign_positions(items: Sequence[tuple[str, Channel | None]]) -> dict[str, int]:
    """Positions to set so ``items`` sort in list order (existing ones moved only if needed).

    Existing items keep their positions when they already sort in this order and the new items
    fit in the gaps between them; otherwise the whole group is renumbered 0..n-1.
    """
    keys = [(ch.position, int(ch.id)) for _, ch in items if ch is not None]
    if all(a < b for a, b in itertools.pairwise(keys)):
        out: dict[str, int] = {}
        run: list[str] = []
        low = -1
        fits = True
        for ref, ch in [*items, ("", None)]:
            if ch is None and ref:
                run.append(ref)
                continue
            high = ch.position if ch is not None else low + len(run) + 1
            if run and high - low - 1 < len(run):
                fits = False
                break
            out.update({r: low + 1 + i for i, r in enumerate(run)})
            run = []
            if ch is not None:
                low = ch.position
        if fits:
            return out
    return {ref: i for i, (ref, ch) in enumerate(items) if ch is None or ch.position != i}
