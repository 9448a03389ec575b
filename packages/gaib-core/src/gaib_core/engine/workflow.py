"""The usual sequences, for the CLI and for programs embedding gaib-core.

``refresh_plan`` is Terraform's plan: one ``read_guild`` (the refresh) and ``make_plan``.
``plan_and_apply`` holds the state lock across both, so nobody can apply in between.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from gaib_core.engine.apply import ApplyListener, ApplyResult, apply_plan
from gaib_core.engine.plan import Plan
from gaib_core.engine.planner import make_plan
from gaib_core.plugins import DEFAULT_HOOKS, Hooks

if TYPE_CHECKING:
    from gaib_core.config.models import ServerConfig
    from gaib_core.provider.base import Provider
    from gaib_core.state.manager import StateManager


async def refresh_plan(
    config: ServerConfig,
    provider: Provider,
    guild_id: str,
    manager: StateManager,
    *,
    targets: Sequence[str] = (),
    destroy: bool = False,
) -> Plan:
    """Read the guild and the state, and plan."""
    guild = await provider.read_guild(guild_id)
    state = manager.read()
    return make_plan(
        config, guild, state, targets=targets, destroy=destroy, workspace=manager.workspace
    )


async def plan_and_apply(
    config: ServerConfig,
    provider: Provider,
    guild_id: str,
    manager: StateManager,
    hooks: Hooks = DEFAULT_HOOKS,
    *,
    targets: Sequence[str] = (),
    destroy: bool = False,
    lock_timeout: float = 0.0,
    listener: ApplyListener | None = None,
) -> tuple[Plan, ApplyResult]:
    """Plan and apply under one lock (what ``apply --auto-approve`` does); fires ``hooks``."""
    operation = "destroy" if destroy else "apply"
    with manager.locked(operation=operation, timeout=lock_timeout):
        plan = await refresh_plan(
            config, provider, guild_id, manager, targets=targets, destroy=destroy
        )
        result = await apply_plan(plan, provider, manager, hooks, config=config, listener=listener)
    return plan, result
