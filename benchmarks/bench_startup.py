"""Startup benchmark (issue #8, item 15): ``gaib --help`` against ``python -c "import typer, rich"``.

Run: ``.tools/bin/uv run nox -s bench`` (or ``uv run python benchmarks/bench_startup.py``).
Each command runs ``--runs`` times in fresh processes, interleaved so that machine load hits both
alike; the figures are medians of wall time. Target: ``gaib --help`` within 2x of the baseline
(the CLI imports the engine, the sandbox and the plugins' heavy modules only in the commands that
use them, and prints click's plain help instead of typer's rich help).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

GAIB = Path(sys.executable).with_name("gaib")
COMMANDS: dict[str, list[str]] = {
    'python -c "import typer, rich"': [sys.executable, "-c", "import typer, rich"],
    "gaib --help": [str(GAIB), "--help"],
    "gaib --version": [str(GAIB), "--version"],
}


def _once(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "NO_COLOR": "1"})
    return time.perf_counter() - start


def main() -> None:
    """Print the markdown table of median start times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per command (median)")
    parser.add_argument("--quick", action="store_true", help="5 runs")
    args = parser.parse_args()
    runs = 5 if args.quick else args.runs
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for name in COMMANDS:
        _once(COMMANDS[name])  # warm the file cache once
    for _ in range(runs):
        for name, argv in COMMANDS.items():
            times[name].append(_once(argv))
    base = statistics.median(times['python -c "import typer, rich"'])
    print(f"\nStartup, median of {runs} runs\n")
    print("| command | median | vs import typer, rich |")
    print("|---|---|---|")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| `{name}` | {median * 1000:.0f} ms | {median / base:.2f}x |")


if __name__ == "__main__":
    main()
