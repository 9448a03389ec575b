# The hardening of both buckets moved into modules/hardened_bucket: these keep a deployment made
# before that from destroying and recreating it (destroying aws_s3_bucket_versioning suspends
# versioning) - `terraform plan` shows only the moves.

moved {
  from = aws_s3_bucket_versioning.backups
  to   = module.backups_hardening.aws_s3_bucket_versioning.this
}

moved {
  from = aws_s3_bucket_public_access_block.backups
  to   = module.backups_hardening.aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_ownership_controls.backups
  to   = module.backups_hardening.aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.backups
  to   = module.backups_hardening.aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_policy.backups
  to   = module.backups_hardening.aws_s3_bucket_policy.this
}

moved {
  from = aws_s3_bucket_versioning.replica[0]
  to   = module.replica_hardening[0].aws_s3_bucket_versioning.this
}

moved {
  from = aws_s3_bucket_public_access_block.replica[0]
  to   = module.replica_hardening[0].aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_ownership_controls.replica[0]
  to   = module.replica_hardening[0].aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.replica[0]
  to   = module.replica_hardening[0].aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_policy.replica[0]
  to   = module.replica_hardening[0].aws_s3_bucket_policy.this
}
