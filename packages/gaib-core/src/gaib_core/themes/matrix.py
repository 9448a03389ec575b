"""The permission matrix: who can do what in each channel of a config.

For every channel (in category/channel tree order) and every role (config order, then
``@everyone``, then optionally the bot), the effective access of a member who holds exactly that
one role plus ``@everyone``, computed by :mod:`gaib_core.effective` (Discord's algorithm,
implicit denies included).

The overwrites used are the ones the engine sends: a channel without an ``overwrites`` key is
synced with its category (``ServerConfig.effective_overwrites``).

Cells summarise the result. Text-like channels: ``read/write``, ``read`` or ``-``. Voice-like
channels: ``full`` (connect and speak), ``listen only`` (connect, cannot speak), ``count only``
(sees the channel and who is in it, cannot connect) or ``-``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table

from gaib_core import effective
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

#: Discord's default permissions of @everyone in a new guild (used when the config does not set
#: ``server.everyone_permissions``).
DISCORD_DEFAULT_EVERYONE: tuple[str, ...] = perms.default_everyone()

READ_WRITE = "read/write"
READ = "read"
FULL = "full"
LISTEN_ONLY = "listen only"
COUNT_ONLY = "count only"
NONE = "-"

_VIEW = perms.parse_name("VIEW_CHANNEL").value
_SEND = perms.parse_name("SEND_MESSAGES").value
_CONNECT = perms.parse_name("CONNECT").value
_SPEAK = perms.parse_name("SPEAK").value


@dataclass(frozen=True)
class MatrixRow:
    """One channel of the matrix: where it is, what it is, and one cell per matrix column."""

    category: str | None
    channel: str
    type: ChannelType
    address: str
    cells: tuple[str, ...]

    @property
    def label(self) -> str:
        """How the channel is shown: ``#name`` for text-like channels, the bare name for voice."""
        return self.channel if self.type.is_voice_like else f"#{self.channel}"


@dataclass(frozen=True)
class Matrix:
    """Effective access per channel (rows) and role (columns)."""

    roles: tuple[str, ...]
    rows: tuple[MatrixRow, ...]

    def row(self, channel: str) -> MatrixRow:
        """The row of the channel called ``channel`` (KeyError if there is none)."""
        for row in self.rows:
            if row.channel == channel:
                return row
        raise KeyError(channel)

    def cell(self, channel: str, role: str) -> str:
        """The access of ``role`` in ``channel`` (KeyError/ValueError for unknown names)."""
        return self.row(channel).cells[self.roles.index(role)]

    def categories(self) -> list[str | None]:
        """The categories in row order, each once (None = channels outside any category)."""
        seen: list[str | None] = []
        for row in self.rows:
            if row.category not in seen:
                seen.append(row.category)
        return seen


def effective_permissions(
    base: int,
    overwrites: dict[str, Overwrite],
    role: str | None,
    channel_type: ChannelType = ChannelType.TEXT,
) -> int:
    """Channel permissions of a member with guild permissions ``base`` and the one role ``role``.

    ``role`` is a role name, ``@bot``, or None for a member holding only @everyone. Computed by
    :func:`gaib_core.effective.channel_permissions` (implicit denies included).
    """
    mine = overwrites.get(role) if role is not None else None
    return effective.channel_permissions(
        base,
        channel_type.discord_type,
        everyone=_bits(overwrites.get(EVERYONE)),
        roles=[bits for bits in (_bits(mine),) if bits is not None],
    )


def _bits(overwrite: Overwrite | None) -> effective.Bits | None:
    if overwrite is None:
        return None
    return effective.Bits(allow=overwrite.allow_bits, deny=overwrite.deny_bits)


def summarize(bits: int, channel_type: ChannelType) -> str:
    """The cell for effective permissions ``bits`` in a channel of ``channel_type``."""
    if not bits & _VIEW:
        return NONE
    if channel_type.is_voice_like:
        if not bits & _CONNECT:
            return COUNT_ONLY
        return FULL if bits & _SPEAK else LISTEN_ONLY
    return READ_WRITE if bits & _SEND else READ


