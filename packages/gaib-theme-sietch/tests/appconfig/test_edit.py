"""Changing settings by dotted key: applied together, validated together, one-line errors."""

from __future__ import annotations

import pytest
from gaib_core.errors import ConfigError
from gaib_theme_sietch.appconfig.edit import apply_edits, parse_assignment
from gaib_theme_sietch.appconfig.models import AppConfig
from gaib_theme_sietch.tiers.amounts import to_wei


def edit(
    *assignments: str, unset: tuple[str, ...] = (), base: AppConfig | None = None
) -> AppConfig:
    return apply_edits(base or AppConfig(), [parse_assignment(a) for a in assignments], unset)


def test_settings_of_every_section_change_together() -> None:
    config = edit(
        "thresholds.amounts.hajra=7",
        "thresholds.ranks.naib=8",
        "gates.veteran=off",
        "roles.Former Naib=1100000000000000001",
    )
    assert config.thresholds.amounts.hajra == to_wei("7")
    assert config.thresholds.ranks.naib == 8
    assert config.gates["veteran"] is False and config.gates["engaged"] is True
    assert config.roles == {"Former Naib": "1100000000000000001"}
    assert "veteran" not in config.managed_roles() and "naib" in config.managed_roles()


def test_amounts_are_exact_to_the_wei() -> None:
    config = edit("thresholds.amounts.hajra=6.900000000000000001")
    assert config.thresholds.amounts.hajra == to_wei("6.9") + 1
    assert config.flat()["thresholds.amounts.hajra"] == "6.900000000000000001"


def test_thresholds_moved_past_each_other_in_one_command() -> None:
    config = edit("thresholds.amounts.hajra=100", "thresholds.amounts.ichwan=200")
    assert config.thresholds.amounts.ichwan == to_wei("200")


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        (
            "thresholds.amounts.hajra=100",
            "thresholds.amounts.hajra: ichwan (69 BGT) must be above hajra (100 BGT)",
        ),
        ("thresholds.amounts.hajra=6,9", "thresholds.amounts.hajra: '6,9' is not a BGT amount"),
        (
            "thresholds.amounts.hajra=0",
            "thresholds.amounts.hajra: hajra is 0 BGT; thresholds must be positive",
        ),
        (
            "thresholds.ranks.naib=70",
            "thresholds.ranks.naib: naib (70) < fedaykin (69) < waitlist (100) must hold",
        ),
        ("thresholds.ranks.naib=seven", "thresholds.ranks.naib: 'seven' is not a whole number"),
        ("thresholds.amounts.spice=1", "unknown setting 'thresholds.amounts.spice'"),
        ("gates.spice=on", "unknown setting 'gates.spice'"),
        ("gates.veteran=maybe", "gates.veteran: 'maybe' is not on or off"),
        ("roles.Naib=abc", "roles.Naib: 'abc' is not a Discord role id"),
        ("roles.Naib=18446744073709551616", "is not a Discord role id"),
        ("roles. Naib=1", "must be 1-100 characters without surrounding spaces"),
        ("hajra", "'hajra' is not KEY=VALUE"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(assignment: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        edit(assignment)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unset_returns_to_defaults_and_removes_a_mapping() -> None:
    base = edit("thresholds.amounts.usul=2000", "gates.waitlist=off", "roles.Naib=1")
    config = edit(unset=("thresholds.amounts.usul", "gates.waitlist", "roles.Naib"), base=base)
    assert config == AppConfig()
    with pytest.raises(ConfigError, match=r"roles\.Naib: no role mapping 'Naib'"):
        edit(unset=("roles.Naib",))


def test_a_setting_given_twice_is_refused_and_once_is_stored() -> None:
    twice = [parse_assignment("thresholds.amounts.hajra=6.9"), ("thresholds.amounts.hajra", "7")]
    with pytest.raises(ConfigError) as caught:
        apply_edits(AppConfig(), twice)
    assert str(caught.value) == "thresholds.amounts.hajra is given twice; give each setting once"
    assert apply_edits(AppConfig(), twice[1:]).thresholds.amounts.hajra == to_wei("7")
