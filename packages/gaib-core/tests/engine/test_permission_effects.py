"""A plan's permission changes stated as their effect (pure: in-memory guilds, no I/O)."""

from __future__ import annotations

from typing import Any

import pytest
from gaib_core.config.models import ServerConfig
from gaib_core.engine.access import from_desired, from_guild
from gaib_core.engine.desired import build_desired
from gaib_core.engine.effects import permission_effects
from gaib_core.engine.graph import dot, mermaid
from gaib_core.engine.planner import make_plan
from gaib_core.engine.render import plan_json, render_text
from gaib_core.errors import GaibError
from gaib_core.state.models import State


def cfg(data: dict[str, Any]) -> ServerConfig:
    return ServerConfig.model_validate(data)


def texts(plan: Any) -> list[str]:
    return [e.text for e in permission_effects(plan).effects]


def test_no_change_no_effects(factory: Any, base: dict[str, Any]) -> None:
    guild, state = factory.materialize(cfg(base))
    effects = permission_effects(make_plan(cfg(base), guild, state))
    assert effects.empty


def test_losing_and_gaining_access_is_stated_per_role(factory: Any, base: dict[str, Any]) -> None:
    guild, state = factory.materialize(cfg(base))
    stillsuit = base["categories"][0]
    stillsuit["overwrites"]["Fedaykin"] = {"allow": ["VIEW_CHANNEL"]}
    stillsuit["channels"][0]["overwrites"] = {
        "@everyone": {"deny": ["VIEW_CHANNEL"]},
        "@bot": {"allow": ["VIEW_CHANNEL"]},
        "Fedaykin": {"allow": ["VIEW_CHANNEL"]},
    }
    plan = make_plan(cfg(base), guild, state)
    found = texts(plan)
    # Naib lost its overwrite on the council chamber; Fedaykin can see the category and both
    # channels (the voice hall is synced, so it follows the category).
    lost = (
        "Naib loses View Channel, Send Messages and Manage Messages (+1 more) on #council-chamber"
    )
    assert lost in found
    assert any(t.startswith("Fedaykin gains View Channel") and "Voice Hall" in t for t in found)
    assert any(
        t.startswith("Fedaykin gains View Channel") and "#council-chamber" in t for t in found
    )
    assert permission_effects(plan).now_public == []
    rendered = render_text(plan)
    assert "Permission effects (a member holding only that role):" in rendered
    assert f"  - {lost}" in rendered


def test_a_channel_becoming_visible_to_everyone_is_an_alert(
    factory: Any, base: dict[str, Any]
) -> None:
    guild, state = factory.materialize(cfg(base))
    base["categories"][0]["channels"][0]["overwrites"] = {}
    plan = make_plan(cfg(base), guild, state)
    effects = permission_effects(plan)
    assert effects.now_public == ["#council-chamber"]
    # Every role gains what @everyone gains: one @everyone line says it for all of them.
    assert [e.role for e in effects.effects] == ["@everyone"]
    assert effects.effects[0].gains[:3] == ["VIEW_CHANNEL", "SEND_MESSAGES", "READ_MESSAGE_HISTORY"]
    lines = render_text(plan).splitlines()
    warning = "Warning: #council-chamber becomes visible to @everyone (every member can see it)"
    assert warning in lines
    data = plan_json(plan)["permission_effects"]
    assert data["now_public"] == ["#council-chamber"]
    assert data["effects"][0]["channel_refs"] == ["channel.council_chamber"]


def test_new_channels_and_roles_say_who_sees_what(factory: Any, base: dict[str, Any]) -> None:
    guild, state = factory.materialize(cfg(base))
    base["roles"].append({"name": "Guard"})
    base["categories"][0]["overwrites"]["Guard"] = {"allow": ["VIEW_CHANNEL"]}
    base["categories"][0]["channels"].append(
        {"name": "armory", "overwrites": {"@everyone": {"deny": ["VIEW_CHANNEL"]}}}
    )
    base["channels"].append({"name": "lobby"})
    effects = permission_effects(make_plan(cfg(base), guild, state))
    assert [v.text for v in effects.new_channels] == [
        "#lobby (new) is visible to @everyone",
        "#armory (new) is visible to no role (administrators only)",
    ]
    [guard] = effects.new_roles
    assert guard.text == (
        "Guard (new role) sees what @everyone cannot: Stillsuit, #council-chamber and Voice Hall"
    )


def test_becoming_an_administrator_is_one_line(factory: Any, base: dict[str, Any]) -> None:
    guild, state = factory.materialize(cfg(base))
    base["roles"][1]["permissions"] = ["ADMINISTRATOR"]
    effects = permission_effects(make_plan(cfg(base), guild, state))
    assert effects.administrators == [
        "Fedaykin becomes an administrator: every permission in every channel"
    ]
    assert all(e.role != "Fedaykin" for e in effects.effects)


