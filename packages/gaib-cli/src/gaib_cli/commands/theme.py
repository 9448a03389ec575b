"""``gaib server theme ls|info``: the installed themes, and one theme in detail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer
from gaib_core.commands import CommandTree
from gaib_core.errors import VariableError

from gaib_cli import context

# Imported where a command runs, not at startup: `gaib --help` must start fast.
if TYPE_CHECKING:
    from gaib_core.config.models import ChannelConfig, ServerConfig
    from gaib_core.themes import Theme
    from rich.table import Table
    from rich.text import Text
    from rich.tree import Tree

_MAX_MATRIX_WIDTH = 240

theme_app = typer.Typer(
    help="Themes: list the installed ones, show one in detail.", no_args_is_help=True
)


def register(commands: CommandTree) -> None:
    """Add ``gaib server theme``."""
    commands.add_group("server theme", theme_app)


def parse_vars(items: list[str]) -> dict[str, str]:
    """``--var k=v`` options as a dict (a usage error, exit 2, when malformed)."""
    from gaib_core.themes.variables import parse_assignments

    try:
        return parse_assignments(items)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--var") from None


@theme_app.command("ls")
def ls(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """List installed themes (from plugins such as gaib-theme-sietch)."""
    from gaib_core.themes import list_themes
    from rich.table import Table
    from rich.text import Text

    listings = list_themes(context.hooks())
    if as_json:
        context.print_json(
            [
                {
                    "name": item.name,
                    "version": item.theme.version if item.theme else None,
                    "description": item.theme.description if item.theme else None,
                    "path": str(item.path),
                    "error": item.error,
                }
                for item in listings
            ]
        )
        return
    if not listings:
        context.out.print(
            "No themes installed. Install one (pip install gaib-theme-sietch), pass a theme "
            "directory to `gaib server init --theme PATH`, or write one: `gaib theme new NAME`.",
            markup=False,
        )
        return
    table = Table("theme", "version", "description")
    for item in listings:
        if item.theme is None:
            table.add_row(item.name, "?", Text(f"cannot load: {item.error}", style="red"))
        else:
            table.add_row(item.name, item.theme.version, item.theme.description)
    context.out.print(table)


@theme_app.command("info")
def info(
    name: str = typer.Argument(..., help="An installed theme's name, or a theme directory."),
    var: list[str] = typer.Option(
        [], "--var", help="Variable value NAME=VALUE used to render the preview (repeatable)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Show a theme: variables, role hierarchy, channel tree and permission matrix."""
    from gaib_core.themes import find_theme, render_theme

    values = parse_vars(var)
    theme = find_theme(name, context.hooks())
    config: ServerConfig | None = None
    note: str | None = None
    try:
        config = render_theme(theme, values)
    except VariableError as exc:
        if values:
            raise
        note = f"preview needs variable values: {exc}"
    if as_json:
        context.print_json(_info_json(theme, config, note))
        return
    _print_info(theme, config, note)


def _variables_json(theme: Theme) -> dict[str, Any]:
    return {
        name: {
            "type": spec.type,
            "default": spec.default,
            "required": spec.is_required,
            "description": spec.description,
            "values": spec.values,
            "min": spec.min,
            "max": spec.max,
        }
        for name, spec in theme.variables.items()
    }


def _info_json(theme: Theme, config: ServerConfig | None, note: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": theme.name,
        "version": theme.version,
        "description": theme.description,
        "path": str(theme.path),
        "files": theme.files,
        "constraint": _constraint(theme),
        "package": _package(theme),
        "variables": _variables_json(theme),
    }
    if note:
        data["note"] = note
    if config is not None:
        data["bot_role"] = config.server.bot_role or "@bot"
        data["roles"] = [
            {"name": role.name, "address": role.address, "color": role.color, "hoist": role.hoist}
            for role in config.roles
        ]
        data["categories"] = [
            {
                "name": category.name,
                "address": category.address,
                "channels": [_channel_json(channel) for channel in category.channels],
            }
            for category in config.categories
        ]
        data["channels"] = [_channel_json(channel) for channel in config.channels]
        matrix = _matrix_markdown(config)
        if matrix is not None:
            data["matrix_markdown"] = matrix
    return data


def _channel_json(channel: ChannelConfig) -> dict[str, Any]:
    return {"name": channel.name, "address": channel.address, "type": channel.type.value}


