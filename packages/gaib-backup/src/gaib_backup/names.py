"""The AWS names gaib-backup uses by default, shared with ``infrastructure/terraform``.

``infrastructure/`` creates exactly these (a test parses the Terraform and compares), so a
``terraform apply`` from that folder gives gaib-backup what it expects without configuration.
"""

from __future__ import annotations

#: The backup bucket; ``{account_id}`` is the AWS account's 12-digit id.
BUCKET_TEMPLATE = "gaib-backups-{account_id}"
#: DynamoDB table of backup, snapshot and theme-deployment metadata (PK/SK, GSI1, TTL).
METADATA_TABLE = "gaib-backup-metadata"
METADATA_GSI = "GSI1"
METADATA_TTL_ATTRIBUTE = "TTL"
#: DynamoDB table of each server's service tier (partition key ``SERVER#{server_id}``).
SERVER_TIERS_TABLE = "gaib-server-tiers"
#: SNS topic for backup success and failure notifications.
NOTIFICATIONS_TOPIC = "gaib-backup-notifications"
#: The object tag the bucket's lifecycle rules filter on, and its values (service tiers).
TIER_TAG = "Tier"
SERVICE_TIERS = ("free", "premium")
#: The CloudWatch metric a failed scheduled run emits (the infrastructure's alarm watches it).
METRIC_NAMESPACE = "Gaib/Backup"
FAILURE_METRIC = "ScheduledBackupFailures"
#: The Lambda handler EventBridge invokes (module:function inside the gaib-backup package).
LAMBDA_HANDLER = "gaib_backup.aws_lambda.handler"
#: The EventBridge rules: free servers daily at 03:00 UTC, premium servers hourly.
SCHEDULE_DAILY = "cron(0 3 * * ? *)"
SCHEDULE_HOURLY = "rate(1 hour)"
#: Key prefixes inside the store (PRD 14): state/, exports/, snapshots/, themes/.
STATE_PREFIX = "state"
EXPORTS_PREFIX = "exports"
SNAPSHOTS_PREFIX = "snapshots"
THEMES_PREFIX = "themes"
