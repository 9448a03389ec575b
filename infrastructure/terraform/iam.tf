# The scheduled-backup function's role: exactly what a scheduled run does, on these resources.
resource "aws_iam_role" "scheduled" {
  name               = "gaib-backup-scheduled"
  description        = "gaib-backup's scheduled-backup Lambda"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role_policy" "scheduled" {
  name   = "gaib-backup-scheduled"
  role   = aws_iam_role.scheduled.id
  policy = data.aws_iam_policy_document.scheduled.json
}

data "aws_iam_policy_document" "scheduled" {
  statement {
    sid       = "ListTheBackupBucket"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.backups.arn]
  }

  # Read state and earlier backups, write new backups with their Tier tag.
  statement {
    sid = "ReadAndWriteBackups"
    actions = [
      "s3:GetObject",
      "s3:GetObjectTagging",
      "s3:PutObject",
      "s3:PutObjectTagging",
    ]
    resources = ["${aws_s3_bucket.backups.arn}/*"]
  }

  dynamic "statement" {
    for_each = length(var.state_bucket_names) == 0 ? [] : [1]
    content {
      sid       = "ReadStateBuckets"
      actions   = ["s3:GetObject", "s3:ListBucket"]
      resources = flatten([for name in var.state_bucket_names : ["arn:${local.partition}:s3:::${name}", "arn:${local.partition}:s3:::${name}/*"]])
    }
  }

  # Record each backup and read earlier ones (the unchanged-state check); scheduled backups
  # take no usage count, so no UpdateItem, and delete nothing.
  statement {
    sid     = "BackupRecords"
    actions = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]
    resources = [
      aws_dynamodb_table.backup_metadata.arn,
      "${aws_dynamodb_table.backup_metadata.arn}/index/GSI1",
    ]
  }

  statement {
    sid       = "ReadServiceTiers"
    actions   = ["dynamodb:GetItem"]
    resources = [aws_dynamodb_table.server_tiers.arn]
  }

  statement {
    sid       = "UseTheBackupKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [aws_kms_key.backups.arn]
  }

  statement {
    sid       = "Notify"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.notifications.arn]
  }

  statement {
    sid       = "DeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dead_letters.arn]
  }

  statement {
    sid       = "CountFailures"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["Gaib/Backup"]
    }
  }

  statement {
    sid       = "WriteItsOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.scheduled.arn}:*"]
  }

  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}
