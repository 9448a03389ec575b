"""RoleManager: the exact role additions and removals that make the guild match the holders.

Input: the holders, the guild's members as listed (with their role ids) and the ``RoleMap``.
Output: a ``SyncPlan``, pure data. The rules:

- What each member should hold comes from ``EligibilityService``, given the Sietch roles every
  member holds now as its ``previous`` (so Former Naib and waitlist promotions follow the guild).
- A **known** member (a holder linked to the member's Discord id) ends with exactly the roles
  eligibility gives: missing ones are added, other Sietch roles removed. Roles that are not
  Sietch's are never touched, and neither are Sietch roles the ``RoleMap`` leaves out (the app
  configuration's feature gates).
- Roles decided by a fact the holder source does **not provide** (``HolderList.provides``:
  the ``evm`` source has no badges, a snapshot without a ``badges`` column neither) are left
  exactly as they are, for every member: neither given nor taken (``FACT_ROLES``). The plan
  lists them (``SyncPlan.left_alone``) so the sync can say so.
- A member gaib does **not know** (in the guild, not among the holders) keeps their roles, unless
  ``strip_unknown`` is set: then they lose every Sietch role except Former Naib, which stays
  with whoever held a Naib seat. Either way nobody keeps two tier roles: an unknown member
  holding several keeps the highest.
- Per member, removals come before additions, so an interrupted sync never leaves anyone with
  two tier roles; re-running it converges, because the plan is always computed from the guild
  as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from gaib_core.provider.models import Member

from gaib_theme_sietch.tiers.eligibility import (
    FACT_ROLES,
    Change,
    EligibilityService,
    in_user_order,
)
from gaib_theme_sietch.tiers.gcpause import gc_paused
from gaib_theme_sietch.tiers.holders import FACTS, Fact, Holder
from gaib_theme_sietch.tiers.roles import MANAGED_KEYS, TIER_KEYS, RoleMap

Action = Literal["add", "remove"]
_RANK = {key: index for index, key in enumerate(MANAGED_KEYS)}  # tiers highest first


@dataclass(frozen=True, slots=True)
class RoleChange:
    """Give (``add``) or take (``remove``) one role of one member."""

    user_id: str
    action: Action
    key: str
    role_id: str

    def as_json(self) -> dict[str, str]:
        """``{"user_id", "action", "role", "role_id"}``."""
        return {
            "user_id": self.user_id,
            "action": self.action,
            "role": self.key,
            "role_id": self.role_id,
        }


@dataclass(frozen=True)
class SyncPlan:
    """Everything one sync will change, and what it was computed from."""

    guild_id: str
    changes: tuple[RoleChange, ...]  # by member (user id order), removals before additions
    tier_changes: tuple[Change, ...]  # promotions, demotions, joins, departures
    members: int  # members listed
    holders: int  # holders given
    linked: int  # holders linked to a member of this guild
    unknown: int  # members not among the holders
    usernames: Mapping[str, str]  # of the members with changes (the ones a report names)
    # Managed roles left as they are because the source lacks the fact deciding them.
    left_alone: Mapping[Fact, tuple[str, ...]] = field(default_factory=dict)

    @property
    def has_changes(self) -> bool:
        """True when the sync would send any request."""
        return bool(self.changes)

    def count(self, action: Action) -> int:
        """How many additions (``add``) or removals (``remove``)."""
        return sum(1 for change in self.changes if change.action == action)

    def by_member(self) -> dict[str, list[RoleChange]]:
        """The changes grouped per member, in plan order."""
        grouped: dict[str, list[RoleChange]] = {}
        for change in self.changes:
            grouped.setdefault(change.user_id, []).append(change)
        return grouped


class RoleManager:
    """Plans role changes with one ``EligibilityService`` and one ``RoleMap``."""

    def __init__(
        self,
        roles: RoleMap,
        eligibility: EligibilityService | None = None,
        *,
        strip_unknown: bool = False,
    ) -> None:
        self.roles = roles
        self.eligibility = eligibility or EligibilityService()
        self.strip_unknown = strip_unknown
        self._key_of = roles.key_of()
        # The roles this sync manages (the app configuration's gates may switch some off).
        self.managed = frozenset(roles.ids)

    def held(self, member: Member) -> frozenset[str]:
        """The Sietch role keys a member holds."""
        key_of = self._key_of
        return frozenset([key_of[r] for r in member.roles if r in key_of])

    def plan(
        self,
        guild_id: str,
        holders: Iterable[Holder],
        members: Sequence[Member],
        *,
        now: datetime,
        provides: frozenset[Fact] = FACTS,
    ) -> SyncPlan:
        """The role changes that make ``members`` hold what ``holders`` entitle them to.

        ``provides``: the facts the holder source knows (``HolderList.provides``); the roles
        the others decide are left as each member holds them.
        """
        with gc_paused():
            return self._plan(guild_id, list(holders), members, now, provides)

    def _plan(
        self,
        guild_id: str,
        holders: list[Holder],
        members: Sequence[Member],
        now: datetime,
        provides: frozenset[Fact],
    ) -> SyncPlan:
        left_alone = {
            fact: decided
            for fact in sorted(FACTS - provides)
            if (decided := tuple(k for k in FACT_ROLES[fact] if k in self.managed))
        }
        kept = frozenset(k for decided in left_alone.values() for k in decided)
        # Members share a few role combinations: each is turned into keys once.
        combos: dict[tuple[str, ...], frozenset[str]] = {}
        held: dict[str, frozenset[str]] = {}
        for member in members:
            combo = tuple(member.roles)
            keys = combos.get(combo)
            if keys is None:
                keys = combos[combo] = self.held(member)
            held[member.user_id] = keys
        outcome = self.eligibility.evaluate(
            holders, {user: keys for user, keys in held.items() if keys}, now=now
        )
        linked = {h.discord_user_id for h in holders if h.discord_user_id is not None}
        unknown = 0
        eligible = outcome.members
        wanted_of: dict[tuple[object, frozenset[str]], frozenset[str]] = {}  # one per combination
        kept_of: dict[frozenset[str], frozenset[str]] = {}  # unknown members: one per combination
        differ: dict[str, frozenset[str]] = {}  # members who hold other roles than they should
        for user, now_held in held.items():
            if user in linked:
                roles_now = eligible[user]
                entitled = (roles_now.tier, roles_now.specials)
                wanted = wanted_of.get(entitled)
                if wanted is None:
                    wanted = wanted_of[entitled] = roles_now.roles & self.managed
            else:
                unknown += 1
                wanted = kept_of.get(now_held)
                if wanted is None:
                    wanted = kept_of[now_held] = self._unknown(now_held)
            if kept:
                wanted = (wanted - kept) | (now_held & kept)
            if wanted != now_held:  # most members, on most days, hold what they should
                differ[user] = wanted
        changes: list[RoleChange] = []
        for user in in_user_order(differ):  # only those who change are put in order
            changes.extend(self._diff(user, held[user], differ[user]))
        changed = differ.keys()
        # A member gaib does not know and keeps has not moved tier (at most lost a duplicate).
        reported = changed if self.strip_unknown else changed & linked
        tier_changes = tuple(c for c in outcome.changes if c.discord_user_id in reported)
        return SyncPlan(
            guild_id=guild_id,
            changes=tuple(changes),
            tier_changes=tier_changes,
            members=len(members),
            holders=len(holders),
            linked=len(linked & held.keys()),
            unknown=unknown,
            usernames={m.user_id: m.username for m in members if m.user_id in changed},
            left_alone=left_alone,
        )

    def _unknown(self, held: frozenset[str]) -> frozenset[str]:
        """What a member who is not among the holders keeps."""
        if self.strip_unknown:
            return _former(held) & self.managed
        tiers = sorted(held & TIER_KEYS, key=_RANK.__getitem__)
        return held - frozenset(tiers[1:])  # one tier role, the highest

    def _diff(self, user: str, held: frozenset[str], wanted: frozenset[str]) -> list[RoleChange]:
        ids = self.roles.ids
        removals = sorted(held - wanted, key=_RANK.__getitem__)
        additions = sorted(wanted - held, key=_RANK.__getitem__)
        return [RoleChange(user, "remove", key, ids[key]) for key in removals] + [
            RoleChange(user, "add", key, ids[key]) for key in additions
        ]


def _former(held: frozenset[str]) -> frozenset[str]:
    """Former Naib for whoever holds Naib or Former Naib now."""
    return frozenset({"former_naib"}) if held & {"naib", "former_naib"} else frozenset()
