"""``gaib server permissions``: who can do what in each channel, from the config or the guild.

The matrix has one row per category and channel and one column per role: what a member holding
exactly that role (and @everyone) can do there, by Discord's algorithm
(:mod:`gaib_core.effective`). ``--channel`` and ``--role`` list every permission of one row or
one column; ``--live`` reads the guild through the provider instead of the config; ``--json``
prints the same data for scripts.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from gaib_core.commands import CommandTree

from gaib_cli import context
from gaib_cli.commands.plan import AS_JSON, CONFIG, GUILD

# The engine is imported where a command runs: `gaib --help` must start fast.
if TYPE_CHECKING:
    from gaib_core.engine.access import Access, ChannelAccess, RoleAccess
    from rich.table import Table

LIVE = typer.Option(False, "--live", help="Read the guild through the provider, not the config.")
LEGEND = (
    "text: rw = read and write, r = read only; voice: full = connect and speak, listen = "
    "connect without speaking, count = sees it, cannot connect; category: see; + = also "
    "moderates there (Manage Channels, Messages, Permissions, Webhooks or Threads); admin = every permission; - = "
    "cannot see it. --channel NAME or --role NAME lists every permission."
)


def register(commands: CommandTree) -> None:
    """Add ``gaib server permissions``."""
    commands.group("server").command("permissions")(permissions)


def load_access(config: Path | None, guild: str | None, live: bool) -> tuple[Access, str]:
    """The access of the config (rendered as plan renders it) or, with ``live``, of the guild
    (objects gaib manages named by their state address); and where it came from."""
    from gaib_core.engine.access import from_desired, from_guild
    from gaib_core.engine.desired import build_desired

    if not live:
        from gaib_core.config.loader import load_config

        path = config if config is not None else _project_config()
        desired = build_desired(load_config(path, hooks=context.hooks()))
        for problem in desired.problems:
            context.err(f"Warning: {problem}")
        return from_desired(desired), str(path)

    from gaib_core.engine.session import open_session

    opened = open_session(config, context.hooks(), guild=guild, need_config=False)

    async def read() -> Access:
        try:
            read_guild = await opened.provider.read_guild(opened.guild_id)
        finally:
            await opened.aclose()
        state = opened.manager.read()
        return from_guild(read_guild, {r.id: a for a, r in state.resources.items() if r.id})

    return context.run_async(read()), f"guild {opened.guild_id}"


def _project_config() -> Path:
    """The project's config (from any subdirectory), else ./discord-server.yaml."""
    import os

    from gaib_core.layout import CONFIG_FILE
    from gaib_core.project import discover_project

    found = discover_project(Path.cwd())
    if found is None:
        return Path(CONFIG_FILE)
    return Path(os.path.relpath(found.root / CONFIG_FILE))  # messages say discord-server.yaml


def permissions(
    channel: str | None = typer.Option(
        None, "--channel", help="Every permission of each role in this channel or category."
    ),
    role: str | None = typer.Option(None, "--role", help="Every permission of this role."),
    live: bool = LIVE,
    as_json: bool = AS_JSON,
    config: Path | None = CONFIG,
    guild: str | None = GUILD,
) -> None:
    """Show effective permissions: a roles x channels matrix (Discord's algorithm).

    Each column is a member holding exactly that role (and @everyone). From the config as plan
    sees it, or from the guild with --live.
    """
    from gaib_core.errors import GaibError

    if channel is not None and role is not None:
        raise GaibError("--channel and --role cannot be combined", hint="give one of them")
    access, source = load_access(config, guild, live)
    roles = [access.find_role(role)] if role is not None else access.columns()
    channels = [access.find_channel(channel)] if channel is not None else access.channels
    if as_json:
        context.print_json(document(access, roles, channels, source, live))
        return
    out = context.out
    if channel is not None:
        out.print(_channel_table(access, channels[0]))
    elif role is not None:
        out.print(_role_table(access, roles[0]))
    else:
        _print_wide(_matrix_table(access, source))
    if live and access.owner_id:
        out.print(f"The owner (user {access.owner_id}) has every permission everywhere.")


def document(
    access: Access,
    roles: list[RoleAccess],
    channels: list[ChannelAccess],
    source: str,
    live: bool,
) -> dict[str, Any]:
    """The ``--json`` document (docs/json.md, ``permissions``)."""
    from gaib_core.effective import ADMINISTRATOR
    from gaib_core.permissions import to_names

    return {
        "source": "live" if live else "config",
        "from": source,
        "owner_id": access.owner_id,
        "roles": [
            {
                "ref": r.ref,
                "name": r.name,
                "id": r.id,
                "permissions": to_names(access.guild_bits(r)),
                "administrator": bool(access.guild_bits(r) & ADMINISTRATOR),
            }
            for r in roles
        ],
        "channels": [
            {
                "ref": c.ref,
                "name": c.name,
                "label": c.label,
                "type": c.kind,
                "id": c.id,
                "category": c.parent,
                "synced": access.synced(c),
                "permissions": {r.ref: to_names(access.cell(r, c)) for r in roles},
            }
            for c in channels
        ],
    }


