"""``gaib --version`` and what ``gaib --help`` imports, as a user runs them (subprocesses).

Startup speed itself is measured in benchmarks/bench_startup.py, not asserted here; what is
tested is the behaviour that makes it fast: help imports none of the engine, the sandbox, the
state backends or their libraries.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
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
)


def test_version_lists_every_installed_gaib_package() -> None:
    result = subprocess.run([str(GAIB), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    listed = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    for pyproject in sorted(PACKAGES.glob("*/pyproject.toml")):
        project = tomllib.loads(pyproject.read_text())["project"]
        assert listed.get(project["name"]) == project["version"], (project["name"], listed)


def test_help_imports_nothing_heavy() -> None:
    probe = (
        "import json, sys\n"
        "sys.argv = ['gaib', '--help']\n"
        "from gaib_cli.app import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write(json.dumps(sorted(sys.modules)))\n"
    )
    # gaib-cli and gaib-core's part; plugins are other packages, each answerable for its own.
    env = {**os.environ, "GAIB_DISABLE_PLUGINS": "backup,sietch"}
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env=env
    )
    assert "Usage: gaib" in result.stdout, result.stdout + result.stderr
    loaded = json.loads(result.stderr.splitlines()[-1])
    heavy = sorted(m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert heavy == []
