"""Two processes race for one workspace's lock: exactly one wins, the other names the holder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from gaib_core.state.backends import FsspecBackend, LocalBackend
from gaib_core.state.manager import StateManager
from gaib_core.testing.moto import MotoS3

HELPER = Path(__file__).with_name("lock_holder.py")


def race(
    args: list[str], env: dict[str, str] | None = None, lead: float = 1.2, hold: float = 1.2
) -> list[dict]:
    """Start two helper processes that try to lock at the same moment; their reports."""
    start_at = f"{time.time() + lead:.3f}"
    procs = [
        subprocess.Popen(
            [sys.executable, str(HELPER), args[0], args[1], start_at, str(hold), *args[2:]],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
        )
        for _ in range(2)
    ]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode in (0, 3), err
        reports.append({"rc": proc.returncode, **json.loads(out.strip().splitlines()[-1])})
    return reports


def check_one_winner(reports: list[dict], manager: StateManager) -> None:
    winners = [r for r in reports if r["rc"] == 0]
    losers = [r for r in reports if r["rc"] == 3]
    assert len(winners) == 1 and len(losers) == 1, reports
    assert losers[0]["holder"] == winners[0]["won"]
    assert winners[0]["won"] in losers[0]["lost"]
    assert "held by" in losers[0]["lost"]
    assert manager.read().serial == 1  # exactly one write happened
    assert manager.holder() is None  # and the winner released the lock


def test_two_local_writers_one_wins(tmp_path: Path) -> None:
    root = tmp_path / ".gaib" / "workspaces"
    reports = race(["local", str(root)])
    check_one_winner(reports, StateManager(LocalBackend(root), "default"))


def test_two_s3_writers_one_wins(moto_s3: MotoS3) -> None:
    url = moto_s3.url("race")
    reports = race(["s3", url, moto_s3.endpoint_url], env=moto_s3.env(), lead=2.0, hold=1.5)
    backend = FsspecBackend(url, moto_s3.storage_options)
    check_one_winner(reports, StateManager(backend, "default"))
