"""``gaib server init``: write discord-server.yaml (referencing a theme, or plain) and ``.gaib/``."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from gaib_core.commands import CommandTree
from gaib_core.errors import ConfigIssue, GaibError
from gaib_core.layout import CONFIG_FILE

from gaib_cli import context
from gaib_cli.commands.render import keep_backup
from gaib_cli.commands.theme import parse_vars

# Imported where a command runs, not at startup: `gaib --help` must start fast.
if TYPE_CHECKING:
    from gaib_core.config.models import ServerConfig
    from gaib_core.project import Project, ProjectSettings
    from gaib_core.themes import Theme

_GUILD_ID = re.compile(r"^\d{17,20}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def register(commands: CommandTree) -> None:
    """Add ``gaib server init``."""
    server = commands.group("server")
    server.command("init")(init)


def _check_guild(value: str | None) -> str | None:
    if value is not None and not _GUILD_ID.match(value):
        raise typer.BadParameter("a guild id is 17-20 digits (Discord: Copy Server ID)")
    return value


def _check_env_name(value: str | None) -> str | None:
    if value is not None and not _ENV_NAME.match(value):
        raise typer.BadParameter("give the NAME of an environment variable, e.g. DISCORD_TOKEN")
    return value


def init(
    theme: str | None = typer.Option(
        None,
        "--theme",
        "-t",
        help="An installed theme's name (see `theme ls`) or a directory; without it, a plain "
        "config.",
    ),
    var: list[str] = typer.Option(
        [], "--var", help="Theme variable NAME=VALUE (repeatable); see `theme info NAME`."
    ),
    guild: str | None = typer.Option(
        None, "--guild", help="Discord guild (server) id to manage.", callback=_check_guild
    ),
    token_env: str | None = typer.Option(
        None,
        "--token-env",
        help="Name of the environment variable holding the bot token [default: DISCORD_TOKEN].",
        callback=_check_env_name,
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing discord-server.yaml."),
    directory: Path = typer.Option(
        Path("."), "--dir", help="Project directory (created if missing).", show_default=True
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Create discord-server.yaml and .gaib/ with the default workspace.

    With --theme, the file references the theme: its version range, every variable with its
    value, and empty sections for your overrides and removals; the theme is rendered at every
    plan. Without --theme, a plain config. With a bot token in the environment and --guild, the
    project targets that Discord server; otherwise the embedded offline sandbox, so plan and
    apply work right away.
    """
    from gaib_core.config.loader import load_document, parse_yaml
    from gaib_core.config.validate import config_warnings
    from gaib_core.project import DEFAULT_WORKSPACE, Project, ProjectSettings, atomic_write_text
    from gaib_core.themes import find_theme

    values = parse_vars(var)
    if values and theme is None:
        raise typer.BadParameter("--var sets a theme's variables; give --theme too")
    if directory.exists() and not directory.is_dir():
        raise GaibError(
            f"--dir {directory} is a file", hint="give a directory (created if missing)"
        )
    target = directory / CONFIG_FILE
    if target.exists() and not force:
        raise GaibError(f"{target} already exists", hint="pass --force to overwrite it")
    loaded = find_theme(theme, context.hooks()) if theme is not None else None
    text = _config_text(loaded, theme, values, token_env, directory)
    # What is written must load: the same code path as plan, before anything is written.
    config, source = load_document(parse_yaml(text, str(target)), hooks=context.hooks())
    project = Project(directory.resolve())
    settings = project.load() if project.exists else ProjectSettings()
    env_name = config.server.token_env
    use_discord = bool(os.environ.get(env_name)) and guild is not None
    if use_discord:
        settings.guild_id = guild
    elif settings.provider != "sandbox":
        settings.guild_id = None  # a Discord guild id means nothing to the sandbox
    # (re-running init on a sandbox project keeps its sandbox guild and state)
    settings.provider = "discord" if use_discord else "sandbox"
    # Everything is checked; only now write (the config last-but-one, atomically). A file
    # replaced with --force is kept beside it: it may hold hand edits.
    backup = keep_backup(target)
    atomic_write_text(target, text)
    project.save(settings)
    project.workspace_dir(settings.workspace or DEFAULT_WORKSPACE).mkdir(
        parents=True, exist_ok=True
    )
    sandbox_guild = None if use_discord else _ensure_sandbox_guild(project)
    report = _report(target, loaded, config, settings, sandbox_guild, env_name, guild)
    report["backup"] = str(backup) if backup else None
    if as_json:
        context.print_json(report)
        return
    _print_report(report, config_warnings(config, source))


