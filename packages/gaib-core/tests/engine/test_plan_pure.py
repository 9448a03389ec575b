"""Pure plan tests: configs against in-memory guilds, no service involved."""

from __future__ import annotations

from typing import Any

from gaib_core.config.models import ServerConfig
from gaib_core.engine.plan import Plan
from gaib_core.engine.planner import make_plan
from gaib_core.engine.render import render_text
from gaib_core.permissions import to_bits
from gaib_core.state.models import PendingCreate, State


def cfg(data: dict[str, Any]) -> ServerConfig:
    return ServerConfig.model_validate(data)


def by_address(plan: Plan) -> dict[str, Any]:
    return {c.address: c for c in plan.changes}


def test_fresh_guild_plans_creates_only(factory: Any, base: dict[str, Any]) -> None:
    config = cfg(base)
    plan = make_plan(config, factory.empty(), State(lineage="", serial=0))
    assert plan.errors == []
    assert [c.action for c in plan.changes] == ["create"] * 8
    assert plan.summary() == "Plan: 8 to add, 0 to change, 0 to destroy."
    # new roles all land at position 1: one reorder gives each its own position, in config order
    assert plan.role_order == ["role.naib", "role.fedaykin", "role.member"]
    positions = {c.address: c.position for c in plan.changes if c.kind != "role"}
    assert positions["channel.general"] == 0
    assert positions["channel.announcements"] == 1
    assert positions["channel.council_chamber"] == 0
    assert positions["channel.voice_hall"] == 0
    assert by_address(plan)["channel.council_chamber"].channel.name == "council-chamber"


def test_applied_config_plans_nothing(factory: Any, base: dict[str, Any]) -> None:
    config = cfg(base)
    guild, state = factory.materialize(config)
    plan = make_plan(config, guild, state)
    assert plan.errors == []
    assert not plan.has_changes, render_text(plan, detailed=True)
    assert plan.summary().startswith("No changes")


def test_update_shows_attribute_changes_with_names(factory: Any, base: dict[str, Any]) -> None:
    guild, state = factory.materialize(cfg(base))
    base["roles"][1]["color"] = "#FF0000"
    base["roles"][1]["permissions"] = ["SEND_MESSAGES"]
    base["categories"][0]["channels"][0]["topic"] = "new topic"
    plan = make_plan(cfg(base), guild, state)
    changes = by_address(plan)
    fed = changes["role.fedaykin"]
    assert fed.action == "update"
    assert {c.attribute for c in fed.changes} == {"color", "permissions"}
    assert changes["channel.council_chamber"].action == "update"
    text = render_text(plan, detailed=True)
    assert "#C0C0C0 -> #FF0000" in text
    assert "SEND_MESSAGES" in text
    assert plan.summary() == "Plan: 0 to add, 2 to change, 0 to destroy."


def test_type_change_replaces_but_text_to_announcement_updates(
    factory: Any, base: dict[str, Any]
) -> None:
    guild, state = factory.materialize(cfg(base))
    base["channels"][0]["type"] = "voice"
    base["channels"][1]["type"] = "text"
    plan = make_plan(cfg(base), guild, state)
    changes = by_address(plan)
    assert changes["channel.general"].action == "replace"
    assert changes["channel.announcements"].action == "update"
    assert plan.counts() == (1, 1, 1)
    assert "-/+ channel.general" in render_text(plan)


def test_removed_from_config_is_deleted_and_prevent_destroy_refuses(
    factory: Any, base: dict[str, Any]
) -> None:
    guild, state = factory.materialize(cfg(base))
    del base["roles"][2]
    plan = make_plan(cfg(base), guild, state)
    assert by_address(plan)["role.member"].action == "delete"
    assert plan.errors == []
    state.resources["role.member"].attributes["prevent_destroy"] = True
    plan = make_plan(cfg(base), guild, state)
    assert any("prevent_destroy" in e for e in plan.errors)


def test_destroy_deletes_managed_in_reverse_order(factory: Any, base: dict[str, Any]) -> None:
    guild, state = factory.materialize(cfg(base))
    factory.role(guild, "Hand-made", 1)
    plan = make_plan(cfg(base), guild, state, destroy=True)
    kinds = [c.kind for c in plan.changes]
    assert set(c.action for c in plan.changes) == {"delete"}
    assert kinds == sorted(kinds, key=["channel", "category", "role"].index)
    assert len(plan.changes) == 8
    base["roles"][0]["lifecycle"] = {"prevent_destroy": True}
    plan = make_plan(cfg(base), guild, state, destroy=True)
    assert any("role.naib" in e for e in plan.errors)


