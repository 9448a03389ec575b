"""The theme conformance kit, run on the tiny theme (and shown to catch a bad one)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from gaib_core.testing.themes import ThemeContract, flag_combinations
from gaib_core.themes import load_theme
from hypothesis import Phase, settings


class TestTinyTheme(ThemeContract):
    literal_dollar_braces = ("${price}",)

    @pytest.fixture
    def theme_path(self, tiny: Path) -> Path:
        return tiny


def test_flag_combinations_cover_every_switch(tiny: Path) -> None:
    assert flag_combinations(load_theme(tiny)) == [{"enable_voice": False}, {"enable_voice": True}]


def test_the_contract_catches_an_undocumented_variable_and_a_leftover(
    make_theme: Callable[..., Path], tiny_files: dict[str, str]
) -> None:
    manifest = tiny_files["theme.yaml"].replace("    description: Color of the Lead role.\n", "")
    path = make_theme({"theme.yaml": manifest}, drop=("README.md",))

    class Quick(ThemeContract):
        # The failure shows on the first example; skip hypothesis' shrinking.
        property_settings = settings(max_examples=5, deadline=None, phases=[Phase.generate])

    contract = Quick()
    theme = load_theme(path)
    with pytest.raises(AssertionError, match="add a description to: accent"):
        contract.test_every_variable_is_described(theme)
    with pytest.raises(AssertionError, match=r"has no README\.md"):
        contract.test_readme_exists(theme)
    with pytest.raises(AssertionError, match="left after rendering"):
        contract.test_any_valid_values_render(theme, {})
