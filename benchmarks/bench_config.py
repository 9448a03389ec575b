"""Config benchmarks (issue #8, item 14): how long judging a config takes when it is large.

Run: ``.tools/bin/uv run nox -s bench`` (or ``uv run python benchmarks/bench_config.py``).
Prints a markdown table; figures are medians over ``--runs`` runs, in-process (no interpreter
start-up), for ``load_config_source`` (read, parse with positions, validate):

- a 4 MB alias-free file of junk (refused: more values than a config can have);
- the largest config Discord allows: 250 roles and 500 channels, each with overwrites (valid);
- ``/dev/zero`` (refused after reading 5 MB + 1 byte).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from gaib_core.config.loader import load_config_source
from gaib_core.errors import ConfigError


def _junk(path: Path) -> Path:
    doc = {"server": {"name": "Big"}, "notes": [{"k": i, "v": "y" * 10} for i in range(150_000)]}
    path.write_text(yaml.safe_dump(doc))
    return path


def _largest(path: Path) -> Path:
    roles = [
        {"name": f"Role {i}", "color": "#112233", "permissions": ["VIEW_CHANNEL"]}
        for i in range(248)
    ]
    overwrites = {
        f"Role {i}": {"allow": ["VIEW_CHANNEL"], "deny": ["SEND_MESSAGES"]} for i in range(10)
    }
    categories = [
        {
            "name": f"Category {c}",
            "overwrites": overwrites,
            "channels": [{"name": f"chan-{c}-{i}", "topic": "t" * 100} for i in range(48)],
        }
        for c in range(10)
    ]
    path.write_text(
        yaml.safe_dump({"server": {"name": "Big"}, "roles": roles, "categories": categories})
    )
    return path


def _time(judge: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        judge()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _refused(path: Path) -> Callable[[], object]:
    def judge() -> object:
        try:
            load_config_source(path)
        except ConfigError as exc:
            return exc
        raise AssertionError(f"{path} was accepted")

    return judge


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        junk = _junk(Path(tmp) / "junk.yaml")
        largest = _largest(Path(tmp) / "largest.yaml")
        rows = [
            (
                f"4 MB alias-free junk ({junk.stat().st_size // 1024} KiB), refused",
                _time(_refused(junk), args.runs),
            ),
            (
                f"250 roles + 500 channels with overwrites ({largest.stat().st_size // 1024} KiB), valid",
                _time(lambda: load_config_source(largest), args.runs),
            ),
            ("/dev/zero, refused", _time(_refused(Path("/dev/zero")), args.runs)),
        ]
    print(f"| config (median of {args.runs}) | seconds |")
    print("|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
