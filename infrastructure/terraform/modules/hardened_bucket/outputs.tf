output "versioning_id" {
  description = "The versioning resource's id: lifecycle and replication rules need versioning on first (depend on it)."
  value       = aws_s3_bucket_versioning.this.id
}
