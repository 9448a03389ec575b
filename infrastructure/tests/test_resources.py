"""What the Terraform promises (PRD 15-16), read from the parsed HCL: retention by service tier,
encryption everywhere, recovery, least privilege."""

from __future__ import annotations

from typing import Any


def _rule(rules: list[dict[str, Any]], rule_id: str) -> dict[str, Any]:
    return next(rule for rule in rules if rule["id"] == rule_id)


def test_free_tier_keeps_seven_days_including_noncurrent_versions(module) -> None:
    rules = module.resource("aws_s3_bucket_lifecycle_configuration", "backups")["rule"]
    free = _rule(rules, "free-tier-retention")
    assert free["expiration"][0]["days"] == "${local.free_expiration_days}"
    assert module.locals["free_expiration_days"] == 7
    noncurrent = free["noncurrent_version_expiration"][0]["noncurrent_days"]
    assert noncurrent == "${local.noncurrent_expiration_days}"
    assert module.locals["noncurrent_expiration_days"] == 7


def test_premium_tier_moves_to_glacier_at_30_and_expires_at_90(module) -> None:
    for bucket in ("backups", "replica"):
        rules = module.resource("aws_s3_bucket_lifecycle_configuration", bucket)["rule"]
        premium = _rule(rules, "premium-tier-glacier")
        assert premium["transition"][0]["days"] == "${local.premium_glacier_days}"
        assert premium["transition"][0]["storage_class"] == "${var.premium_archive_storage_class}"
        assert premium["expiration"][0]["days"] == "${local.premium_expiration_days}"
        assert (
            premium["noncurrent_version_transition"][0]["noncurrent_days"]
            == "${local.premium_glacier_days}"
        )
        assert (
            premium["noncurrent_version_expiration"][0]["noncurrent_days"]
            == "${local.premium_expiration_days}"
        )
    assert (module.locals["premium_glacier_days"], module.locals["premium_expiration_days"]) == (
        30,
        90,
    )
    archive = module.variables["premium_archive_storage_class"]
    assert archive["default"].startswith("GLACIER")


HARDENING = (
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_policy",
)


def test_a_hardened_bucket_is_versioned_private_owned_encrypted_and_tls_only(module) -> None:
    hardened = module.child("backups_hardening")
    versioning = hardened.resource("aws_s3_bucket_versioning", "this")
    assert versioning["versioning_configuration"][0]["status"] == "Enabled"
    block = hardened.resource("aws_s3_bucket_public_access_block", "this")
    flags = (
        "block_public_acls",
        "block_public_policy",
        "ignore_public_acls",
        "restrict_public_buckets",
    )
    assert all(block[flag] is True for flag in flags)
    ownership = hardened.resource("aws_s3_bucket_ownership_controls", "this")
    assert ownership["rule"][0]["object_ownership"] == "BucketOwnerEnforced"
    sse = hardened.resource("aws_s3_bucket_server_side_encryption_configuration", "this")
    default = sse["rule"][0]["apply_server_side_encryption_by_default"][0]
    assert default == {"sse_algorithm": "aws:kms", "kms_master_key_id": "${var.kms_key_arn}"}
    (statement,) = hardened.data("aws_iam_policy_document", "tls_only")["statement"]
    assert statement["effect"] == "Deny" and statement["condition"][0]["values"] == ["false"]
    for kind in HARDENING:
        assert hardened.resource(kind, "this")["bucket"] == "${var.bucket_id}"


def test_both_buckets_are_hardened_with_their_own_key(module) -> None:
    for call, bucket, key in (
        ("backups_hardening", "aws_s3_bucket.backups", "aws_kms_key.backups"),
        ("replica_hardening", "aws_s3_bucket.replica[0]", "aws_kms_key.replica[0]"),
    ):
        body = module.call(call)
        assert body["source"] == "./modules/hardened_bucket"
        assert (body["bucket_id"], body["bucket_arn"], body["kms_key_arn"]) == (
            f"${{{bucket}.id}}",
            f"${{{bucket}.arn}}",
            f"${{{key}.arn}}",
        )
    assert module.call("replica_hardening")["providers"] == {"aws": "${aws.replica}"}
    for kind in HARDENING:  # nothing hardens a bucket outside the module
        assert module.resources(kind) == {}


def test_a_deployment_from_before_the_module_only_moves(module) -> None:
    expected = {}
    for kind in HARDENING:
        expected[f"{kind}.backups"] = f"module.backups_hardening.{kind}.this"
        expected[f"{kind}.replica[0]"] = f"module.replica_hardening[0].{kind}.this"
    assert module.moves == expected


def test_keys_rotate_and_have_aliases(module) -> None:
    for name in ("backups", "replica"):
        assert module.resource("aws_kms_key", name)["enable_key_rotation"] is True
    assert module.resource("aws_kms_alias", "backups")["name"].startswith("alias/")


