"""The Sietch permissions implement PRD 2.2's Read/Write columns with the semantics we fixed.

A member holds exactly one tier role, so "X+" means every tier from X up to Naib; the expected
access below is derived from the PRD's columns independently of channels.yaml and compared
with the effective access Discord would compute (gaib_core.themes.matrix).
"""

from __future__ import annotations

from gaib_core import permissions as perms
from gaib_core.config.models import (
    BOT,
    EVERYONE,
    CategoryConfig,
    ChannelConfig,
    ChannelType,
    Overwrite,
    ServerConfig,
)
from gaib_core.themes.matrix import Matrix, permission_matrix
from gaib_theme_sietch import rendering

TIERS = ["Naib", "Fedaykin", "Usul", "Sayyadina", "Mushtamal", "Sihaya", "Qanat", "Ichwan", "Hajra"]
SPECIAL = ["Former Naib", "Taqwa", "Water Sharer", "Engaged", "Veteran"]
EVERYBODY = [*TIERS, *SPECIAL, EVERYONE]

# The sandbox's (and gaib's documented) default permissions of the bot's role.
DEFAULT_BOT_PERMISSIONS = set(perms.default_bot())


def plus(tier: str) -> list[str]:
    """ "Tier+": every tier role from ``tier`` up to Naib."""
    return TIERS[: TIERS.index(tier) + 1]


# channel -> (roles that read, roles that write); PRD 2.2.
PRD_ACCESS: dict[str, tuple[list[str], list[str]]] = {
    "water-discipline": (EVERYBODY, ["Naib"]),
    "announcements": (EVERYBODY, ["Naib"]),
    "cave-entrance": (plus("Hajra"), plus("Ichwan")),
    "cave-voices": (plus("Hajra"), plus("Ichwan")),
    "the-depths": (plus("Qanat"), plus("Sihaya")),
    "depth-voices": (plus("Qanat"), plus("Mushtamal")),
    "inner-sanctum": (plus("Sayyadina"), plus("Sayyadina")),
    "sanctum-voices": (plus("Sayyadina"), plus("Usul")),
    "general": (plus("Fedaykin"), plus("Fedaykin")),
    "spice": (plus("Fedaykin"), plus("Fedaykin")),
    "water-shares": (plus("Fedaykin"), plus("Fedaykin")),
    "introductions": (plus("Fedaykin"), plus("Fedaykin")),
    "census": (plus("Fedaykin"), []),
    "the-door": (plus("Fedaykin"), []),
    "fedaykin-voices": (plus("Fedaykin"), plus("Fedaykin")),
    "council-rock": (["Naib"], ["Naib"]),
    "council-chamber": (["Naib"], ["Naib"]),
    "naib-archives": (["Naib", "Former Naib"], ["Naib", "Former Naib"]),
    "the-oasis": (["Water Sharer"], ["Water Sharer"]),
    "deep-desert": (["Engaged"], ["Engaged"]),
    "stillsuit-lounge": (["Veteran"], ["Veteran"]),
    "support": (plus("Fedaykin"), plus("Fedaykin")),
    "bot-commands": (plus("Fedaykin"), plus("Fedaykin")),
}
# Voice channels whose readers who cannot speak may listen (the rest are "count only").
LISTEN_ONLY = {"sanctum-voices"}
# "Bot write" channels.
BOT_WRITES = {"announcements", "census", "the-door"}


def expected_cell(channel: str, kind: ChannelType, role: str) -> str:
    """The cell PRD 2.2 asks for."""
    readers, writers = PRD_ACCESS[channel]
    if role not in readers:
        return "-"
    if kind.is_voice_like:
        if role in writers:
            return "full"
        return "listen only" if channel in LISTEN_ONLY else "count only"
    return "read/write" if role in writers else "read"


def test_matrix_is_exactly_the_prd_columns(matrix: Matrix) -> None:
    assert set(PRD_ACCESS) == {row.channel for row in matrix.rows}
    for row in matrix.rows:
        for role in EVERYBODY:
            assert matrix.cell(row.channel, role) == expected_cell(row.channel, row.type, role), (
                row.channel,
                role,
            )


def test_bot_sees_every_channel_and_writes_where_the_prd_says(matrix: Matrix) -> None:
    for row in matrix.rows:
        cell = matrix.cell(row.channel, BOT)
        assert cell in ("read/write", "full") or (
            row.channel == "water-discipline" and cell == "read"
        ), (row.channel, cell)
    for channel in BOT_WRITES:
        assert matrix.cell(channel, BOT) == "read/write"


