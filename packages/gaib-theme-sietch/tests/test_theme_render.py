"""The Sietch theme renders to exactly the PRD's roles, channel tree and variables (PRD 2, 3)."""

from __future__ import annotations

import pytest
from gaib_core.config.models import ChannelType, ServerConfig
from gaib_core.config.validate import config_warnings, validate_config
from gaib_core.plugins import Hooks
from gaib_theme_sietch import rendering
from gaib_theme_sietch.plugin import THEME_DIR

# PRD 2.1.1 and 2.1.2, top to bottom.
PRD_ROLES = [
    ("Naib", "#FFD700"),
    ("Fedaykin", "#4169E1"),
    ("Usul", "#9B59B6"),
    ("Sayyadina", "#6610F2"),
    ("Mushtamal", "#20C997"),
    ("Sihaya", "#28A745"),
    ("Qanat", "#17A2B8"),
    ("Ichwan", "#FD7E14"),
    ("Hajra", "#C2B280"),
    ("Former Naib", "#C0C0C0"),
    ("Taqwa", "#C2B280"),
    ("Water Sharer", "#00D4FF"),
    ("Engaged", "#28A745"),
    ("Veteran", "#9B59B6"),
]
TIERS = [name for name, _ in PRD_ROLES[:9]]

T, V, A = ChannelType.TEXT, ChannelType.VOICE, ChannelType.ANNOUNCEMENT
# PRD 2.2, in order: (category, [(channel, type), ...]).
PRD_TREE = [
    ("STILLSUIT", [("water-discipline", T), ("announcements", A)]),
    ("CAVE ENTRANCE", [("cave-entrance", T), ("cave-voices", V)]),
    ("THE DEPTHS", [("the-depths", T), ("depth-voices", V)]),
    ("INNER SANCTUM", [("inner-sanctum", T), ("sanctum-voices", V)]),
    (
        "FEDAYKIN COMMONS",
        [
            ("general", T),
            ("spice", T),
            ("water-shares", T),
            ("introductions", T),
            ("census", T),
            ("the-door", T),
            ("fedaykin-voices", V),
        ],
    ),
    ("NAIB COUNCIL", [("council-rock", T), ("council-chamber", V)]),
    ("NAIB ARCHIVES", [("naib-archives", T)]),
    ("BADGE CHANNELS", [("the-oasis", T), ("deep-desert", T), ("stillsuit-lounge", T)]),
    ("SUPPORT", [("support", T), ("bot-commands", T)]),
]

# PRD 3.1: every variable with its type and default.
PRD_VARIABLES = {
    "community_name": ("string", "Sietch"),
    **{f"color_{name.lower().replace(' ', '_')}": ("color", color) for name, color in PRD_ROLES},
    "enable_voice": ("boolean", True),
    "enable_badge_channels": ("boolean", True),
}


def tree(config: ServerConfig) -> list[tuple[str, list[tuple[str, ChannelType]]]]:
    """The (category, [(channel, type)]) tree of a rendered config."""
    return [
        (category.name, [(channel.name, channel.type) for channel in category.channels])
        for category in config.categories
    ]


def expected_tree(*, voice: bool, badges: bool) -> list[tuple[str, list[tuple[str, ChannelType]]]]:
    """PRD_TREE with the flags applied."""
    return [
        (category, [(name, kind) for name, kind in channels if voice or kind is not V])
        for category, channels in PRD_TREE
        if badges or category != "BADGE CHANNELS"
    ]


def test_roles_are_the_prd_roles_in_order_with_their_colors(sietch: ServerConfig) -> None:
    assert [(role.name, role.color) for role in sietch.roles] == PRD_ROLES


def test_tier_roles_are_hoisted_and_no_role_has_guild_permissions(sietch: ServerConfig) -> None:
    assert [role.name for role in sietch.roles if role.hoist] == TIERS
    assert all(role.permissions == [] for role in sietch.roles)


def test_every_role_has_an_explicit_key(sietch: ServerConfig) -> None:
    assert [role.key for role in sietch.roles] == [
        name.lower().replace(" ", "_") for name, _ in PRD_ROLES
    ]


def test_server_settings(sietch: ServerConfig) -> None:
    assert sietch.server.name == "Sietch"
    assert sietch.server.bot_role == "Shai-Hulud"
    assert sietch.server.unmanaged == "keep"
    assert sietch.theme is not None
    assert (sietch.theme.name, sietch.theme.version) == ("sietch", "3.0.0")


def test_channel_tree_with_both_flags_on(sietch: ServerConfig) -> None:
    assert tree(sietch) == expected_tree(voice=True, badges=True)
    assert sietch.channels == []
    assert len(sietch.categories) == 9
    assert len(sietch.all_channels()) == 23


@pytest.mark.parametrize(
    ("voice", "badges"), [(True, True), (False, True), (True, False), (False, False)]
)
def test_feature_flags(voice: bool, badges: bool) -> None:
    config = rendering.render({"enable_voice": voice, "enable_badge_channels": badges})
    assert tree(config) == expected_tree(voice=voice, badges=badges)
    # The badge roles stay when their channels go: switching back needs no role changes.
    assert [role.name for role in config.roles] == [name for name, _ in PRD_ROLES]
    validate_config(config)


def test_flags_given_as_strings_like_cli_vars() -> None:
    config = rendering.render({"enable_voice": "false", "enable_badge_channels": "false"})
    assert tree(config) == expected_tree(voice=False, badges=False)


def test_variables_interpolate() -> None:
    config = rendering.render(
        {"community_name": "Arrakis DAO", "color_naib": "#123456", "color_veteran": "#abcdef"}
    )
    assert config.server.name == "Arrakis DAO"
    roles = {role.name: role.color for role in config.roles}
    assert roles["Naib"] == "#123456"
    assert roles["Veteran"] == "#ABCDEF"
    water = config.categories[0].channels[0]
    assert water.topic is not None and "Arrakis DAO" in water.topic


def test_default_rendering_validates_without_warnings(sietch: ServerConfig) -> None:
    validate_config(sietch)
    assert config_warnings(sietch) == []


def test_manifest_declares_every_prd_variable() -> None:
    theme = rendering.load()
    assert theme.name == "sietch"
    assert theme.version == "3.0.0"
    assert theme.description
    assert set(theme.variables) == set(PRD_VARIABLES)
    for name, (kind, default) in PRD_VARIABLES.items():
        spec = theme.variables[name]
        assert str(getattr(spec.type, "value", spec.type)) == kind, name
        assert spec.default == default, name
        assert spec.description, name


def test_theme_is_registered_under_its_name() -> None:
    assert Hooks().themes()["sietch"] == THEME_DIR
    assert (THEME_DIR / "README.md").is_file()
