"""Metadata in DynamoDB (PRD 16.1): ``gaib-backup-metadata`` and ``gaib-server-tiers``, via boto3.

Items of ``gaib-backup-metadata`` (``PK``/``SK``, ``GSI1PK``/``GSI1SK``, ``TTL`` in epoch
seconds so DynamoDB expires records with the service tier's retention)::

    PK=SERVER#{server_id}  SK=BACKUP#{timestamp}#{id}      GSI1PK=BACKUP#{id}    record=<json>
    PK=SERVER#{server_id}  SK=SNAPSHOT#{snapshot_id}       GSI1PK=SNAPSHOT#{id}  record=<json>
    PK=SERVER#{server_id}  SK=USAGE#{operation}#{window}   count=<n>

A usage count is one ``UpdateItem`` that adds 1 on the condition that the count is below the
limit, so DynamoDB itself refuses the second of two concurrent creates. ``gaib-server-tiers``
holds ``PK=SERVER#{server_id}`` with the ``ServerTierConfig`` fields.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from gaib_backup.errors import StoreError
from gaib_backup.metadata import MetadataStore, parse_record
from gaib_backup.models import BackupMetadata, ServerTierConfig, SnapshotManifest
from gaib_backup.names import (
    METADATA_GSI,
    METADATA_TABLE,
    METADATA_TTL_ATTRIBUTE,
    SERVER_TIERS_TABLE,
)

if TYPE_CHECKING:
    from gaib_backup.settings import BackupSettings
    from gaib_backup.store import BackupStore

#: Usage items outlive their window by this much (then DynamoDB's TTL removes them).
USAGE_GRACE = dt.timedelta(days=8)


def _epoch(when: dt.datetime) -> int:
    return int(when.timestamp())


class DynamoMetadata:
    """The ``dynamodb`` metadata kind (see the module docstring)."""

    kind = "dynamodb"

    def __init__(
        self,
        *,
        table: str = METADATA_TABLE,
        tiers_table: str = SERVER_TIERS_TABLE,
        region: str | None = None,
        endpoint_url: str | None = None,
    ) -> None:
        import boto3
        from boto3.dynamodb.conditions import Key

        self._key = Key
        resource = boto3.resource("dynamodb", region_name=region, endpoint_url=endpoint_url)
        self.table = resource.Table(table)
        self.tiers = resource.Table(tiers_table)
        self.client = resource.meta.client

    def _call(self, what: str, call: Any, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return call(**kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "ConditionalCheckFailedException":
                raise
            raise StoreError(
                f"DynamoDB {what} failed on {self.table.name}: {code or exc}",
                hint="check the table exists (infrastructure/terraform creates it), the region "
                "and the credentials",
            ) from None
        except BotoCoreError as exc:
            raise StoreError(
                f"DynamoDB {what} failed: {exc}", hint="check the region and the credentials"
            ) from None

    def _query(self, server_id: str, prefix: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": self._key("PK").eq(f"SERVER#{server_id}")
            & self._key("SK").begins_with(prefix),
            "ScanIndexForward": False,
        }
        while True:
            answer = self._call("query", self.table.query, **kwargs)
            items.extend(answer.get("Items", []))
            if "LastEvaluatedKey" not in answer:
                return items
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    # --- backups ---------------------------------------------------------------------------------

    def put_backup(self, meta: BackupMetadata, *, expires: dt.datetime | None) -> None:
        """One item per backup."""
        item: dict[str, Any] = {
            "PK": f"SERVER#{meta.server_id}",
            "SK": f"BACKUP#{meta.timestamp}#{meta.id}",
            "GSI1PK": f"BACKUP#{meta.id}",
            "GSI1SK": f"SERVER#{meta.server_id}",
            "record": meta.to_json().decode(),
        }
        if expires is not None:
            item[METADATA_TTL_ATTRIBUTE] = _epoch(expires)
        self._call("put", self.table.put_item, Item=item)

    def backups(
        self, server_id: str, workspace: str | None = None, limit: int | None = None
    ) -> list[BackupMetadata]:
        """Query ``SERVER#{id}`` / ``BACKUP#``, newest first."""
        out = [
            parse_record(item["record"].encode(), BackupMetadata, f"{self.table.name} {item['SK']}")
            for item in self._query(server_id, "BACKUP#")
        ]
        found = [m for m in out if workspace is None or m.workspace == workspace]
        return found[:limit] if limit is not None else found

    def find_backups(self, server_id: str, id_prefix: str) -> list[BackupMetadata]:
        """An exact id through GSI1 (one query); a prefix from the server's records."""
        answer = self._call(
            "query",
            self.table.query,
            IndexName=METADATA_GSI,
            KeyConditionExpression=self._key("GSI1PK").eq(f"BACKUP#{id_prefix}"),
        )
        exact = [
            parse_record(i["record"].encode(), BackupMetadata, f"{self.table.name} {i['SK']}")
            for i in answer.get("Items", [])
            if i.get("GSI1SK") == f"SERVER#{server_id}"
        ]
        if exact:
            return exact
        return [m for m in self.backups(server_id) if m.id.startswith(id_prefix)]

    def delete_backup(self, meta: BackupMetadata) -> None:
        """Delete the item."""
        key = {"PK": f"SERVER#{meta.server_id}", "SK": f"BACKUP#{meta.timestamp}#{meta.id}"}
        self._call("delete", self.table.delete_item, Key=key)

    def find_backup_server(self, backup_id: str) -> str | None:
        """The server a backup id belongs to, through GSI1 (``BACKUP#{id}``)."""
        answer = self._call(
            "query",
            self.table.query,
            IndexName=METADATA_GSI,
            KeyConditionExpression=self._key("GSI1PK").eq(f"BACKUP#{backup_id}"),
        )
        items = answer.get("Items", [])
        return str(items[0]["GSI1SK"]).removeprefix("SERVER#") if items else None

    # --- snapshots -------------------------------------------------------------------------------

    def put_snapshot(self, manifest: SnapshotManifest, *, expires: dt.datetime | None) -> None:
        """One item per snapshot (ids sort by time)."""
        item: dict[str, Any] = {
            "PK": f"SERVER#{manifest.server_id}",
            "SK": f"SNAPSHOT#{manifest.id}",
            "GSI1PK": f"SNAPSHOT#{manifest.id}",
            "GSI1SK": f"SERVER#{manifest.server_id}",
            "record": manifest.to_json().decode(),
        }
        if expires is not None:
            item[METADATA_TTL_ATTRIBUTE] = _epoch(expires)
        self._call("put", self.table.put_item, Item=item)

    def snapshot_ids(self, server_id: str) -> list[str]:
        """Query ``SNAPSHOT#``, newest first."""
        return [str(i["SK"]).removeprefix("SNAPSHOT#") for i in self._query(server_id, "SNAPSHOT#")]

    def delete_snapshot(self, manifest: SnapshotManifest) -> None:
        """Delete the item."""
        key = {"PK": f"SERVER#{manifest.server_id}", "SK": f"SNAPSHOT#{manifest.id}"}
        self._call("delete", self.table.delete_item, Key=key)

    # --- usage counts ----------------------------------------------------------------------------

    def _usage_key(self, server_id: str, operation: str, window: str) -> dict[str, str]:
        return {"PK": f"SERVER#{server_id}", "SK": f"USAGE#{operation}#{window}"}

    def take(self, server_id: str, operation: str, window: str, limit: int) -> bool:
        """``ADD count 1`` if ``count < limit`` (or absent), in one conditional write."""
        from botocore.exceptions import ClientError

        expires = dt.datetime.now(dt.UTC) + USAGE_GRACE
        try:
            self._call(
                "update",
                self.table.update_item,
                Key=self._usage_key(server_id, operation, window),
                UpdateExpression="ADD #c :one SET #t = :ttl",
                ConditionExpression="attribute_not_exists(#c) OR #c < :limit",
                ExpressionAttributeNames={"#c": "count", "#t": METADATA_TTL_ATTRIBUTE},
                ExpressionAttributeValues={":one": 1, ":limit": limit, ":ttl": _epoch(expires)},
            )
        except ClientError:
            return False
        return True

    def give_back(self, server_id: str, operation: str, window: str) -> None:
        """``ADD count -1`` while positive."""
        from botocore.exceptions import ClientError

        try:
            self._call(
                "update",
                self.table.update_item,
                Key=self._usage_key(server_id, operation, window),
                UpdateExpression="ADD #c :minus",
                ConditionExpression="#c > :zero",
                ExpressionAttributeNames={"#c": "count"},
                ExpressionAttributeValues={":minus": -1, ":zero": 0},
            )
        except ClientError:
            return

    def used(self, server_id: str, operation: str, window: str) -> int:
        """The item's count (0 when absent)."""
        answer = self._call(
            "get",
            self.table.get_item,
            Key=self._usage_key(server_id, operation, window),
            ConsistentRead=True,
        )
        return int(answer.get("Item", {}).get("count", 0))

    # --- service tiers ---------------------------------------------------------------------------

    def service_tier(self, server_id: str) -> ServerTierConfig | None:
        """``gaib-server-tiers`` item ``SERVER#{id}``, or None."""
        answer = self._call(
            "get", self.tiers.get_item, Key={"PK": f"SERVER#{server_id}"}, ConsistentRead=True
        )
        item = answer.get("Item")
        if item is None:
            return None
        return ServerTierConfig(
            server_id=str(item["serverId"]),
            service_tier=item["tier"],
            created_at=str(item["createdAt"]),
            updated_at=str(item["updatedAt"]),
        )

    def put_service_tier(self, config: ServerTierConfig) -> None:
        """Put the item (no TTL: service tiers persist)."""
        item = {"PK": f"SERVER#{config.server_id}", **config.model_dump(by_alias=True)}
        self._call("put", self.tiers.put_item, Item=item)


def dynamodb_metadata(settings: BackupSettings, store: BackupStore) -> MetadataStore:
    """Factory of the built-in ``dynamodb`` kind (table names and region from the settings)."""
    meta = settings.metadata
    return DynamoMetadata(
        table=meta.table,
        tiers_table=meta.tiers_table,
        region=meta.region,
        endpoint_url=meta.endpoint_url,
    )
