"""The built-in metadata stores, registered through gaib-backup's own hook like any plugin's."""

from __future__ import annotations

from collections.abc import Callable

from gaib_core.hookspecs import hookimpl

from gaib_backup.metadata import MetadataFactory, store_metadata
from gaib_backup.metadata_dynamodb import dynamodb_metadata


@hookimpl
def gaib_backup_register_metadata(register: Callable[[str, MetadataFactory], None]) -> None:
    """``store`` (objects beside the backups) and ``dynamodb`` (the PRD's tables)."""
    register("store", store_metadata)
    register("dynamodb", dynamodb_metadata)
