"""The names the Terraform creates are the ones gaib-backup uses by default (gaib_backup.names).

Both sides are read, never restated: the HCL through python-hcl2, the package by import. A
rename on either side fails here until the other follows.
"""

from __future__ import annotations

from gaib_backup import names


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
    resources = next(
        s["resources"] for s in iam["statement"] if s.get("sid") == "MetadataAndServiceTiers"
    )
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
