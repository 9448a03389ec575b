"""Run the real ``gaib`` command in a subprocess, as a user would (``gaib_cli.testing.run_gaib``)."""

from __future__ import annotations

from gaib_cli.testing import Run as Result
from gaib_cli.testing import run_gaib as gaib

__all__ = ["Result", "gaib"]
