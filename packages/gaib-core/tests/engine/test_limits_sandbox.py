"""An apply whose end result fits Discord's limits succeeds, even when creating first would not.

The guild is filled to a limit over the API (as a busy server would be), then a config swaps some
managed objects for new ones. Creating first would get 30005 (250 roles), 30013 (500 channels) or
CHANNEL_PARENT_MAX_CHANNELS (50 in a category) from the sandbox, as from Discord; the plan says
removals run first, the apply goes through and the next plan is empty.
"""

from __future__ import annotations

from typing import Any

import httpx
from gaib_core.config.models import ServerConfig


def api(env: Any) -> httpx.Client:
    """A plain client for the guild (setup, not the code under test)."""
    return httpx.Client(
        base_url=f"{env.sandbox.base_url}/guilds/{env.sandbox.guild_id}/",
        headers=env.sandbox.headers,
        timeout=30,
    )


def fill_roles(env: Any, total: int) -> None:
    with api(env) as client:
        have = len(client.get("roles").json())
        for i in range(total - have):
            assert client.post("roles", json={"name": f"busy-{i}"}).status_code == 200


def fill_channels(env: Any, total: int) -> None:
    with api(env) as client:
        have = len(client.get("channels").json())
        parents: list[str] = []
        for i in range(total - have):
            if i % 50 == 0:
                made = client.post("channels", json={"name": f"busy-cat-{i}", "type": 4})
                parents.append(made.json()["id"])
                continue
            body = {"name": f"busy-{i}", "parent_id": parents[-1]}
            assert client.post("channels", json=body).status_code == 201


def test_roles_at_the_limit_are_swapped(env: Any) -> None:
    old = {"roles": [{"name": f"Old {i}"} for i in range(4)]}
    env.apply(ServerConfig.model_validate(old))
    fill_roles(env, 250)
    new = {"roles": [{"name": "Old 0"}, {"name": "Old 1"}, {"name": "New 0"}, {"name": "New 1"}]}
    config = ServerConfig.model_validate(new)
    plan = env.plan(config)
    assert plan.errors == [] and any("250 roles" in r for r in plan.removals_first)
    env.apply(config)
    after = env.plan(config)
    assert not after.has_changes and after.removals_first == []
    assert len(after.guild.roles) == 250


def test_a_full_category_gets_new_channels_for_removed_and_moved_ones(env: Any) -> None:
    channels = [{"name": f"c{i}"} for i in range(50)]
    base = {"categories": [{"name": "Full", "channels": channels}], "channels": []}
    env.apply(ServerConfig.model_validate(base))
    swapped = [{"name": "n0"}, {"name": "n1"}, {"name": "n2"}, *channels[3:]]
    config = ServerConfig.model_validate(
        {"categories": [{"name": "Full", "channels": swapped}], "channels": [channels[2]]}
    )  # c0, c1 removed; c2 moved out to the top level; n0..n2 created in Full
    plan = env.plan(config)
    assert plan.errors == [] and any("'Full'" in r for r in plan.removals_first)
    env.apply(config)
    after = env.plan(config)
    assert not after.has_changes
    full = next(c for c in after.guild.channels if c.name == "Full")
    assert sum(c.parent_id == full.id for c in after.guild.channels) == 50


def test_channels_at_the_limit_are_swapped(env: Any) -> None:
    old = {"channels": [{"name": f"old-{i}"} for i in range(3)]}
    env.apply(ServerConfig.model_validate(old))
    fill_channels(env, 500)
    config = ServerConfig.model_validate(
        {"channels": [{"name": "old-0"}, {"name": "new-0"}, {"name": "new-1"}]}
    )
    plan = env.plan(config)
    assert plan.errors == [] and any("500 channels" in r for r in plan.removals_first)
    env.apply(config)
    after = env.plan(config)
    assert not after.has_changes
    assert len(after.guild.channels) == 500


def test_no_limit_in_sight_keeps_creations_first(env: Any, base: dict[str, Any]) -> None:
    env.apply(ServerConfig.model_validate(base))
    base["roles"][2] = {"name": "Replacement"}
    assert env.plan(ServerConfig.model_validate(base)).removals_first == []
