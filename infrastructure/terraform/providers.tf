provider "aws" {
  region = var.region

  default_tags {
    tags = var.tags
  }
}

# The replica bucket and its key live in their own region (PRD 16.2: us-west-2). Terraform
# configures this provider even when replication is off; it makes no calls then.
provider "aws" {
  alias  = "replica"
  region = var.replica_region

  default_tags {
    tags = var.tags
  }
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  # gaib_backup.names.BUCKET_TEMPLATE = "gaib-backups-{account_id}"
  bucket_name         = "gaib-backups-${local.account_id}"
  replica_bucket_name = "gaib-backups-${local.account_id}-replica"

  function_name = "gaib-backup-scheduled"
  log_group     = "/aws/lambda/${local.function_name}"

  # The service tiers' retention (PRD 15.1): what the lifecycle rules and the replica apply.
  free_expiration_days        = 7
  premium_glacier_days        = 30
  premium_expiration_days     = 90
  noncurrent_expiration_days  = 7
  incomplete_upload_abort_day = 1
}
