terraform {
  # 1.5 brought `check` blocks and stable `import` blocks; nothing here needs newer.
  required_version = ">= 1.5.0, < 2.0.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.x: the split S3 resources (aws_s3_bucket_*), replication filters and V2 lifecycle rules.
      version = "~> 5.60"
    }
  }
}
