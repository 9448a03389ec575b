"""Where backup, snapshot and service-tier records live, and the atomic usage counts.

Two built-in kinds, chosen by ``metadata.type`` in the settings and contributed through
gaib-backup's own hook ``gaib_backup_register_metadata`` (so a plugin can add another):

- ``store`` (default): JSON objects beside the backups, on the same fsspec store, so nothing
  but the store is needed and ``file://``, ``s3://``, ``gs://`` and ``memory://`` behave alike.
  A usage count is a set of slot objects, each taken with an exclusive write: of two concurrent
  takers of the last slot, exactly one succeeds.
- ``dynamodb``: the PRD's ``gaib-backup-metadata`` table (PK/SK, GSI1, TTL) and
  ``gaib-server-tiers`` through boto3 (:mod:`gaib_backup.metadata_dynamodb`); usage counts are
  conditional ``UpdateItem`` calls.

Layout of the ``store`` kind (keys below the store's root)::

    state/{server_id}/{workspace}/backup.{timestamp}.{id}.meta.json   beside backup.{timestamp}.json.gz
    snapshots/{server_id}/{snapshot_id}/manifest.json                 the manifest is the record
    usage/{server_id}/{operation}/{window}/{slot}                     one object per use
    service-tiers/{server_id}.json                                    ServerTierConfig
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from pydantic import ValidationError

from gaib_backup.errors import IntegrityError
from gaib_backup.models import BackupMetadata, ServerTierConfig, SnapshotManifest
from gaib_backup.names import SNAPSHOTS_PREFIX, STATE_PREFIX
from gaib_backup.store import BackupStore, safe_part

if TYPE_CHECKING:
    from gaib_backup.settings import BackupSettings

USAGE_PREFIX = "usage"
SERVICE_TIERS_PREFIX = "service-tiers"
META_SUFFIX = ".meta.json"
MANIFEST = "manifest.json"


@runtime_checkable
class MetadataStore(Protocol):
    """Records of backups and snapshots, service tiers, and usage counts."""

    kind: str

    def put_backup(self, meta: BackupMetadata, *, expires: dt.datetime | None) -> None:
        """Record a backup (``expires``: when retention ends, for stores with a TTL)."""
        ...

    def backups(
        self, server_id: str, workspace: str | None = None, limit: int | None = None
    ) -> list[BackupMetadata]:
        """The server's backups (of one workspace, or all), newest first, at most ``limit``."""
        ...

    def find_backups(self, server_id: str, id_prefix: str) -> list[BackupMetadata]:
        """The server's backups whose id is ``id_prefix`` or starts with it."""
        ...

    def delete_backup(self, meta: BackupMetadata) -> None:
        """Forget a backup's record (the object is the caller's)."""
        ...

    def put_snapshot(self, manifest: SnapshotManifest, *, expires: dt.datetime | None) -> None:
        """Index a snapshot whose manifest is already written."""
        ...

    def snapshot_ids(self, server_id: str) -> list[str]:
        """Ids of the server's snapshots, newest first (their manifests are the truth)."""
        ...

    def delete_snapshot(self, manifest: SnapshotManifest) -> None:
        """Forget a snapshot's index entry."""
        ...

    def take(self, server_id: str, operation: str, window: str, limit: int) -> bool:
        """Count one use in ``window`` unless ``limit`` uses are counted; atomically."""
        ...

    def give_back(self, server_id: str, operation: str, window: str) -> None:
        """Undo one :meth:`take` (the operation failed before it stored anything)."""
        ...

    def used(self, server_id: str, operation: str, window: str) -> int:
        """How many uses ``window`` has counted."""
        ...

    def service_tier(self, server_id: str) -> ServerTierConfig | None:
        """The server's service tier record, or None (then it is free)."""
        ...

    def put_service_tier(self, config: ServerTierConfig) -> None:
        """Store the server's service tier record."""
        ...


#: ``factory(settings, store)`` builds a metadata store.
MetadataFactory = Callable[["BackupSettings", BackupStore], MetadataStore]


def _slug(operation: str) -> str:
    return operation.replace(" ", "-")


def parse_record(data: bytes, model: type[BackupMetadata] | type[SnapshotManifest], where: str):  # type: ignore[no-untyped-def]
    """Validate a stored record; ``IntegrityError`` naming ``where`` and the bad field."""
    try:
        return model.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise IntegrityError(
            f"{where}: invalid {model.__name__} at {field}: {first['msg']}",
            hint="the record was changed by hand or damaged; delete it or restore it from the "
            "bucket's previous object version",
        ) from None


