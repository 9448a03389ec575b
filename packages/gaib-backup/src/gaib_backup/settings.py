"""gaib-backup's settings: ``.gaib/backup.yaml`` in the project, overridden by the environment.

::

    store: s3://gaib-backups-123456789012     # default: file://<project>/.gaib/backups
    storage_options: {}                       # fsspec options for the store's scheme
    kms_key_id: alias/gaib-backups            # S3 only: SSE-KMS with this key
    metadata:
      type: store                             # or dynamodb (the PRD's tables), or a plugin's
      table: gaib-backup-metadata
      tiers_table: gaib-server-tiers
      region: us-east-1
    safety_backups: true                      # a backup before every change
    deployment_snapshots: true                # a snapshot after every deployment (for rollback)

Environment: ``GAIB_BACKUP_STORE`` (the URL), ``GAIB_BACKUP_KMS_KEY``, ``GAIB_BACKUP_METADATA``
(the metadata type). ``--store`` on a command wins over both. No secret is ever read from or
written to this file: AWS credentials come from the usual AWS environment and profiles.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from gaib_core.errors import ConfigError, SourceLocation
from gaib_core.project import GAIB_DIR, Project
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gaib_backup.names import METADATA_TABLE, SERVER_TIERS_TABLE

SETTINGS_FILE = "backup.yaml"
STORE_ENV = "GAIB_BACKUP_STORE"
KMS_ENV = "GAIB_BACKUP_KMS_KEY"
METADATA_ENV = "GAIB_BACKUP_METADATA"
DEFAULT_DIR = "backups"


class MetadataSettings(BaseModel):
    """Which metadata store, and its tables for ``dynamodb``."""

    model_config = ConfigDict(extra="forbid")

    type: str = "store"
    table: str = METADATA_TABLE
    tiers_table: str = SERVER_TIERS_TABLE
    region: str | None = None
    endpoint_url: str | None = None


class BackupSettings(BaseModel):
    """The contents of ``.gaib/backup.yaml`` (see the module docstring)."""

    model_config = ConfigDict(extra="forbid")

    store: str | None = None
    storage_options: dict[str, Any] = Field(default_factory=dict)
    kms_key_id: str | None = None
    metadata: MetadataSettings = Field(default_factory=MetadataSettings)
    safety_backups: bool = True
    deployment_snapshots: bool = True


def default_store(root: Path) -> str:
    """``file://<root>/.gaib/backups``."""
    return (root / GAIB_DIR / DEFAULT_DIR).resolve().as_uri()


def load_settings(project: Project, *, store: str | None = None) -> BackupSettings:
    """The project's settings with the environment and ``store`` applied; ``ConfigError`` if bad."""
    path = project.gaib_dir / SETTINGS_FILE
    settings = BackupSettings()
    if path.exists():
        try:
            raw = yaml.safe_load(path.read_text()) or {}
            settings = BackupSettings.model_validate(raw)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            raise ConfigError(
                f"not valid YAML ({getattr(exc, 'problem', exc)})",
                location=SourceLocation(str(path), line),
                hint="fix the file (see the gaib-backup README for its keys)",
            ) from None
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "(top level)"
            raise ConfigError(
                first["msg"],
                location=SourceLocation(str(path)),
                field=field,
                hint="see the gaib-backup README for the keys backup.yaml accepts",
            ) from None
    if os.environ.get(STORE_ENV):
        settings.store = os.environ[STORE_ENV]
    if os.environ.get(KMS_ENV):
        settings.kms_key_id = os.environ[KMS_ENV]
    if os.environ.get(METADATA_ENV):
        settings.metadata.type = os.environ[METADATA_ENV]
    if store:
        settings.store = store
    if not settings.store:
        settings.store = default_store(project.root)
    return settings
