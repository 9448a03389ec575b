# Backup, snapshot and theme-deployment metadata (PRD 16.1), when gaib-backup is configured to
# keep metadata in DynamoDB instead of beside the objects.
resource "aws_dynamodb_table" "backup_metadata" {
  name         = "gaib-backup-metadata"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "PK"
  range_key    = "SK"

  attribute {
    name = "PK"
    type = "S"
  }

  attribute {
    name = "SK"
    type = "S"
  }

  attribute {
    name = "GSI1PK"
    type = "S"
  }

  attribute {
    name = "GSI1SK"
    type = "S"
  }

  global_secondary_index {
    name            = "GSI1"
    hash_key        = "GSI1PK"
    range_key       = "GSI1SK"
    projection_type = "ALL"
  }

  ttl {
    attribute_name = "TTL"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.backups.arn
  }

  deletion_protection_enabled = var.deletion_protection
}

# Each server's service tier (PRD 15.2): partition key SERVER#{server_id}, no TTL (persistent).
resource "aws_dynamodb_table" "server_tiers" {
  name         = "gaib-server-tiers"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "PK"

  attribute {
    name = "PK"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.backups.arn
  }

  deletion_protection_enabled = var.deletion_protection
}
