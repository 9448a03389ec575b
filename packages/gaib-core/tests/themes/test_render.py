"""Rendering themes: interpolation, typed values, flags, merging, and the ThemeRef."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gaib_core.config.loader import dump_config, load_config
from gaib_core.config.models import ChannelType
from gaib_core.themes import load_theme, render_theme, render_theme_document

ThemeFactory = Callable[..., Path]


def test_manifest_is_loaded(tiny: Path) -> None:
    theme = load_theme(tiny)
    assert (theme.name, theme.version, theme.description) == (
        "tiny",
        "1.2.0",
        "A tiny theme for tests.",
    )
    assert theme.files == ["server.yaml", "roles.yaml", "channels.yaml"]
    assert theme.path == tiny and theme.readme.startswith("# tiny")
    assert theme.variables["accent"].default == "#112233"
    assert theme.variables["slowmode"].describe_type() == "integer 0..600"
    assert theme.variables["size"].describe_type() == "enum small|large"
    assert load_theme(tiny / "theme.yaml").name == "tiny"


def test_defaults_render_a_valid_config(tiny: Path) -> None:
    config = render_theme(load_theme(tiny))
    assert config.server.name == "Tiny"
    assert [(r.name, r.color, r.hoist) for r in config.roles] == [
        ("Tiny Lead", "#112233", True),
        ("Member", "#000000", False),
    ]
    hall, voice = config.categories
    assert hall.name == "Tiny Hall" and set(hall.overwrites) == {"@everyone", "Tiny Lead"}
    assert [c.name for c in hall.channels] == ["general", "voice"]
    general = hall.channels[0]
    assert general.slowmode == 5  # "${slowmode}" alone takes the typed value
    assert general.topic == "Welcome to Tiny (small)! Write ${price} for prices."
    assert voice.channels[0].type is ChannelType.VOICE
    assert config.theme is not None
    assert config.theme.model_dump() == {
        "name": "tiny",
        "version": "1.2.0",
        "variables": {
            "community": "Tiny",
            "accent": "#112233",
            "enable_voice": True,
            "slowmode": 5,
            "size": "small",
        },
    }


def test_values_from_the_command_line_are_coerced(tiny: Path) -> None:
    values = {
        "community": "Dune",
        "accent": "abcdef",
        "enable_voice": "no",
        "slowmode": "30",
        "size": "large",
    }
    config = render_theme(load_theme(tiny), values)
    assert config.roles[0].name == "Dune Lead" and config.roles[0].color == "#ABCDEF"
    assert [c.name for c in config.categories] == ["Dune Hall"]
    assert [c.name for c in config.categories[0].channels] == ["general", "text-only"]
    assert config.categories[0].channels[0].slowmode == 30
    assert config.theme is not None and config.theme.variables["enable_voice"] is False


def test_typed_python_values_are_accepted(tiny: Path) -> None:
    config = render_theme(load_theme(tiny), {"enable_voice": False, "slowmode": 0})
    assert config.categories[0].channels[0].slowmode == 0
    assert len(config.categories) == 1


def test_document_is_plain_data_in_file_order(tiny: Path) -> None:
    document = render_theme_document(load_theme(tiny))
    assert list(document) == ["version", "server", "theme", "roles", "categories"]
    channels = document["categories"][0]["channels"]
    assert all("when" not in channel for channel in channels)
    assert document["categories"][0]["channels"][0]["slowmode"] == 5


def test_files_merge_in_order(make_theme: ThemeFactory, tiny_files: dict[str, str]) -> None:
    manifest = tiny_files["theme.yaml"].replace(
        "  - channels.yaml\n", "  - channels.yaml\n  - extra.yaml\n"
    )
    extra = (
        "server:\n  name: Override\n  unmanaged: report\n"
        "roles:\n  - name: Extra\n    key: extra\n"
        "channels:\n  - name: outside\n"
    )
    config = render_theme(load_theme(make_theme({"theme.yaml": manifest, "extra.yaml": extra})))
    assert config.server.name == "Override" and config.server.unmanaged == "report"
    assert [r.name for r in config.roles] == ["Tiny Lead", "Member", "Extra"]
    assert [c.name for c in config.channels] == ["outside"]


def test_keys_are_interpolated_and_when_accepts_plain_booleans(
    make_theme: ThemeFactory, tiny_files: dict[str, str]
) -> None:
    roles = tiny_files["roles.yaml"] + "  - name: Hidden\n    key: hidden\n    when: false\n"
    config = render_theme(load_theme(make_theme({"roles.yaml": roles})), {"community": "Xy"})
    assert [r.name for r in config.roles] == ["Xy Lead", "Member"]
    assert "Xy Lead" in config.categories[0].overwrites


def test_rendered_config_round_trips(tiny: Path, tmp_path: Path) -> None:
    config = render_theme(load_theme(tiny))
    path = tmp_path / "discord-server.yaml"
    path.write_text(dump_config(config))
    loaded = load_config(path)
    # A full copy with its `theme:` record keeps `server.name` informational (today's format).
    assert loaded.server.name is None
    loaded.server.name = config.server.name
    assert loaded == config


def test_manifest_without_files_uses_the_standard_ones(
    make_theme: ThemeFactory, tiny_files: dict[str, str]
) -> None:
    manifest = tiny_files["theme.yaml"].replace(
        "files:\n  - server.yaml\n  - roles.yaml\n  - channels.yaml\n", ""
    )
    theme = load_theme(make_theme({"theme.yaml": manifest}, drop=("server.yaml",)))
    assert theme.files == ["roles.yaml", "channels.yaml"]
    assert render_theme(theme).server.name is None
