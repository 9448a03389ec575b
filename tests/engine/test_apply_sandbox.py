"""Apply against the sandbox over loopback HTTP, with the real provider and state manager."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from gaib_core.config.models import ServerConfig
from gaib_core.engine.apply import apply_plan
from gaib_core.engine.plan import Plan
from gaib_core.engine.workflow import plan_and_apply, refresh_plan
from gaib_core.errors import PlanError
from gaib_core.plugins import Hooks, build_plugin_manager
from gaib_core.project import Project
from gaib_core.provider.discord import DiscordProvider
from gaib_core.state.manager import StateManager, open_state
from gaib_core.testing.fixtures import SandboxGuild


class Env:
    """A sandbox guild, a project directory with local state, and helpers to plan/apply."""

    def __init__(self, sandbox: SandboxGuild, root: Path) -> None:
        self.sandbox = sandbox
        self.hooks = Hooks(build_plugin_manager(load_entry_points=False))
        self.manager: StateManager = open_state(Project(root), self.hooks)

    def provider(self) -> DiscordProvider:
        return DiscordProvider(token=self.sandbox.token, base_url=self.sandbox.base_url)

    def plan(self, config: ServerConfig, **kw: Any) -> Plan:
        async def go() -> Plan:
            async with self.provider() as provider:
                return await refresh_plan(
                    config, provider, self.sandbox.guild_id, self.manager, **kw
                )

        return asyncio.run(go())

    def apply(self, config: ServerConfig, **kw: Any) -> Any:
        async def go() -> Any:
            async with self.provider() as provider:
                return await plan_and_apply(
                    config, provider, self.sandbox.guild_id, self.manager, self.hooks, **kw
                )

        plan, result = asyncio.run(go())
        assert plan.errors == []
        assert result.errors == [], result.errors
        return plan, result

    def apply_saved(self, plan: Plan) -> Any:
        async def go() -> Any:
            async with self.provider() as provider:
                return await apply_plan(plan, provider, self.manager, self.hooks)

        return asyncio.run(go())

    def fault(self, **body: Any) -> None:
        httpx.post(f"{self.sandbox.admin_url}/faults", json=body).raise_for_status()


@pytest.fixture
def env(sandbox: SandboxGuild, tmp_path: Path) -> Env:
    return Env(sandbox, tmp_path)


def test_apply_then_plan_is_empty_and_changes_converge(env: Env, base: dict[str, Any]) -> None:
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


def test_saved_plan_is_refused_after_state_moved(env: Env, base: dict[str, Any]) -> None:
    config = ServerConfig.model_validate(base)
    saved = Plan.from_json(env.plan(config).to_json())
    env.apply(ServerConfig.model_validate({"roles": [{"name": "Other"}]}))
    with pytest.raises(PlanError, match="stale"):
        env.apply_saved(saved)


def test_target_applies_only_the_target_and_its_dependencies(
    env: Env, base: dict[str, Any]
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
    env: Env, base: dict[str, Any]
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
