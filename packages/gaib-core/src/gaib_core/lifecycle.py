"""Data passed to the apply lifecycle hooks (``gaib_before_apply`` / ``gaib_after_apply``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gaib_core.config.models import ServerConfig
    from gaib_core.state.models import State


@dataclass
class ApplyEvent:
    """An apply or destroy about to run (or just run)."""

    workspace: str
    guild_id: str
    destroy: bool
    serial_before: int
    plan: Any  # gaib_core.engine.plan.Plan
    config: ServerConfig | None = None
    state_url: str = ""


@dataclass
class ApplyOutcome:
    """What an apply or destroy did."""

    succeeded: bool
    serial_after: int
    state: State
    changed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