def test_tables_recover_and_are_encrypted_with_the_key(module) -> None:
    for name in ("backup_metadata", "server_tiers"):
        table = module.resource("aws_dynamodb_table", name)
        assert table["point_in_time_recovery"] == [{"enabled": True}]
        assert table["server_side_encryption"] == [
            {"enabled": True, "kms_key_arn": "${aws_kms_key.backups.arn}"}
        ]
        assert table["billing_mode"] == "PAY_PER_REQUEST"


def test_topic_and_dead_letter_queue_are_encrypted(module) -> None:
    assert (
        module.resource("aws_sns_topic", "notifications")["kms_master_key_id"]
        == "${aws_kms_key.backups.arn}"
    )
    assert (
        module.resource("aws_sqs_queue", "dead_letters")["kms_master_key_id"]
        == "${aws_kms_key.backups.arn}"
    )


def test_alarm_notifies_the_topic(module) -> None:
    alarm = module.resource("aws_cloudwatch_metric_alarm", "scheduled_backup_failures")
    assert alarm["alarm_actions"] == ["${aws_sns_topic.notifications.arn}"]
    assert (alarm["comparison_operator"], alarm["threshold"]) == ("GreaterThanThreshold", 0)


def test_replication_is_optional_and_goes_to_its_own_key_in_us_west_2(module) -> None:
    variable = module.variables["enable_cross_region_replication"]
    assert variable["default"] is False
    assert module.variables["replica_region"]["default"] == "us-west-2"
    assert module.locals["replication"] == "${var.enable_cross_region_replication ? 1 : 0}"
    for kind, name in (("aws_s3_bucket", "replica"), ("aws_kms_key", "replica"),
                       ("aws_s3_bucket_replication_configuration", "backups")):  # fmt: skip
        assert module.resource(kind, name)["count"] == "${local.replication}"
    replica = module.call("replica_hardening")
    assert replica["count"] == "${local.replication}"
    assert replica["kms_key_arn"] == "${aws_kms_key.replica[0].arn}"
    (rule,) = module.resource("aws_s3_bucket_replication_configuration", "backups")["rule"]
    destination = rule["destination"][0]
    assert (
        destination["encryption_configuration"][0]["replica_kms_key_id"]
        == "${aws_kms_key.replica[0].arn}"
    )
    assert (
        rule["source_selection_criteria"][0]["sse_kms_encrypted_objects"][0]["status"] == "Enabled"
    )


def test_function_role_is_least_privilege(module) -> None:
    policy = module.data("aws_iam_policy_document", "scheduled")
    unscoped = {"CountFailures", "Tracing"}  # APIs without resource-level permissions
    for statement in policy["statement"]:
        assert statement.get("effect", "Allow") == "Allow"
        assert not any(action.endswith("*") for action in statement["actions"]), statement
        if statement["sid"] in unscoped:
            continue
        assert "*" not in statement["resources"], statement
    actions = {action for statement in policy["statement"] for action in statement["actions"]}
    assert not {"s3:DeleteObject", "dynamodb:DeleteItem", "dynamodb:Scan", "iam:PassRole"} & actions
    tiers = next(
        s
        for s in policy["statement"]
        if s["resources"] == ["${aws_dynamodb_table.server_tiers.arn}"]
    )
    assert tiers["actions"] == [
        "dynamodb:GetItem"
    ]  # scheduled runs read service tiers, never set them


def test_schedules_target_the_function_with_a_dead_letter_queue(module) -> None:
    target = module.resource("aws_cloudwatch_event_target", "schedule")
    assert target["arn"] == "${aws_lambda_function.scheduled.arn}"
    assert target["dead_letter_config"] == [{"arn": "${aws_sqs_queue.dead_letters.arn}"}]
    permission = module.resource("aws_lambda_permission", "schedule")
    assert permission["source_arn"] == "${aws_cloudwatch_event_rule.schedule[each.key].arn}"


def test_function_package_comes_from_the_nox_session(module) -> None:
    function = module.resource("aws_lambda_function", "scheduled")
    assert function["filename"] == "${var.lambda_package}"
    assert function["source_code_hash"] == "${filebase64sha256(var.lambda_package)}"
    assert module.variables["lambda_package"]["default"] == "../build/gaib-backup-lambda.zip"


def test_outputs_name_every_resource_gaib_needs(module) -> None:
    assert {"bucket", "kms_key_arn", "metadata_table", "server_tiers_table", "notifications_topic_arn",
            "gaib_backup_config"} <= set(module.outputs)  # fmt: skip
    webhook = module.variables["discord_webhook_url"]
    assert webhook["sensitive"] is True
    assert not any("discord_webhook_url" in str(output) for output in module.outputs.values())
