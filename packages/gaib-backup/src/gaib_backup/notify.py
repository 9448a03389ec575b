"""Notifications of scheduled backups: a :class:`Notification` delivered through the
``gaib_backup_notify`` hook, with two built-in notifiers, SNS (boto3) and a Discord webhook (httpx).

The built-ins are configured from the environment only (a webhook URL is a secret):
``GAIB_BACKUP_SNS_TOPIC_ARN`` and ``GAIB_BACKUP_DISCORD_WEBHOOK_URL``. Any plugin may deliver
notifications elsewhere by implementing the hook. A notifier that fails never hides the
backups' outcome: :func:`deliver` reports which notifier failed and why, and carries on.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import pluggy
from gaib_core import hookimpl
from gaib_core.provider.http import user_agent
from pydantic import BaseModel, ConfigDict, Field

from gaib_backup import hookspecs

SNS_TOPIC_ENV = "GAIB_BACKUP_SNS_TOPIC_ARN"
DISCORD_WEBHOOK_ENV = "GAIB_BACKUP_DISCORD_WEBHOOK_URL"
# Discord caps an embed description at 4096 characters; SNS a subject at 100 and a message at
# 256 KB (kept well under, in characters).
_EMBED_LIMIT = 4096
_SUBJECT_LIMIT = 100
_SNS_MESSAGE_LIMIT = 200_000
_COLOURS = {"succeeded": 0x2ECC71, "failed": 0xE74C3C}


class ServerOutcome(BaseModel):
    """What a scheduled run did for one server's workspace."""

    model_config = ConfigDict(extra="forbid")

    server_id: str
    workspace: str
    service_tier: str
    status: Literal["backed-up", "unchanged", "not-due", "failed"]
    backup_id: str | None = None
    snapshot: str | None = Field(
        None, description="The scheduled snapshot's id, or why it was skipped."
    )
    error: str | None = None

    def line(self) -> str:
        """One line for a person: ``123/default (premium): backed up as 1a2b3c4d``."""
        where = f"{self.server_id}/{self.workspace} ({self.service_tier})"
        snapshot = f"; snapshot {self.snapshot}" if self.snapshot else ""
        if self.status == "backed-up":
            return f"{where}: backed up as {self.backup_id}{snapshot}"
        if self.status == "unchanged":
            return f"{where}: unchanged since backup {self.backup_id}{snapshot}"
        if self.status == "not-due":
            return f"{where}: not due yet"
        return f"{where}: FAILED: {self.error}"


