"""EligibilityService: who holds which Sietch roles, as pure functions of the holders.

Input: the holder list (wallet, amount, Discord user id, badges, joined-at) and the previous
assignment (the role keys each Discord member held after the last run). Output: every member's
tier role and special roles, the seats (top 69), the waitlist and the changes since last time.

The rules (PRD 2.1; the BRIEF's fixed semantics):

- Ranks come from ``ranking.rank_order`` (amount descending, wallet ascending on ties).
- Ranks 1-7 hold the Naib seats, 8-69 the Fedaykin seats (rank overrides amount); everyone else
  gets their amount tier. A member holds exactly one tier role.
- Ranks 70-100 are the waitlist. A waitlisted holder who has registered, i.e. linked the wallet
  to a Discord account through wallet verification, holds **Taqwa**.
- When a seat frees (a holder above sells or leaves), everyone below moves up one rank, so the
  first waitlister takes seat 69: a *waitlist promotion* (Taqwa is dropped, Fedaykin given).
- **Former Naib**: a member who held Naib (or already Former Naib) and holds no Naib seat now.
- **Engaged**: at least 5 badges. **Veteran**: at least 90 days since ``joined_at``.
  **Water Sharer**: holds the ``water-sharer`` badge. (All three configurable in ``Rules``.)
- Which facts decide which roles: ``FACT_ROLES`` (badges -> Water Sharer, Engaged; joined-at
  -> Veteran). Eligibility reads a missing fact as "none"; ``RoleManager`` is what leaves those
  roles alone when the source does not know the fact at all (``HolderList.provides``).
- Special roles need a linked Discord account; a member missing from the holder list keeps only
  Former Naib (if it applies) and loses every other role.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from gaib_theme_sietch.tiers.gcpause import gc_paused
from gaib_theme_sietch.tiers.holders import Fact, Holder
from gaib_theme_sietch.tiers.ranking import rank_order
from gaib_theme_sietch.tiers.thresholds import TIERS, Tier
from gaib_theme_sietch.tiers.tier import TIER_NAMES, TierService

SpecialRole = Literal["former_naib", "taqwa", "water_sharer", "engaged", "veteran"]
ChangeKind = Literal["promotion", "demotion", "joined", "left", "waitlist_promotion"]
#: The special roles each holder fact decides (a sync from a source without the fact leaves them).
FACT_ROLES: Mapping[Fact, tuple[SpecialRole, ...]] = {
    "badges": ("water_sharer", "engaged"),
    "joined_at": ("veteran",),
}
_TIER_ORDER = {tier: index for index, tier in enumerate(TIERS)}  # 0 = highest
_NAIB_HELD = frozenset({"naib", "former_naib"})
_SPECIAL_BITS: tuple[SpecialRole, ...] = (
    "former_naib",
    "taqwa",
    "water_sharer",
    "engaged",
    "veteran",
)
# Every combination of special roles by bit mask (bit i = _SPECIAL_BITS[i]).
_SPECIAL_SETS: tuple[frozenset[SpecialRole], ...] = tuple(
    frozenset(role for i, role in enumerate(_SPECIAL_BITS) if mask >> i & 1) for mask in range(32)
)


class Rules(BaseModel):
    """The special roles' criteria."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    engaged_badges: int = Field(default=5, ge=1)
    veteran_days: int = Field(default=90, ge=1)
    water_sharer_badge: str = "water-sharer"


@dataclass(frozen=True, slots=True)
class Seat:
    """A ranked holder: a seat (ranks 1-69) or a waitlist position (70-100)."""

    rank: int
    wallet: str
    wei: int
    discord_user_id: str | None


class MemberRoles(NamedTuple):
    """A Discord member's roles after this run (a named tuple: one is made per linked holder,
    and a tuple is made several times faster than a frozen dataclass)."""

    discord_user_id: str
    tier: Tier | None
    rank: int | None
    specials: frozenset[SpecialRole]

    @property
    def roles(self) -> frozenset[str]:
        """Every role key the member holds (the theme's ``role.<key>`` addresses)."""
        return self.specials | ({self.tier} if self.tier else set())


@dataclass(frozen=True, slots=True)
class Change:
    """A member's tier moved (or they took a seat from the waitlist)."""

    discord_user_id: str
    kind: ChangeKind
    before: Tier | None
    after: Tier | None

    def __str__(self) -> str:
        before = TIER_NAMES[self.before] if self.before else "no tier"
        after = TIER_NAMES[self.after] if self.after else "no tier"
        return f"{self.discord_user_id}: {self.kind.replace('_', ' ')} {before} -> {after}"


@dataclass(frozen=True, slots=True)
class Eligibility:
    """The outcome of one run."""

    seats: tuple[Seat, ...]  # ranks 1-69 in rank order
    waitlist: tuple[Seat, ...]  # ranks 70-100 in rank order
    members: Mapping[str, MemberRoles]  # by Discord user id
    changes: tuple[Change, ...]

    def assignment(self) -> dict[str, frozenset[str]]:
        """This run's role keys per member holding any: the ``previous`` of the next run."""
        return {user: member.roles for user, member in self.members.items() if member.roles}


