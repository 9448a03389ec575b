"""Notifiers: the Discord webhook against a loopback HTTP receiver (429 waited out, errors without
the webhook's token), and one failing notifier not silencing the others."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pluggy
import pytest
from gaib_backup.notify import DiscordWebhookNotifier, Notification, ServerOutcome, deliver
from gaib_core import hookimpl


class Receiver:
    """Answers each POST with the next scripted (status, body); records the bodies."""

    def __init__(self, script: list[tuple[int, dict[str, Any]]]) -> None:
        self.script = script
        self.bodies: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver.bodies.append(
                    json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                )
                status, body = receiver.script.pop(0) if receiver.script else (200, {})
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        host, port = self.server.server_address[:2]
        self.url = f"http://{host}:{port}/api/webhooks/42/very-secret-token"


@pytest.fixture
def receiver(request: pytest.FixtureRequest) -> Iterator[Receiver]:
    found = Receiver(list(getattr(request, "param", [])))
    yield found
    found.server.shutdown()
    found.server.server_close()


def _notification(status: str = "succeeded") -> Notification:
    outcome = ServerOutcome(
        server_id="1",
        workspace="default",
        service_tier="premium",
        status="backed-up",
        backup_id="b1",
    )
    return Notification(status=status, subject="gaib: 1 scheduled backup(s) succeeded",  # type: ignore[arg-type]
                        run_at="2026-11-29T03:00:00.000000Z", trigger="gaib-backup-hourly", outcomes=[outcome])  # fmt: skip


@pytest.mark.parametrize(
    "receiver",
    [[(429, {"message": "You are being rate limited.", "retry_after": 0.05, "global": False})]],
    indirect=True,
)
def test_a_rate_limited_webhook_is_retried_after_retry_after(receiver: Receiver) -> None:
    notifier = DiscordWebhookNotifier(receiver.url)
    try:
        notifier.gaib_backup_notify(_notification())
    finally:
        notifier.close()
    assert len(receiver.bodies) == 2
    assert receiver.bodies[0] == receiver.bodies[1]
    assert receiver.bodies[0]["embeds"][0]["description"] == "1/default (premium): backed up as b1"


@pytest.mark.parametrize(
    "receiver", [[(404, {"message": "Unknown Webhook", "code": 10015})]], indirect=True
)
def test_a_refused_webhook_raises_without_its_token(receiver: Receiver) -> None:
    notifier = DiscordWebhookNotifier(receiver.url)
    with pytest.raises(RuntimeError) as raised:
        notifier.gaib_backup_notify(_notification())
    notifier.close()
    assert str(raised.value) == "Discord webhook answered HTTP 404"
    assert "very-secret-token" not in repr(notifier)


class Broken:
    @hookimpl
    def gaib_backup_notify(self, notification: Notification) -> None:
        raise ConnectionError("pager service is down")


def test_one_failing_notifier_does_not_silence_the_others(receiver: Receiver) -> None:
    pm = pluggy.PluginManager("gaib")
    deliver(pm, _notification())  # declares the hook when the manager lacks it
    pm.register(Broken())
    webhook = DiscordWebhookNotifier(receiver.url)
    failures = deliver(pm, _notification("failed"), [webhook])
    webhook.close()
    assert [(f.notifier, f.error) for f in failures] == [("Broken", "pager service is down")]
    (body,) = receiver.bodies
    assert body["embeds"][0]["color"] == 0xE74C3C
