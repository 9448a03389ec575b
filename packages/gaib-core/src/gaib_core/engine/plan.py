"""The plan: what apply will do, as data (``gaib_core.engine.planner.make_plan`` makes it).

A plan is a pydantic model that serialises to JSON (``-out FILE``) and carries everything apply
needs (the desired attributes, the positions, the guild snapshot it was made against) plus the
state lineage and serial and the config's hash, so a saved plan is applied exactly or refused
when the state or the config moved. This module imports nothing of the planner's.

Problems do not raise here: they are collected in ``errors`` so ``gaib server plan`` can show
the whole picture; :meth:`Plan.ensure_applicable` (called by apply) raises ``PlanError``.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

from gaib_core import __version__
from gaib_core.config.models import ServerConfig, ThemeRef
from gaib_core.engine.desired import DesiredChannel, DesiredRole
from gaib_core.engine.diff import AttributeChange
from gaib_core.engine.server import DesiredServer
from gaib_core.errors import PlanError
from gaib_core.provider.models import Guild
from gaib_core.state.models import State

Action = Literal["create", "update", "replace", "delete", "no-op"]
Kind = Literal["role", "category", "channel", "everyone", "server"]
FORMAT_VERSION = 1


class ResourceChange(BaseModel):
    """What happens to one resource."""

    address: str
    kind: Kind
    action: Action
    name: str
    id: str | None = Field(None, description="The existing Discord object, if any.")
    discord_type: int | None = None
    changes: list[AttributeChange] = Field(default_factory=list)
    role: DesiredRole | None = None
    channel: DesiredChannel | None = None
    server: DesiredServer | None = Field(None, description="The server settings (``server``).")
    position: int | None = Field(None, description="Position to set on create or parent move.")
    adopted: bool = Field(False, description="Matched through the crash journal: record it.")
    unmanaged: bool = Field(False, description="Delete of an object not in state (policy).")
    save_state: bool = Field(
        False, description="Lifecycle settings differ from the saved ones: record them in state."
    )
    notes: list[str] = Field(default_factory=list)

    @property
    def symbol(self) -> str:
        """Terraform's symbol for the action."""
        return {"create": "+", "update": "~", "replace": "-/+", "delete": "-", "no-op": " "}[
            self.action
        ]


class UnmanagedObject(BaseModel):
    """An object in the guild that no config address matches."""

    kind: Literal["role", "category", "channel"]
    id: str
    name: str
    discord_type: int | None = None


