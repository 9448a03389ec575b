"""PRD 6.6.3's threshold table row by row, and the thresholds as validated configuration."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from gaib_core.errors import ConfigError
from gaib_theme_sietch.tiers.amounts import AmountError, bgt_to_wei, format_bgt, to_wei
from gaib_theme_sietch.tiers.thresholds import (
    AmountThresholds,
    RankRanges,
    Thresholds,
    ThresholdService,
)
from gaib_theme_sietch.tiers.tier import TierService
from pydantic import ValidationError

SERVICE = TierService()

# (tier, below, exact, above, tier below the threshold) from PRD 6.6.3, unranked holders.
TABLE = [
    ("hajra", "6.8", "6.9", "7.0", None),
    ("ichwan", "68.9", "69", "70", "hajra"),
    ("qanat", "221.9", "222", "223", "ichwan"),
    ("sihaya", "419.9", "420", "421", "qanat"),
    ("mushtamal", "689.9", "690", "691", "sihaya"),
    ("sayyadina", "887.9", "888", "889", "mushtamal"),
    ("usul", "1110.9", "1111", "1112", "sayyadina"),
]


@pytest.mark.parametrize(
    ("tier", "amount", "expected"),
    [
        pytest.param(tier, amount, expected, id=f"{tier}-{case}-{amount}")
        for tier, below, exact, above, under in TABLE
        for case, amount, expected in (
            ("below", below, under),
            ("exact", exact, tier),
            ("above", above, tier),
        )
    ],
)
def test_threshold_table(tier: str, amount: str, expected: str | None) -> None:
    assert SERVICE.tier(bgt_to_wei(amount)) == expected
    assert SERVICE.decide(bgt_to_wei(amount), rank=101).tier == expected


@pytest.mark.parametrize(
    ("rank", "expected"),
    [
        pytest.param(1, "naib", id="naib-rank-1"),
        pytest.param(7, "naib", id="naib-rank-7"),
        pytest.param(8, "fedaykin", id="naib-rank-8-demotes-to-fedaykin"),
        pytest.param(69, "fedaykin", id="fedaykin-rank-69"),
        pytest.param(70, "sihaya", id="fedaykin-rank-70-ineligible-waitlist"),
        pytest.param(100, "sihaya", id="waitlist-rank-100"),
        pytest.param(101, "sihaya", id="rank-101-outside-waitlist"),
    ],
)
def test_rank_table(rank: int, expected: str) -> None:
    decision = SERVICE.decide(bgt_to_wei("500"), rank)
    assert decision.tier == expected
    assert decision.rank == rank
    on_waitlist = SERVICE.thresholds.on_waitlist(rank)
    assert on_waitlist == (70 <= rank <= 100)
    assert ("waitlist" in decision.reason) == on_waitlist


def test_defaults_are_sietch_v3() -> None:
    amounts = AmountThresholds()
    assert [format_bgt(getattr(amounts, t)) for t in ("hajra", "ichwan", "qanat")] == [
        "6.9",
        "69",
        "222",
    ]
    assert amounts.usul == 1111 * 10**18
    assert RankRanges() == RankRanges(naib=7, fedaykin=69, waitlist=100)


def test_one_wei_matters() -> None:
    hajra = bgt_to_wei("6.9")
    assert hajra == 6_900_000_000_000_000_000
    assert SERVICE.tier(hajra - 1) is None
    assert SERVICE.tier(hajra) == "hajra"


@pytest.mark.parametrize(
    ("amounts", "message"),
    [
        ({"hajra": "0"}, "hajra is 0 BGT; thresholds must be positive"),
        ({"ichwan": "6.9"}, "ichwan (6.9 BGT) must be above hajra (6.9 BGT)"),
        ({"usul": "800"}, "usul (800 BGT) must be above sayyadina (888 BGT)"),
        ({"hajra": 6.9}, "the float 6.9 is refused"),
        ({"hajra": "-1"}, "'-1' is not a BGT amount"),
        ({"hajra": "1e3"}, "'1e3' is not a BGT amount"),
    ],
)
def test_bad_thresholds_are_refused(amounts: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        AmountThresholds.model_validate(amounts)


@pytest.mark.parametrize(
    "ranks",
    [{"naib": 0}, {"naib": 69}, {"fedaykin": 100}, {"naib": 7, "fedaykin": 5}, {"naib": "7"}],
)
def test_bad_rank_ranges_are_refused(ranks: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        RankRanges.model_validate(ranks)


def test_thresholds_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "thresholds.yaml"
    path.write_text('amounts:\n  hajra: "10"\n  ichwan: 100\nranks:\n  naib: 3\n  fedaykin: 30\n')
    service = ThresholdService.from_yaml(path)
    assert service.thresholds.amounts.hajra == bgt_to_wei("10")
    assert service.thresholds.amounts.ichwan == bgt_to_wei("100")  # integers are whole BGT
    assert service.thresholds.amounts.usul == bgt_to_wei("1111")  # the rest keeps its default
    tiers = TierService(service)
    assert tiers.tier(bgt_to_wei("9.99")) is None
    assert tiers.tier(0, rank=3) == "naib"
    assert tiers.tier(0, rank=4) == "fedaykin"
    assert ThresholdService.from_yaml(_write(tmp_path, "")).thresholds == Thresholds()


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "t.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("amounts:\n  hajra: 6.9\n", "t.yaml:2:10: amounts.hajra: ", 'decimal string ("6.9")'),
        ('amounts:\n  ichwan: "5"\n', "t.yaml:2:3: amounts: ", "ichwan (5 BGT) must be above"),
        ("ranks:\n  naib: 70\n", "t.yaml:2:3: ranks: ", "naib (70) < fedaykin (69)"),
        (
            "amount:\n  hajra: 1\n",
            "t.yaml:1:1: amount: ",
            "unknown setting; a thresholds file has amounts:",
        ),
        ("ranks:\n  fedayk: 1\n", "t.yaml:2:3: ranks.fedayk: ", "unknown setting"),
    ],
)
def test_yaml_errors_name_file_line_and_field(
    tmp_path: Path, text: str, where: str, words: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        ThresholdService.from_yaml(_write(tmp_path, text))
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / where}"), message
    assert words in message
    assert "\n" not in message


def test_the_float_advice_works(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r'give the amount as a decimal string \("6.9"\)'):
        ThresholdService.from_yaml(_write(tmp_path, "amounts:\n  hajra: 6.9\n"))
    service = ThresholdService.from_yaml(_write(tmp_path, 'amounts:\n  hajra: "6.9"\n'))
    assert service.thresholds == Thresholds()


@pytest.mark.parametrize(
    ("value", "wei"),
    [
        ("6.9", 6_900_000_000_000_000_000),
        (" 69 ", 69 * 10**18),
        ("0.000000000000000001", 1),
        (".5", 5 * 10**17),
        ("7.", 7 * 10**18),
        ("1.100000000000000000000", 11 * 10**17),  # trailing zeros beyond 18 places are exact
        (Decimal("6.9"), 6_900_000_000_000_000_000),
        (
            Decimal("123456789012345678901234.123456789012345678"),
            123456789012345678901234123456789012345678,
        ),
        (6_900_000_000_000_000_000, 6_900_000_000_000_000_000),
    ],
)
def test_exact_amounts(value: object, wei: int) -> None:
    assert to_wei(value) == wei


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (6.9, "the float 6.9 is refused: floats cannot hold BGT amounts exactly"),
        ("6,9", "'6,9' is not a BGT amount"),
        ("1e3", "'1e3' is not a BGT amount"),
        ("-1", "'-1' is not a BGT amount"),
        ("NaN", "'NaN' is not a BGT amount"),
        ("", "'' is not a BGT amount"),
        ("0.0000000000000000001", "has 19 decimal places; BGT has 18"),
        (-5, "-5 wei is negative"),
        (True, "True is not an amount"),
        (Decimal("-1"), "-1 is not a BGT amount"),
        (Decimal("Infinity"), "Infinity is not a BGT amount"),
        ([1], "list [1] is not an amount"),
    ],
)
def test_bad_amounts(value: object, message: str) -> None:
    with pytest.raises(AmountError) as caught:
        to_wei(value)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