class Notification(BaseModel):
    """One scheduled run's result, as notifiers receive it."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["succeeded", "failed"]
    subject: str
    run_at: str
    trigger: str
    outcomes: list[ServerOutcome]

    def text(self) -> str:
        """The body: one line per server that was due (and every failure)."""
        lines = [o.line() for o in self.outcomes if o.status != "not-due"]
        return "\n".join(lines) or "No server was due."


@dataclass(frozen=True)
class DeliveryFailure:
    """A notifier that raised, and its error (the run carries on)."""

    notifier: str
    error: str


class SnsNotifier:
    """Publishes each notification to an SNS topic (subject, body and status attribute)."""

    def __init__(self, topic_arn: str, client: Any | None = None) -> None:
        self.topic_arn = topic_arn
        if client is None:
            import boto3

            client = boto3.client("sns", region_name=_region_of(topic_arn))
        self.client = client

    @hookimpl
    def gaib_backup_notify(self, notification: Notification) -> None:
        """Publish to the topic; subscribers filter on the ``status`` attribute."""
        self.client.publish(
            TopicArn=self.topic_arn,
            Subject=notification.subject[:_SUBJECT_LIMIT],
            Message=notification.text()[:_SNS_MESSAGE_LIMIT],
            MessageAttributes={
                "status": {"DataType": "String", "StringValue": notification.status},
                "trigger": {"DataType": "String", "StringValue": notification.trigger},
            },
        )


class DiscordWebhookNotifier:
    """Posts each notification to a Discord webhook as one embed, mentioning nobody."""

    def __init__(self, url: str, client: httpx.Client | None = None) -> None:
        self.url = url
        self._own = client is None
        self.client = client or httpx.Client(
            headers={"User-Agent": user_agent()}, timeout=httpx.Timeout(15.0, connect=5.0)
        )

    def __repr__(self) -> str:
        # The URL's last part is the webhook's token: never shown.
        return "<DiscordWebhookNotifier url=***>"

    def payload(self, notification: Notification) -> dict[str, Any]:
        """The ``POST /webhooks/{id}/{token}`` body (Discord API v10 "Execute Webhook")."""
        return {
            "username": "gaib backup",
            "allowed_mentions": {"parse": []},
            "embeds": [
                {
                    "title": notification.subject[:256],
                    "description": notification.text()[:_EMBED_LIMIT],
                    "color": _COLOURS[notification.status],
                    "timestamp": notification.run_at,
                }
            ],
        }

    @hookimpl
    def gaib_backup_notify(self, notification: Notification) -> None:
        """Post the embed; a 429 is waited out once (``retry_after``), other errors raise."""
        body = self.payload(notification)
        for _ in range(2):
            answer = self.client.post(self.url, params={"wait": "true"}, json=body)
            if answer.status_code != 429:
                break
            time.sleep(min(float(answer.json().get("retry_after", 1.0)), 10.0))
        if answer.is_error:
            # The status only: the URL (with its token) stays out of the message.
            raise RuntimeError(f"Discord webhook answered HTTP {answer.status_code}")

    def close(self) -> None:
        """Close the client if this notifier built it."""
        if self._own:
            self.client.close()


def _region_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else None


def builtin_notifiers(environ: Mapping[str, str] | None = None) -> list[object]:
    """The built-in notifiers the environment configures (none when it names none)."""
    env = os.environ if environ is None else environ
    found: list[object] = []
    if env.get(SNS_TOPIC_ENV):
        found.append(SnsNotifier(env[SNS_TOPIC_ENV]))
    if env.get(DISCORD_WEBHOOK_ENV):
        found.append(DiscordWebhookNotifier(env[DISCORD_WEBHOOK_ENV]))
    return found


def deliver(
    pm: pluggy.PluginManager, notification: Notification, notifiers: Sequence[object] = ()
) -> list[DeliveryFailure]:
    """Call every ``gaib_backup_notify`` implementation (plugins' and ``notifiers``) once.

    Each implementation is called on its own (not through one ``pm.hook`` call, which stops at
    the first exception) so a broken notifier cannot silence the others; failures are returned.
    Plugins' implementations go through pluggy (``pm.subset_hook_caller``), so hook wrappers
    and ``add_hookcall_monitoring`` see every call.
    """
    if not hasattr(pm.hook, "gaib_backup_notify"):
        pm.add_hookspecs(hookspecs)
    failures: list[DeliveryFailure] = []
    plain = [
        impl
        for impl in pm.hook.gaib_backup_notify.get_hookimpls()
        if not (impl.wrapper or impl.hookwrapper)
    ]
    for impl in reversed(plain):  # get_hookimpls lists in reverse call order
        others = [other.plugin for other in plain if other.plugin is not impl.plugin]
        one = pm.subset_hook_caller("gaib_backup_notify", remove_plugins=others)
        try:
            one(notification=notification)
        except Exception as exc:  # any notifier error is reported, never fatal to the run
            failures.append(DeliveryFailure(_owner(impl.plugin), str(exc) or type(exc).__name__))
    for notifier in notifiers:
        try:
            notifier.gaib_backup_notify(notification=notification)  # type: ignore[attr-defined]
        except Exception as exc:  # as above
            failures.append(DeliveryFailure(_owner(notifier), str(exc) or type(exc).__name__))
    return failures


def _owner(plugin: object) -> str:
    """A notifier's name in a failure report: its class (or module) name."""
    return getattr(plugin, "__name__", None) or type(plugin).__name__
