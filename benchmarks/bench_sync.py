"""Role sync benchmarks (issue #12 item 5): a sync plan for 100,000 holders, and what a sync sends.

1. **Plan**: tiers + ``RoleManager.plan`` for ``--holders`` holders (drawn as in
   ``bench_tiers.py``: dust to whales, 80 % linked) and a guild holding every linked holder as
   a member plus 10 % members gaib does not know. Members hold the roles of a previous run whose
   amounts differed by up to 10 %, so the plan has the changes a daily sync would have. Median
   wall and CPU time of ``--runs`` runs (target < 1 s).
2. **Requests**: a real sync (read the guild, list members, plan, apply) of ``--members``
   members through ``DiscordProvider`` against an in-process sandbox (``SandboxTransport``,
   sandbox limits off, the provider's global limiter lifted, so only counts matter); the
   requests sent against the role changes (target: changes + member pages + the guild read),
   then a second sync, which must send no write.

Run: ``.tools/bin/uv run nox -s bench`` (or ``uv run python benchmarks/bench_sync.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import random
from datetime import UTC, datetime

from bench_tiers import holders as draw_holders
from bench_tiers import measure
from gaib_core.provider.discord import DiscordProvider
from gaib_core.provider.models import Guild, Member, Role
from gaib_core.sandbox.core import Sandbox
from gaib_core.sandbox.transport import SandboxTransport
from gaib_theme_sietch.tiers.eligibility import EligibilityService
from gaib_theme_sietch.tiers.holders import Holder
from gaib_theme_sietch.tiers.rolemanager import RoleManager, SyncPlan
from gaib_theme_sietch.tiers.roles import DEFAULT_NAMES, RoleMap
from gaib_theme_sietch.tiers.sync import apply_plan, read_view

NOW = datetime(2026, 11, 29, tzinfo=UTC)
BASE = "http://sandbox.invalid/api/v10"
UNLIMITED = 1_000_000
GUILD_READ = 4


def role_map() -> tuple[Guild, RoleMap]:
    """A guild holding Sietch's roles below the bot, and its ``RoleMap``."""
    roles = [Role(id="1", name="@everyone", position=0), Role(id="2", name="bot", position=99)]
    roles += [
        Role(id=str(10 + i), name=name, position=50 - i)
        for i, name in enumerate(DEFAULT_NAMES.values())
    ]
    bot = Member(user_id="3", roles=["2"])
    guild = Guild(id="1", name="g", owner_id="4", roles=roles, bot_user_id="3", bot_member=bot)
    guild.roles[1].permissions = 1 << 28  # MANAGE_ROLES
    return guild, RoleMap.resolve(guild)


def members_of(drawn: list[Holder], roles: RoleMap, unknown: int, seed: int = 7) -> list[Member]:
    """Every linked holder as a member with a previous run's roles, plus ``unknown`` others."""
    rng = random.Random(seed)
    before = [
        Holder(
            h.wallet, h.wei * rng.randint(90, 110) // 100, h.discord_user_id, h.badges, h.joined_at
        )
        for h in drawn
    ]
    previous = EligibilityService().evaluate(before, None, now=NOW).assignment()
    ids = roles.ids
    members = [
        Member(
            user_id=h.discord_user_id, roles=[ids[k] for k in previous.get(h.discord_user_id, ())]
        )
        for h in drawn
        if h.discord_user_id is not None
    ]
    members += [Member(user_id=str(9 * 10**17 + i)) for i in range(unknown)]
    return members


def plan_figures(count: int, runs: int) -> tuple[tuple[float, float], SyncPlan]:
    """Median time of tiers + plan for ``count`` holders, and the plan."""
    drawn = draw_holders(count)
    _, roles = role_map()
    members = members_of(drawn, roles, count // 10)
    manager = RoleManager(roles)
    figures = measure(lambda: manager.plan("1", drawn, members, now=NOW), runs)
    return figures, manager.plan("1", drawn, members, now=NOW)


async def sync_once(sandbox: Sandbox, guild_id: str, token: str, drawn: list[Holder]) -> tuple:
    """One sync through the provider: (plan, requests sent, pages, role writes sent)."""
    async with DiscordProvider(
        token=token,
        base_url=BASE,
        transport=SandboxTransport(sandbox),
        global_limit=UNLIMITED,
    ) as provider:
        sandbox.reset_stats()
        view = await read_view(provider, guild_id)
        roles = RoleMap.resolve(view.guild)
        plan = RoleManager(roles).plan(guild_id, drawn, view.members, now=NOW)
        result = await apply_plan(provider, plan, names=dict(roles.names), concurrency=8)
        assert not result.errors, result.errors
        writes = sum(
            n for route, n in sandbox.stats()["by_route"].items() if "/roles/{role_id}" in route
        )
        return plan, provider.request_count, view.pages, writes


def request_figures(count: int) -> list[tuple[str, int, int, int, int]]:
    """Two syncs of ``count`` members on the in-process sandbox."""
    sandbox = Sandbox(limits="off")
    info = sandbox.create_guild()
    gid = info.guild_id
    ids = {
        key: sandbox.add_role(gid, name, position=100 - i)
        for i, (key, name) in enumerate(DEFAULT_NAMES.items())
    }
    rng = random.Random(3)
    users = [
        sandbox.add_member(gid, f"m{i}", [ids[rng.choice(["hajra", "ichwan", "qanat"])]])
        for i in range(count)
    ]
    drawn = [
        Holder(f"0x{i:040x}", h.wei, user, h.badges, h.joined_at)
        for i, (h, user) in enumerate(zip(draw_holders(count, seed=5), users, strict=True))
    ]
    rows = []
    for label in ("first sync", "second sync"):
        plan, requests, pages, writes = asyncio.run(sync_once(sandbox, gid, info.token, drawn))
        rows.append((label, len(plan.changes), pages, writes, requests))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--holders", type=int, default=100_000, help="holders in the plan")
    parser.add_argument("--members", type=int, default=3_000, help="members in the real sync")
    args = parser.parse_args()
    (wall, cpu), plan = plan_figures(args.holders, args.runs)
    print(f"## Sync: a plan for {args.holders:,} holders, median of {args.runs} runs\n")
    print("| measure | wall | CPU | target |\n|---|---|---|---|")
    print(
        f"| tiers + sync plan (`RoleManager.plan`) | {wall * 1000:.0f} ms | {cpu * 1000:.0f} ms | < 1 s |"
    )
    print(
        f"\n{plan.members:,} members ({plan.unknown:,} unknown), {len(plan.changes):,} role "
        f"changes ({plan.count('add'):,} additions, {plan.count('remove'):,} removals), "
        f"{len(plan.tier_changes):,} tier changes"
    )
    print(f"\n## Sync: requests for {args.members:,} members (+ owner and bot)\n")
    print(
        "| run | role changes | member pages | role writes sent | requests in all | changes + pages + guild read |"
    )
    print("|---|---|---|---|---|---|")
    for label, changes, pages, writes, requests in request_figures(args.members):
        expected = changes + pages + GUILD_READ
        print(f"| {label} | {changes:,} | {pages} | {writes:,} | {requests:,} | {expected:,} |")


if __name__ == "__main__":
    main()
