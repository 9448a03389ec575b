"""Tier engine benchmarks (issue #12): tiers, ranks and eligibility for 100,000 holders.

Holders are drawn with a fixed seed: amounts spread from dust to whales (log-uniform wei),
80 % linked to a Discord member, up to 7 badges, joined in the last year. Measured, each as the
median of ``--runs`` runs (wall time and the process's CPU time):

- ranks + tiers: ``rank_holders`` over all holders, then ``TierService.tier`` for each (target
  < 1 s for 100,000 holders);
- eligibility: ``EligibilityService.evaluate`` (ranks, tiers, seats, waitlist, special roles and
  the changes against a previous run whose amounts differ by up to 10 %);
- snapshot load: ``load_snapshot`` of the same holders as a CSV file and as a JSON file.

Run: ``.tools/bin/uv run nox -s bench`` (or ``uv run python benchmarks/bench_tiers.py``).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gaib_theme_sietch.tiers.amounts import format_bgt
from gaib_theme_sietch.tiers.eligibility import EligibilityService
from gaib_theme_sietch.tiers.holders import Holder, load_snapshot
from gaib_theme_sietch.tiers.ranking import rank_holders
from gaib_theme_sietch.tiers.tier import TierService

NOW = datetime(2026, 11, 29, tzinfo=UTC)
BADGES = ("water-sharer", "spice", "sandrider", "stillsuit", "fremkit", "crysknife", "thumper")


def holders(count: int, seed: int = 12) -> list[Holder]:
    """``count`` drawn holders (deterministic for a seed)."""
    rng = random.Random(seed)
    drawn = []
    for n in range(count):
        wei = int(10 ** rng.uniform(15, 22.5))  # 0.001 BGT to ~30,000 BGT
        linked = rng.random() < 0.8
        drawn.append(
            Holder(
                wallet=f"0x{rng.getrandbits(160):040x}",
                wei=wei,
                discord_user_id=str(10**17 + n) if linked else None,
                badges=tuple(sorted(rng.sample(BADGES, rng.randint(0, 7)))),
                joined_at=NOW - timedelta(days=rng.randint(0, 365)),
            )
        )
    return drawn


def tiers_of(drawn: list[Holder], service: TierService) -> dict[str, str | None]:
    """Every holder's tier: the ranking, then one decision each."""
    ranks = rank_holders((h.wallet, h.wei) for h in drawn)
    tier = service.tier
    return {h.wallet: tier(h.wei, ranks.get(h.wallet)) for h in drawn}


def measure(work: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``work`` over ``runs`` runs."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def write_files(drawn: list[Holder], directory: Path) -> tuple[Path, Path]:
    """The holders as ``holders.csv`` and ``holders.json``."""
    csv_path, json_path = directory / "holders.csv", directory / "holders.json"
    fields = ["wallet", "amount", "discord_user_id", "badges", "joined_at"]
    rows = [
        {
            "wallet": h.wallet,
            "amount": format_bgt(h.wei),
            "discord_user_id": h.discord_user_id or "",
            "badges": ";".join(h.badges),
            "joined_at": h.joined_at.isoformat() if h.joined_at else "",
        }
        for h in drawn
    ]
    with csv_path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    objects = [{**row, "badges": list(h.badges)} for row, h in zip(rows, drawn, strict=True)]
    for obj in objects:
        if not obj["discord_user_id"]:
            del obj["discord_user_id"]
    json_path.write_text(json.dumps(objects, indent=1))
    return csv_path, json_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--holders", type=int, default=100_000, help="number of holders")
    args = parser.parse_args()
    drawn = holders(args.holders)
    rng = random.Random(7)
    before = [
        Holder(
            h.wallet, h.wei * rng.randint(90, 110) // 100, h.discord_user_id, h.badges, h.joined_at
        )
        for h in drawn
    ]
    service = EligibilityService()
    previous = service.evaluate(before, None, now=NOW).assignment()
    tiers = TierService()

    rows = [
        (
            "ranks + tiers (`rank_holders` + `TierService.tier`)",
            measure(lambda: tiers_of(drawn, tiers), args.runs),
            "< 1 s",
        ),
        (
            "eligibility (`EligibilityService.evaluate`, with changes)",
            measure(lambda: service.evaluate(drawn, previous, now=NOW), args.runs),
            "",
        ),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        csv_path, json_path = write_files(drawn, Path(tmp))
        rows.append(("snapshot load, CSV", measure(lambda: load_snapshot(csv_path), args.runs), ""))
        rows.append(
            ("snapshot load, JSON", measure(lambda: load_snapshot(json_path), args.runs), "")
        )
    result = service.evaluate(drawn, previous, now=NOW)
    print(f"## Tiers: {args.holders:,} holders, median of {args.runs} runs\n")
    print("| measure | wall | CPU | target |\n|---|---|---|---|")
    for name, (wall, cpu), target in rows:
        print(f"| {name} | {wall * 1000:.0f} ms | {cpu * 1000:.0f} ms | {target} |")
    print(
        f"\n{len(result.members):,} members, {len(result.seats)} seats, "
        f"{len(result.waitlist)} on the waitlist, {len(result.changes):,} changes"
    )


if __name__ == "__main__":
    main()
