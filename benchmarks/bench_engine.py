"""Engine benchmarks (issue #4): Sietch apply on a strict-rate-limit sandbox, and plan time for
a 250-role / 500-channel guild.

Run: ``.tools/bin/uv run nox -s bench`` (or ``uv run python benchmarks/bench_engine.py``).
Prints a markdown table; figures are medians over ``--runs`` runs.

- *requests vs minimum*: the minimum for a fresh Sietch apply is one write per resource (46
  creates) plus one bulk role-order request, plus the refresh reads (guild, channels, bot member,
  and /users/@me once).
- *wall time vs bucket bound*: the strict profile allows 5 channel creates per 5 s per guild
  (fixed windows), so 32 channel/category creates need at least ``(ceil(32/5) - 1) * 5 s`` = 30 s;
  every other bucket used is within its first window. Target: within 1.2x of that bound.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from gaib_core.config.models import ServerConfig
from gaib_core.engine.workflow import plan_and_apply, refresh_plan
from gaib_core.plugins import Hooks, build_plugin_manager
from gaib_core.project import Project
from gaib_core.provider.discord import DiscordProvider
from gaib_core.sandbox.ratelimit import profile
from gaib_core.sandbox.server import SandboxServer
from gaib_core.state.manager import open_state
from gaib_core.themes import find_theme, render_theme


def _hooks() -> Hooks:
    return Hooks(build_plugin_manager(load_entry_points=False))


async def _apply(
    server: SandboxServer, guild_id: str, token: str, root: Path, config: ServerConfig
):  # type: ignore[no-untyped-def]
    manager = open_state(Project(root), _hooks())
    async with DiscordProvider(token=token, base_url=server.base_url) as provider:
        plan, result = await plan_and_apply(config, provider, guild_id, manager, _hooks())
        assert not plan.errors and not result.errors, (plan.errors, result.errors)
        return plan, result


def _bucket_bound(by_route: dict[str, int], guild_writes: Counter[str]) -> float:
    strict = profile("strict")
    bound = 0.0
    for route, count in guild_writes.items():
        method = route.split(" ", 1)[0]
        limit = strict.limit_for(route, method)
        if limit is None:
            continue
        bound = max(bound, (math.ceil(count / limit.limit) - 1) * limit.window)
    return bound


def bench_sietch_apply(runs: int) -> list[str]:
    """Fresh Sietch apply on the strict profile: requests, 429s, wall time vs bucket bound."""
    config = render_theme(find_theme("sietch", Hooks(build_plugin_manager())), {})
    resources = len(config.addresses())
    walls, requests, writes, limited, bounds = [], [], [], [], []
    with SandboxServer(limits="strict") as server, tempfile.TemporaryDirectory() as tmp:
        for run in range(runs):
            core = server.sandbox
            info = core.create_guild(bot_role_name="Shai-Hulud")
            time.sleep(1.1)  # let the global window from create/setup pass
            core.reset_stats()
            start = time.perf_counter()
            asyncio.run(_apply(server, info.guild_id, info.token, Path(tmp) / str(run), config))
            walls.append(time.perf_counter() - start)
            stats = core.stats()
            by_route: dict[str, int] = stats["by_route"]
            requests.append(stats["requests"])
            writes.append(sum(n for r, n in by_route.items() if not r.startswith("GET")))
            limited.append(stats["rate_limited"])
            bounds.append(
                _bucket_bound(
                    by_route,
                    Counter({r: n for r, n in by_route.items() if not r.startswith("GET")}),
                )
            )
            # a fresh guild's buckets are separate (major parameter), but wait out shared windows
            time.sleep(5.5)
    minimum_writes = resources + 1
    wall = statistics.median(walls)
    bound = statistics.median(bounds)
    return [
        f"| Sietch apply, strict limits: writes sent | {statistics.median(writes):.0f} | minimum {minimum_writes} ({resources} creates + 1 role order; the order request is skipped when creation order already matches) |",
        f"| Sietch apply, strict limits: all requests | {statistics.median(requests):.0f} | writes + refresh reads |",
        f"| Sietch apply, strict limits: 429s received | {max(limited)} | target 0 (worst run) |",
        f"| Sietch apply, strict limits: wall time | {wall:.1f} s | bucket bound {bound:.0f} s, ratio {wall / bound if bound else float('nan'):.2f} (target <= 1.2) |",
    ]


def _big_config(roles: int, categories: int, per_category: int) -> ServerConfig:
    return ServerConfig.model_validate(
        {
            "roles": [
                {"name": f"role-{i:03d}", "color": f"#{i * 9973 % 0xFFFFFF:06X}"}
                for i in range(roles)
            ],
            "categories": [
                {
                    "name": f"Category {c}",
                    "overwrites": {f"role-{c:03d}": {"allow": ["VIEW_CHANNEL"]}},
                    "channels": [
                        {"name": f"chan-{c}-{n}", "type": "voice" if n % 5 == 4 else "text"}
                        for n in range(per_category)
                    ],
                }
                for c in range(categories)
            ],
        }
    )


def bench_big_plan(runs: int) -> list[str]:
    """Plan (refresh + diff) of a 250-role / 500-channel guild that matches its config."""
    config = _big_config(roles=248, categories=10, per_category=49)
    with SandboxServer(limits="off") as server, tempfile.TemporaryDirectory() as tmp:
        info = server.sandbox.create_guild(bot_role_name="Shai-Hulud")
        root = Path(tmp)
        asyncio.run(_apply(server, info.guild_id, info.token, root, config))
        manager = open_state(Project(root), _hooks())

        async def plans() -> tuple[list[float], list[float], bool]:
            totals, pure = [], []
            changes = False
            async with DiscordProvider(token=info.token, base_url=server.base_url) as provider:
                for _ in range(runs):
                    start = time.perf_counter()
                    plan = await refresh_plan(config, provider, info.guild_id, manager)
                    totals.append(time.perf_counter() - start)
                    changes = changes or plan.has_changes
                    guild = await provider.read_guild(info.guild_id)
                    state = manager.read()
                    from gaib_core.engine.planner import make_plan

                    start = time.perf_counter()
                    make_plan(config, guild, state)
                    pure.append(time.perf_counter() - start)
            return totals, pure, changes

        totals, pure, changes = asyncio.run(plans())
    assert not changes, "the 250/500 guild should plan empty"
    return [
        f"| Plan, 250 roles / 500 channels (refresh over loopback + diff) | {statistics.median(totals) * 1000:.0f} ms | target < 500 ms |",
        f"| Plan, 250 roles / 500 channels (diff only, no I/O) | {statistics.median(pure) * 1000:.0f} ms | |",
    ]


def main() -> None:
    """Run the engine benchmarks and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--quick", action="store_true", help="skip the ~35 s strict-limit apply")
    args = parser.parse_args()
    rows = ["| engine benchmark | median | reference |", "|---|---|---|"]
    rows += bench_big_plan(max(args.runs, 5))
    if not args.quick:
        rows += bench_sietch_apply(args.runs)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
