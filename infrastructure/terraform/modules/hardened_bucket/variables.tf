variable "bucket_id" {
  description = "The bucket to harden (aws_s3_bucket.<name>.id)."
  type        = string
}

variable "bucket_arn" {
  description = "Its ARN (aws_s3_bucket.<name>.arn), for the TLS-only policy."
  type        = string
}

variable "kms_key_arn" {
  description = "The KMS key objects are encrypted with by default (SSE-KMS)."
  type        = string
}
