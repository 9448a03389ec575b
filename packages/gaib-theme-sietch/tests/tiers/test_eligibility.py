"""EligibilityService: PRD 6.6.3's seven scenarios by name, the special roles, the seats and
the waitlist, and properties over drawn holder lists."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from gaib_theme_sietch.tiers.amounts import bgt_to_wei
from gaib_theme_sietch.tiers.eligibility import Eligibility, EligibilityService, Rules
from gaib_theme_sietch.tiers.holders import Holder
from gaib_theme_sietch.tiers.thresholds import TIERS
from hypothesis import given
from hypothesis import strategies as st

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
SERVICE = EligibilityService()
ME = "100000000000000001"  # the member each scenario follows


def wallet(n: int) -> str:
    return f"0x{n:040x}"


def whales(count: int = 100, *, linked: bool = True) -> list[Holder]:
    """``count`` holders of 5000-5099 BGT: they fill the seats and the waitlist."""
    return [
        Holder(
            wallet(0xA000 + i), bgt_to_wei(str(5000 + i)), str(2 * 10**17 + i) if linked else None
        )
        for i in range(count)
    ]


def me(amount: str, **extra: object) -> Holder:
    return Holder(wallet(1), bgt_to_wei(amount), ME, **extra)  # type: ignore[arg-type]


def run(holders: Iterable[Holder], previous: Eligibility | None = None) -> Eligibility:
    return SERVICE.evaluate(holders, previous.assignment() if previous else None, now=NOW)


def test_scenario_1_tier_promotion() -> None:
    before = run([*whales(), me("68.9")])
    assert before.members[ME].tier == "hajra"
    after = run([*whales(), me("69")], before)
    assert after.members[ME].tier == "ichwan"
    assert [(c.discord_user_id, c.kind, c.before, c.after) for c in after.changes] == [
        (ME, "promotion", "hajra", "ichwan")
    ]


def test_scenario_2_tier_demotion() -> None:
    before = run([*whales(), me("700")])
    assert before.members[ME].tier == "mushtamal"
    after = run([*whales(), me("689.999999999999999999")], before)  # redeemed 1 wei too many
    assert after.members[ME].tier == "sihaya"
    (change,) = after.changes
    assert (change.kind, change.before, change.after) == ("demotion", "mushtamal", "sihaya")
    assert str(change) == f"{ME}: demotion Mushtamal -> Sihaya"


def test_scenario_3_rank_override() -> None:
    small = [*whales(6), me("10")]  # 7 holders: rank 7 with 10 BGT (amount alone: Hajra)
    result = run(small)
    assert result.members[ME].rank == 7
    assert result.members[ME].tier == "naib"
    result = run([*whales(60), me("10")])
    assert (result.members[ME].rank, result.members[ME].tier) == (61, "fedaykin")


def test_scenario_4_role_assignment_on_promotion() -> None:
    before = run([*whales(), me("400")])
    after = run([*whales(), me("420")], before)
    assert before.assignment()[ME] == {"qanat"}
    assert after.assignment()[ME] == {"sihaya"}  # the new tier role, and only it


def test_scenario_5_role_removal_on_demotion() -> None:
    before = run([*whales(6), me("5001")])  # rank 1: Naib
    assert before.members[ME].roles == {"naib"}
    after = run([*whales(10), me("10")], before)  # now rank 11
    assert after.members[ME].roles == {"fedaykin", "former_naib"}  # Naib removed
    later = run([*whales(), me("10")], after)  # out of the seats: amount tier
    assert later.members[ME].roles == {"hajra", "former_naib"}
    gone = run(whales(), later)  # sold everything and left the snapshot
    assert gone.members[ME].roles == {"former_naib"}
    assert gone.changes[-1].kind == "left"


def test_scenario_6_waitlist_entry() -> None:
    holders = [*whales(69), me("420")]  # rank 70: first on the waitlist
    result = run(holders)
    mine = result.members[ME]
    assert (mine.rank, mine.tier, mine.specials) == (70, "sihaya", {"taqwa"})
    assert [s.rank for s in result.waitlist] == [70]
    assert len(result.seats) == 69
    # It tracks the threshold like any amount tier.
    assert run([*whales(69), me("419.9")]).members[ME].tier == "qanat"
    # Positions 70-100 are the waitlist, 101 is not.
    result = run([*whales(99, linked=False), me("420")])
    assert (result.members[ME].rank, result.members[ME].specials) == (100, {"taqwa"})
    assert [s.rank for s in result.waitlist] == list(range(70, 101))
    result = run([*whales(100, linked=False), me("420")])
    assert (result.members[ME].rank, result.members[ME].specials) == (101, frozenset())
    assert ME not in {s.discord_user_id for s in result.waitlist}


def test_scenario_7_waitlist_promotion() -> None:
    seated = whales(69)
    before = run([*seated, me("420")])
    assert before.members[ME].roles == {"sihaya", "taqwa"}
    after = run([*seated[1:], me("420")], before)  # a Fedaykin sold: seat 69 frees
    mine = after.members[ME]
    assert (mine.rank, mine.roles) == (69, {"fedaykin"})
    assert (ME, "waitlist_promotion") in {(c.discord_user_id, c.kind) for c in after.changes}
    assert after.seats[-1].discord_user_id == ME and after.waitlist == ()


def test_ranks_1_7_8_69_70_100_101() -> None:
    result = run(whales(101, linked=True))
    by_rank = {m.rank: m for m in result.members.values()}
    assert by_rank[1].tier == by_rank[7].tier == "naib"
    assert by_rank[8].tier == by_rank[69].tier == "fedaykin"
    assert by_rank[70].tier == "usul" and "taqwa" in by_rank[70].specials
    assert "taqwa" in by_rank[100].specials
    assert by_rank[101].tier == "usul" and by_rank[101].specials == frozenset()
    assert [s.rank for s in result.seats] == list(range(1, 70))


def test_badges_and_tenure() -> None:
    badges5 = ("a", "b", "c", "d", "water-sharer")
    cases = {
        ("x", "y", "z", "w"): set(),
        badges5: {"engaged", "water_sharer"},
        ("a", "b", "c", "d", "e"): {"engaged"},
    }
    for badges, expected in cases.items():
        result = run([*whales(), me("7", badges=badges)])
        assert result.members[ME].specials == expected, badges
    veteran = run([*whales(), me("7", joined_at=NOW - timedelta(days=90))])
    assert veteran.members[ME].specials == {"veteran"}
    almost = run([*whales(), me("7", joined_at=NOW - timedelta(days=90) + timedelta(seconds=1))])
    assert almost.members[ME].specials == frozenset()
    strict = EligibilityService(rules=Rules(engaged_badges=6, veteran_days=30))
    result = strict.evaluate(
        [me("7", badges=badges5, joined_at=NOW - timedelta(days=30))], None, now=NOW
    )
    assert result.members[ME].specials == {"water_sharer", "veteran"}


def test_former_naib_stays_and_yields_to_naib() -> None:
    before = run([*whales(6), me("5001")])
    demoted = run([*whales(100), me("7")], before)
    assert demoted.members[ME].roles == {"hajra", "former_naib"}
    again = run([*whales(100), me("7")], demoted)
    assert again.members[ME].roles == {"hajra", "former_naib"} and again.changes == ()
    back = run([*whales(3), me("9999")], again)
    assert back.members[ME].roles == {"naib"}


def test_unlinked_holders_take_seats_but_get_no_roles() -> None:
    result = run([*whales(5, linked=False), me("7")])
    assert [s.discord_user_id for s in result.seats[:5]] == [None] * 5
    assert set(result.members) == {ME}
    assert result.members[ME].tier == "naib"  # rank 6


HOLDERS = st.lists(
    st.builds(
        Holder,
        wallet=st.integers(min_value=1, max_value=400).map(wallet),
        wei=st.sampled_from([0, 1, bgt_to_wei("6.9"), bgt_to_wei("69"), bgt_to_wei("1111")])
        | st.integers(min_value=0, max_value=2_000 * 10**18),
        discord_user_id=st.none() | st.integers(10**17, 10**17 + 400).map(str),
        badges=st.lists(
            st.sampled_from(["water-sharer", "a", "b", "c", "d", "e"]), unique=True
        ).map(tuple),
    ),
    max_size=160,
    unique_by=(lambda h: h.wallet, lambda h: h.discord_user_id or h.wallet),
)


@given(HOLDERS, st.randoms(use_true_random=False))
def test_one_tier_role_each_and_order_does_not_matter(
    holders: list[Holder], random: object
) -> None:
    result = run(holders)
    for member in result.members.values():
        assert len(member.roles & set(TIERS)) <= 1
        assert ("naib" in member.roles) == (member.rank is not None and member.rank <= 7)
    shuffled = list(holders)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert run(shuffled).assignment() == result.assignment()
    assert len(result.seats) == min(69, sum(1 for h in holders if h.wei > 0))


@given(HOLDERS, HOLDERS)
def test_a_second_run_on_the_same_holders_changes_nothing(
    first: list[Holder], second: list[Holder]
) -> None:
    once = run(second, run(first))
    twice = run(second, once)
    assert twice.assignment() == once.assignment()
    assert twice.changes == ()
