# The scheduled-backup function: gaib-backup's handler (gaib_backup.aws_lambda.handler), packaged
# from this repository by `nox -s lambda_package` (see README). Terraform uploads the zip.
resource "aws_lambda_function" "scheduled" {
  # checkov:skip=CKV_AWS_117:The function talks only to AWS APIs and the optional Discord webhook over TLS; a VPC would need a NAT gateway (~32 USD/month) for that and protect nothing here.
  # checkov:skip=CKV_AWS_272:The zip is built from this repository by `nox -s lambda_package` and uploaded by Terraform; no signing profile exists to sign it with.
  function_name = local.function_name
  description   = "gaib-backup: scheduled backups by service tier, with notifications"
  role          = aws_iam_role.scheduled.arn
  handler       = "gaib_backup.aws_lambda.handler"
  runtime       = var.lambda_runtime
  architectures = [var.lambda_architecture]
  memory_size   = var.lambda_memory_mb
  timeout       = var.lambda_timeout_seconds

  filename         = var.lambda_package
  source_code_hash = filebase64sha256(var.lambda_package)

  reserved_concurrent_executions = var.lambda_reserved_concurrency
  kms_key_arn                    = aws_kms_key.backups.arn

  environment {
    variables = merge(
      {
        # gaib-backup's settings from the environment (gaib_backup.settings); the tables are
        # gaib-backup's default names, which are the ones dynamodb.tf creates.
        GAIB_BACKUP_STORE         = "s3://${aws_s3_bucket.backups.bucket}"
        GAIB_BACKUP_KMS_KEY       = aws_kms_key.backups.arn
        GAIB_BACKUP_METADATA      = "dynamodb"
        GAIB_BACKUP_SNS_TOPIC_ARN = aws_sns_topic.notifications.arn
      },
      # The webhook URL is a secret: set only when given, never in the outputs.
      var.discord_webhook_url == null ? {} : { GAIB_BACKUP_DISCORD_WEBHOOK_URL = var.discord_webhook_url },
    )
  }

  dead_letter_config {
    target_arn = aws_sqs_queue.dead_letters.arn
  }

  tracing_config {
    mode = "Active"
  }

  depends_on = [aws_cloudwatch_log_group.scheduled, aws_iam_role_policy.scheduled]
}

# Asynchronous invocations (EventBridge's) retry twice on error; the dead-letter queue gets the
# event after that.
resource "aws_lambda_function_event_invoke_config" "scheduled" {
  function_name                = aws_lambda_function.scheduled.function_name
  maximum_retry_attempts       = 2
  maximum_event_age_in_seconds = 3600
}

resource "aws_cloudwatch_log_group" "scheduled" {
  name              = local.log_group
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.backups.arn
}