class StoreMetadata:
    """Metadata as JSON objects on the backup store itself (see the module docstring)."""

    kind = "store"

    def __init__(self, store: BackupStore) -> None:
        self.store = store

    # --- backups ---------------------------------------------------------------------------------

    @staticmethod
    def meta_key(meta: BackupMetadata) -> str:
        """Where a backup's record lives: beside its object."""
        return meta.key.removesuffix(".json.gz") + f".{meta.id}{META_SUFFIX}"

    def put_backup(self, meta: BackupMetadata, *, expires: dt.datetime | None) -> None:
        """Write the record beside the object (tagged with the service tier on S3)."""
        self.store.write(self.meta_key(meta), meta.to_json(), service_tier=meta.service_tier)

    def _meta_keys(self, server_id: str, workspace: str | None) -> list[str]:
        """Record keys, newest first: one listing, no reads (the timestamp is in the name)."""
        prefix = f"{STATE_PREFIX}/{safe_part(server_id, what='server id')}"
        if workspace is not None:
            prefix += f"/{safe_part(workspace, what='workspace')}"
        keys = [k for k in self.store.list(prefix) if k.endswith(META_SUFFIX)]
        return sorted(keys, key=lambda k: k.rsplit("/", 1)[1], reverse=True)

    def _read(self, keys: list[str]) -> list[BackupMetadata]:
        out = []
        for key in keys:
            data = self.store.read(key)
            if data is not None:
                out.append(parse_record(data, BackupMetadata, self.store.describe(key)))
        return out

    def backups(
        self, server_id: str, workspace: str | None = None, limit: int | None = None
    ) -> list[BackupMetadata]:
        """The records below ``state/{server_id}/[workspace/]``, newest first; only the first
        ``limit`` are read."""
        keys = self._meta_keys(server_id, workspace)
        found = self._read(keys[:limit] if limit is not None else keys)
        return sorted(found, key=lambda m: (m.timestamp, m.id), reverse=True)

    def find_backups(self, server_id: str, id_prefix: str) -> list[BackupMetadata]:
        """Matched on the record names (``backup.{timestamp}.{id}.meta.json``); reads only those."""
        keys = self._meta_keys(server_id, None)
        exact = [k for k in keys if k.endswith(f".{id_prefix}{META_SUFFIX}")]
        if exact:
            return self._read(exact)
        return self._read(
            [k for k in keys if k.rsplit("/", 1)[1].split(".")[2].startswith(id_prefix)]
        )

    def delete_backup(self, meta: BackupMetadata) -> None:
        """Remove the record."""
        self.store.delete(self.meta_key(meta))

    # --- snapshots -------------------------------------------------------------------------------

    def put_snapshot(self, manifest: SnapshotManifest, *, expires: dt.datetime | None) -> None:
        """Nothing to do: the manifest on the store is the record."""

    def snapshot_ids(self, server_id: str) -> list[str]:
        """Snapshot directories holding a manifest, newest first (ids sort by time)."""
        prefix = f"{SNAPSHOTS_PREFIX}/{safe_part(server_id, what='server id')}"
        ids = {
            key.split("/")[2]
            for key in self.store.list(prefix)
            if key.count("/") == 3 and key.endswith(f"/{MANIFEST}")
        }
        return sorted(ids, reverse=True)

    def delete_snapshot(self, manifest: SnapshotManifest) -> None:
        """Nothing to do: deleting the manifest deletes the record."""

    # --- usage counts ----------------------------------------------------------------------------

    def _usage_prefix(self, server_id: str, operation: str, window: str) -> str:
        return (
            f"{USAGE_PREFIX}/{safe_part(server_id, what='server id')}/{_slug(operation)}/{window}"
        )

    def take(self, server_id: str, operation: str, window: str, limit: int) -> bool:
        """Take the first free slot 0..limit-1 with an exclusive write."""
        prefix = self._usage_prefix(server_id, operation, window)
        for slot in range(limit):
            try:
                self.store.write(f"{prefix}/{slot}", b"1", exclusive=True)
            except FileExistsError:
                continue
            return True
        return False

    def give_back(self, server_id: str, operation: str, window: str) -> None:
        """Free the highest taken slot."""
        keys = self.store.list(self._usage_prefix(server_id, operation, window))
        if keys:
            self.store.delete(max(keys, key=lambda k: int(k.rsplit("/", 1)[1])))

    def used(self, server_id: str, operation: str, window: str) -> int:
        """The number of slots taken."""
        return len(self.store.list(self._usage_prefix(server_id, operation, window)))

    # --- service tiers ---------------------------------------------------------------------------

    def _tier_key(self, server_id: str) -> str:
        return f"{SERVICE_TIERS_PREFIX}/{safe_part(server_id, what='server id')}.json"

    def service_tier(self, server_id: str) -> ServerTierConfig | None:
        """``service-tiers/{server_id}.json``, or None."""
        key = self._tier_key(server_id)
        data = self.store.read(key)
        if data is None:
            return None
        try:
            return ServerTierConfig.model_validate_json(data)
        except ValidationError as exc:
            raise IntegrityError(
                f"{self.store.describe(key)}: invalid service tier record: "
                f"{exc.errors()[0]['msg']}",
                hint=f"set it again with `gaib server tier set free --guild {server_id}`",
            ) from None

    def put_service_tier(self, config: ServerTierConfig) -> None:
        """Write ``service-tiers/{server_id}.json``."""
        self.store.write(self._tier_key(config.server_id), config.to_json())


def store_metadata(settings: BackupSettings, store: BackupStore) -> MetadataStore:
    """Factory of the built-in ``store`` kind."""
    return StoreMetadata(store)
