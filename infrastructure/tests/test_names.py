"""The names the Terraform creates are the ones gaib-backup uses by default (gaib_backup.names).

Both sides are read, never restated: the HCL through python-hcl2, the package by import. A
rename on either side fails here until the other follows.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from gaib_backup import aws_lambda, names, notify, scheduled, service_tiers, settings
from gaib_backup.settings import BackupSettings


def test_bucket_name(module) -> None:
    assert module.locals["bucket_name"] == names.BUCKET_TEMPLATE.format(
        account_id="${local.account_id}"
    )
    assert module.resource("aws_s3_bucket", "backups")["bucket"] == "${local.bucket_name}"


def test_metadata_table(module) -> None:
    table = module.resource("aws_dynamodb_table", "backup_metadata")
    assert table["name"] == names.METADATA_TABLE
    assert (table["hash_key"], table["range_key"]) == ("PK", "SK")
    (index,) = table["global_secondary_index"]
    assert index["name"] == names.METADATA_GSI
    (ttl,) = table["ttl"]
    assert ttl == {"attribute_name": names.METADATA_TTL_ATTRIBUTE, "enabled": True}
    iam = module.data("aws_iam_policy_document", "scheduled")
    resources = next(s["resources"] for s in iam["statement"] if s.get("sid") == "BackupRecords")
    assert f"${{aws_dynamodb_table.backup_metadata.arn}}/index/{names.METADATA_GSI}" in resources


def test_server_tiers_table(module) -> None:
    table = module.resource("aws_dynamodb_table", "server_tiers")
    assert table["name"] == names.SERVER_TIERS_TABLE
    assert "ttl" not in table  # PRD 15.2: persistent


def test_notifications_topic(module) -> None:
    assert module.resource("aws_sns_topic", "notifications")["name"] == names.NOTIFICATIONS_TOPIC


def test_lifecycle_rules_filter_on_the_tier_tag_gaib_writes(module) -> None:
    for name in ("backups", "replica"):
        rules = module.resource("aws_s3_bucket_lifecycle_configuration", name)["rule"]
        tagged = [rule["filter"][0]["tag"][0] for rule in rules if rule["filter"][0].get("tag")]
        assert {tag["key"] for tag in tagged} == {names.TIER_TAG}
        assert {tag["value"] for tag in tagged} <= set(names.SERVICE_TIERS)
    rules = module.resource("aws_s3_bucket_lifecycle_configuration", "backups")["rule"]
    values = {
        rule["filter"][0]["tag"][0]["value"] for rule in rules if rule["filter"][0].get("tag")
    }
    assert values == set(names.SERVICE_TIERS)
    (replication,) = module.resource("aws_s3_bucket_replication_configuration", "backups")["rule"]
    assert replication["filter"][0]["tag"][0] == {"key": names.TIER_TAG, "value": "premium"}


def test_failure_metric_and_its_alarm(module) -> None:
    alarm = module.resource("aws_cloudwatch_metric_alarm", "scheduled_backup_failures")
    assert (alarm["namespace"], alarm["metric_name"]) == (
        names.METRIC_NAMESPACE,
        names.FAILURE_METRIC,
    )
    iam = module.data("aws_iam_policy_document", "scheduled")
    (metrics,) = [s for s in iam["statement"] if s.get("sid") == "CountFailures"]
    assert metrics["actions"] == ["cloudwatch:PutMetricData"]
    assert metrics["condition"][0]["values"] == [names.METRIC_NAMESPACE]


def test_lambda_handler(module) -> None:
    function = module.resource("aws_lambda_function", "scheduled")
    assert function["handler"] == names.LAMBDA_HANDLER


def test_schedules(module) -> None:
    schedules = module.locals["schedules"]
    assert schedules["daily"]["expression"] == names.SCHEDULE_DAILY
    assert schedules["hourly"]["expression"] == names.SCHEDULE_HOURLY
    rule = module.resource("aws_cloudwatch_event_rule", "schedule")
    assert rule["schedule_expression"] == "${each.value.expression}"


def _object_literal(expression: str, function: str) -> dict[str, Any]:
    """The object literal passed to ``function(...)`` in an HCL expression, references quoted
    (``aws_kms_key.backups.arn`` becomes that string), as a Python dict."""
    inner = expression.split(f"{function}(", 1)[1]
    depth = 0
    for end, char in enumerate(inner):  # the first balanced {...}
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            text = inner[: end + 1]
            break
    text = re.sub(r"(\w+) = ", r'"\1": ', text)
    text = re.sub(r'(?<=": )([A-Za-z_][\w.\[\]]*)(?=[,}])', r'"\1"', text)
    return ast.literal_eval(text)


def test_config_snippet_is_a_valid_backup_yaml_for_these_resources(module) -> None:
    snippet = _object_literal(module.outputs["gaib_backup_config"]["value"], "yamlencode")
    settings = BackupSettings.model_validate(snippet)  # extra="forbid": every key is one gaib reads
    assert settings.store == "s3://${aws_s3_bucket.backups.bucket}"
    assert settings.kms_key_id == "aws_kms_key.backups.arn"
    assert settings.metadata.type == "dynamodb"
    assert settings.metadata.table == "aws_dynamodb_table.backup_metadata.name"
    assert settings.metadata.tiers_table == "aws_dynamodb_table.server_tiers.name"


def test_function_environment_is_what_the_handler_reads(module) -> None:
    variables = module.resource("aws_lambda_function", "scheduled")["environment"][0]["variables"]
    environment = _object_literal(variables, "merge")
    assert environment == {
        settings.STORE_ENV: "s3://${aws_s3_bucket.backups.bucket}",
        settings.KMS_ENV: "aws_kms_key.backups.arn",
        settings.METADATA_ENV: "dynamodb",
        notify.SNS_TOPIC_ENV: "aws_sns_topic.notifications.arn",
    }
    assert f"{{{notify.DISCORD_WEBHOOK_ENV} = var.discord_webhook_url}}" in variables
    # The tables are gaib-backup's default names, so the handler needs no table variables.
    assert (
        aws_lambda.settings_from_env({settings.STORE_ENV: "s3://b"}).metadata.table
        == names.METADATA_TABLE
    )


def test_each_rule_runs_the_service_tiers_the_handler_expects(module) -> None:
    rules = {f"gaib-backup-{key}" for key in module.locals["schedules"]}
    assert (
        module.resource("aws_cloudwatch_event_rule", "schedule")["name"]
        == "gaib-backup-${each.key}"
    )
    assert rules == set(scheduled.RULE_SERVICE_TIERS)
    covered = [tier for tiers in scheduled.RULE_SERVICE_TIERS.values() for tier in tiers]
    assert sorted(covered) == sorted(names.SERVICE_TIERS)


def test_lifecycle_retention_is_the_service_tiers_retention(module) -> None:
    assert module.locals["free_expiration_days"] == service_tiers.policy("free").retention_days
    assert (
        module.locals["premium_expiration_days"] == service_tiers.policy("premium").retention_days
    )
