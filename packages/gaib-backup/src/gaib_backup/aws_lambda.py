"""The Lambda handler EventBridge invokes for scheduled backups (``gaib_backup.aws_lambda.handler``,
deployed by infrastructure/terraform).

Configuration comes from the function's environment (Terraform sets it):

- ``GAIB_BACKUP_STORE`` (required), ``GAIB_BACKUP_KMS_KEY``, ``GAIB_BACKUP_METADATA``
  (``dynamodb`` on AWS) as for every gaib-backup program; ``GAIB_BACKUP_METADATA_TABLE`` and
  ``GAIB_BACKUP_SERVER_TIERS_TABLE`` only when the tables are not named as in
  :mod:`gaib_backup.names`;
- ``GAIB_BACKUP_SNS_TOPIC_ARN`` and ``GAIB_BACKUP_DISCORD_WEBHOOK_URL`` for the built-in notifiers.

Each invocation runs the service tiers of the rule that fired (the daily rule: free servers; the
hourly rule: premium servers; anything else: all), backs up every enrolled server that is due,
puts the ``ScheduledBackupFailures`` metric, and notifies. A failed server does not fail the
invocation (a retry would only notify twice): the metric and the notification report it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Mapping
from typing import Any

from gaib_core.plugins import Hooks, build_plugin_manager
from pydantic import BaseModel, ConfigDict, Field

from gaib_backup.context import BackupContext
from gaib_backup.errors import BackupError
from gaib_backup.metrics import emit_failures
from gaib_backup.names import METADATA_TABLE, SERVER_TIERS_TABLE
from gaib_backup.notify import builtin_notifiers, deliver
from gaib_backup.scheduled import run_scheduled, service_tiers_for
from gaib_backup.settings import (
    KMS_ENV,
    METADATA_ENV,
    STORE_ENV,
    BackupSettings,
    MetadataSettings,
)

METADATA_TABLE_ENV = "GAIB_BACKUP_METADATA_TABLE"
SERVER_TIERS_TABLE_ENV = "GAIB_BACKUP_SERVER_TIERS_TABLE"

log = logging.getLogger(__name__)


class ScheduledEvent(BaseModel):
    """The fields of an EventBridge "Scheduled Event" the handler uses."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    id: str = ""
    detail_type: str = Field("", alias="detail-type")
    source: str = ""
    time: str = ""
    resources: list[str] = Field(default_factory=list)

    @property
    def rules(self) -> list[str]:
        """The names of the rules that fired (``arn:aws:events:...:rule/<name>``)."""
        return [arn.rsplit("/", 1)[-1] for arn in self.resources if ":rule/" in arn]

    @property
    def trigger(self) -> str:
        """How the run is described: the rules' names, or ``manual``."""
        return ", ".join(self.rules) or "manual"


def settings_from_env(environ: Mapping[str, str] | None = None) -> BackupSettings:
    """gaib-backup's settings from the function's environment."""
    env = os.environ if environ is None else environ
    store = env.get(STORE_ENV)
    if not store:
        raise BackupError(
            f"{STORE_ENV} is not set",
            hint="set it to the backup bucket, s3://gaib-backups-<account>",
        )
    return BackupSettings(
        store=store,
        kms_key_id=env.get(KMS_ENV) or None,
        metadata=MetadataSettings(
            type=env.get(METADATA_ENV) or "store",
            table=env.get(METADATA_TABLE_ENV) or METADATA_TABLE,
            tiers_table=env.get(SERVER_TIERS_TABLE_ENV) or SERVER_TIERS_TABLE,
        ),
    )


def handler(event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
    """Run the scheduled backups ``event`` asks for; returns the run's summary (JSON)."""
    scheduled = ScheduledEvent.model_validate(event)
    pm = build_plugin_manager()
    ctx = BackupContext.from_settings(settings_from_env(), Hooks(pm))
    run = run_scheduled(
        ctx, service_tiers=service_tiers_for(scheduled.rules), trigger=scheduled.trigger
    )
    for outcome in run.outcomes:
        if outcome.status == "failed":
            log.error("scheduled backup failed: %s", outcome.line())
    emit_failures(run.failures, run.run_at)
    notification = run.notification()
    notifiers = builtin_notifiers()
    try:
        undelivered = deliver(pm, notification, notifiers)
    finally:
        for notifier in notifiers:
            close = getattr(notifier, "close", None)
            if close is not None:
                close()
    for failure in undelivered:
        log.error("notification by %s failed: %s", failure.notifier, failure.error)
    return {
        "trigger": scheduled.trigger,
        "event_time": scheduled.time,
        "run_at": run.run_at.astimezone(dt.UTC).isoformat(),
        "status": notification.status,
        "failures": run.failures,
        "outcomes": [outcome.model_dump() for outcome in run.outcomes],
        "undelivered_notifications": [f"{f.notifier}: {f.error}" for f in undelivered],
    }
