"""The built-in metadata stores, registered through gaib-backup's own hook like any plugin's.

The factories import their store (pydantic models, fsspec, boto3) when a store is opened, not
when the plugin is loaded: gaib loads every plugin to build ``gaib --help``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from gaib_core.hookspecs import hookimpl

if TYPE_CHECKING:
    from gaib_backup.metadata import MetadataFactory, MetadataStore
    from gaib_backup.settings import BackupSettings
    from gaib_backup.store import BackupStore


def store_metadata(settings: BackupSettings, store: BackupStore) -> MetadataStore:
    """``store``: records and counters as objects beside the backups."""
    from gaib_backup.metadata import store_metadata as factory

    return factory(settings, store)


def dynamodb_metadata(settings: BackupSettings, store: BackupStore) -> MetadataStore:
    """``dynamodb``: the PRD's DynamoDB tables (names and region from the settings)."""
    from gaib_backup.metadata_dynamodb import dynamodb_metadata as factory

    return factory(settings, store)


@hookimpl
def gaib_backup_register_metadata(register: Callable[[str, MetadataFactory], None]) -> None:
    """``store`` (objects beside the backups) and ``dynamodb`` (the PRD's tables)."""
    register("store", store_metadata)
    register("dynamodb", dynamodb_metadata)
