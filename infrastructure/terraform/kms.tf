# One customer-managed key encrypts everything gaib-backup writes in this region: the bucket's
# objects (SSE-KMS), both DynamoDB tables, the SNS topic, the dead-letter queue, the Lambda's
# environment and its log group.
resource "aws_kms_key" "backups" {
  description             = "gaib-backup: backups, metadata, notifications"
  deletion_window_in_days = var.kms_deletion_window_days
  enable_key_rotation     = true
  policy                  = data.aws_iam_policy_document.backups_key.json
}

resource "aws_kms_alias" "backups" {
  name          = "alias/gaib-backups"
  target_key_id = aws_kms_key.backups.key_id
}

data "aws_iam_policy_document" "backups_key" {
  # checkov:skip=CKV_AWS_109:A key policy's Resource "*" means this key only (AWS key policy grammar); the account root statement is what delegates the key to IAM policies.
  # checkov:skip=CKV_AWS_111:A key policy's Resource "*" means this key only (AWS key policy grammar); write access is scoped by the principals below.
  # checkov:skip=CKV_AWS_356:A key policy's Resource "*" means this key only (AWS key policy grammar).
  statement {
    sid       = "AccountAdministersTheKeyThroughIAM"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  # CloudWatch alarms publish to the encrypted topic; EventBridge sends undeliverable events
  # to the encrypted dead-letter queue. Both services need the key for that.
  statement {
    sid       = "AlarmsAndSchedulesUseTheKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "events.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  # The Lambda's log group is encrypted with this key (CloudWatch Logs needs the context pin).
  statement {
    sid = "LogsEncryptTheFunctionLogGroup"
    actions = [
      "kms:Encrypt*",
      "kms:Decrypt*",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group}"]
    }
  }
}