def everyone_bits(config: ServerConfig) -> int:
    """@everyone's guild permissions: the config's, or Discord's defaults when it sets none."""
    names = config.server.everyone_permissions
    return perms.to_bits(DISCORD_DEFAULT_EVERYONE if names is None else names)


def permission_matrix(config: ServerConfig, *, bot_permissions: int | None = None) -> Matrix:
    """The effective access of each role (and @everyone) in each channel of ``config``.

    With ``bot_permissions`` (the guild permissions of the bot's role), a last ``@bot`` column
    shows what the bot itself can do, including its ``@bot`` overwrites.
    """
    everyone = everyone_bits(config)
    columns: list[tuple[str, str | None, int]] = [
        (role.name, role.name, everyone | role.permission_bits) for role in config.roles
    ]
    columns.append((EVERYONE, None, everyone))
    if bot_permissions is not None:
        columns.append((BOT, BOT, everyone | bot_permissions))
    # all_channels() lists channels outside any category first, then each category's in order.
    rows = [_row(category, channel, columns) for category, channel in config.all_channels()]
    return Matrix(roles=tuple(name for name, _, _ in columns), rows=tuple(rows))


def _row(
    category: CategoryConfig | None,
    channel: ChannelConfig,
    columns: list[tuple[str, str | None, int]],
) -> MatrixRow:
    overwrites = ServerConfig.effective_overwrites(category, channel)
    cells = tuple(
        summarize(effective_permissions(base, overwrites, role, channel.type), channel.type)
        for _, role, base in columns
    )
    return MatrixRow(
        category=category.name if category is not None else None,
        channel=channel.name,
        type=channel.type,
        address=channel.address,
        cells=cells,
    )


def render_markdown(matrix: Matrix) -> str:
    """The matrix as a GitHub-flavoured Markdown table (one row per channel)."""
    header = ["Category", "Channel", *matrix.roles]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    for row in matrix.rows:
        category = row.category if row.category is not None else "(none)"
        lines.append("| " + " | ".join([category, row.label, *row.cells]) + " |")
    return "\n".join(lines) + "\n"


def render_rich(matrix: Matrix, *, compact: bool = True) -> Table:
    """The matrix as a rich table, one section per category.

    ``compact`` (the default) writes short cells (``rw``, ``r``, ``full``, ``listen``, ``count``,
    ``-``) explained in the caption, so that the 15+ role columns fit a terminal.
    """
    # No cell padding: the column separators are enough, and 15+ columns must fit a terminal.
    table = Table(title="Permission matrix", padding=(0, 0), collapse_padding=True)
    if compact:
        table.caption = _LEGEND
    table.add_column("Channel", no_wrap=True)
    for role in matrix.roles:
        table.add_column(role, justify="center")
    for index, row in enumerate(matrix.rows):
        if index == 0 or row.category != matrix.rows[index - 1].category:
            title = row.category if row.category is not None else "(no category)"
            table.add_row(f"[bold]{title}[/bold]", *("" for _ in matrix.roles))
        last_of_category = (
            index + 1 == len(matrix.rows) or matrix.rows[index + 1].category != row.category
        )
        cells = (_style(cell, _SHORT.get(cell, cell) if compact else cell) for cell in row.cells)
        table.add_row(f"  {row.label}", *cells, end_section=last_of_category)
    return table


_SHORT = {
    READ_WRITE: "rw",
    READ: "r",
    FULL: "full",
    LISTEN_ONLY: "listen",
    COUNT_ONLY: "count",
    NONE: "-",
}

_LEGEND = (
    "text: rw = read/write, r = read only; voice: full = connect and speak, "
    "listen = listen only, count = count only (sees it, cannot connect); - = cannot see it"
)

_STYLES = {
    READ_WRITE: "green",
    FULL: "green",
    READ: "yellow",
    LISTEN_ONLY: "yellow",
    COUNT_ONLY: "cyan",
    NONE: "dim",
}


def _style(cell: str, text: str) -> str:
    style = _STYLES.get(cell)
    return f"[{style}]{text}[/{style}]" if style else text
