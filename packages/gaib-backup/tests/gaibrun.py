"""Run the real ``gaib`` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Result:
    """What one ``gaib`` run printed and returned."""

    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


def gaib(
    *args: str,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    input: str | None = None,
    timeout: float = 180,
) -> Result:
    """``gaib ARGS`` in ``cwd`` with ``env`` added to a clean environment (no token, no GAIB_*)."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "GAIB_", "AWS_"))}
    full.update({"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})
    full.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "gaib_cli", *args],
        cwd=cwd,
        env=full,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)
