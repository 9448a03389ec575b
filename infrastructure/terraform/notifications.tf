# Success and failure notifications of scheduled backups (gaib-backup's SNS notifier) and the
# alarms below. Subscribe with e-mail, SMS, a chat integration or an SQS queue.
resource "aws_sns_topic" "notifications" {
  name              = "gaib-backup-notifications"
  kms_master_key_id = aws_kms_key.backups.arn
}

resource "aws_sns_topic_subscription" "email" {
  for_each  = toset(var.notification_emails)
  topic_arn = aws_sns_topic.notifications.arn
  protocol  = "email"
  endpoint  = each.value
}

# Invocations that failed after Lambda's and EventBridge's retries land here with their event,
# so a missed schedule can be inspected and replayed.
resource "aws_sqs_queue" "dead_letters" {
  name                      = "gaib-backup-scheduled-dlq"
  kms_master_key_id         = aws_kms_key.backups.arn
  message_retention_seconds = 1209600 # 14 days, SQS's maximum
}

resource "aws_sqs_queue_policy" "dead_letters" {
  queue_url = aws_sqs_queue.dead_letters.id
  policy    = data.aws_iam_policy_document.dead_letters.json
}

data "aws_iam_policy_document" "dead_letters" {
  statement {
    sid       = "SchedulesSendUndeliverableEvents"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dead_letters.arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [for rule in aws_cloudwatch_event_rule.schedule : rule.arn]
    }
  }
}

# A failed scheduled run emits Gaib/Backup ScheduledBackupFailures (gaib_backup.names); any
# failure within an evaluation period raises the alarm.
resource "aws_cloudwatch_metric_alarm" "scheduled_backup_failures" {
  alarm_name          = "gaib-backup-scheduled-failures"
  alarm_description   = "A scheduled gaib backup failed (see the function's log and the notification topic)."
  namespace           = "Gaib/Backup"
  metric_name         = "ScheduledBackupFailures"
  statistic           = "Sum"
  period              = 3600
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.notifications.arn]
  ok_actions          = [aws_sns_topic.notifications.arn]
}

# The function itself failing (a crash before it could count a failure, a timeout) is a missed
# schedule too.
resource "aws_cloudwatch_metric_alarm" "function_errors" {
  alarm_name          = "gaib-backup-scheduled-errors"
  alarm_description   = "The scheduled backup function errored or timed out."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.scheduled.function_name }
  statistic           = "Sum"
  period              = 3600
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.notifications.arn]
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  alarm_name          = "gaib-backup-scheduled-dead-letters"
  alarm_description   = "A scheduled backup invocation was given up on; its event is in the dead-letter queue."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dead_letters.name }
  statistic           = "Maximum"
  period              = 3600
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.notifications.arn]
}
