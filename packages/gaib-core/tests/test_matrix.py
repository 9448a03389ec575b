"""gaib_core.themes.matrix on small hand-written configs."""

from __future__ import annotations

from typing import Any

import pytest
from gaib_core import permissions as perms
from gaib_core.config.models import ServerConfig
from gaib_core.themes.matrix import (
    Matrix,
    effective_permissions,
    permission_matrix,
    render_markdown,
    render_rich,
)
from rich.console import Console

HIDDEN = {"deny": ["VIEW_CHANNEL"]}
VIEW = {"allow": ["VIEW_CHANNEL"]}


def _config(**doc: Any) -> ServerConfig:
    return ServerConfig.model_validate(doc)


@pytest.fixture
def config() -> ServerConfig:
    """Two roles and @everyone over a public channel and a private category."""
    return _config(
        roles=[
            {"name": "Admin", "permissions": ["ADMINISTRATOR"]},
            {"name": "Member"},
            {"name": "Guest"},
        ],
        channels=[{"name": "lobby"}],
        categories=[
            {
                "name": "PRIVATE",
                "overwrites": {"@everyone": HIDDEN, "Member": VIEW},
                "channels": [
                    {"name": "synced"},
                    {"name": "unsynced", "overwrites": {}},
                    {
                        "name": "news",
                        "type": "announcement",
                        "overwrites": {
                            "@everyone": {"deny": ["SEND_MESSAGES"]},
                            "Member": {"allow": ["SEND_MESSAGES"]},
                            "@bot": {"allow": ["SEND_MESSAGES"]},
                        },
                    },
                    {
                        "name": "stage-left",
                        "type": "voice",
                        "overwrites": {
                            "@everyone": HIDDEN,
                            "Member": {"allow": ["VIEW_CHANNEL", "CONNECT"], "deny": ["SPEAK"]},
                            "Guest": {"allow": ["VIEW_CHANNEL"], "deny": ["CONNECT"]},
                        },
                    },
                ],
            }
        ],
    )


def test_columns_are_roles_in_config_order_then_everyone(config: ServerConfig) -> None:
    matrix = permission_matrix(config)
    assert matrix.roles == ("Admin", "Member", "Guest", "@everyone")


def test_rows_follow_the_tree_uncategorised_first(config: ServerConfig) -> None:
    matrix = permission_matrix(config)
    assert [(row.category, row.channel) for row in matrix.rows] == [
        (None, "lobby"),
        ("PRIVATE", "synced"),
        ("PRIVATE", "unsynced"),
        ("PRIVATE", "news"),
        ("PRIVATE", "stage-left"),
    ]
    assert matrix.categories() == [None, "PRIVATE"]
    assert matrix.row("stage-left").label == "stage-left"
    assert matrix.row("synced").label == "#synced"


def test_discord_defaults_let_everyone_read_and_write_without_overwrites(
    config: ServerConfig,
) -> None:
    matrix = permission_matrix(config)
    assert matrix.row("lobby").cells == ("read/write",) * 4


def test_a_channel_without_overwrites_key_inherits_its_category(config: ServerConfig) -> None:
    matrix = permission_matrix(config)
    assert matrix.cell("synced", "@everyone") == "-"
    assert matrix.cell("synced", "Guest") == "-"
    assert matrix.cell("synced", "Member") == "read/write"


def test_explicit_empty_overwrites_mean_none(config: ServerConfig) -> None:
    matrix = permission_matrix(config)
    assert matrix.cell("unsynced", "@everyone") == "read/write"
    assert matrix.cell("unsynced", "Guest") == "read/write"


def test_administrator_bypasses_overwrites(config: ServerConfig) -> None:
    matrix = permission_matrix(config)
    assert matrix.cell("synced", "Admin") == "read/write"
    assert matrix.cell("stage-left", "Admin") == "full"


def test_role_allow_beats_everyone_deny(config: ServerConfig) -> None:
    matrix = permission_matrix(config)
    assert matrix.cell("news", "@everyone") == "read"
    assert matrix.cell("news", "Guest") == "read"
    assert matrix.cell("news", "Member") == "read/write"


def test_voice_vocabulary(config: ServerConfig) -> None:
    matrix = permission_matrix(config)
    assert matrix.cell("stage-left", "Member") == "listen only"
    assert matrix.cell("stage-left", "Guest") == "count only"
    assert matrix.cell("stage-left", "@everyone") == "-"


