"""``BackupContext``: the opened store, metadata and settings every operation works with.

Programs (the CLI, the scheduled runner, the Lambda handler) open one with
:func:`open_context` (from a project) or build it directly from a store URL::

    from gaib_backup.context import BackupContext
    ctx = BackupContext.from_url("s3://gaib-backups-123456789012")
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from gaib_core.errors import GaibError
from gaib_core.plugins import Hooks
from gaib_core.project import Project

from gaib_backup.errors import BackupError
from gaib_backup.metadata import MetadataFactory, MetadataStore
from gaib_backup.models import ServerTierConfig, ServiceTier
from gaib_backup.service_tiers import (
    DEFAULT_SERVICE_TIER,
    ServiceTierPolicy,
    policy,
    refusal,
    window,
)
from gaib_backup.settings import BackupSettings, load_settings
from gaib_backup.store import BackupStore


def utcnow() -> dt.datetime:
    """The current time in UTC."""
    return dt.datetime.now(dt.UTC)


def timestamp(when: dt.datetime) -> str:
    """ISO 8601 with microseconds, UTC (``2026-11-29T16:24:28.123456Z``)."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def compact(when: dt.datetime) -> str:
    """The timestamp used in keys and ids (sortable, no ``:``): ``20261129T162428123456Z``."""
    return when.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")


def parse_timestamp(text: str) -> dt.datetime:
    """The inverse of :func:`timestamp`."""
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


def metadata_factories(hooks: Hooks | None = None) -> dict[str, MetadataFactory]:
    """Name -> factory: the built-ins, then every plugin's ``gaib_backup_register_metadata``."""
    from gaib_backup import builtin_metadata

    found: dict[str, MetadataFactory] = {}

    def register(name: str, factory: MetadataFactory) -> None:
        found[name] = factory

    builtin_metadata.gaib_backup_register_metadata(register)
    if hooks is not None:
        try:
            caller = hooks.caller("gaib_backup_register_metadata")
        except GaibError:  # a plugin manager without gaib-backup's specs: built-ins only
            return found
        caller(register=register)
    return found


def open_metadata(
    settings: BackupSettings, store: BackupStore, hooks: Hooks | None = None
) -> MetadataStore:
    """The metadata store ``settings.metadata.type`` names."""
    factories = metadata_factories(hooks)
    kind = settings.metadata.type
    if kind not in factories:
        raise BackupError(
            f"unknown backup metadata type {kind!r}",
            hint=f"set metadata.type in .gaib/backup.yaml to one of: {', '.join(factories)}",
        )
    return factories[kind](settings, store)


@dataclass
class BackupContext:
    """A store, its metadata and the settings; ``now`` is the clock (replaceable in tests)."""

    store: BackupStore
    metadata: MetadataStore
    settings: BackupSettings = field(default_factory=BackupSettings)
    now: Callable[[], dt.datetime] = utcnow

    @classmethod
    def from_settings(cls, settings: BackupSettings, hooks: Hooks | None = None) -> BackupContext:
        """Open the store and metadata ``settings`` describe."""
        if not settings.store:
            raise BackupError("no backup store configured", hint="pass --store URL")
        store = BackupStore(
            settings.store, settings.storage_options, kms_key_id=settings.kms_key_id
        )
        return cls(store, open_metadata(settings, store, hooks), settings)

    @classmethod
    def from_url(
        cls,
        url: str,
        storage_options: dict[str, Any] | None = None,
        *,
        kms_key_id: str | None = None,
        metadata: str = "store",
        hooks: Hooks | None = None,
    ) -> BackupContext:
        """Open ``url`` with default settings otherwise."""
        settings = BackupSettings(
            store=url, storage_options=storage_options or {}, kms_key_id=kms_key_id
        )
        settings.metadata.type = metadata
        return cls.from_settings(settings, hooks)

    # --- service tiers ---------------------------------------------------------------------------

    def service_tier(self, server_id: str) -> ServiceTier:
        """The server's service tier (free when none is recorded)."""
        config = self.metadata.service_tier(server_id)
        return config.service_tier if config is not None else DEFAULT_SERVICE_TIER

    def policy(self, server_id: str) -> ServiceTierPolicy:
        """The server's service tier policy."""
        return policy(self.service_tier(server_id))

    def set_service_tier(self, server_id: str, service_tier: ServiceTier) -> ServerTierConfig:
        """Record the server's service tier (``createdAt`` kept, ``updatedAt`` now)."""
        policy(service_tier)
        now = timestamp(self.now())
        current = self.metadata.service_tier(server_id)
        config = ServerTierConfig(
            server_id=server_id,
            service_tier=service_tier,
            created_at=current.created_at if current else now,
            updated_at=now,
        )
        self.metadata.put_service_tier(config)
        return config

    @contextmanager
    def allowance(self, server_id: str, operation: str, *, enforce: bool = True) -> Iterator[None]:
        """Count one ``operation`` against the server's limit for the block.

        Raises ``ServiceTierLimit`` (saying when the next one is allowed) when the window is used
        up; gives the use back if the block raises. ``enforce=False`` (safety and scheduled
        backups) counts nothing.
        """
        limit = self.policy(server_id).limit(operation) if enforce else None
        if limit is None:
            yield
            return
        win = window(limit.per, self.now())
        if not self.metadata.take(server_id, operation, win.key, limit.count):
            raise refusal(server_id, self.service_tier(server_id), operation, limit, win)
        try:
            yield
        except BaseException:
            self.metadata.give_back(server_id, operation, win.key)
            raise

    def expires(self, server_id: str, when: dt.datetime) -> dt.datetime:
        """When something made at ``when`` leaves retention."""
        return when + dt.timedelta(days=self.policy(server_id).retention_days)


def open_context(
    project: Project, *, store: str | None = None, hooks: Hooks | None = None
) -> BackupContext:
    """The context of ``project`` (``.gaib/backup.yaml``, the environment, ``store``)."""
    return BackupContext.from_settings(load_settings(project, store=store), hooks)