class EligibilityService:
    """Applies the rules with one ``TierService``."""

    def __init__(self, tiers: TierService | None = None, rules: Rules | None = None) -> None:
        self.tiers = tiers or TierService()
        self.rules = rules or Rules()
        ranks = self.tiers.thresholds.thresholds.ranks
        self._waitlist = (ranks.fedaykin, ranks.waitlist)  # ranks after the first, up to the second

    def evaluate(
        self,
        holders: Iterable[Holder],
        previous: Mapping[str, Iterable[str]] | None = None,
        *,
        now: datetime,
    ) -> Eligibility:
        """Everyone's roles now, given the roles they held before (``{user id: role keys}``)."""
        with gc_paused():
            return self._evaluate(list(holders), previous or {}, now)

    def _evaluate(
        self, holders: list[Holder], previous: Mapping[str, Iterable[str]], now: datetime
    ) -> Eligibility:
        before = {user: frozenset(roles) for user, roles in previous.items()}
        order = rank_order([(h.wallet, h.wei) for h in holders])
        limits = self.tiers.thresholds.thresholds.ranks
        # The seats and the waitlist: the first ranks, in rank order.
        seats: list[Seat] = []
        waitlist: list[Seat] = []
        for position, index in enumerate(order[: limits.waitlist], start=1):
            seated = holders[index]
            seat = Seat(position, seated.wallet, seated.wei, seated.discord_user_id)
            (seats if position <= limits.fedaykin else waitlist).append(seat)
        ranks: list[int | None] = [None] * len(holders)  # each holder's rank, by index
        for position, index in enumerate(order, start=1):
            ranks[index] = position
        linked_ranks = [
            r for h, r in zip(holders, ranks, strict=True) if h.discord_user_id is not None
        ]
        linked = [h for h in holders if h.discord_user_id is not None]
        tiers = self.tiers.tiers(zip([h.wei for h in linked], linked_ranks, strict=True))
        # Veteran: joined at least veteran_days before now (one subtraction, not one per holder).
        veteran_since = now - timedelta(days=self.rules.veteran_days)
        nothing: frozenset[str] = frozenset()
        specials = self._specials
        members: dict[str, MemberRoles] = {}
        for holder, tier, rank in zip(linked, tiers, linked_ranks, strict=True):
            user = holder.discord_user_id
            assert user is not None  # linked
            held = before.get(user, nothing)
            members[user] = MemberRoles(
                user, tier, rank, specials(holder, tier, rank, held, veteran_since)
            )
        for user, held in before.items():
            if user not in members and held:  # left: their roles must go
                gone: frozenset[SpecialRole] = frozenset()
                if held & {"naib", "former_naib"}:
                    gone = frozenset({"former_naib"})
                members[user] = MemberRoles(user, None, None, gone)
        return Eligibility(tuple(seats), tuple(waitlist), members, _changes(members, before))

    def _specials(
        self,
        holder: Holder,
        tier: Tier | None,
        rank: int | None,
        held: frozenset[str],
        veteran_since: datetime,
    ) -> frozenset[SpecialRole]:
        # Called once per linked holder (100,000 is an everyday size): the five criteria as
        # bits, the frozenset of each combination built once.
        rules = self.rules
        bits = 0
        if tier != "naib" and held and not held.isdisjoint(_NAIB_HELD):
            bits |= 1
        if rank is not None and self._waitlist[0] < rank <= self._waitlist[1]:
            bits |= 2  # registered: this holder is linked to a Discord member
        badges = holder.badges
        if rules.water_sharer_badge in badges:
            bits |= 4
        if len(badges) >= rules.engaged_badges:
            bits |= 8
        joined = holder.joined_at
        if joined is not None and joined <= veteran_since:
            bits |= 16
        return _SPECIAL_SETS[bits]


def _previous_tier(held: frozenset[str]) -> Tier | None:
    for tier in TIERS:  # highest first: a member wrongly holding two counts as the higher
        if tier in held:
            return tier
    return None


def _changes(
    members: Mapping[str, MemberRoles], before: Mapping[str, frozenset[str]]
) -> tuple[Change, ...]:
    """Every member's tier change, in user order. Members share a few (roles before, tier now,
    Taqwa now) combinations: each is decided once, and only the members who changed are
    sorted."""
    nothing: frozenset[str] = frozenset()
    decided: dict[tuple[frozenset[str], Tier | None, bool], Change | None] = {}
    found: dict[str, Change] = {}
    for user, now in members.items():
        held = before.get(user, nothing)
        key = (held, now.tier, "taqwa" in now.specials)
        if key not in decided:
            decided[key] = _change("", held, now)
        change = decided[key]
        if change is not None:
            found[user] = Change(user, change.kind, change.before, change.after)
    return tuple(found[user] for user in in_user_order(found))


def _change(user: str, held: frozenset[str], now: MemberRoles) -> Change | None:
    before = _previous_tier(held)
    if "taqwa" in held and now.tier in ("naib", "fedaykin") and "taqwa" not in now.specials:
        return Change(user, "waitlist_promotion", before, now.tier)
    if before == now.tier:
        return None
    if before is None:
        return Change(user, "joined", None, now.tier)
    if now.tier is None:
        return Change(user, "left", before, None)
    kind: ChangeKind = "promotion" if _TIER_ORDER[now.tier] < _TIER_ORDER[before] else "demotion"
    return Change(user, kind, before, now.tier)


def in_user_order(users: Iterable[str]) -> list[str]:
    """Discord ids in numeric order (shorter first, then by digits), without a Python call per
    id: the (length, id) pairs are made and compared in C."""
    listed = list(users)
    return [user for _, user in sorted(zip(map(len, listed), listed, strict=True))]