def test_ignore_changes_masks_attributes(factory: Any, base: dict[str, Any]) -> None:
    guild, state = factory.materialize(cfg(base))
    base["roles"][0]["color"] = "#000001"
    base["roles"][0]["lifecycle"] = {"ignore_changes": ["color"]}
    base["channels"][0]["topic"] = "x"
    base["channels"][0]["lifecycle"] = {"ignore_changes": ["all"]}
    plan = make_plan(cfg(base), guild, state)
    assert [c.address for c in plan.changes if c.action != "no-op"] == []
    # nothing to send; the new lifecycle settings only go to state
    assert {c.address for c in plan.actionable()} == {"role.naib", "channel.general"}
    assert all(c.save_state for c in plan.actionable())


def test_unmanaged_policies(factory: Any, base: dict[str, Any]) -> None:
    guild, state = factory.materialize(cfg(base))
    factory.role(guild, "Hand-made", 4)  # its own position (one shared with Member is a diff)
    factory.channel(guild, "off-topic", position=9)
    assert not make_plan(cfg(base), guild, state).has_changes
    base["server"] = {"unmanaged": "report"}
    plan = make_plan(cfg(base), guild, state)
    assert {o.name for o in plan.unmanaged} == {"Hand-made", "off-topic"}
    assert not plan.has_changes
    assert "off-topic" in render_text(plan)
    base["server"] = {"unmanaged": "remove"}
    plan = make_plan(cfg(base), guild, state)
    deleted = {c.name for c in plan.changes if c.action == "delete"}
    assert deleted == {"Hand-made", "off-topic"}  # never the bot's role or @everyone


def test_relative_role_order_ignores_unmanaged_roles_between(
    factory: Any, base: dict[str, Any]
) -> None:
    guild, state = factory.materialize(cfg(base))
    # squeeze unmanaged roles between the managed ones: relative order unchanged
    for role in guild.roles:
        if role.name in ("Naib", "Fedaykin", "Member"):
            role.position *= 10
    factory.role(guild, "Between", 15)
    factory.role(guild, "Below", 5)
    assert not make_plan(cfg(base), guild, state).has_changes
    # swap Naib and Member in the config: a reorder that keeps unmanaged roles in their slots
    base["roles"] = [base["roles"][2], base["roles"][1], base["roles"][0]]
    plan = make_plan(cfg(base), guild, state)
    assert plan.role_order is not None
    names = [plan.ref_names[r] for r in plan.role_order]
    assert names == ["Member", "Fedaykin", "Between", "Naib", "Below"]
    assert plan.summary() == "Plan: 0 to add, 2 to change, 0 to destroy."


def test_channel_order_within_parent_and_bucket(factory: Any, base: dict[str, Any]) -> None:
    guild, state = factory.materialize(cfg(base))
    # voice and text sort separately: putting the voice channel first changes nothing
    cat = base["categories"][0]
    cat["channels"] = [cat["channels"][1], cat["channels"][0]]
    assert not make_plan(cfg(base), guild, state).has_changes
    base["channels"] = [base["channels"][1], base["channels"][0]]
    plan = make_plan(cfg(base), guild, state)
    assert plan.channel_positions
    moved = [c for c in plan.changes if any(a.attribute == "position" for a in c.changes)]
    assert len(moved) == 1


def test_text_names_are_normalised(factory: Any, base: dict[str, Any]) -> None:
    guild, state = factory.materialize(cfg(base))
    base["channels"][0]["name"] = "General"
    base["channels"][0]["key"] = "general"
    assert not make_plan(cfg(base), guild, state).has_changes


def test_same_named_unmanaged_object_is_a_conflict_with_import_hint(
    factory: Any, base: dict[str, Any]
) -> None:
    guild = factory.empty()
    naib = factory.role(guild, "Naib", 1)
    plan = make_plan(cfg(base), guild, State(lineage="", serial=0))
    assert any(f"gaib server import role.naib {naib.id}" in e for e in plan.errors)
    assert "role.naib" not in by_address(plan)


