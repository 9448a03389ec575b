# Cross-region replication of premium objects (PRD 15.1, 16.2): off unless
# enable_cross_region_replication = true. The replica bucket lives in var.replica_region
# (us-west-2) under its own KMS key, so losing the primary region or its key loses no premium
# backup.
locals {
  replication = var.enable_cross_region_replication ? 1 : 0
}

resource "aws_kms_key" "replica" {
  count                   = local.replication
  provider                = aws.replica
  description             = "gaib-backup: cross-region replica of premium backups"
  deletion_window_in_days = var.kms_deletion_window_days
  enable_key_rotation     = true
  policy                  = data.aws_iam_policy_document.replica_key.json
}

resource "aws_kms_alias" "replica" {
  count         = local.replication
  provider      = aws.replica
  name          = "alias/gaib-backups-replica"
  target_key_id = aws_kms_key.replica[0].key_id
}

data "aws_iam_policy_document" "replica_key" {
  # checkov:skip=CKV_AWS_109:A key policy's Resource "*" means this key only (AWS key policy grammar); the account root statement delegates the key to IAM policies.
  # checkov:skip=CKV_AWS_111:A key policy's Resource "*" means this key only (AWS key policy grammar).
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
}

resource "aws_s3_bucket" "replica" {
  # checkov:skip=CKV_AWS_18:Server access logs would need a third bucket; only S3 replication writes here and CloudTrail records it.
  # checkov:skip=CKV2_AWS_62:Nothing consumes object events of the replica.
  count         = local.replication
  provider      = aws.replica
  bucket        = local.replica_bucket_name
  force_destroy = false

  tags = {
    Name    = "Gaib Backup Replica"
    Purpose = "Discord IaC Backups (cross-region replica)"
  }

  lifecycle {
    precondition {
      condition     = var.replica_region != var.region
      error_message = "replica_region must differ from region: a replica in the same region survives no regional outage."
    }
  }
}

# The same hardening as the primary bucket, under the replica key, in the replica region.
module "replica_hardening" {
  count       = local.replication
  source      = "./modules/hardened_bucket"
  providers   = { aws = aws.replica }
  bucket_id   = aws_s3_bucket.replica[0].id
  bucket_arn  = aws_s3_bucket.replica[0].arn
  kms_key_arn = aws_kms_key.replica[0].arn
}

# Replicas keep their Tier tag, so premium retention applies in the replica region too.
resource "aws_s3_bucket_lifecycle_configuration" "replica" {
  count    = local.replication
  provider = aws.replica
  bucket   = aws_s3_bucket.replica[0].id

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

  depends_on = [module.replica_hardening]
}

# The role S3 assumes to copy premium objects: read versions from the primary bucket under the
# primary key, write replicas under the replica key.
resource "aws_iam_role" "replication" {
  count              = local.replication
  name               = "gaib-backup-replication"
  description        = "S3 replication of premium gaib backups to ${var.replica_region}"
  assume_role_policy = data.aws_iam_policy_document.replication_assume.json
}

data "aws_iam_policy_document" "replication_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role_policy" "replication" {
  count  = local.replication
  name   = "gaib-backup-replication"
  role   = aws_iam_role.replication[0].id
  policy = data.aws_iam_policy_document.replication[0].json
}

data "aws_iam_policy_document" "replication" {
  count = local.replication

  statement {
    sid       = "ReadReplicationConfiguration"
    actions   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
    resources = [aws_s3_bucket.backups.arn]
  }

  statement {
    sid = "ReadSourceVersions"
    actions = [
      "s3:GetObjectVersionForReplication",
      "s3:GetObjectVersionAcl",
      "s3:GetObjectVersionTagging",
    ]
    resources = ["${aws_s3_bucket.backups.arn}/*"]
  }

  statement {
    sid       = "WriteReplicas"
    actions   = ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"]
    resources = ["${aws_s3_bucket.replica[0].arn}/*"]
  }

  statement {
    sid       = "DecryptSource"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.backups.arn]
    condition {
      test     = "StringLike"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }

  statement {
    sid       = "EncryptReplicas"
    actions   = ["kms:Encrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.replica[0].arn]
    condition {
      test     = "StringLike"
      variable = "kms:ViaService"
      values   = ["s3.${var.replica_region}.amazonaws.com"]
    }
  }
}

resource "aws_s3_bucket_replication_configuration" "backups" {
  count  = local.replication
  bucket = aws_s3_bucket.backups.id
  role   = aws_iam_role.replication[0].arn

  rule {
    id     = "premium-replication"
    status = "Enabled"

    filter {
      tag {
        key   = "Tier"
        value = "premium"
      }
    }

    # Deletes are not replicated: the replica is the copy that survives a mistaken delete.
    delete_marker_replication {
      status = "Disabled"
    }

    source_selection_criteria {
      sse_kms_encrypted_objects {
        status = "Enabled"
      }
    }

    destination {
      bucket        = aws_s3_bucket.replica[0].arn
      storage_class = "STANDARD"
      encryption_configuration {
        replica_kms_key_id = aws_kms_key.replica[0].arn
      }
    }
  }

  # S3 refuses a replication configuration on a bucket whose versioning is not on yet.
  depends_on = [module.backups_hardening, module.replica_hardening]
}
