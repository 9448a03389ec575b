# The backup bucket (PRD 16.1): gaib-backup's default store, s3://gaib-backups-{account_id}.
resource "aws_s3_bucket" "backups" {
  # checkov:skip=CKV_AWS_18:Server access logs would need a second bucket that costs more than the backups; every write is by gaib or the Lambda and CloudTrail records the API calls.
  # checkov:skip=CKV2_AWS_62:Nothing consumes object events: gaib records each backup in its metadata itself.
  bucket        = local.bucket_name
  force_destroy = false

  tags = {
    Name    = "Gaib Backup Storage"
    Purpose = "Discord IaC Backups"
  }
}

# Versioned, private, owner-enforced, SSE-KMS under the backups key, TLS only.
module "backups_hardening" {
  source      = "./modules/hardened_bucket"
  bucket_id   = aws_s3_bucket.backups.id
  bucket_arn  = aws_s3_bucket.backups.arn
  kms_key_arn = aws_kms_key.backups.arn
}

# Retention by service tier (PRD 15.1), on the Tier tag gaib-backup puts on every object:
# free keeps 7 days; premium moves to a Glacier class at 30 days and expires at 90. Versioning
# keeps an expired or overwritten object as a noncurrent version, so those follow the same clock.
resource "aws_s3_bucket_lifecycle_configuration" "backups" {
  bucket = aws_s3_bucket.backups.id

  rule {
    id     = "free-tier-retention"
    status = "Enabled"
    filter {
      tag {
        key   = "Tier"
        value = "free"
      }
    }
    expiration {
      days = local.free_expiration_days
    }
    noncurrent_version_expiration {
      noncurrent_days = local.noncurrent_expiration_days
    }
  }

  rule {
    id     = "premium-tier-glacier"
    status = "Enabled"
    filter {
      tag {
        key   = "Tier"
        value = "premium"
      }
    }
    transition {
      days          = local.premium_glacier_days
      storage_class = var.premium_archive_storage_class
    }
    expiration {
      days = local.premium_expiration_days
    }
    noncurrent_version_transition {
      noncurrent_days = local.premium_glacier_days
      storage_class   = var.premium_archive_storage_class
    }
    noncurrent_version_expiration {
      noncurrent_days = local.premium_expiration_days
    }
  }

  # Untagged housekeeping (tag filters cannot carry these): drop delete markers left alone once
  # their versions expired, and parts of uploads that never completed.
  rule {
    id     = "housekeeping"
    status = "Enabled"
    filter {}
    expiration {
      expired_object_delete_marker = true
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = local.incomplete_upload_abort_day
    }
  }

  depends_on = [module.backups_hardening]
}
