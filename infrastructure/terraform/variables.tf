variable "region" {
  description = "AWS region of the bucket, tables, topic, key and function."
  type        = string
  default     = "us-east-1"
}

variable "enable_cross_region_replication" {
  description = "Replicate premium-tier objects to a bucket in replica_region under its own KMS key (PRD 16.2)."
  type        = bool
  default     = false
}

variable "replica_region" {
  description = "Region of the cross-region replica (PRD 16.2: us-west-2)."
  type        = string
  default     = "us-west-2"
}

variable "premium_archive_storage_class" {
  description = "Where premium objects move after 30 days. GLACIER_IR (Glacier Instant Retrieval) keeps `gaib server backup restore` working on them; GLACIER or DEEP_ARCHIVE are cheaper but need an S3 restore request first."
  type        = string
  default     = "GLACIER_IR"

  validation {
    condition     = contains(["GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], var.premium_archive_storage_class)
    error_message = "premium_archive_storage_class must be GLACIER_IR, GLACIER or DEEP_ARCHIVE."
  }
}

variable "kms_deletion_window_days" {
  description = "Days a scheduled deletion of the KMS keys can still be cancelled (7-30). Deleting the key makes every backup unreadable."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days must be between 7 and 30 (AWS's limits)."
  }
}

variable "deletion_protection" {
  description = "Protect both DynamoDB tables from deletion (set false before `terraform destroy`)."
  type        = bool
  default     = true
}

variable "lambda_package" {
  description = "Path of the function's zip, built by `nox -s lambda_package` from the repository root."
  type        = string
  default     = "../build/gaib-backup-lambda.zip"
}

variable "lambda_runtime" {
  description = "Lambda runtime; the package's compiled wheels are built for this Python (nox -s lambda_package reads it here)."
  type        = string
  default     = "python3.12"

  validation {
    condition     = can(regex("^python3\\.(1[1-9])$", var.lambda_runtime))
    error_message = "lambda_runtime must be python3.11 or newer (gaib needs Python 3.11+)."
  }
}

variable "lambda_architecture" {
  description = "Lambda architecture, x86_64 or arm64 (nox -s lambda_package reads it here)."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.lambda_architecture)
    error_message = "lambda_architecture must be x86_64 or arm64."
  }
}

variable "lambda_memory_mb" {
  description = "Memory of the scheduled-backup function (MB); CPU scales with it."
  type        = number
  default     = 512
}

variable "lambda_timeout_seconds" {
  description = "Time limit of one scheduled run (seconds, at most 900)."
  type        = number
  default     = 300

  validation {
    condition     = var.lambda_timeout_seconds >= 10 && var.lambda_timeout_seconds <= 900
    error_message = "lambda_timeout_seconds must be between 10 and 900 (Lambda's limit)."
  }
}

variable "lambda_reserved_concurrency" {
  description = "Concurrency reserved for the function; -1 reserves none (accounts with a concurrency quota under 110 cannot reserve)."
  type        = number
  default     = -1
}

variable "log_retention_days" {
  description = "Days the function's CloudWatch logs are kept."
  type        = number
  default     = 365
}

variable "state_bucket_names" {
  description = "Buckets holding gaib state (an s3:// state backend) that scheduled runs read, besides the backup bucket."
  type        = list(string)
  default     = []
}

variable "notification_emails" {
  description = "E-mail addresses subscribed to the notification topic (each confirms by e-mail)."
  type        = list(string)
  default     = []
}

variable "discord_webhook_url" {
  description = "Discord webhook that receives scheduled-backup notifications (optional; a secret, kept in the function's KMS-encrypted environment)."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.discord_webhook_url == null || can(regex("^https://(ptb\\.|canary\\.)?(discord\\.com|discordapp\\.com)/api/webhooks/", var.discord_webhook_url))
    error_message = "discord_webhook_url must be a Discord webhook URL (https://discord.com/api/webhooks/<id>/<token>)."
  }
}

variable "schedules_enabled" {
  description = "Run the daily and hourly schedules (false keeps the rules but disables them)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags on every resource (the provider's default_tags). gaib's Tier tag is on objects, not here."
  type        = map(string)
  default = {
    Project   = "gaib"
    Component = "gaib-backup"
    ManagedBy = "terraform"
  }
}