class Plan(BaseModel):
    """A plan, made against one guild and one state version."""

    format_version: int = FORMAT_VERSION
    gaib_version: str = __version__
    created_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat())
    workspace: str = "default"
    guild_id: str
    state_lineage: str
    state_serial: int
    config_hash: str = ""
    destroy: bool = False
    targets: list[str] = Field(default_factory=list)
    changes: list[ResourceChange] = Field(default_factory=list)
    role_order: list[str] | None = Field(
        None, description="Every movable role top to bottom (refs) when a reorder is needed."
    )
    role_order_before: list[str] = Field(default_factory=list)
    channel_positions: dict[str, int] = Field(
        default_factory=dict, description="Existing channel ref -> position (one bulk request)."
    )
    forget: list[str] = Field(
        default_factory=list, description="State entries whose object is gone."
    )
    removals_first: list[str] = Field(
        default_factory=list,
        description="Why apply deletes before it creates (a Discord limit would be hit).",
    )
    unmanaged: list[UnmanagedObject] = Field(default_factory=list)
    unmanaged_policy: str = "keep"
    errors: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    ref_names: dict[str, str] = Field(default_factory=dict)
    matched_ids: dict[str, str] = Field(
        default_factory=dict,
        description="Address -> Discord id of every config object found in the guild.",
    )
    theme: ThemeRef | None = None
    theme_applied: ThemeRef | None = Field(
        None, description="The theme recorded in state by the last apply (name, version, values)."
    )
    guild: Guild

    # --- queries --------------------------------------------------------------------------

    def actionable(self) -> list[ResourceChange]:
        """Changes that send requests or write state (everything but plain no-ops)."""
        return [c for c in self.changes if c.action != "no-op" or c.adopted or c.save_state]

    def counts(self) -> tuple[int, int, int]:
        """(to add, to change, to destroy); a replace counts as one add and one destroy."""
        add = sum(c.action in ("create", "replace") for c in self.changes)
        change = sum(c.action == "update" for c in self.changes)
        destroy = sum(c.action in ("delete", "replace") for c in self.changes)
        return add, change, destroy

    @property
    def theme_changed(self) -> bool:
        """True when the theme (or its values) differs from the one the last apply recorded.

        Applying records the new one in state, so a theme upgrade is a reviewable plan even
        when it renders the same resources.
        """
        if self.destroy or self.theme is None or self.theme_applied is None:
            return False
        return self.theme != self.theme_applied

    @property
    def has_changes(self) -> bool:
        """True when applying would change the guild or the state."""
        return bool(
            self.actionable()
            or self.role_order
            or self.channel_positions
            or self.forget
            or self.theme_changed
        )

    def summary(self) -> str:
        """``Plan: X to add, Y to change, Z to destroy.`` (or the no-changes sentence)."""
        if not self.has_changes:
            return "No changes. Your Discord server matches the configuration."
        add, change, destroy = self.counts()
        return f"Plan: {add} to add, {change} to change, {destroy} to destroy."

    def ensure_applicable(self) -> None:
        """Raise ``PlanError`` when the plan has errors (first one named, count given)."""
        if self.errors:
            more = f" (and {len(self.errors) - 1} more problems)" if len(self.errors) > 1 else ""
            raise PlanError(f"the plan cannot be applied: {self.errors[0]}{more}")

    def ensure_current(self, state: State, guild_id: str) -> None:
        """Refuse a saved plan when state moved on or the guild differs."""
        if guild_id != self.guild_id:
            raise PlanError(
                f"the plan was made for guild {self.guild_id}, not {guild_id}",
                hint="run `gaib server plan` against this guild",
            )
        if (state.lineage, state.serial) != (self.state_lineage, self.state_serial):
            raise PlanError(
                f"the saved plan is stale: it was made against state serial {self.state_serial}"
                f" (lineage {self.state_lineage or 'new'}), the state is now serial "
                f"{state.serial} (lineage {state.lineage or 'new'})",
                hint="run `gaib server plan` again",
            )

    def ensure_config(self, config: ServerConfig) -> None:
        """Refuse a saved plan made from another config than ``config`` (its hash differs)."""
        if self.config_hash and self.config_hash != config_hash(config):
            raise PlanError(
                "the saved plan was made from another version of the config (the config "
                "changed since `gaib server plan -out`)",
                hint="run `gaib server plan -out FILE --force` again (--force replaces the old FILE)",
            )

    def to_json(self) -> str:
        """The plan as JSON (what ``-out FILE`` writes)."""
        return self.model_dump_json(indent=2)

    @classmethod
    def from_json(cls, text: str, source: str = "plan file") -> Plan:
        """Read a saved plan; ``PlanError`` naming ``source`` if it is not one."""
        from pydantic import ValidationError

        try:
            plan = cls.model_validate_json(text)
        except ValidationError as exc:
            first = str(exc).splitlines()[0]
            raise PlanError(
                f"{source}: not a gaib plan ({first})",
                hint="save one with `gaib server plan -out FILE`",
            ) from None
        if plan.format_version != FORMAT_VERSION:
            raise PlanError(
                f"{source}: plan format {plan.format_version} is not supported",
                hint="make the plan again with this version of gaib",
            )
        return plan


def config_hash(config: ServerConfig) -> str:
    """A stable hash of the config a plan was made from."""
    return hashlib.sha256(config.model_dump_json().encode()).hexdigest()
