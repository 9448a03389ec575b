"""Theme benchmarks (issue #7): the cost of rendering the theme at every load.

A ``discord-server.yaml`` that references a theme is rendered from the installed theme and the
file's changes every time gaib loads it (validate, plan, apply, render). This measures that load
for the Sietch theme against loading the same configuration written out in full
(``render --eject``), in one process (theme files are parsed once per process) and as the first
load of a fresh process.

Run: ``.tools/bin/uv run nox -s bench`` (or ``uv run python benchmarks/bench_themes.py``).
Prints a markdown table; figures are medians over ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from gaib_core.config.loader import dump_config, load_config
from gaib_core.plugins import Hooks, build_plugin_manager
from gaib_core.themes import resolve_values
from gaib_core.themes.starter import theme_reference_text
from gaib_theme_sietch import rendering

CHANGES = """\
overrides:
  role.naib: {color: "#FFAA00"}
  role.moderator: {name: Moderator, color: "#1ABC9C", after: role.naib}
  channel.general: {topic: Talk about anything., slowmode: 10}
  channel.off_topic: {name: off-topic, category: category.stillsuit}
remove:
  - channel.bot_commands
"""

# The CLI has loaded its plugins before it loads the config: so does this.
_COLD = """\
import sys, time
from pathlib import Path
from gaib_core.config.loader import load_config
from gaib_core.plugins import Hooks
hooks = Hooks()
hooks.themes()
start = time.perf_counter()
load_config(Path(sys.argv[1]), hooks=hooks)
print(time.perf_counter() - start)
"""


def _files(directory: Path) -> dict[str, Path]:
    theme = rendering.load()
    values = resolve_values(theme.variables, {"community_name": "Arrakis"})
    reference = directory / "reference.yaml"
    reference.write_text(theme_reference_text(theme, values))
    changed = directory / "changed.yaml"
    changed.write_text(
        reference.read_text().replace("overrides:\n", "").replace("remove:\n", "") + CHANGES
    )
    hooks = Hooks()
    full = directory / "full.yaml"
    ejected = load_config(changed, hooks=hooks).model_copy(update={"theme": None})
    full.write_text(dump_config(ejected))
    return {
        "referencing file": reference,
        "with 4 overrides, 1 removal": changed,
        "full file": full,
    }


def _median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _cold_ms(path: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", _COLD, str(path)], capture_output=True, text=True, check=True
        )
        times.append(float(out.stdout))
    return statistics.median(times) * 1000


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="median over this many runs")
    parser.add_argument("--quick", action="store_true", help="(accepted for nox -s bench)")
    args = parser.parse_args()
    runs = max(args.runs, 1)
    hooks = Hooks(build_plugin_manager())
    with tempfile.TemporaryDirectory() as tmp:
        files = _files(Path(tmp))
        print("| Sietch config | load in a running process | first load in a new process |")
        print("|---|---|---|")
        for label, path in files.items():
            load_config(path, hooks=hooks)  # warm the parse cache, as a second load would be
            warm = _median_ms(lambda path=path: load_config(path, hooks=hooks), runs * 5)
            cold = _cold_ms(path, runs)
            print(f"| {label} | {warm:.0f} ms | {cold:.0f} ms |")


if __name__ == "__main__":
    main()
