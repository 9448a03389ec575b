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


def test_reorder_keeps_unmanaged_objects_in_their_slots(env: Any, base: dict[str, Any]) -> None:
    import httpx

    config = ServerConfig.model_validate(base)
    env.apply(config)
    headers = env.sandbox.headers
    api = f"{env.sandbox.base_url}/guilds/{env.sandbox.guild_id}"
    hand = httpx.post(f"{api}/roles", json={"name": "Hand Made"}, headers=headers).json()
    httpx.post(
        f"{api}/channels", json={"name": "off-topic", "position": 1}, headers=headers
    ).raise_for_status()
    guild = env.plan(config).guild
    # put the hand-made role between Naib and Fedaykin
    order = [r for r in guild.sorted_roles() if r.id not in (guild.id,) and not r.managed]
    order.remove(next(r for r in order if r.id == hand["id"]))
    order.insert(1, next(r for r in guild.roles if r.id == hand["id"]))
    body = [{"id": r.id, "position": len(order) - i} for i, r in enumerate(order)]
    httpx.patch(f"{api}/roles", json=body, headers=headers).raise_for_status()
    assert not env.plan(config).has_changes  # unmanaged objects in between: no diff
    base["roles"].reverse()
    base["channels"].reverse()
    config = ServerConfig.model_validate(base)
    env.apply(config)
    after = env.plan(config)
    assert not after.has_changes
    names = [r.name for r in after.guild.sorted_roles()]
    assert names.index("Hand Made") == 2  # still the second movable slot (after the bot)
    assert [n for n in names if n in ("Naib", "Fedaykin", "Member")] == [
        "Member",
        "Fedaykin",
        "Naib",
    ]


def test_apply_fires_lifecycle_hooks(env: Any, base: dict[str, Any]) -> None:
    from gaib_core.hookspecs import hookimpl
    from gaib_core.lifecycle import ChangeEvent, ChangeOutcome
    from gaib_core.plugins import Hooks, build_plugin_manager

    seen: list[tuple[str, Any]] = []

    class Recorder:
        @hookimpl
        def gaib_before_change(self, event: ChangeEvent) -> None:
            seen.append(("before", event))

        @hookimpl
        def gaib_after_change(self, event: ChangeEvent, outcome: ChangeOutcome) -> None:
            seen.append(("after", outcome))

    env.hooks = Hooks(build_plugin_manager(load_entry_points=False, extra=[Recorder()]))
    env.apply(ServerConfig.model_validate(base))
    assert [kind for kind, _ in seen] == ["before", "after"]
    event, outcome = seen[0][1], seen[1][1]
    assert event.operation == "apply" and event.state_before.serial == 0
    assert event.plan.counts() == (8, 0, 0) and event.theme_name is None
    assert outcome.status == "succeeded" and outcome.error is None
    assert outcome.serial_after == env.manager.read().serial
    assert len(outcome.changed) == 9 and "role order" in outcome.changed  # 8 + the bulk reorder


def test_unmanaged_remove_policy_and_everyone_permissions(env: Any, base: dict[str, Any]) -> None:
    import httpx

    api = f"{env.sandbox.base_url}/guilds/{env.sandbox.guild_id}"
    httpx.post(
        f"{api}/roles", json={"name": "Stray"}, headers=env.sandbox.headers
    ).raise_for_status()
    httpx.post(
        f"{api}/channels", json={"name": "stray"}, headers=env.sandbox.headers
    ).raise_for_status()
    base["server"] = {"unmanaged": "remove", "everyone_permissions": ["VIEW_CHANNEL", "CONNECT"]}
    config = ServerConfig.model_validate(base)
    plan, _ = env.apply(config)
    assert {c.name for c in plan.changes if c.unmanaged} == {"Stray", "stray"}
    after = env.plan(config)
    assert not after.has_changes
    assert {r.name for r in after.guild.roles} == {
        "@everyone",
        "gaib",
        "Naib",
        "Fedaykin",
        "Member",
    }
    assert after.guild.everyone.permissions == (1 << 10) | (1 << 20)
