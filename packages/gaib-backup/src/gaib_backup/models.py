"""The PRD's records (sections 14 and 15), as pydantic models.

They are stored as JSON with the PRD's camelCase field names (``serverId``, ``themeRegistry``)
and read back strictly; Python code uses the snake_case attribute names.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

ServiceTier = Literal["free", "premium"]
DeploymentAction = Literal["apply", "destroy", "teardown", "restore", "rollback"]
DeploymentOutcome = Literal["succeeded", "failed", "interrupted"]
BackupKind = Literal["on-demand", "safety", "scheduled", "export"]


class Record(BaseModel):
    """Base: camelCase JSON, snake_case in Python, unknown fields refused.

    The PRD's ``tier`` fields are ``service_tier`` in Python (so they are never confused with
    Sietch's membership tiers) and ``tier`` in JSON, as the PRD writes them.
    """

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    def to_json(self) -> bytes:
        """The record as JSON bytes with the PRD's field names."""
        return self.model_dump_json(by_alias=True, exclude_none=True, indent=2).encode()


class BackupMetadata(Record):
    """One state backup (PRD 14.1), plus where its object lives and why it was made."""

    id: str
    server_id: str
    workspace: str
    timestamp: str
    serial: int
    lineage: str
    message: str | None = None
    service_tier: ServiceTier = Field(
        alias="tier", description="The service tier the server had when it was made."
    )
    size: int
    checksum: str = Field(description="SHA-256 (hex) of the compressed bytes.")
    key: str = Field(description="The object's key inside the store.")
    kind: BackupKind = "on-demand"
    resource_count: int = 0


class FileEntry(Record):
    """One file of a snapshot bundle."""

    path: str
    checksum: str
    size: int


class SnapshotFiles(Record):
    """The three files of a snapshot bundle (PRD 14.3)."""

    state: FileEntry
    config: FileEntry
    theme_registry: FileEntry


class DiscordCounts(Record):
    """What the snapshot's state manages."""

    role_count: int
    channel_count: int
    category_count: int


class ThemeInfo(Record):
    """The theme a state was rendered from."""

    name: str
    version: str


class SnapshotManifest(Record):
    """A snapshot's manifest (PRD 14.3): written last, so a snapshot without one does not exist."""

    id: str
    version: Literal["1.0"] = "1.0"
    server_id: str
    workspace: str
    timestamp: str
    serial: int
    lineage: str
    message: str | None = None
    service_tier: ServiceTier = Field(alias="tier")
    files: SnapshotFiles
    discord: DiscordCounts
    theme: ThemeInfo | None = None
    kind: Literal["on-demand", "deployment", "scheduled"] = "on-demand"


class ThemeDeployment(Record):
    """One change recorded in the theme registry (PRD 14.4), with its outcome."""

    id: str
    timestamp: str
    theme_name: str
    theme_version: str
    serial: int = Field(description="State serial after the deployment.")
    action: DeploymentAction
    outcome: DeploymentOutcome = "succeeded"
    workspace: str = "default"
    snapshot_id: str | None = None
    message: str | None = None
    error: str | None = None
    rollback_of: str | None = Field(None, description="The deployment a rollback returned to.")


class CurrentTheme(Record):
    """The theme deployed now."""

    name: str
    version: str
    deployed_at: str
    deployment_id: str


class ThemeRegistry(Record):
    """A server's theme registry (``themes/{server_id}/registry.json``)."""

    server_id: str
    current_theme: CurrentTheme | None = None
    history: list[ThemeDeployment] = Field(default_factory=list)


class ServerTierConfig(Record):
    """A server's service tier (PRD 15.2)."""

    server_id: str
    service_tier: ServiceTier = Field("free", alias="tier")
    created_at: str
    updated_at: str