def test_journal_adopts_object_created_by_interrupted_apply(
    factory: Any, base: dict[str, Any]
) -> None:
    guild = factory.empty()
    naib = factory.role(
        guild, "Naib", 1, color=0xFFD700, hoist=True, permissions=to_bits(["MANAGE_MESSAGES"])
    )
    state = State(lineage="x", serial=3)
    state.pending["role.naib"] = PendingCreate(type="role", name="Naib")
    plan = make_plan(cfg(base), guild, state)
    assert plan.errors == []
    change = by_address(plan)["role.naib"]
    assert change.adopted and change.id == naib.id and change.action == "no-op"
    assert plan.has_changes


def test_target_restricts_to_dependencies(factory: Any, base: dict[str, Any]) -> None:
    plan = make_plan(
        cfg(base), factory.empty(), State(lineage="", serial=0), targets=["channel.council_chamber"]
    )
    assert {c.address for c in plan.changes} == {
        "channel.council_chamber",
        "category.stillsuit",
        "role.naib",
    }
    bad = make_plan(cfg(base), factory.empty(), State(), targets=["role.nope"])
    assert any("role.nope" in e for e in bad.errors)


def test_preflight_reports_what_discord_would_refuse(factory: Any, base: dict[str, Any]) -> None:
    guild, state = factory.materialize(cfg(base))
    naib = next(r for r in guild.roles if r.name == "Naib")
    naib.position = 300  # above the bot
    base["roles"][1]["permissions"] = ["BAN_MEMBERS"]
    base["channels"][0]["overwrites"] = {"@everyone": {"allow": ["MANAGE_ROLES"]}}
    base["channels"][1]["overwrites"] = {"@everyone": {"deny": ["VIEW_CHANNEL"]}}
    plan = make_plan(cfg(base), guild, state)
    text = "\n".join(plan.errors)
    assert "move 'gaib' above 'Naib'" in text
    assert "BAN_MEMBERS, which the bot does not have" in text
    assert "`gaib sandbox grant-bot BAN_MEMBERS`" in text
    assert "MANAGE_ROLES" in text
    assert "channel.announcements: the bot could not see" in text


def test_saved_plan_round_trips_and_refuses_moved_state(factory: Any, base: dict[str, Any]) -> None:
    import pytest
    from gaib_core.errors import PlanError

    state = State(lineage="abc", serial=4)
    plan = make_plan(cfg(base), factory.empty(), state)
    again = Plan.from_json(plan.to_json())
    assert again == plan
    again.ensure_current(state, plan.guild_id)
    with pytest.raises(PlanError, match="stale"):
        again.ensure_current(State(lineage="abc", serial=5), plan.guild_id)
    with pytest.raises(PlanError, match="guild"):
        again.ensure_current(state, "42")


def test_unmanaged_copy_of_a_managed_object_is_warned_about(
    factory: Any, base: dict[str, Any]
) -> None:
    guild, state = factory.materialize(cfg(base))
    copy = factory.role(guild, "Naib", 4)
    plan = make_plan(cfg(base), guild, state)
    assert not plan.has_changes
    assert any(copy.id in w and "role.naib" in w for w in plan.warnings)


def test_update_bodies_send_only_changes_and_clear_with_null(
    factory: Any, base: dict[str, Any]
) -> None:
    from gaib_core.engine.refs import Resolver
    from gaib_core.engine.writes import channel_update, role_update

    guild, state = factory.materialize(cfg(base))
    base["roles"][0]["hoist"] = False
    base["categories"][0]["channels"][0]["topic"] = None
    moved = base["categories"][0]["channels"].pop(0)
    base["channels"].append(moved)
    plan = make_plan(cfg(base), guild, state)
    changes = by_address(plan)
    role_body = role_update(changes["role.naib"])
    assert role_body is not None and role_body.to_json() == {"hoist": False}
    resolver = Resolver(guild, {a: r.id for a, r in state.resources.items()})
    body = channel_update(changes["channel.council_chamber"], resolver)
    assert body is not None
    sent = body.to_json()
    assert sent["topic"] is None and sent["parent_id"] is None and "position" in sent
    assert "name" not in sent and "permission_overwrites" in sent  # overwrites no longer inherited


def test_a_fresh_guilds_role_order_says_it_orders_the_new_roles(
    factory: Any, base: dict[str, Any]
) -> None:
    text = render_text(make_plan(cfg(base), factory.empty(), State()))
    assert "+ Naib, Fedaykin, Member" in text
    assert "puts the new roles in this order" in text and "some share one now" not in text
