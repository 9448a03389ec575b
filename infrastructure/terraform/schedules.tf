# Scheduled backups (PRD 15.1): free servers daily at 03:00 UTC, premium servers hourly. The
# handler reads which rule fired from the event and backs up the servers of that service tier
# whose backup for the current period is still missing.
locals {
  schedules = {
    daily = {
      expression  = "cron(0 3 * * ? *)"
      description = "gaib-backup: daily backups of free-tier servers (03:00 UTC)"
    }
    hourly = {
      expression  = "rate(1 hour)"
      description = "gaib-backup: hourly backups of premium-tier servers"
    }
  }
}

resource "aws_cloudwatch_event_rule" "schedule" {
  for_each            = local.schedules
  name                = "gaib-backup-${each.key}"
  description         = each.value.description
  schedule_expression = each.value.expression
  state               = var.schedules_enabled ? "ENABLED" : "DISABLED"
}

resource "aws_cloudwatch_event_target" "schedule" {
  for_each = local.schedules
  rule     = aws_cloudwatch_event_rule.schedule[each.key].name
  arn      = aws_lambda_function.scheduled.arn

  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 3
  }

  dead_letter_config {
    arn = aws_sqs_queue.dead_letters.arn
  }
}

resource "aws_lambda_permission" "schedule" {
  for_each      = local.schedules
  statement_id  = "AllowGaibBackup${title(each.key)}Schedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.scheduled.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule[each.key].arn
}