def test_role_deny_beats_everyone_allow() -> None:
    config = _config(
        server={"everyone_permissions": []},
        roles=[{"name": "Muted"}, {"name": "Plain"}],
        channels=[
            {
                "name": "talk",
                "overwrites": {
                    "@everyone": {"allow": ["VIEW_CHANNEL", "SEND_MESSAGES"]},
                    "Muted": {"deny": ["SEND_MESSAGES"]},
                },
            },
            {"name": "quiet", "type": "voice"},
        ],
    )
    matrix = permission_matrix(config)
    assert matrix.cell("talk", "Muted") == "read"
    assert matrix.cell("talk", "Plain") == "read/write"
    # everyone_permissions: [] means @everyone holds nothing guild-wide.
    assert matrix.cell("quiet", "Plain") == "-"


def test_role_guild_permissions_add_to_everyone() -> None:
    config = _config(
        server={"everyone_permissions": ["VIEW_CHANNEL"]},
        roles=[{"name": "Speaker", "permissions": ["CONNECT", "SPEAK"]}, {"name": "Ear"}],
        channels=[{"name": "Hall", "type": "voice", "overwrites": {"Ear": {"allow": ["CONNECT"]}}}],
    )
    matrix = permission_matrix(config)
    assert matrix.cell("Hall", "Speaker") == "full"
    assert matrix.cell("Hall", "Ear") == "listen only"
    assert matrix.cell("Hall", "@everyone") == "count only"


def test_bot_column_uses_bot_overwrites(config: ServerConfig) -> None:
    matrix = permission_matrix(config, bot_permissions=perms.to_bits(["VIEW_CHANNEL"]))
    assert matrix.roles[-1] == "@bot"
    # @everyone's defaults still apply to the bot's member; its own overwrite adds the rest.
    assert matrix.cell("news", "@bot") == "read/write"
    assert matrix.cell("synced", "@bot") == "-"


def test_effective_permissions_order_deny_then_allow_per_level() -> None:
    config = _config(
        roles=[{"name": "R"}],
        channels=[
            {
                "name": "c",
                "overwrites": {
                    "@everyone": {"allow": ["SEND_MESSAGES"], "deny": ["VIEW_CHANNEL"]},
                    "R": {"allow": ["VIEW_CHANNEL"], "deny": ["SEND_MESSAGES"]},
                },
            }
        ],
    )
    overwrites = config.channels[0].overwrites
    base = perms.to_bits(["VIEW_CHANNEL", "SEND_MESSAGES"])
    # @everyone alone: denied VIEW_CHANNEL, so nothing at all (Discord's implicit deny).
    assert perms.to_names(effective_permissions(base, overwrites, None)) == []
    assert perms.to_names(effective_permissions(base, overwrites, "R")) == ["VIEW_CHANNEL"]


def test_render_markdown(config: ServerConfig) -> None:
    text = render_markdown(permission_matrix(config))
    lines = text.splitlines()
    assert lines[0] == "| Category | Channel | Admin | Member | Guest | @everyone |"
    assert lines[1] == "|---|---|---|---|---|---|"
    assert "| (none) | #lobby | read/write | read/write | read/write | read/write |" in lines
    assert "| PRIVATE | stage-left | full | listen only | count only | - |" in lines
    assert len(lines) == 2 + 5


def _text(table: object) -> str:
    console = Console(width=200, record=True, color_system=None)
    console.print(table)
    return console.export_text()


def test_render_rich_compact_by_default(config: ServerConfig) -> None:
    matrix: Matrix = permission_matrix(config)
    table = render_rich(matrix)
    assert [column.header for column in table.columns] == ["Channel", *matrix.roles]
    out = _text(table)
    assert "PRIVATE" in out
    assert "#synced" in out
    row = next(line for line in out.splitlines() if "stage-left" in line)
    assert [cell.strip() for cell in row.strip("│").split("│")[1:]] == [
        "full",
        "listen",
        "count",
        "-",
    ]
    assert "count = count only" in out


def test_render_rich_full_words(config: ServerConfig) -> None:
    out = _text(render_rich(permission_matrix(config), compact=False))
    row = next(line for line in out.splitlines() if "stage-left" in line)
    assert "listen only" in row
    assert "count only" in row
