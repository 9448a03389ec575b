"""Explicit role order: after an apply every managed role has its own position, in the declared
order, set by one bulk Modify Guild Role Positions request; the next plan is empty.

Discord creates every role at position 1 (FACTS.md section 1); without the bulk request the
order rests on the id tie-break, which bots comparing ``position`` misread. Everything here goes
through the sandbox over loopback HTTP and reads the guild back with a plain client.
"""

from __future__ import annotations

from typing import Any

import httpx
from gaib_core.config.models import ServerConfig
from gaib_core.sandbox.server import SandboxServer
from gaib_core.testing.fixtures import SandboxGuild
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NAMES = ["Naib", "Fedaykin", "Sayyadina", "Water Seller", "Usul", "Fremen"]


def roles_by_name(sandbox: SandboxGuild) -> dict[str, dict[str, Any]]:
    """The guild's roles as Discord answers them, by name."""
    answer = httpx.get(
        f"{sandbox.base_url}/guilds/{sandbox.guild_id}/roles", headers=sandbox.headers
    )
    answer.raise_for_status()
    return {r["name"]: r for r in answer.json()}


def role_writes(sandbox: SandboxGuild) -> list[str]:
    """The route (``METHOD /path``) of every role request the guild has received since the last reset."""
    log = httpx.get(f"{sandbox.admin_url}/audit-log").json()
    return [e["route"] for e in log if f"/guilds/{sandbox.guild_id}/roles" in e["path"]]


def reset_log(sandbox: SandboxGuild) -> None:
    httpx.post(f"{sandbox.admin_url}/stats/reset", json={}).raise_for_status()


def assert_declared_positions(sandbox: SandboxGuild, declared: list[str]) -> None:
    roles = roles_by_name(sandbox)
    positions = [roles[name]["position"] for name in declared]
    assert positions == sorted(positions, reverse=True), positions
    assert len(set(positions)) == len(positions), f"shared positions: {positions}"
    bot = roles["gaib"]["position"]
    assert all(0 < p < bot for p in positions), (positions, bot)


def test_new_roles_get_distinct_positions_in_one_bulk_request(
    env: Any, base: dict[str, Any]
) -> None:
    reset_log(env.sandbox)
    config = ServerConfig.model_validate(base)
    env.apply(config)
    assert_declared_positions(env.sandbox, ["Naib", "Fedaykin", "Member"])
    writes = role_writes(env.sandbox)
    assert writes.count("PATCH /guilds/{guild_id}/roles") == 1, writes
    after = env.plan(config)
    assert not after.has_changes and after.role_order is None


def test_a_role_added_in_the_middle_takes_its_declared_place(
    env: Any, base: dict[str, Any]
) -> None:
    env.apply(ServerConfig.model_validate(base))
    base["roles"].insert(1, {"name": "Sayyadina"})
    config = ServerConfig.model_validate(base)
    reset_log(env.sandbox)
    env.apply(config)
    assert_declared_positions(env.sandbox, ["Naib", "Sayyadina", "Fedaykin", "Member"])
    assert role_writes(env.sandbox).count("PATCH /guilds/{guild_id}/roles") == 1
    assert not env.plan(config).has_changes


def test_a_role_made_by_hand_at_a_managed_position_is_put_apart(
    env: Any, base: dict[str, Any]
) -> None:
    config = ServerConfig.model_validate(base)
    env.apply(config)
    url = f"{env.sandbox.base_url}/guilds/{env.sandbox.guild_id}/roles"
    httpx.post(url, json={"name": "Hand Made"}, headers=env.sandbox.headers).raise_for_status()
    plan = env.plan(config)  # lands at position 1 next to Member: the order rests on ids again
    assert plan.role_order is not None
    env.apply(config)
    assert_declared_positions(env.sandbox, ["Naib", "Fedaykin", "Member"])
    roles = roles_by_name(env.sandbox)
    assert roles["Hand Made"]["position"] not in {roles[n]["position"] for n in NAMES[:2]}
    assert not env.plan(config).has_changes


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    first=st.lists(st.sampled_from(NAMES), unique=True, min_size=1),
    second=st.lists(st.sampled_from(NAMES), unique=True, min_size=1),
)
def test_any_two_role_lists_in_a_row_end_in_declared_positions(
    sandbox_server: SandboxServer, tmp_path_factory: Any, first: list[str], second: list[str]
) -> None:
    from .conftest import Env

    info = sandbox_server.sandbox.create_guild()
    guild = SandboxGuild(sandbox_server, info, sandbox_server.base_url, info.token)
    env = Env(guild, tmp_path_factory.mktemp("roles"))
    for names in (first, second):
        config = ServerConfig.model_validate({"roles": [{"name": n} for n in names]})
        env.apply(config)
        assert_declared_positions(guild, names)
        assert not env.plan(config).has_changes