def test_cave_entrance(matrix: Matrix) -> None:
    assert matrix.cell("cave-entrance", "Hajra") == "read"
    assert matrix.cell("cave-entrance", "Ichwan") == "read/write"
    assert matrix.cell("cave-entrance", "Naib") == "read/write"
    assert matrix.cell("cave-entrance", EVERYONE) == "-"
    assert matrix.cell("cave-entrance", "Taqwa") == "-"


def test_voice_semantics(matrix: Matrix) -> None:
    assert matrix.cell("cave-voices", "Hajra") == "count only"
    assert matrix.cell("cave-voices", "Ichwan") == "full"
    assert matrix.cell("depth-voices", "Sihaya") == "count only"
    assert matrix.cell("sanctum-voices", "Sayyadina") == "listen only"
    assert matrix.cell("sanctum-voices", "Usul") == "full"
    assert matrix.cell("sanctum-voices", "Mushtamal") == "-"


def test_census_is_read_only_for_members_and_written_by_the_bot(
    sietch: ServerConfig, matrix: Matrix
) -> None:
    assert matrix.cell("census", "Fedaykin") == "read"
    assert matrix.cell("census", "Naib") == "read"
    assert matrix.cell("census", BOT) == "read/write"
    category, census = _find(sietch, "census")
    bot = ServerConfig.effective_overwrites(category, census)[BOT]
    assert "SEND_MESSAGES" in bot.allow


def test_naib_archives_is_naib_and_former_naib_only(matrix: Matrix) -> None:
    row = matrix.row("naib-archives")
    readers = [role for role, cell in zip(matrix.roles, row.cells, strict=True) if cell != "-"]
    assert readers == ["Naib", "Former Naib", BOT]


def test_voice_flag_off_keeps_text_permissions() -> None:
    config = rendering.render({"enable_voice": False, "enable_badge_channels": False})
    smaller = permission_matrix(config)
    for row in smaller.rows:
        assert not row.type.is_voice_like
        for role in EVERYBODY:
            assert smaller.cell(row.channel, role) == expected_cell(row.channel, row.type, role)


def test_overwrites_use_only_permissions_the_bot_holds(sietch: ServerConfig) -> None:
    for where, overwrite in _all_overwrites(sietch):
        used = set(overwrite.allow) | set(overwrite.deny)
        assert used <= DEFAULT_BOT_PERMISSIONS, (where, used - DEFAULT_BOT_PERMISSIONS)
    assert set(rendering.required_bot_permissions(sietch)) <= DEFAULT_BOT_PERMISSIONS


def test_overwrites_only_use_permissions_that_apply_to_the_channel_type(
    sietch: ServerConfig,
) -> None:
    for category, channel in sietch.all_channels():
        letter = "V" if channel.type is ChannelType.VOICE else "T"
        for name, overwrite in ServerConfig.effective_overwrites(category, channel).items():
            for permission in [*overwrite.allow, *overwrite.deny]:
                info = perms.parse_name(permission)
                assert letter in info.channel, (channel.name, name, permission)
    for category in sietch.categories:
        for overwrite in category.overwrites.values():
            for permission in [*overwrite.allow, *overwrite.deny]:
                assert perms.parse_name(permission).channel, (category.name, permission)


def test_bot_can_view_everything_hidden_from_everyone(sietch: ServerConfig) -> None:
    view = perms.parse_name("VIEW_CHANNEL").value
    targets: list[tuple[str, dict[str, Overwrite]]] = [
        (category.name, category.overwrites) for category in sietch.categories
    ]
    targets += [
        (channel.name, ServerConfig.effective_overwrites(category, channel))
        for category, channel in sietch.all_channels()
    ]
    hidden = 0
    for name, overwrites in targets:
        everyone = overwrites.get(EVERYONE)
        if everyone is not None and everyone.deny_bits & view:
            hidden += 1
            bot = overwrites.get(BOT)
            assert bot is not None and bot.allow_bits & view, name
    assert hidden == 8 + 21  # every category but STILLSUIT, every channel but its two


def test_overwrite_keys_name_theme_roles_everyone_or_bot(sietch: ServerConfig) -> None:
    names = {role.name for role in sietch.roles} | {EVERYONE, BOT}
    for where, _ in _all_overwrites(sietch):
        assert where[1] in names, where


def _find(config: ServerConfig, name: str) -> tuple[CategoryConfig | None, ChannelConfig]:
    return next((cat, ch) for cat, ch in config.all_channels() if ch.name == name)


def _all_overwrites(config: ServerConfig) -> list[tuple[tuple[str, str], Overwrite]]:
    out = [
        ((category.name, role), overwrite)
        for category in config.categories
        for role, overwrite in category.overwrites.items()
    ]
    out += [
        ((channel.name, role), overwrite)
        for category, channel in config.all_channels()
        for role, overwrite in ServerConfig.effective_overwrites(category, channel).items()
    ]
    return out
