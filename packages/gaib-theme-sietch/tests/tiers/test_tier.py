"""TierService and the ranking: rank overrides amount, reasons, ties, and hypothesis properties."""

from __future__ import annotations

import itertools

import pytest
from gaib_theme_sietch.tiers.amounts import bgt_to_wei
from gaib_theme_sietch.tiers.ranking import rank_holders
from gaib_theme_sietch.tiers.thresholds import AMOUNT_TIERS, TIERS
from gaib_theme_sietch.tiers.tier import TierService
from hypothesis import given
from hypothesis import strategies as st

SERVICE = TierService()
WEI = st.integers(min_value=0, max_value=5_000 * 10**18)
RANK = st.one_of(st.none(), st.integers(min_value=1, max_value=500))


def _level(tier: str | None) -> int:
    return len(TIERS) - TIERS.index(tier) if tier else 0  # higher = better


@given(a=WEI, b=WEI, rank=RANK)
def test_tier_is_monotone_in_amount(a: int, b: int, rank: int | None) -> None:
    low, high = sorted((a, b))
    assert _level(SERVICE.tier(low, rank)) <= _level(SERVICE.tier(high, rank))


@given(wei=WEI, rank=st.integers(min_value=1, max_value=7))
def test_rank_seven_or_better_is_always_naib(wei: int, rank: int) -> None:
    assert SERVICE.tier(wei, rank) == "naib"
    assert SERVICE.decide(wei, rank).tier == "naib"


@given(tier=st.sampled_from(AMOUNT_TIERS), rank=st.one_of(st.none(), st.integers(70, 500)))
def test_one_wei_below_a_threshold_never_reaches_it(tier: str, rank: int | None) -> None:
    threshold = SERVICE.thresholds.threshold(tier)  # type: ignore[arg-type]
    assert _level(SERVICE.tier(threshold - 1, rank)) < _level(tier)
    assert SERVICE.tier(threshold, rank) == tier


@given(wei=WEI, rank=RANK)
def test_decide_agrees_with_tier(wei: int, rank: int | None) -> None:
    assert SERVICE.decide(wei, rank).tier == SERVICE.tier(wei, rank)


@given(pairs=st.lists(st.tuples(WEI, RANK), max_size=20))
def test_tiers_of_a_list_agree_with_tier(pairs: list[tuple[int, int | None]]) -> None:
    """The batch path a whole holder list takes gives each holder what ``tier`` gives."""
    assert SERVICE.tiers(pairs) == [SERVICE.tier(wei, rank) for wei, rank in pairs]


def test_reasons_and_json() -> None:
    assert SERVICE.decide(bgt_to_wei("6.8")).as_json() == {
        "tier": "none",
        "rank": None,
        "bgt": "6.8",
        "reason": "unranked; 6.8 BGT is below the lowest threshold (Hajra, 6.9 BGT)",
    }
    naib = SERVICE.decide(bgt_to_wei("10"), 7)
    assert naib.reason == "rank 7 is in the Naib seats (ranks 1-7); rank overrides amount"
    assert "Fedaykin seats (ranks 8-69)" in SERVICE.decide(0, 69).reason
    assert SERVICE.decide(bgt_to_wei("1111"), 101).reason == (
        "rank 101 is outside the seats (ranks 1-69); 1111 BGT reaches Usul (1111 BGT or more)"
    )


def test_rank_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="rank 0 is not a position"):
        SERVICE.decide(1, 0)


def test_ties_are_broken_by_wallet_address_ascending() -> None:
    b = "0x" + "b" * 40
    a_upper = "0x" + "A" * 40
    c = "0x" + "c" * 40
    assert rank_holders({b: 5, c: 9, a_upper: 5, "0x" + "d" * 40: 0}) == {c: 1, a_upper: 2, b: 3}


@given(
    st.dictionaries(
        st.text(alphabet="0123456789abcdef", min_size=40, max_size=40).map(lambda s: "0x" + s),
        st.integers(min_value=0, max_value=20),
        max_size=30,
    ),
    st.randoms(use_true_random=False),
)
def test_ranks_do_not_depend_on_input_order(amounts: dict[str, int], random: object) -> None:
    pairs = list(amounts.items())
    random.shuffle(pairs)  # type: ignore[attr-defined]
    ranks = rank_holders(pairs)
    assert ranks == rank_holders(amounts)
    assert sorted(ranks.values()) == list(range(1, len(ranks) + 1))
    by_rank = sorted(ranks, key=ranks.__getitem__)
    for higher, lower in itertools.pairwise(by_rank):
        assert (amounts[higher], lower) > (amounts[lower], higher)  # amount desc, wallet asc
