"""Startup benchmark (issue #8, item 15): ``gaib --help`` against ``python -c "import typer, rich"``.

Run: ``.tools/bin/uv run nox -s bench`` (or ``uv run python benchmarks/bench_startup.py``).
Each command runs ``--runs`` times in fresh processes, interleaved so that machine load hits all
alike. Reported: the median wall time and the median CPU time (user + system of the child
process), each with its ratio to the baseline; on a shared machine the CPU figure is the steadier
one. Target: ``gaib --help`` within 2x of the baseline, with every plugin installed (gaib-cli and
the plugins import the engine, the sandbox and their heavy libraries only in the commands and
hooks that use them, and help is click's plain formatter, not typer's rich help).

Installed packages carry compiled bytecode (pip writes it at install; otherwise Python does on
first import), so the warm-up run of each command writes ``__pycache__`` even where
``PYTHONDONTWRITEBYTECODE`` is set: without it every run would compile gaib's and typer's
sources again, which no installed ``gaib`` does.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

GAIB = Path(sys.executable).with_name("gaib")
BASELINE = 'python -c "import typer, rich"'
COMMANDS: dict[str, tuple[list[str], dict[str, str]]] = {
    BASELINE: ([sys.executable, "-c", "import typer, rich"], {}),
    "gaib --help": ([str(GAIB), "--help"], {}),
    "gaib --help (plugins blocked)": (
        [str(GAIB), "--help"],
        {"GAIB_DISABLE_PLUGINS": "backup,sietch"},
    ),
    "gaib --version": ([str(GAIB), "--version"], {}),
}


def _once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    """Print the markdown table of median start times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per command (median)")
    parser.add_argument("--quick", action="store_true", help="5 runs")
    args = parser.parse_args()
    runs = 5 if args.quick else args.runs
    env = {**os.environ, "NO_COLOR": "1"}
    warm = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    walls: dict[str, list[float]] = {name: [] for name in COMMANDS}
    cpus: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for argv, extra in COMMANDS.values():
        _once(argv, {**warm, **extra})  # the file cache, and bytecode as an install has it
    for _ in range(runs):
        for name, (argv, extra) in COMMANDS.items():
            wall, cpu = _once(argv, {**env, **extra})
            walls[name].append(wall)
            cpus[name].append(cpu)
    base_wall = statistics.median(walls[BASELINE])
    base_cpu = statistics.median(cpus[BASELINE])
    print(f"\nStartup, median of {runs} runs\n")
    print("| command | wall | vs baseline | CPU | vs baseline |")
    print("|---|---|---|---|---|")
    for name in COMMANDS:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        print(
            f"| `{name}` | {wall * 1000:.0f} ms | {wall / base_wall:.2f}x "
            f"| {cpu * 1000:.0f} ms | {cpu / base_cpu:.2f}x |"
        )


if __name__ == "__main__":
    main()
