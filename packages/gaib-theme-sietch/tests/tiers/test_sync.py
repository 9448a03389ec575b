"""RoleManager and the sync, end to end on the sandbox over loopback HTTP.

PRD 6.6.3's scenarios where roles are involved, by name; the member rules (one tier role,
unknown members keep theirs or are stripped; roles decided by a fact the source lacks are left
alone); the request count (role changes + member pages +
the guild read); an interrupted sync re-run converges; and, drawn by hypothesis, a sync applied
twice changes nothing the second time and leaves nobody with two tier roles.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from gaib_core.config.models import RoleConfig, ServerConfig
from gaib_core.errors import GaibError
from gaib_core.provider.discord import DiscordProvider
from gaib_core.provider.models import Member
from gaib_core.sandbox.faults import FaultSpec
from gaib_core.testing.fixtures import SandboxGuild
from gaib_theme_sietch.appconfig.edit import apply_edits, parse_assignment
from gaib_theme_sietch.appconfig.models import AppConfig
from gaib_theme_sietch.tiers.amounts import bgt_to_wei
from gaib_theme_sietch.tiers.eligibility import FACT_ROLES
from gaib_theme_sietch.tiers.holders import FACTS, Fact, Holder
from gaib_theme_sietch.tiers.rolemanager import RoleManager
from gaib_theme_sietch.tiers.roles import (
    DEFAULT_NAMES,
    MANAGED_KEYS,
    RoleMap,
    declared_keys,
    missing_roles_hint,
)
from gaib_theme_sietch.tiers.sync import SyncResult, apply_plan, read_view
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import NOW, SietchGuild, holder, make_sietch_guild, whales

GUILD_READ = 4  # @me, guild, channels, the bot's member


def changes(synced: object) -> list[tuple[str, str, str]]:
    plan = synced.plan  # type: ignore[attr-defined]
    return [(c.user_id, c.action, c.key) for c in plan.changes]


# --- PRD 6.6.3 scenarios ------------------------------------------------------------------


def test_scenario_1_tier_promotion(sietch_guild: SietchGuild) -> None:
    me = sietch_guild.add_member("alia", ["hajra"])
    synced = sietch_guild.sync([*whales(), holder(1, "69", me)])
    assert changes(synced) == [(me, "remove", "hajra"), (me, "add", "ichwan")]
    [change] = synced.plan.tier_changes
    assert (change.kind, change.before, change.after) == ("promotion", "hajra", "ichwan")


def test_scenario_2_tier_demotion(sietch_guild: SietchGuild) -> None:
    me = sietch_guild.add_member("leto", ["usul"])
    synced = sietch_guild.sync([*whales(), holder(1, "1110.999999999999999999", me)])
    assert changes(synced) == [(me, "remove", "usul"), (me, "add", "sayyadina")]
    [change] = synced.plan.tier_changes
    assert (change.kind, change.before, change.after) == ("demotion", "usul", "sayyadina")
    assert sietch_guild.held(me) == {"sayyadina"}


def test_scenario_3_rank_override(sietch_guild: SietchGuild) -> None:
    """Few holders: ranks 1-7 are Naib and 8-69 Fedaykin whatever they hold."""
    naib = sietch_guild.add_member("stilgar")
    fedaykin = sietch_guild.add_member("chani")
    # Six whales hold ranks 1-6: 7 BGT is rank 7 (Naib), 6.9 BGT rank 8 (Fedaykin).
    holders = [*whales(6), holder(100, "7", naib), holder(101, "6.9", fedaykin)]
    synced = sietch_guild.sync(holders)
    assert sietch_guild.tiers(naib) == {"naib"}
    assert sietch_guild.tiers(fedaykin) == {"fedaykin"}
    assert {(c.discord_user_id, c.after) for c in synced.plan.tier_changes} == {
        (naib, "naib"),
        (fedaykin, "fedaykin"),
    }


def test_scenario_4_role_assignment(sietch_guild: SietchGuild) -> None:
    me = sietch_guild.add_member("jessica", other=True)
    sietch_guild.sync([*whales(), holder(1, "222", me, ("water-sharer",))])
    assert sietch_guild.held(me) == {"qanat", "water_sharer"}
    assert sietch_guild.other in sietch_guild.role_ids(me)  # not Sietch's: untouched


def test_scenario_5_role_removal(sietch_guild: SietchGuild) -> None:
    me = sietch_guild.add_member("rabban", ["ichwan", "engaged"], other=True)
    sietch_guild.sync([*whales(), holder(1, "6.899999999999999999", me)])
    assert sietch_guild.held(me) == set()  # below Hajra, no badges: no Sietch role at all
    assert sietch_guild.role_ids(me) == [sietch_guild.other]


def test_scenario_6_waitlist_entry(sietch_guild: SietchGuild) -> None:
    me = sietch_guild.add_member("farok")
    synced = sietch_guild.sync([*whales(69), holder(1, "420", me)])  # rank 70
    assert sietch_guild.held(me) == {"sihaya", "taqwa"}
    [change] = synced.plan.tier_changes
    assert (change.kind, change.after) == ("joined", "sihaya")


def test_scenario_7_waitlist_promotion(sietch_guild: SietchGuild) -> None:
    me = sietch_guild.add_member("otheym")
    sietch_guild.sync([*whales(69), holder(1, "420", me)])
    assert sietch_guild.held(me) == {"sihaya", "taqwa"}
    synced = sietch_guild.sync([*whales(68), holder(1, "420", me)])  # a whale sold: rank 69
    assert changes(synced) == [(me, "remove", "sihaya"), (me, "remove", "taqwa"),
                               (me, "add", "fedaykin")]  # fmt: skip
    [change] = synced.plan.tier_changes
    assert (change.kind, change.before, change.after) == (
        "waitlist_promotion",
        "sihaya",
        "fedaykin",
    )
    assert sietch_guild.held(me) == {"fedaykin"}


# --- the member rules ---------------------------------------------------------------------


def test_a_lost_naib_seat_leaves_former_naib(sietch_guild: SietchGuild) -> None:
    me = sietch_guild.add_member("jamis")
    sietch_guild.sync([holder(1, "100", me)])
    assert sietch_guild.held(me) == {"naib"}
    sietch_guild.sync([*whales(), holder(1, "100", me)])
    assert sietch_guild.held(me) == {"ichwan", "former_naib"}


def test_unknown_members_keep_their_roles_but_never_two_tiers(sietch_guild: SietchGuild) -> None:
    kept = sietch_guild.add_member("harah", ["usul", "veteran"], other=True)
    doubled = sietch_guild.add_member("geurney", ["hajra", "naib", "engaged"])
    synced = sietch_guild.sync(whales())
    assert sietch_guild.held(kept) == {"usul", "veteran"}
    assert sietch_guild.held(doubled) == {"naib", "engaged"}  # the highest tier stays
    assert synced.plan.unknown == 4  # the two, the owner and the bot
    assert synced.plan.tier_changes == ()


def test_strip_unknown_takes_sietch_roles_but_keeps_former_naib(sietch_guild: SietchGuild) -> None:
    plain = sietch_guild.add_member("harah", ["usul", "veteran"], other=True)
    naib = sietch_guild.add_member("duncan", ["naib", "engaged"])
    synced = sietch_guild.sync(whales(), strip_unknown=True)
    assert sietch_guild.role_ids(plain) == [sietch_guild.other]
    assert sietch_guild.held(naib) == {"former_naib"}
    assert {c.kind for c in synced.plan.tier_changes} == {"left"}


def test_holders_outside_the_guild_are_counted_not_changed(sietch_guild: SietchGuild) -> None:
    me = sietch_guild.add_member("irulan")
    synced = sietch_guild.sync([*whales(), holder(1, "70", me), holder(2, "900", "999999999")])
    assert (synced.plan.holders, synced.plan.linked) == (102, 1)
    assert {c.user_id for c in synced.plan.changes} == {me}


def test_a_dry_run_sends_no_write(sietch_guild: SietchGuild) -> None:
    me = sietch_guild.add_member("wensicia")
    synced = sietch_guild.sync([*whales(), holder(1, "888", me)], dry_run=True)
    assert changes(synced) == [(me, "add", "sayyadina")]
    assert sietch_guild.held(me) == set()
    assert synced.requests == GUILD_READ + synced.pages


# --- facts a source does not know ------------------------------------------------------


def test_a_source_without_badges_leaves_the_badge_roles_as_they_are(
    sietch_guild: SietchGuild,
) -> None:
    """The evm source has no badges: its sync neither takes nor gives Water Sharer or Engaged;
    a snapshot with badges then decides them."""
    sharer = sietch_guild.add_member("chani", ["usul", "water_sharer", "engaged"])
    badged = sietch_guild.add_member("liet")
    holders = [
        *whales(),
        holder(1, "420", sharer),  # no badges known: not "no badges"
        holder(2, "69", badged, ("water-sharer",)),  # ignored: the source says it has none
    ]
    synced = sietch_guild.sync(holders, provides=frozenset({"joined_at"}))
    assert dict(synced.plan.left_alone) == {"badges": ("water_sharer", "engaged")}
    assert sietch_guild.held(sharer) == {"sihaya", "water_sharer", "engaged"}
    assert sietch_guild.held(badged) == {"ichwan"}

    synced = sietch_guild.sync(holders)  # a snapshot with a badges column
    assert dict(synced.plan.left_alone) == {}
    assert sietch_guild.held(sharer) == {"sihaya"}
    assert sietch_guild.held(badged) == {"ichwan", "water_sharer"}


# --- requests ---------------------------------------------------------------------------


def test_requests_are_the_role_changes_plus_member_pages(sietch_guild: SietchGuild) -> None:
    """1,102 members (with owner and bot): 2 pages, then one request per role change."""
    # Most members hold what they should already; the first 40 need changes (the provider keeps
    # under Discord's global 50 requests per second, so many changes would cost seconds).
    users = [
        sietch_guild.add_member(f"m{i}", ["hajra"] if i >= 40 or i % 2 else []) for i in range(1100)
    ]
    holders = [*whales(), *(holder(i, "69" if i < 40 else "7", u) for i, u in enumerate(users))]
    core = sietch_guild.sandbox.server.sandbox
    core.reset_stats()
    synced = sietch_guild.sync(holders)
    assert synced.pages == 2  # 1,102 members
    plan, result = synced.plan, synced.result
    assert (plan.count("add"), plan.count("remove")) == (40, 20)
    assert result is not None and result.errors == [] and len(result.applied) == len(plan.changes)
    assert synced.requests == GUILD_READ + synced.pages + len(plan.changes)
    by_route = core.stats()["by_route"]
    assert by_route["GET /guilds/{guild_id}/members"] == 2
    assert by_route["PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}"] == plan.count("add")
    assert by_route.get("DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}", 0) == (
        plan.count("remove")
    )
    again = sietch_guild.sync(holders)
    assert again.plan.changes == () and again.requests == GUILD_READ + 2


def test_a_member_who_leaves_before_their_change_is_skipped(sietch_guild: SietchGuild) -> None:
    gone = sietch_guild.add_member("jamis")
    stays = sietch_guild.add_member("harq")
    holders = [*whales(), holder(1, "69", gone), holder(2, "69", stays)]
    core, gid = sietch_guild.sandbox.server.sandbox, sietch_guild.guild_id

    async def go() -> SyncResult:
        async with DiscordProvider(
            token=sietch_guild.sandbox.token, base_url=sietch_guild.sandbox.base_url
        ) as provider:
            view = await read_view(provider, gid)
            roles = RoleMap.resolve(view.guild)
            plan = RoleManager(roles).plan(gid, holders, view.members, now=NOW)
            stored = core.store.guild(gid)
            assert stored is not None
            del stored.members[gone]  # they leave the guild between the listing and the write
            return await apply_plan(provider, plan, names=dict(roles.names))

    result = asyncio.run(go())
    assert [(c.user_id, c.key) for c in result.skipped] == [(gone, "ichwan")]
    assert result.errors == [] and sietch_guild.held(stays) == {"ichwan"}


def test_a_429_is_waited_out_and_the_change_sent_again(sietch_guild: SietchGuild) -> None:
    users = [sietch_guild.add_member(f"m{i}") for i in range(3)]
    core = sietch_guild.sandbox.server.sandbox
    core.add_fault(
        FaultSpec(kind="429", retry_after=0.05, after=1, route=r"PUT /guilds/\d+/members/.+")
    )
    synced = sietch_guild.sync([*whales(), *(holder(i, "222", u) for i, u in enumerate(users))])
    assert synced.result is not None and synced.result.errors == []
    assert all(sietch_guild.held(u) == {"qanat"} for u in users)
    assert core.stats()["faults_fired"] == 1
    # the three changes, the one sent again after the 429, the member page, the guild read
    assert synced.requests == 3 + 1 + synced.pages + GUILD_READ


def test_an_interrupted_sync_converges_when_run_again(sietch_guild: SietchGuild) -> None:
    users = [sietch_guild.add_member(f"m{i}", ["usul"]) for i in range(30)]
    holders = [*whales(), *(holder(i, "69", u) for i, u in enumerate(users))]
    core = sietch_guild.sandbox.server.sandbox
    # The 20th role write fails for good (5xx past the provider's retries): the sync stops.
    core.add_fault(
        FaultSpec(kind="5xx", count=10, after=19, route=r"* /guilds/\d+/members/\d+/roles/\d+")
    )
    first = sietch_guild.sync(holders, concurrency=4)
    assert first.result is not None and first.result.errors
    assert 0 < len(first.result.applied) < len(first.plan.changes)
    assert all(len(sietch_guild.tiers(u)) <= 1 for u in users)  # removals go first
    core.clear_faults()
    second = sietch_guild.sync(holders)
    assert second.result is not None and second.result.errors == []
    assert 0 < len(second.plan.changes) < len(first.plan.changes)
    assert all(sietch_guild.held(u) == {"ichwan"} for u in users)
    assert sietch_guild.sync(holders).plan.changes == ()


def test_roles_the_bot_cannot_give_stop_the_sync_before_any_write(sandbox: SandboxGuild) -> None:
    guild = make_sietch_guild(sandbox)
    core = sandbox.server.sandbox
    core.add_role(sandbox.guild_id, "Naib", position=300)  # a second Naib, above the bot
    with pytest.raises(GaibError, match="has 2 roles named 'Naib'"):
        guild.sync(whales())
    stored = core.store.guild(sandbox.guild_id)
    assert stored is not None
    stored.roles[guild.roles["naib"]].name = "Old Naib"  # now only the one above the bot
    with pytest.raises(GaibError) as err:
        guild.sync(whales())
    assert "the bot cannot give role 'Naib' (role.naib)" in str(err.value)
    assert "move the bot's role 'gaib' above 'Naib'" in str(err.value)
    assert (
        core.stats()["by_route"].get("PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}")
        is None
    )


def test_a_guild_without_the_roles_says_to_apply_the_theme(sandbox: SandboxGuild) -> None:
    with pytest.raises(GaibError) as err:
        SietchGuild(sandbox, {}, "").sync(whales())
    assert "has no role 'Naib' (role.naib), 'Fedaykin' (role.fedaykin)" in str(err.value)
    assert "create the theme's roles with `gaib server apply`" in str(err.value)


def test_a_role_the_project_removed_is_told_to_switch_its_gate_off(
    sandbox: SandboxGuild,
) -> None:
    """The project dropped role.veteran (``remove:``), so `gaib server apply` cannot create it;
    the advice is the gate, and following it literally lets the roles resolve."""
    guild = make_sietch_guild(sandbox)
    core = sandbox.server.sandbox
    stored = core.store.guild(sandbox.guild_id)
    assert stored is not None
    del stored.roles[guild.roles["veteran"]]
    declared = frozenset(MANAGED_KEYS) - {"veteran"}

    async def resolve(keys: frozenset[str]) -> RoleMap:
        async with DiscordProvider(token=sandbox.token, base_url=sandbox.base_url) as provider:
            view = await read_view(provider, sandbox.guild_id)
            return RoleMap.resolve(view.guild, keys=keys, declared=declared)

    with pytest.raises(GaibError) as err:
        asyncio.run(resolve(frozenset(MANAGED_KEYS)))
    hint = err.value.hint or ""
    assert "discord-server.yaml does not define role.veteran" in hint
    command = hint.split("`")[1]
    assert command == "gaib sietch config set gates.veteran=off"
    app = apply_edits(AppConfig(), [parse_assignment(command.split()[-1])])
    assert "veteran" not in asyncio.run(resolve(app.managed_roles())).ids


def test_missing_roles_advice_follows_what_the_project_defines() -> None:
    keys = ["naib", "veteran"]
    assert "`gaib server apply`, then sync again" in missing_roles_hint(keys, None)
    assert "`gaib server apply`" in missing_roles_hint(keys, frozenset(MANAGED_KEYS))
    assert "`gaib server init --theme sietch --force`" in missing_roles_hint(keys, frozenset())
    both = missing_roles_hint(keys, frozenset({"fedaykin"}), then="map again")
    assert "`gaib sietch config set gates.tier_roles=off gates.veteran=off`" in both
    assert both.endswith("then map again")
    assert declared_keys(None) is None
    config = ServerConfig(roles=[RoleConfig(name="Naib"), RoleConfig(name="Mods")])
    assert declared_keys(config) == frozenset({"naib"})


def test_a_bot_without_manage_roles_is_told_before_any_write(
    sandbox: SandboxGuild,
) -> None:
    core = sandbox.server.sandbox
    info = core.create_guild(bot_permissions=0)
    guild = make_sietch_guild(SandboxGuild(sandbox.server, info, sandbox.base_url, sandbox.token))
    guild.add_member("x")
    with pytest.raises(GaibError, match="the bot lacks Manage Roles"):
        guild.sync(whales())


# --- properties ---------------------------------------------------------------------------

SIETCH_KEYS = list(DEFAULT_NAMES)
AMOUNTS = st.sampled_from(
    ["0", "6.8", "6.9", "68.99", "69", "222", "420", "690", "888", "1111", "5000"]
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    held=st.lists(st.sets(st.sampled_from(SIETCH_KEYS), max_size=4), min_size=1, max_size=5),
    amounts=st.lists(st.one_of(st.none(), AMOUNTS), min_size=5, max_size=5),
    seats=st.sampled_from([0, 66, 69, 100]),
    strip=st.booleans(),
)
def test_a_sync_applied_twice_changes_nothing_the_second_time(
    sandbox: SandboxGuild,
    held: list[set[str]],
    amounts: list[str | None],
    seats: int,
    strip: bool,
) -> None:
    fresh = sandbox.server.sandbox.create_guild()  # one guild per example
    guild = make_sietch_guild(SandboxGuild(sandbox.server, fresh, sandbox.base_url, sandbox.token))
    users = [guild.add_member(f"p{i}", keys) for i, keys in enumerate(held)]
    holders: list[Holder] = whales(seats)
    holders += [holder(i, a, u) for i, (u, a) in enumerate(zip(users, amounts, strict=False)) if a]
    first = guild.sync(holders, strip_unknown=strip)
    assert first.result is not None and first.result.errors == []
    for user in users:
        assert len(guild.tiers(user)) <= 1
    second = guild.sync(holders, strip_unknown=strip)
    assert second.plan.changes == ()
    assert second.requests == GUILD_READ + second.pages


@settings(max_examples=60, deadline=None)
@given(
    held=st.lists(st.sets(st.sampled_from(SIETCH_KEYS), max_size=5), min_size=1, max_size=6),
    amounts=st.lists(st.one_of(st.none(), AMOUNTS), min_size=6, max_size=6),
    badges=st.lists(st.sets(st.sampled_from(["water-sharer", "a", "b", "c", "d"])), max_size=6),
    provides=st.sets(st.sampled_from(sorted(FACTS))),
    strip=st.booleans(),
)
def test_roles_of_facts_the_source_lacks_are_never_changed(
    held: list[set[str]],
    amounts: list[str | None],
    badges: list[set[str]],
    provides: set[Fact],
    strip: bool,
) -> None:
    """Whoever the members are and whatever they hold, a plan never gives or takes a role
    decided by a fact the source does not provide (pure: no guild needed)."""
    ids = {key: str(100 + i) for i, key in enumerate(SIETCH_KEYS)}
    roles = RoleMap(ids, DEFAULT_NAMES)
    users = [str(10**17 + i) for i in range(len(held))]
    members = [
        Member(user_id=u, roles=[ids[k] for k in keys]) for u, keys in zip(users, held, strict=True)
    ]
    holders = [
        Holder(f"0x{i:040x}", bgt_to_wei(amount), user, tuple(sorted(b)), NOW - timedelta(days=99))
        for i, (user, amount, b) in enumerate(
            zip(users, amounts, [*badges, *[set()] * 6], strict=False)
        )
        if amount is not None
    ]
    plan = RoleManager(roles, strip_unknown=strip).plan(
        "1", holders, members, now=NOW, provides=frozenset(provides)
    )
    kept = {key for fact in FACTS - provides for key in FACT_ROLES[fact]}
    assert not [c for c in plan.changes if c.key in kept]
    assert {k for keys in plan.left_alone.values() for k in keys} == kept
