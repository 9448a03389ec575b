"""``gaib --version`` and what ``gaib --help`` imports, as a user runs them (subprocesses).

Startup speed itself is measured in benchmarks/bench_startup.py, not asserted here; what is
tested is the behaviour that makes it fast: help imports none of the engine, the sandbox, the
state backends or their libraries, neither with gaib-cli alone nor with every installed plugin
(whose command groups must print the same plain help as gaib-cli's own).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from importlib.metadata import entry_points
from pathlib import Path

PACKAGES = Path(__file__).resolve().parents[2]
GAIB = Path(sys.executable).with_name("gaib")
HEAVY = (
    "httpx",
    "pydantic",
    "yaml",
    "fsspec",
    "asyncio",
    "gaib_core.engine",
    "gaib_core.sandbox",
    "gaib_core.state",
    "gaib_core.config",
    "gaib_core.themes",
    "gaib_core.project",
    "typer.rich_utils",
    "rich.console",
    "rich.text",
    "rich.markdown",
    "importlib.metadata",  # the gaib entry points are found without it (gaib_core.entrypoints)
)
# What the plugins of this repository use in their commands and hooks, never to register them.
PLUGIN_HEAVY = (
    "boto3",
    "botocore",
    "s3fs",
    "eth_account",
    "coincurve",
    "nacl",
    "starlette",
    "uvicorn",
    "psycopg",
    "gaib_core.provider",
    "gaib_backup.metadata",
    "gaib_backup.metadata_dynamodb",
    "gaib_backup.store",
    "gaib_backup.models",
    "gaib_backup.context",
    "gaib_backup.backups",
    "gaib_backup.snapshots",
    "gaib_backup.operations",
    "gaib_backup.scheduled",
    "gaib_backup.notify",
    "gaib_backup.lifecycle",
    "gaib_theme_sietch.tiers.tier",
    "gaib_theme_sietch.tiers.thresholds",
    "gaib_theme_sietch.verify.settings",
    "gaib_theme_sietch.verify.server",
)
PROBE = (
    "import json, sys\n"
    "sys.argv = ['gaib', *sys.argv[1:]]\n"
    "from gaib_cli.app import main\n"
    "try:\n"
    "    main()\n"
    "except SystemExit:\n"
    "    pass\n"
    "sys.stderr.write(json.dumps(sorted(sys.modules)))\n"
)


def _help_modules(*args: str, env: dict[str, str] | None = None) -> tuple[str, list[str]]:
    """``gaib ARGS`` in a fresh interpreter: its stdout and every module it imported."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout, json.loads(result.stderr.splitlines()[-1])


def _heavy(loaded: list[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in loaded if any(m == h or m.startswith(h + ".") for h in names))


def test_version_lists_every_installed_gaib_package() -> None:
    result = subprocess.run([str(GAIB), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    listed = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    for pyproject in sorted(PACKAGES.glob("*/pyproject.toml")):
        project = tomllib.loads(pyproject.read_text())["project"]
        assert listed.get(project["name"]) == project["version"], (project["name"], listed)


def test_help_imports_nothing_heavy() -> None:
    # gaib-cli and gaib-core's part, plugins blocked.
    out, loaded = _help_modules("--help", env={"GAIB_DISABLE_PLUGINS": "backup,sietch"})
    assert "Usage: gaib" in out
    assert _heavy(loaded, HEAVY) == []


def test_help_with_every_installed_plugin_imports_nothing_heavy() -> None:
    # Every plugin installed in this environment registers its commands for `gaib --help` and
    # imports what its commands and hooks need only when they run.
    plugins = {ep.value for ep in entry_points(group="gaib")}
    assert {"gaib_backup.plugin", "gaib_theme_sietch.plugin"} <= plugins
    out, loaded = _help_modules("--help")
    assert "Usage: gaib" in out and "sietch" in out
    assert plugins <= set(loaded), "every gaib entry point is loaded"
    assert _heavy(loaded, HEAVY + PLUGIN_HEAVY) == []


def test_plugin_groups_print_the_plain_help_of_gaib_cli() -> None:
    # click's plain layout, like `gaib server --help`: no rich panels, no rich help machinery.
    out, loaded = _help_modules("server", "backup", "--help")
    assert out.startswith("Usage: gaib server backup [OPTIONS] COMMAND [ARGS]...")
    assert "Commands:\n  create " in out and "\u2500" not in out and "\u256d" not in out
    # Below the root, typer (0.29) coerces the root's options (--chdir) through pydantic, which
    # looks for its own plugins with importlib.metadata.
    typer_needs = ("pydantic", "importlib.metadata")
    assert _heavy(loaded, tuple(h for h in HEAVY if h not in typer_needs) + PLUGIN_HEAVY) == []
