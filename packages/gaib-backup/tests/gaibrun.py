"""Run the real ``gaib`` command in a subprocess, as a user would (``gaib_cli.testing.run_gaib``),
with no ``AWS_*`` variable of the machine: a test that talks to S3 passes moto's in ``env``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from gaib_cli.testing import Run as Result
from gaib_cli.testing import run_gaib

__all__ = ["Result", "gaib"]


def gaib(
    *args: str,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    input: str | None = None,
    timeout: float = 180,
) -> Result:
    """``gaib ARGS`` in ``cwd`` with ``env`` added to a clean environment (no token, no GAIB_*,
    no AWS_*)."""
    return run_gaib(*args, cwd=cwd, env=env, input=input, timeout=timeout, drop_env=("AWS_",))
