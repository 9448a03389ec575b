"""Config exports in the store (PRD 14.2): what ``gaib server export --backup`` keeps.

::

    exports/{server_id}/config.{timestamp}.yaml   every export
    exports/{server_id}/config.latest.yaml        a copy of the newest (object stores have no
                                                  symlinks; the copy is written after the export)
"""

from __future__ import annotations

from dataclasses import dataclass

from gaib_backup.context import BackupContext, compact
from gaib_backup.names import EXPORTS_PREFIX
from gaib_backup.store import safe_part

LATEST = "config.latest.yaml"


@dataclass
class StoredExport:
    """Where an export was stored."""

    key: str
    latest: str


def store_export(ctx: BackupContext, server_id: str, text: str) -> StoredExport:
    """Store ``text`` as a new export and as ``config.latest.yaml``."""
    prefix = f"{EXPORTS_PREFIX}/{safe_part(server_id, what='server id')}"
    service_tier = ctx.service_tier(server_id)
    key = f"{prefix}/config.{compact(ctx.now())}.yaml"
    data = text.encode("utf-8")
    ctx.store.write(key, data, service_tier=service_tier, exclusive=True)
    ctx.store.write(f"{prefix}/{LATEST}", data, service_tier=service_tier)
    return StoredExport(key, f"{prefix}/{LATEST}")


def latest_export(ctx: BackupContext, server_id: str) -> str | None:
    """The newest stored export's text, or None."""
    data = ctx.store.read(f"{EXPORTS_PREFIX}/{safe_part(server_id, what='server id')}/{LATEST}")
    return data.decode("utf-8") if data is not None else None