def test_a_deleted_role_and_a_targeted_plan(factory: Any, base: dict[str, Any]) -> None:
    guild, state = factory.materialize(cfg(base))
    del base["roles"][0]  # Naib: its overwrite goes with it
    del base["categories"][0]["overwrites"]["Naib"]
    plan = make_plan(cfg(base), guild, state)
    assert [c.address for c in plan.changes if c.action == "delete"] == ["role.naib"]
    # Deleted roles have no effect lines (the delete says it); the others keep their access.
    assert permission_effects(plan).empty
    # Targeting the channel (and so its category) applies their new overwrites but keeps the
    # role: Naib loses them there, and only there.
    targeted = make_plan(cfg(base), guild, state, targets=["channel.council_chamber"])
    effects = permission_effects(targeted).effects
    assert {(e.role, c) for e in effects for c in e.channels} == {
        ("Naib", "Stillsuit"),
        ("Naib", "#council-chamber"),
    }
    assert all("VIEW_CHANNEL" in e.loses for e in effects)


def test_access_from_config_and_guild_agree_after_apply(factory: Any, base: dict[str, Any]) -> None:
    # The factory's guild has these @everyone permissions; a config without them means
    # Discord's defaults.
    everyone = ["VIEW_CHANNEL", "SEND_MESSAGES", "READ_MESSAGE_HISTORY", "CONNECT", "SPEAK"]
    base["categories"][0]["channels"].reverse()  # the voice channel first in the file
    config = cfg({**base, "server": {"everyone_permissions": everyone}})
    guild, state = factory.materialize(config)
    desired = from_desired(build_desired(config))
    live = from_guild(guild, {r.id: a for a, r in state.resources.items()})
    for role in desired.columns():
        for channel in desired.channels:
            live_role, live_channel = live.column(role.ref), live.channel(channel.ref)
            assert desired.cell(role, channel) == live.cell(live_role, live_channel)
    # Both list rows as Discord's client does: a category's text channels before its voice ones.
    assert [c.ref for c in live.channels] == [c.ref for c in desired.channels]
    assert [c.ref for c in desired.channels if c.parent] == [
        "channel.council_chamber",
        "channel.voice_hall",
    ]
    assert desired.synced(desired.channel("channel.voice_hall"))
    assert not desired.synced(desired.channel("channel.general"))


def test_lookups_say_did_you_mean(base: dict[str, Any]) -> None:
    access = from_desired(build_desired(cfg(base)))
    assert access.find_channel("Council Chamber").ref == "channel.council_chamber"
    assert access.find_channel("#general").ref == "channel.general"
    assert access.find_role("naib").ref == "role.naib"
    assert access.find_role("everyone").ref == "@everyone"
    with pytest.raises(GaibError, match=r"no channel or category called 'genral'; did you mean"):
        access.find_channel("genral")
    with pytest.raises(GaibError, match=r"no role called 'Fedaykn'; did you mean 'Fedaykin'\?"):
        access.find_role("Fedaykn")


def test_a_name_two_channels_share_asks_for_the_address(base: dict[str, Any]) -> None:
    base["channels"].append({"name": "Council Chamber", "key": "council_chamber_2"})
    access = from_desired(build_desired(cfg(base)))
    with pytest.raises(GaibError) as caught:
        access.find_channel("council-chamber")
    assert str(caught.value) == (
        "'council-chamber' names 2 channels (channel.council_chamber_2, "
        "channel.council_chamber); give the address instead"
    )
    # The advice, followed: either address finds its channel.
    assert access.find_channel("channel.council_chamber").parent == "category.stillsuit"
    assert access.find_channel("channel.council_chamber_2").parent is None


def test_graphs_draw_the_hierarchy_and_the_tree(base: dict[str, Any]) -> None:
    access = from_desired(build_desired(cfg(base)))
    chart = mermaid(access)
    assert chart.startswith("flowchart LR\n")
    assert '    r0["Naib"]' in chart and "    r0 --> r1" in chart and "    r2 --> r3" in chart
    assert '    c2[/"Stillsuit (private)"/]' in chart
    assert "    c2 --> c3" in chart and "    c2 --> c4" in chart
    graph = dot(access)
    assert graph.startswith("digraph gaib {") and graph.rstrip().endswith("}")
    assert '    c2 [label="Stillsuit (private)" shape=folder];' in graph
    assert '    c4 [label="Voice Hall (voice) (private)"];' in graph
    assert '    r3 [label="@everyone"];' in graph


def test_fresh_guild_plan_lists_new_channels_only(factory: Any, base: dict[str, Any]) -> None:
    plan = make_plan(cfg(base), factory.empty(), State(lineage="", serial=0))
    effects = permission_effects(plan)
    assert effects.effects == [] and effects.new_roles == []
    assert len(effects.new_channels) == 5