def _print_info(theme: Theme, config: ServerConfig | None, note: str | None) -> None:
    from rich.measure import Measurement
    from rich.text import Text

    out = context.out
    out.print(Text.assemble((f"{theme.name} {theme.version}", "bold"), f"  {theme.path}"))
    if theme.description:
        out.print(theme.description, markup=False)
    package = _package(theme)
    out.print(
        f"Use it: gaib server init --theme {theme.name} writes `theme: {{name: {theme.name}, "
        f'version: "{_constraint(theme)}"}}`; change its items under `overrides:` by the '
        "addresses below (docs/themes.md)."
        + (
            f" Upgrades: pip install -U {package}, then review gaib server plan." if package else ""
        ),
        markup=False,
    )
    out.print(_variables_table(theme))
    if config is None:
        context.err(f"Note: {note}")
        return
    out.print(_roles_table(config))
    out.print(_channel_tree(config))
    matrix = _matrix_table(config)
    if matrix is not None:
        # One column per role makes the matrix wide; print it whole rather than squeezed into
        # "…" cells (a narrow terminal wraps the lines, a pipe or wide terminal shows it as is).
        wide = out.options.update_width(_MAX_MATRIX_WIDTH)
        needed = Measurement.get(out, wide, matrix).maximum
        width = out.width
        out.width = max(width, needed)  # rich never prints wider than the console's width
        try:
            out.print(matrix)
        finally:
            out.width = width


def _variables_table(theme: Theme) -> Table:
    from gaib_core.themes.variables import format_value
    from rich.table import Table

    table = Table("variable", "type", "default", "description", title="Variables")
    for name, spec in theme.variables.items():
        default = "(required)" if spec.is_required else format_value(spec.default)
        table.add_row(name, spec.describe_type(), default, spec.description)
    return table


def _roles_table(config: ServerConfig) -> Table:
    from gaib_core.config.models import EVERYONE
    from rich.table import Table
    from rich.text import Text

    table = Table("#", "role", "address", "color", "hoist", title="Role hierarchy (top to bottom)")
    bot = config.server.bot_role or "@bot"
    table.add_row("1", Text(f"{bot} (the bot's role)", style="bold"), "", "", "")
    for index, role in enumerate(config.roles, start=2):
        swatch = Text("■ ", style=role.color if role.color != "#000000" else "") + role.color
        table.add_row(str(index), role.name, role.address, swatch, "yes" if role.hoist else "")
    table.add_row("", Text(EVERYONE, style="dim"), "", "", "")
    return table


def _constraint(theme: Theme) -> str:
    from gaib_core.themes.reference import compatible_constraint
    from packaging.version import InvalidVersion

    try:
        return compatible_constraint(theme.version)
    except InvalidVersion:
        return theme.version


def _package(theme: Theme) -> str | None:
    from gaib_core.themes.reference import distribution_of

    return distribution_of(theme.path, context.hooks().plugin_distributions())


def _channel_tree(config: ServerConfig) -> Tree:
    from rich.text import Text
    from rich.tree import Tree

    tree = Tree(Text(config.server.name or "server", style="bold"))
    for channel in config.channels:
        tree.add(_channel_label(channel))
    for category in config.categories:
        branch = tree.add(Text.assemble((category.name, "bold"), (f"  {category.address}", "dim")))
        for channel in category.channels:
            branch.add(_channel_label(channel))
    return tree


def _channel_label(channel: ChannelConfig) -> Text:
    from rich.text import Text

    prefix = "#" if not channel.type.is_voice_like else ""
    return Text.assemble(
        f"{prefix}{channel.name}", (f"  {channel.type.value}  {channel.address}", "dim")
    )


def _matrix_table(config: ServerConfig) -> Table | None:
    # matrix.py belongs to the Sietch work; without it, info still shows everything else.
    try:
        from gaib_core.themes import matrix
    except ImportError:
        return None
    table = matrix.render_rich(matrix.permission_matrix(config))
    table.title = table.title or "Permission matrix"
    return table


def _matrix_markdown(config: ServerConfig) -> str | None:
    try:
        from gaib_core.themes import matrix
    except ImportError:
        return None
    return matrix.render_markdown(matrix.permission_matrix(config))