def _config_text(
    theme: Theme | None,
    given: str | None,
    values: dict[str, str],
    token_env: str | None,
    directory: Path,
) -> str:
    from gaib_core.themes import render_theme, resolve_values
    from gaib_core.themes.starter import plain_config_text, theme_reference_text

    if theme is None:
        return plain_config_text(token_env)
    resolved = resolve_values(theme.variables, values)
    preview = render_theme(theme, resolved)
    role = preview.roles[0].address if preview.roles else "role.example"
    channels = preview.all_channels()
    channel = channels[0][1].address if channels else "channel.example"
    return theme_reference_text(
        theme,
        resolved,
        name=_theme_name(given or theme.name, theme, directory),
        token_env=token_env,
        example_role=role,
        example_channel=channel,
    )


def _theme_name(given: str, theme: Theme, directory: Path) -> str:
    """The registered name, or the theme's directory relative to the config file."""
    if given in context.hooks().themes():
        return given
    relative = os.path.relpath(theme.path.resolve(), directory.resolve())
    return relative if "/" in relative else f"./{relative}"


def _ensure_sandbox_guild(project: Project) -> str | None:
    """Create the embedded sandbox's guild when that part of gaib is installed."""
    try:
        from gaib_core.provider.factory import ensure_sandbox_guild
    except ImportError:
        return None
    return ensure_sandbox_guild(project)


def _report(
    target: Path,
    theme: Theme | None,
    config: ServerConfig,
    settings: ProjectSettings,
    sandbox_guild: str | None,
    env_name: str,
    guild: str | None,
) -> dict[str, Any]:
    return {
        "config": str(target),
        "theme": {"name": theme.name, "version": theme.version} if theme else None,
        "variables": config.theme.variables if config.theme else {},
        "roles": len(config.roles),
        "categories": len(config.categories),
        "channels": len(config.all_channels()),
        "provider": settings.provider,
        "guild_id": settings.guild_id or sandbox_guild,
        "token_env": env_name,
        "guild_ignored": guild if settings.provider == "sandbox" else None,
        "workspace": settings.workspace,
    }


def _print_report(report: dict[str, Any], warnings: list[ConfigIssue]) -> None:
    say = context.out.print
    theme = report["theme"]
    if theme is None:
        say(f"Wrote {report['config']}: a plain config with no roles or channels yet.")
    else:
        say(
            f"Wrote {report['config']} referencing theme {theme['name']} {theme['version']}: "
            f"{report['roles']} roles, {report['categories']} categories, "
            f"{report['channels']} channels.",
            markup=False,
        )
    if report["backup"]:
        say(f"The previous file is kept as {report['backup']}.", markup=False)
    say(f"Project settings in .gaib/ (workspace '{report['workspace']}').", markup=False)
    for issue in warnings:
        context.err(f"Warning: {issue.to_error()}")
    if report["provider"] == "discord":
        say(
            f"Target: Discord guild {report['guild_id']} (bot token from ${report['token_env']}).",
            markup=False,
        )
    else:
        ignored = (
            f" (--guild ignored: ${report['token_env']} is not set)"
            if report["guild_ignored"]
            else ""
        )
        say(
            "This project targets the embedded offline sandbox"
            f"{ignored}; set ${report['token_env']} and run init again with --guild ID to "
            "target a real Discord server.",
            markup=False,
        )
    say("Next: gaib server plan", markup=False)
