"""Server settings in a file that references a theme: the theme's and the file's, each icon found
beside the file that names it, and mistakes located in the file that made them."""

from __future__ import annotations

from pathlib import Path

import pytest
from gaib_core.config.loader import load_config
from gaib_core.errors import ConfigError
from gaib_core.plugins import Hooks, build_plugin_manager
from gaib_core.testing.images import png_bytes

HOOKS = Hooks(build_plugin_manager(load_entry_points=False))


def write(root: Path, theme: Path, server: str) -> Path:
    path = root / "project" / "discord-server.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(
        f"version: 1\ntheme:\n  name: {theme}\n  version: '~=1.2'\n"
        f"  variables:\n    community: Mesa\nserver:\n{server}"
    )
    return path


def test_the_file_adds_settings_and_its_icon_is_beside_it(tmp_path: Path, tiny: Path) -> None:
    path = write(tmp_path, tiny, "  icon: logo.png\n  afk_timeout: 60\n")
    (path.parent / "logo.png").write_bytes(png_bytes((4, 5, 6)))
    config = load_config(path, hooks=HOOKS)
    assert config.server.name == "Mesa"  # the theme's server.name: ${community}
    assert config.server.afk_timeout == 60
    icon = config.server.icon_file
    assert icon is not None and icon.path == path.parent / "logo.png"
    assert config.server.managed() == ["name", "icon", "afk_timeout"]


def test_a_theme_icon_is_found_beside_the_theme_and_the_file_may_replace_it(
    tmp_path: Path, make_theme: object, tiny_files: dict[str, str]
) -> None:
    server_yaml = tiny_files["server.yaml"].rstrip("\n") + "\n  icon: icon.png\n"
    theme = make_theme({"server.yaml": server_yaml})  # type: ignore[operator]
    (theme / "icon.png").write_bytes(png_bytes((1, 1, 1)))
    path = write(tmp_path, theme, "  description: ours\n")
    config = load_config(path, hooks=HOOKS)
    assert (
        config.server.icon_file is not None and config.server.icon_file.path == theme / "icon.png"
    )
    (path.parent / "ours.png").write_bytes(png_bytes((2, 2, 2)))
    replaced = load_config(write(tmp_path, theme, "  icon: ours.png\n"), hooks=HOOKS)
    assert replaced.server.icon_file is not None
    assert replaced.server.icon_file.path == path.parent / "ours.png"


def test_a_bad_setting_in_the_file_names_the_file_and_line(tmp_path: Path, tiny: Path) -> None:
    path = write(tmp_path, tiny, "  afk_timeout: 61\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, hooks=HOOKS)
    text = str(caught.value)
    assert text.startswith(f"{path}:8:"), text
    assert "server.afk_timeout: input should be 60, 300, 900, 1800 or 3600" in text
    missing = write(tmp_path, tiny, "  icon: nowhere.png\n")
    with pytest.raises(ConfigError, match=r"discord-server\.yaml:8:\d+: server\.icon: icon file"):
        load_config(missing, hooks=HOOKS)
