"""The state file's pydantic model (schema version 1).

State is JSON::

    {"version": 1, "serial": 3, "lineage": "<uuid>", "workspace": "default",
     "guild_id": "123", "gaib_version": "0.1.0", "theme": {...} | null,
     "resources": {"role.naib": {"type": "role", "id": "456", "name": "Naib",
                                 "attributes": {...}}},
     "server": {"id": "123", "attributes": {...}, "icon_sha256": ..., "icon_hash": ...} | null}

``serial`` grows by one on every write; ``lineage`` is fixed when a state is first created and
tells states of different deployments apart. The token is never part of it.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gaib_core.config.models import ThemeRef

STATE_VERSION = 1

ResourceType = Literal["role", "category", "channel"]


class ResourceState(BaseModel):
    """One managed resource: its Discord id and the attributes gaib last saw or wrote."""

    model_config = ConfigDict(extra="forbid")

    type: ResourceType
    id: str
    name: str
    attributes: dict[str, Any] = Field(default_factory=dict)


class PendingCreate(BaseModel):
    """A create gaib is about to send: the journal that makes apply crash-safe.

    The engine writes this entry to state *before* sending a create and removes it in the same
    write that records the created resource. If the process dies in between, the next plan finds
    the entry and adopts the object with this name and type instead of creating a duplicate.
    """

    model_config = ConfigDict(extra="forbid")

    type: ResourceType
    name: str
    discord_type: int | None = Field(None, description="Channel type number (None for roles).")


class ServerState(BaseModel):
    """The server's own settings as gaib last set them (``server`` in plans).

    Only what the config managed is recorded. Discord answers an uploaded icon with a hash of
    its own, so the icon is remembered as the pair (SHA-256 of the file gaib sent, the hash
    Discord gave it): while the guild still shows that hash, the icon is the file's.
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="The guild id.")
    attributes: dict[str, Any] = Field(default_factory=dict)
    icon_sha256: str | None = None
    icon_hash: str | None = None


class State(BaseModel):
    """A workspace's state."""

    model_config = ConfigDict(extra="forbid")

    version: int = STATE_VERSION
    serial: int = 0
    lineage: str = Field(default_factory=lambda: str(uuid.uuid4()))
    workspace: str = "default"
    guild_id: str | None = None
    gaib_version: str = ""
    theme: ThemeRef | None = None
    resources: dict[str, ResourceState] = Field(default_factory=dict)
    server: ServerState | None = Field(
        None, description="The server's own settings gaib set (see ServerState)."
    )
    pending: dict[str, PendingCreate] = Field(
        default_factory=dict,
        description="Creates in flight by address (see PendingCreate); empty between applies.",
    )

    def resource_by_id(self, discord_id: str) -> tuple[str, ResourceState] | None:
        """(address, resource) for a Discord id, or None."""
        for address, resource in self.resources.items():
            if resource.id == discord_id:
                return address, resource
        return None
