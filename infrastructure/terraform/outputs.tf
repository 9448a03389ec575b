output "bucket" {
  description = "The backup bucket (gaib-backup's store is s3://<bucket>)."
  value       = aws_s3_bucket.backups.bucket
}

output "store_url" {
  description = "gaib-backup's store URL for this bucket (--store, GAIB_BACKUP_STORE or .gaib/backup.yaml)."
  value       = "s3://${aws_s3_bucket.backups.bucket}"
}

output "kms_key_arn" {
  description = "The KMS key encrypting backups, tables, topic and logs."
  value       = aws_kms_key.backups.arn
}

output "kms_key_alias" {
  description = "The key's alias."
  value       = aws_kms_alias.backups.name
}

output "metadata_table" {
  description = "DynamoDB table of backup, snapshot and theme-deployment metadata."
  value       = aws_dynamodb_table.backup_metadata.name
}

output "server_tiers_table" {
  description = "DynamoDB table of each server's service tier."
  value       = aws_dynamodb_table.server_tiers.name
}

output "notifications_topic_arn" {
  description = "SNS topic of scheduled-backup notifications and alarms."
  value       = aws_sns_topic.notifications.arn
}

output "function_name" {
  description = "The scheduled-backup Lambda function."
  value       = aws_lambda_function.scheduled.function_name
}

output "dead_letter_queue_url" {
  description = "SQS queue holding scheduled invocations that failed after all retries."
  value       = aws_sqs_queue.dead_letters.url
}

output "replica_bucket" {
  description = "The cross-region replica bucket (null unless enable_cross_region_replication)."
  value       = var.enable_cross_region_replication ? aws_s3_bucket.replica[0].bucket : null
}

output "gaib_backup_config" {
  description = "A ready .gaib/backup.yaml pointing gaib at these resources (`terraform output -raw gaib_backup_config > .gaib/backup.yaml`)."
  value = yamlencode({
    store      = "s3://${aws_s3_bucket.backups.bucket}"
    kms_key_id = aws_kms_key.backups.arn
    metadata = {
      type        = "dynamodb"
      table       = aws_dynamodb_table.backup_metadata.name
      tiers_table = aws_dynamodb_table.server_tiers.name
      region      = local.region
    }
  })
}
