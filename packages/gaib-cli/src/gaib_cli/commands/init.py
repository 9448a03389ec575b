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


def check_guild(value: str | None) -> str | None:
    """Typer callback: a guild id is 17-20 digits."""
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
        help="An installed theme's name (see `theme ls`) or a directory; without it, the "
        "existing discord-server.yaml is used as it is, or a plain config is written.",
    ),
    var: list[str] = typer.Option(
        [], "--var", help="Theme variable NAME=VALUE (repeatable); see `theme info NAME`."
    ),
    guild: str | None = typer.Option(
        None,
        "--guild",
        help="Discord guild (server) id to manage (the project then targets Discord).",
        callback=check_guild,
    ),
    provider: str | None = typer.Option(
        None,
        "--provider",
        help="The provider to target: discord, sandbox or a plugin's (see `gaib plugins`) "
        "[default: discord with a guild id, else sandbox].",
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
    plan. Without --theme, an existing discord-server.yaml is set up as it is (nothing is
    rewritten), else a plain config is written. With --guild (or a server.guild_id in the config)
    the project targets that Discord server (the bot token is read from the environment when a
    command talks to Discord); otherwise the embedded offline sandbox, so plan and apply work
    right away. gaib never switches a project's target on its own.
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
    adopt = theme is None and target.is_file() and not force
    if adopt:
        # `gaib server init` in a directory that has its config: set up .gaib/ for it.
        if token_env is not None:
            raise GaibError(
                f"--token-env would change {target}",
                hint="set server.token_env in the file instead, then run init without it",
            )
        text = target.read_text(encoding="utf-8")
    elif target.exists() and not force:
        raise GaibError(
            f"{target} already exists",
            hint="leave out --theme to set up .gaib/ for it, or pass --force to overwrite it",
        )
    loaded = find_theme(theme, context.hooks()) if theme is not None else None
    if not adopt:
        text = _config_text(loaded, theme, values, token_env, directory)
    # What is written must load: the same code path as plan, before anything is written.
    config, source = load_document(parse_yaml(text, str(target)), hooks=context.hooks())
    project = Project(directory.resolve())
    settings = project.load() if project.exists else ProjectSettings()
    env_name = config.server.token_env
    guild = guild or config.server.guild_id
    chosen = provider or (
        "discord" if guild else settings.provider if project.exists else "sandbox"
    )
    from gaib_core.provider.factory import provider_factory  # (httpx only when init runs)

    provider_factory(project, context.hooks(), chosen)  # an unknown name stops here
    if chosen == "sandbox":
        if settings.provider != "sandbox":
            settings.guild_id = None  # a Discord guild id means nothing to the sandbox
        # (re-running init on a sandbox project keeps its sandbox guild and state)
    elif guild:
        if project.exists and settings.guild_id and settings.guild_id != guild:
            _refuse_retarget(project, guild)
        settings.guild_id = guild
    settings.provider = chosen
    # Everything is checked; only now write (the config last-but-one, atomically). A file
    # replaced with --force is kept beside it: it may hold hand edits.
    backup = None
    if not adopt:
        backup = keep_backup(target)
        atomic_write_text(target, text)
    project.save(settings)
    project.workspace_dir(settings.workspace or DEFAULT_WORKSPACE).mkdir(
        parents=True, exist_ok=True
    )
    sandbox_guild = _ensure_sandbox_guild(project) if chosen == "sandbox" else None
    report = _report(target, loaded, config, project.load(), sandbox_guild, env_name)
    report["backup"] = str(backup) if backup else None
    report["adopted"] = adopt
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


def _refuse_retarget(project: Project, guild: str) -> None:
    """Stop ``init --guild`` from pointing a workspace that manages a guild at another one.

    The state's resources are that guild's roles and channels: against another guild the next
    plan would refuse, or worse, a user would take it for a fresh start. Another guild belongs
    in its own workspace; an empty state may be pointed anywhere.
    """
    from gaib_core.state.manager import open_state

    state = open_state(project, context.hooks()).read()
    if state.guild_id and state.guild_id != guild and state.resources:
        count = len(state.resources)
        raise GaibError(
            f"workspace '{state.workspace}' manages guild {state.guild_id} "
            f"({count} resource{'s' if count != 1 else ''} in its state); init --guild {guild} "
            "would point it at another guild",
            hint=f"manage the other guild from its own workspace: gaib server workspace new "
            f"other --guild {guild} (any name), or first empty this one with gaib server destroy",
        )


def _ensure_sandbox_guild(project: Project) -> str | None:
    """The embedded sandbox's guild (created, or brought back under the same id, if missing)."""
    from gaib_core.provider.factory import ensure_sandbox_guild

    return ensure_sandbox_guild(project)


def _report(
    target: Path,
    theme: Theme | None,
    config: ServerConfig,
    settings: ProjectSettings,
    sandbox_guild: str | None,
    env_name: str,
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
        "token_set": bool(os.environ.get(env_name, "").strip()),
        "workspace": settings.workspace,
    }


def _counts(report: dict[str, Any]) -> str:
    return ", ".join(
        context.count(report[key], noun, plural)
        for key, noun, plural in [
            ("roles", "role", None),
            ("categories", "category", "categories"),
            ("channels", "channel", None),
        ]
    )


def _print_report(report: dict[str, Any], warnings: list[ConfigIssue]) -> None:
    for issue in warnings:
        context.err(f"Warning: {issue.to_error()}")
    if context.quiet():
        return  # what init did is in the files it wrote
    say = context.out.print
    theme = report["theme"]
    if report["adopted"]:
        say(
            f"Using {report['config']} as it is: {_counts(report)}.",
            markup=False,
        )
    elif theme is None:
        say(f"Wrote {report['config']}: a plain config with no roles or channels yet.")
    else:
        say(
            f"Wrote {report['config']} referencing theme {theme['name']} {theme['version']}: "
            f"{_counts(report)}.",
            markup=False,
        )
    if report["backup"]:
        say(f"The previous file is kept as {report['backup']}.", markup=False)
    say(f"Project settings in .gaib/ (workspace '{report['workspace']}').", markup=False)
    if report["provider"] == "sandbox":
        say(
            f"This project targets the embedded offline sandbox (guild {report['guild_id']}); "
            "run init again with --guild ID to target a real Discord server.",
            markup=False,
        )
    elif report["provider"] == "discord":
        say(
            f"Target: Discord guild {report['guild_id']} (bot token from ${report['token_env']}).",
            markup=False,
        )
        if not report["token_set"]:
            say(f"Set ${report['token_env']} before `gaib server plan`.", markup=False)
    else:
        say(f"Target: provider {report['provider']}, guild {report['guild_id']}.", markup=False)
    say("Next: gaib server plan", markup=False)
