"""Helpers for testing the ``gaib`` command as a user runs it: in a subprocess.

Used by gaib-cli's own tests; plugin authors can test the command groups they add the same way.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Run:
    """What one ``gaib`` run printed and returned."""

    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


Gaib = Callable[..., Run]


#: Environment variables a run never inherits: a token, gaib's own settings.
CLEAN_PREFIXES: tuple[str, ...] = ("DISCORD_", "GAIB_")


def run_gaib(
    *args: str,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    input: str | None = None,
    timeout: float = 120,
    drop_env: tuple[str, ...] = (),
) -> Run:
    """``gaib ARGS`` in ``cwd`` with ``env`` added to a clean environment (no token unless given).

    The clean environment is this process's without the variables named by
    :data:`CLEAN_PREFIXES` and by ``drop_env`` (more prefixes, e.g. ``("AWS_",)`` so that no
    credentials or endpoint of the machine reach the run); ``timeout`` is in seconds.
    """
    dropped = (*CLEAN_PREFIXES, *drop_env)
    full = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
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
    return Run(proc.returncode, proc.stdout, proc.stderr)


def advice(err: str) -> list[str]:
    """The first backticked ``gaib ...`` command in an error line, as arguments after ``gaib``."""
    start = err.index("`gaib ") + 1
    command = err[start : err.index("`", start)]
    return shlex.split(command)[1:]


def files_of(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes (to prove a command wrote nothing)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}
