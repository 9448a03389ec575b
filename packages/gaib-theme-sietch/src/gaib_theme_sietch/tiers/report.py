"""How ``gaib sietch sync`` shows a plan and its outcome: lines for people, JSON for programs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gaib_theme_sietch.tiers.rolemanager import SyncPlan
from gaib_theme_sietch.tiers.sync import SyncResult
from gaib_theme_sietch.tiers.tier import TIER_NAMES


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun if n == 1 else noun + 's'}"


def _who(plan: SyncPlan, user: str) -> str:
    name = plan.usernames.get(user)
    return f"{name} ({user})" if name else user


#: How a sync names a fact its holder source lacks ("the evm source has no badges").
FACT_WORDS = {"badges": "badges", "joined_at": "joined-at dates (tenure)"}


def left_alone_lines(plan: SyncPlan, names: Mapping[str, str], source: str) -> list[str]:
    """One line per fact the source lacks: the roles it decides, left as they are."""
    return [
        f"{', '.join(names[key] for key in keys)} left as they are: "
        f"the {source} source has no {FACT_WORDS[fact]}."
        for fact, keys in plan.left_alone.items()
    ]


def plan_lines(
    plan: SyncPlan, names: Mapping[str, str], *, pages: int, strip: bool, source: str
) -> list[str]:
    """The plan: what was read, the roles left alone, tier changes, then every role change per
    member."""
    fate = "their Sietch roles removed" if strip else "kept as they are"
    lines = [
        f"Guild {plan.guild_id}: {_count(plan.members, 'member')} listed "
        f"({_count(pages, 'page')}); {_count(plan.holders, 'holder')}, "
        f"{plan.linked:,} of them members here; "
        f"{_count(plan.unknown, 'member')} gaib does not know ({fate})."
    ]
    lines += left_alone_lines(plan, names, source)
    if plan.tier_changes:
        lines += ["", "Tier changes:"]
        for change in plan.tier_changes:
            before = TIER_NAMES[change.before] if change.before else "no tier"
            after = TIER_NAMES[change.after] if change.after else "no tier"
            kind = change.kind.replace("_", " ")
            lines.append(f"  {_who(plan, change.discord_user_id)}: {kind} {before} -> {after}")
    if plan.changes:
        lines += ["", "Role changes:"]
        for user, changes in plan.by_member().items():
            items = ", ".join(
                f"{'+' if c.action == 'add' else '-'} {names[c.key]}" for c in changes
            )
            lines.append(f"  {_who(plan, user)}: {items}")
    members = len(plan.by_member())
    lines += [
        "",
        f"Plan: {plan.count('add'):,} to add, {plan.count('remove'):,} to remove, "
        f"for {_count(members, 'member')}."
        if plan.changes
        else "No changes. Every member holds the roles the holders give them.",
    ]
    return lines


def result_lines(plan: SyncPlan, result: SyncResult, requests: int | None) -> list[str]:
    """What applying did (the errors themselves are raised by the command)."""
    sent = f" ({_count(requests, 'request')} in all)" if requests is not None else ""
    lines = [
        f"Sync {'stopped' if result.errors else 'complete'}: {result.count('add'):,} added, "
        f"{result.count('remove'):,} removed{sent}."
    ]
    if result.skipped:
        left = sorted({c.user_id for c in result.skipped}, key=lambda u: (len(u), u))
        lines.append(
            f"Skipped {_count(len(left), 'member')} who left the guild meanwhile: "
            + ", ".join(_who(plan, u) for u in left)
        )
    return lines


def as_json(
    plan: SyncPlan,
    *,
    source: str,
    pages: int,
    dry_run: bool,
    result: SyncResult | None,
    requests: int | None,
) -> dict[str, Any]:
    """The plan (and the outcome, unless a dry run) as one JSON document."""
    return {
        "guild_id": plan.guild_id,
        "dry_run": dry_run,
        "source": source,
        "members": plan.members,
        "member_pages": pages,
        "holders": plan.holders,
        "linked": plan.linked,
        "unknown_members": plan.unknown,
        "tier_changes": [
            {
                "user_id": c.discord_user_id,
                "kind": c.kind,
                "before": c.before or "none",
                "after": c.after or "none",
            }
            for c in plan.tier_changes
        ],
        "left_as_they_are": [
            {"fact": fact, "roles": list(keys)} for fact, keys in plan.left_alone.items()
        ],
        "role_changes": [c.as_json() for c in plan.changes],
        "applied": None
        if result is None
        else {
            "added": result.count("add"),
            "removed": result.count("remove"),
            "skipped": [c.as_json() for c in result.skipped],
            "errors": result.errors,
        },
        "requests": requests,
    }
