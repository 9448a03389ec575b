"""import, export (+ adopt) and teardown against the sandbox."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from gaib_core.config.loader import load_config
from gaib_core.config.models import ServerConfig
from gaib_core.engine.export import adopt, export_guild
from gaib_core.engine.importer import import_address
from gaib_core.engine.teardown import teardown, teardown_targets
from gaib_core.errors import StateError
from gaib_core.state.manager import StateManager


def make_by_hand(env: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """Create an object directly through the API, as a person would in the client."""
    response = httpx.post(
        f"{env.sandbox.base_url}/guilds/{env.sandbox.guild_id}/{path}",
        json=body,
        headers=env.sandbox.headers,
    )
    response.raise_for_status()
    data: dict[str, Any] = response.json()
    return data


def run_import(env: Any, config: ServerConfig, address: str, object_id: str) -> Any:
    async def go() -> Any:
        async with env.provider() as provider:
            return await import_address(
                config, provider, env.sandbox.guild_id, env.manager, address, object_id, env.hooks
            )

    return asyncio.run(go())


def test_unmanaged_same_name_is_refused_with_import_command_then_imported(
    env: Any, base: dict[str, Any]
) -> None:
    naib = make_by_hand(env, "roles", {"name": "Naib", "color": 0xFFD700})
    config = ServerConfig.model_validate(base)
    plan = env.plan(config)
    assert any(f"gaib server import role.naib {naib['id']}" in e for e in plan.errors)
    with pytest.raises(StateError, match="no such address"):
        run_import(env, config, "role.nope", naib["id"])
    with pytest.raises(StateError, match="category"):
        run_import(
            env, config, "category.stillsuit", make_by_hand(env, "channels", {"name": "x"})["id"]
        )
    entry = run_import(env, config, "role.naib", naib["id"])
    assert entry.id == naib["id"]
    with pytest.raises(StateError, match="already managed"):
        run_import(env, config, "role.fedaykin", naib["id"])
    plan = env.plan(config)
    assert plan.errors == []
    change = next(c for c in plan.changes if c.address == "role.naib")
    assert change.action == "update"  # hoist and permissions differ from the hand-made role
    env.apply(config)
    assert not env.plan(config).has_changes


def test_export_of_a_guild_plans_empty_after_adopt(
    env: Any, base: dict[str, Any], tmp_path: Any
) -> None:
    env.apply(ServerConfig.model_validate(base))
    hand = make_by_hand(env, "roles", {"name": "Hand Made", "hoist": True})
    make_by_hand(env, "channels", {"name": "Lobby", "type": 2, "bitrate": 32000})
    # dragged to the top in the client (at position 1 it would share Member's position, which
    # the next plan would rightly fix)
    httpx.patch(
        f"{env.sandbox.base_url}/guilds/{env.sandbox.guild_id}/roles",
        json=[{"id": hand["id"], "position": 4}],
        headers=env.sandbox.headers,
    ).raise_for_status()
    guild = env.plan(ServerConfig()).guild
    exported = export_guild(guild)
    path = tmp_path / "export.yaml"
    path.write_text(exported.yaml())
    config = load_config(path)
    assert {r.name for r in config.roles} >= {"Naib", "Fedaykin", "Member", "Hand Made"}
    # a fresh workspace that adopts the export: planning it is empty
    other = StateManager(env.manager.backend, "exported", project=env.manager.project)
    state = other.read()
    adopt(exported, state)
    other.write(state)
    env.manager = other
    plan = env.plan(config)
    assert plan.errors == [] and not plan.has_changes, [
        (c.address, c.changes) for c in plan.actionable()
    ]


def test_teardown_removes_everything_the_bot_can(env: Any, base: dict[str, Any]) -> None:
    env.apply(ServerConfig.model_validate(base))
    make_by_hand(env, "roles", {"name": "Hand Made"})
    guild = env.plan(ServerConfig()).guild
    targets = teardown_targets(guild)
    assert {t.name for t in targets if t.kind == "role"} == {
        "Naib",
        "Fedaykin",
        "Member",
        "Hand Made",
    }

    async def go() -> Any:
        async with env.provider() as provider:
            return await teardown(provider, guild, env.manager, env.hooks)

    result = asyncio.run(go())
    assert not result.failed
    after = env.plan(ServerConfig()).guild
    assert after.channels == []
    assert {r.name for r in after.roles} == {"@everyone", "gaib"}
    # teardown dropped the state entries of what it deleted: the next plan re-creates them
    assert env.manager.read().resources == {}
    config = ServerConfig.model_validate(base)
    plan = env.plan(config)
    assert plan.counts() == (8, 0, 0)
    env.apply(config)
    assert not env.plan(config).has_changes
