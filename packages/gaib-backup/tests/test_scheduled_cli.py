"""``gaib server backup run-scheduled`` and ``schedule enable|disable|list`` as subprocesses, on a
project applied to the embedded sandbox, with the Discord webhook notifier posting to a loopback
receiver."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from gaib_backup import scheduled
from gaib_backup.context import BackupContext


def gaib(
    root: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GAIB_", "DISCORD_", "AWS_"))}
    return subprocess.run([sys.executable, "-m", "gaib_cli", *args], cwd=root, capture_output=True,
                          text=True, env={**clean, **(env or {})}, timeout=300, check=False)  # fmt: skip


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scheduled-cli")
    for args in (("server", "init", "--theme", "sietch"), ("server", "apply", "--auto-approve")):
        done = gaib(root, *args)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return root


class Receiver:
    """A Discord-webhook-shaped endpoint on loopback recording the JSON bodies it is posted."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        bodies = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        host, port = self.server.server_address[:2]
        self.url = f"http://{host}:{port}/api/webhooks/9/cli-token"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()
    found.server.server_close()


def test_enrol_run_and_stop_from_the_command_line(project: Path, receiver: Receiver) -> None:
    listed = gaib(project, "server", "backup", "schedule", "list")
    assert listed.returncode == 0 and "No workspace is enrolled" in listed.stdout

    enabled = gaib(project, "server", "backup", "schedule", "enable")
    assert enabled.returncode == 0, enabled.stderr
    assert "(free) for scheduled backups; state: file://" in enabled.stdout
    assert "run `gaib server backup run-scheduled` here (cron)" in enabled.stdout

    webhook = {"GAIB_BACKUP_DISCORD_WEBHOOK_URL": receiver.url}
    first = gaib(project, "server", "backup", "run-scheduled", "--json", env=webhook)
    assert first.returncode == 0, first.stderr
    (outcome,) = json.loads(first.stdout)["outcomes"]
    assert (outcome["workspace"], outcome["service_tier"], outcome["status"]) == (
        "default",
        "free",
        "backed-up",
    )
    (body,) = receiver.bodies
    assert body["embeds"][0]["title"] == "gaib: 1 scheduled backup(s) succeeded"
    assert outcome["backup_id"] in body["embeds"][0]["description"]

    again = gaib(project, "server", "backup", "run-scheduled", env=webhook)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"{outcome['server_id']}/default (free): not due yet"

    (row,) = json.loads(gaib(project, "server", "backup", "schedule", "list", "--json").stdout)
    assert row["last_backup_id"] == outcome["backup_id"]
    assert row["next_due"].endswith("T03:00:00Z")

    listed_backups = gaib(project, "server", "backup", "list", "--json")
    assert outcome["backup_id"] in listed_backups.stdout

    stopped = gaib(project, "server", "backup", "schedule", "disable")
    assert stopped.returncode == 0 and "its backups are kept" in stopped.stdout
    twice = gaib(project, "server", "backup", "schedule", "disable")
    assert twice.returncode == 1
    assert "is not enrolled for scheduled backups" in twice.stderr
    assert len(twice.stderr.strip().splitlines()) == 1


def test_a_failed_server_exits_1_with_its_reason(project: Path) -> None:
    ctx = BackupContext.from_url((project / ".gaib" / "backups").as_uri())
    scheduled.enrol(ctx, "888888888888888888", "default", (project / "nowhere").as_uri())
    try:
        done = gaib(project, "server", "backup", "run-scheduled")
    finally:
        scheduled.unenrol(ctx, "888888888888888888", "default")
    assert done.returncode == 1
    assert "888888888888888888/default (free): FAILED: no state at file://" in done.stdout
    assert "run `gaib server backup run-scheduled` there" in done.stdout


def test_an_unknown_service_tier_is_one_line(project: Path) -> None:
    done = gaib(project, "server", "backup", "run-scheduled", "--service-tier", "gold")
    assert done.returncode == 1
    assert (
        done.stderr.strip().splitlines() == [done.stderr.strip()]
        and "--service-tier: unknown service tier 'gold'; use one of: free, premium" in done.stderr
    )
