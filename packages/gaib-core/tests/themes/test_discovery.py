"""Themes come from plugins (gaib_register_themes) or from a directory path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from gaib_core import hookimpl
from gaib_core.errors import ThemeError
from gaib_core.plugins import Hooks, build_plugin_manager
from gaib_core.themes import find_theme, list_themes


def hooks_with(**themes: Path) -> Hooks:
    class Plugin:
        @hookimpl
        def gaib_register_themes(self, register: Any) -> None:
            for name, path in themes.items():
                register(name, path)

    return Hooks(build_plugin_manager(load_entry_points=False, builtins=False, extra=[Plugin()]))


def test_find_a_registered_theme(tiny: Path) -> None:
    theme = find_theme("tiny", hooks_with(tiny=tiny))
    assert theme.name == "tiny" and theme.path == tiny


def test_find_a_theme_by_path(tiny: Path) -> None:
    assert find_theme(str(tiny), hooks_with()).name == "tiny"


def test_unknown_theme_suggests_a_name(tiny: Path) -> None:
    with pytest.raises(ThemeError, match="unknown theme 'tinny'; did you mean 'tiny'"):
        find_theme("tinny", hooks_with(tiny=tiny))
    with pytest.raises(ThemeError, match="installed themes: tiny; or give a theme directory"):
        find_theme("zzzzzz", hooks_with(tiny=tiny))
    with pytest.raises(ThemeError, match="no theme is installed"):
        find_theme("zzzzzz", hooks_with())


def test_list_themes_keeps_going_past_a_broken_one(tiny: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "theme.yaml").write_text("name: [x\n")
    listings = list_themes(hooks_with(tiny=tiny, broken=broken))
    assert [item.name for item in listings] == ["broken", "tiny"]
    assert listings[0].theme is None and listings[0].error and "invalid YAML" in listings[0].error
    assert listings[1].theme is not None and listings[1].error is None


def test_two_plugins_claiming_a_name_is_a_theme_error(tiny: Path) -> None:
    class A:
        @hookimpl
        def gaib_register_themes(self, register: Any) -> None:
            register("same", tiny)

    class B(A):
        pass

    hooks = Hooks(build_plugin_manager(load_entry_points=False, builtins=False, extra=[A(), B()]))
    with pytest.raises(ThemeError, match="registered twice"):
        find_theme("same", hooks)


def test_installed_sietch_theme_is_found_and_renders() -> None:
    hooks = Hooks()
    if "sietch" not in hooks.themes():
        pytest.skip("gaib-theme-sietch is not installed")
    config = find_theme("sietch", hooks)
    assert config.name == "sietch"