def summary(access: Access, role: RoleAccess, channel: ChannelAccess) -> str:
    """The matrix cell: ``rw``, ``r``, ``full``, ``listen``, ``count``, ``see``, ``admin`` or
    ``-``, with ``+`` when the role also moderates there (any channel type, media and
    directory channels of a live guild included)."""
    from gaib_core.effective import ADMINISTRATOR, CONNECT, SEND_MESSAGES, VIEW_CHANNEL
    from gaib_core.permissions import flag, is_voice_type

    if access.guild_bits(role) & ADMINISTRATOR:
        return "admin"
    bits = access.cell(role, channel)
    if not bits & VIEW_CHANNEL:
        return "-"
    if channel.is_category:
        text = "see"
    elif is_voice_type(channel.type):
        speak = bits & flag("SPEAK")
        text = "count" if not bits & CONNECT else "full" if speak else "listen"
    else:
        text = "rw" if bits & SEND_MESSAGES else "r"
    return text + ("+" if bits & _moderation_bits() else "")


@cache
def _moderation_bits() -> int:
    """Channel permissions Discord counts as elevated (2FA): Manage Channels, Messages, ..."""
    from gaib_core.permissions import all_permissions

    return sum(p.value for p in all_permissions() if p.two_factor and p.channel)


def _matrix_table(access: Access, source: str) -> Table:
    from rich.table import Table

    table = Table(title=f"Effective permissions ({source})", padding=(0, 1), caption=LEGEND)
    table.add_column("Channel", no_wrap=True)
    columns = access.columns()
    for role in columns:
        table.add_column(role.name, justify="center")
    for index, channel in enumerate(access.channels):
        cells = [_styled(summary(access, role, channel)) for role in columns]
        if channel.is_category:
            title = f"[bold]{_escape(channel.label)}[/bold]"
            table.add_row(title, *cells, end_section=False)
        else:
            indent = "  " if channel.parent is not None else ""
            nxt = access.channels[index + 1] if index + 1 < len(access.channels) else None
            table.add_row(f"{indent}{_escape(channel.label)}", *cells)
            if nxt is not None and nxt.is_category:
                table.rows[-1].end_section = True
    return table


def _channel_table(access: Access, channel: ChannelAccess) -> Table:
    from gaib_core.permissions import label, to_names
    from rich.table import Table

    parents = {c.ref: c.name for c in access.channels if c.is_category}
    where = f", in {parents[channel.parent]}" if channel.parent in parents else ""
    synced = ", synced with its category" if access.synced(channel) else ""
    table = Table(title=f"{channel.label} ({channel.kind}{where}{synced})", show_lines=False)
    table.add_column("Role", no_wrap=True)
    table.add_column("Access", justify="center")
    table.add_column("Permissions")
    for role in access.columns():
        names = ", ".join(label(n) for n in to_names(access.cell(role, channel)))
        table.add_row(_escape(role.name), _styled(summary(access, role, channel)), names or "-")
    return table


def _role_table(access: Access, role: RoleAccess) -> Table:
    from gaib_core.permissions import label, to_names
    from rich.table import Table

    guild_wide = ", ".join(label(n) for n in to_names(access.guild_bits(role))) or "none"
    table = Table(title=f"{role.name}: guild-wide {guild_wide}")
    table.add_column("Channel", no_wrap=True)
    table.add_column("Access", justify="center")
    table.add_column("Permissions")
    for channel in access.channels:
        names = ", ".join(label(n) for n in to_names(access.cell(role, channel)))
        indent = "  " if channel.parent is not None else ""
        table.add_row(
            f"{indent}{_escape(channel.label)}",
            _styled(summary(access, role, channel)),
            names or "-",
        )
    return table


_STYLES = {"rw": "green", "full": "green", "admin": "bold magenta", "r": "yellow", "-": "dim"}


def _styled(cell: str) -> str:
    style = _STYLES.get(cell.rstrip("+"), "cyan" if cell != "-" else "dim")
    return f"[{style}]{_escape(cell)}[/{style}]"


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _print_wide(table: Table) -> None:
    """Print a wide table whole (a narrow terminal wraps its lines) rather than squeezed."""
    from rich.measure import Measurement

    out = context.out
    needed = Measurement.get(out, out.options.update_width(1000), table).maximum
    width = out.width
    out.width = max(width, needed)
    try:
        out.print(table)
    finally:
        out.width = width
