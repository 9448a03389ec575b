"""``server:`` settings in discord-server.yaml: bad values are one line naming file:line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from gaib_core.config.loader import load_config, parse_yaml
from gaib_core.config.models import ServerSettings
from gaib_core.errors import ConfigError
from gaib_core.testing.images import png_bytes
from gaib_core.themes.render import render_theme

HEAD = """\
version: 1
channels:
  - name: general
  - name: AFK
    type: voice
server:
"""
LINE = HEAD.count("\n") + 1  # the line of the first setting


def load(tmp_path: Path, settings: str) -> object:
    path = tmp_path / "discord-server.yaml"
    indented = "".join(f"  {line}\n" for line in settings.splitlines())
    path.write_text(HEAD + indented, encoding="utf-8")
    return load_config(path)


def error(tmp_path: Path, settings: str) -> str:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, settings)
    text = str(info.value)
    assert "\n" not in text, "one line"
    return text


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("name: A", "server.name: string should have at least 2 characters"),
        ("description: " + "x" * 301, "server.description: string should have at most 300"),
        ("verification_level: extreme", "server.verification_level: input should be 'none'"),
        ("default_notifications: 1", "server.default_notifications: input should be"),
        ("explicit_content_filter: everyone", "server.explicit_content_filter: input should be"),
        (
            "afk_timeout: 120",
            "server.afk_timeout: input should be 60, 300, 900, 1800 or 3600, got 120; use one of "
            "the values listed",
        ),
        ("afk_channel: AFK", "server.afk_channel: 'AFK' is not a channel address"),
        (
            "afk_channel: channel.general",
            "server.afk_channel: channel.general is a text channel; the afk channel must be a "
            "voice channel; did you mean channel.afk?",
        ),
        (
            "afk_channel: channel.afc",
            "server.afk_channel: channel.afc is not a channel of this file; did you mean channel.afk?",
        ),
        (
            "system_channel: channel.afk",
            "server.system_channel: channel.afk is a voice channel; the system channel must be a "
            "text channel; did you mean channel.general?",
        ),
        ("colour: red", "server.colour: unknown field 'colour'"),
    ],
)
def test_bad_values_name_file_line_and_field(tmp_path: Path, setting: str, expected: str) -> None:
    text = error(tmp_path, setting + "\n")
    assert text.startswith(f"{tmp_path / 'discord-server.yaml'}:{LINE}:"), text
    assert expected in text, text


def test_icon_problems_name_the_file_and_line(tmp_path: Path) -> None:
    missing = error(tmp_path, "icon: logo.png\n")
    assert missing.startswith(f"{tmp_path / 'discord-server.yaml'}:{LINE}:")
    assert f"server.icon: icon file 'logo.png' not found (looked for {tmp_path / 'logo.png'})" in (
        missing
    )
    assert "put the image beside" in missing
    (tmp_path / "logo.png").write_text("not a picture")
    assert "server.icon: icon file 'logo.png': it is not a PNG, JPEG or GIF image" in error(
        tmp_path, "icon: logo.png\n"
    )
    (tmp_path / "empty.png").write_bytes(b"")
    assert "icon file 'empty.png': the file is empty" in error(tmp_path, "icon: empty.png\n")


def test_following_the_icon_advice_works(tmp_path: Path) -> None:
    assert "not found" in error(tmp_path, "icon: art/logo.png\n")
    (tmp_path / "art").mkdir()
    (tmp_path / "art" / "logo.png").write_bytes(png_bytes())
    config = load(tmp_path, "icon: art/logo.png\n")
    icon = config.server.icon_file  # type: ignore[attr-defined]
    assert icon is not None and icon.path == tmp_path / "art" / "logo.png"
    assert icon.image.mime == "image/png"


def test_valid_settings_load_and_only_written_ones_are_managed(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(png_bytes())
    config = load(
        tmp_path,
        "name: Arrakis\nicon: logo.png\nafk_channel: channel.afk\nafk_timeout: 3600\n"
        "verification_level: very_high\nsystem_channel: ''\ndescription: ''\n",
    )
    server = config.server  # type: ignore[attr-defined]
    assert server.managed() == [
        "name",
        "description",
        "icon",
        "verification_level",
        "afk_channel",
        "afk_timeout",
        "system_channel",
    ]
    assert ServerSettings().managed() == []


def test_an_icon_written_in_a_theme_is_found_beside_the_theme_file(tmp_path: Path) -> None:
    from gaib_core.themes import load_theme

    theme_dir = tmp_path / "theme"
    theme_dir.mkdir()
    (theme_dir / "theme.yaml").write_text(
        "name: iconic\nversion: 1.0.0\ndescription: a theme with an icon\nfiles: [server.yaml]\n"
    )
    (theme_dir / "server.yaml").write_text("server:\n  name: Iconic\n  icon: icon.png\n")
    (theme_dir / "icon.png").write_bytes(png_bytes((9, 9, 9)))
    config = render_theme(load_theme(theme_dir))
    icon = config.server.icon_file
    assert icon is not None and icon.path == theme_dir / "icon.png"
    (theme_dir / "icon.png").unlink()
    with pytest.raises(ConfigError, match=r"server\.yaml:3:\d+: server\.icon: icon file"):
        render_theme(load_theme(theme_dir))


def test_a_config_parsed_from_text_finds_its_icon_relative_to_its_name(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(png_bytes())
    source = parse_yaml("server:\n  icon: logo.png\n", str(tmp_path / "virtual.yaml"))
    from gaib_core.config.loader import config_from_document

    assert config_from_document(source).server.icon_file is not None
