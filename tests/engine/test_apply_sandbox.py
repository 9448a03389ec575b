"""Apply against the sandbox over loopback HTTP, with the real provider and state manager."""

from __future__ import annotations

from typing import Any

import pytest
from gaib_core.config.models import ServerConfig
from gaib_core.engine.plan import Plan
from gaib_core.errors import PlanError


def test_apply_then_plan_is_empty_and_changes_converge(env: Any, base: dict[str, Any]) -> None:
    config = ServerConfig.model_validate(base)
    plan, _ = env.apply(config)
    assert plan.counts() == (8, 0, 0)
    after = env.plan(config)
    assert not after.has_changes, [c.address for c in after.actionable()]
    state = env.manager.read()
    assert set(state.resources) == set(config.addresses()) and not state.pending
    # change order, attributes, a type, and drop a role
    base["roles"] = [base["roles"][1], base["roles"][0]]
    base["roles"][0]["color"] = "#123456"
    base["channels"] = [base["channels"][1], {"name": "general", "type": "voice"}]
    base["categories"][0]["channels"].reverse()
    config = ServerConfig.model_validate(base)
    plan, _ = env.apply(config)
    assert plan.has_changes
    again = env.plan(config)
    assert not again.has_changes, [(c.address, c.changes) for c in again.actionable()]
    # destroy leaves only what gaib does not manage
    plan, _ = env.apply(config, destroy=True)
    assert plan.counts()[2] == 7
    assert env.manager.read().resources == {}
    guild = env.plan(config).guild
    assert [r.name for r in guild.roles if not r.managed and r.id != guild.id] == []


def test_saved_plan_is_refused_after_state_moved(env: Any, base: dict[str, Any]) -> None:
    config = ServerConfig.model_validate(base)
    saved = Plan.from_json(env.plan(config).to_json())
    env.apply(ServerConfig.model_validate({"roles": [{"name": "Other"}]}))
    with pytest.raises(PlanError, match="stale"):
        env.apply_saved(saved)


def test_target_applies_only_the_target_and_its_dependencies(
    env: Any, base: dict[str, Any]
) -> None:
    config = ServerConfig.model_validate(base)
    env.apply(config, targets=["channel.council_chamber"])
    assert set(env.manager.read().resources) == {
        "channel.council_chamber",
        "category.stillsuit",
        "role.naib",
    }
    env.apply(config)
    assert not env.plan(config).has_changes


def test_apply_converges_through_429s_5xx_and_dropped_connections(
    env: Any, base: dict[str, Any]
) -> None:
    config = ServerConfig.model_validate(base)
    env.fault(kind="429", count=3, retry_after=0.05)
    env.fault(kind="5xx", count=2)
    env.fault(kind="drop_after", count=1, route="POST /guilds/.*/roles")
    env.fault(kind="drop", count=1, route="POST /guilds/.*/channels")
    env.apply(config)
    after = env.plan(config)
    assert not after.has_changes
    names = [r.name for r in after.guild.roles]
    assert len(names) == len(set(names))
