"""The CloudWatch metric a scheduled run emits: ``Gaib/Backup`` ``ScheduledBackupFailures``
(:mod:`gaib_backup.names`), the number of servers whose scheduled backup failed in the run.

infrastructure/terraform's alarm fires when its sum over an hour is above zero. Every run emits
it, zero included, so the metric's history shows the runs as well as the failures.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from gaib_backup.names import FAILURE_METRIC, METRIC_NAMESPACE


def emit_failures(failures: int, when: dt.datetime, client: Any | None = None) -> None:
    """Put one data point of ``ScheduledBackupFailures`` (a count) at ``when``."""
    if client is None:
        import boto3

        client = boto3.client("cloudwatch")
    client.put_metric_data(
        Namespace=METRIC_NAMESPACE,
        MetricData=[
            {
                "MetricName": FAILURE_METRIC,
                "Timestamp": when,
                "Value": float(failures),
                "Unit": "Count",
            }
        ],
    )
