"""Which project, guild and store a command acts on.

The guild is the one gaib's own commands would use: ``--guild``, else the guild of the selected
workspace, else ``server.guild_id`` of the project's ``discord-server.yaml``, else the project's
default guild (``.gaib/config.yaml``). Finding it reads no token and talks to no server, so
``gaib sietch config show`` works offline for any project.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gaib_core.config.loader import load_config
from gaib_core.errors import ConfigError
from gaib_core.project import CONFIG_FILE, Project, find_project
from gaib_core.state.manager import open_state

from gaib_theme_sietch.appconfig.store import ConfigStore, open_config_store
from gaib_theme_sietch.hooks import hooks

if TYPE_CHECKING:
    from gaib_core.config.models import ServerConfig
    from gaib_core.provider.models import Guild


def project(config: Path | None = None) -> Project:
    """The project found from ``config``'s directory or the current one, upwards."""
    return find_project(config=config)


def guild_of(found: Project, guild: str | None, config: Path | None = None) -> str:
    """The guild a command acts on (see the module docstring)."""
    if guild:
        if not guild.isdigit():
            raise ConfigError(f"--guild {guild!r} is not a Discord id", hint="pass the server's id")
        return guild
    path = config if config is not None else found.root / CONFIG_FILE
    loaded = load_config(path, hooks=hooks()) if path.exists() else None
    token_env = loaded.server.token_env if loaded is not None else None
    chosen = (
        open_state(found, hooks(), token_env=token_env).workspace_guild()
        or (loaded.server.guild_id if loaded is not None else None)
        or found.load().guild_id
    )
    if not chosen:
        raise ConfigError(
            "no guild id for this project",
            hint="pass --guild ID or set server.guild_id in discord-server.yaml",
        )
    return chosen


def open_store(found: Project) -> ConfigStore:
    """The app configuration store: ``DATABASE_URL``'s, else ``.gaib/sietch.sqlite3``."""
    from gaib_theme_sietch.appconfig.store import DEFAULT_FILE
    from gaib_theme_sietch.verify.settings import database_url_from_env

    url = database_url_from_env(unset=Path(".gaib") / DEFAULT_FILE)
    return open_config_store(found, url)


def read_guild(found: Project, guild_id: str, config: Path | None = None) -> LiveGuild:
    """The live guild through the project's provider (one read: guild, roles, channels) and the
    project's config, if it has one."""
    import asyncio

    from gaib_core.engine.session import open_session

    session = open_session(config, hooks(), guild=guild_id, need_config=False, project=found)

    async def read() -> Guild:
        try:
            return await session.provider.read_guild(guild_id)
        finally:
            await session.aclose()

    return LiveGuild(asyncio.run(read()), session.config)


@dataclass(frozen=True)
class LiveGuild:
    """A guild as read now, and the project's config (None without a discord-server.yaml)."""

    guild: Guild
    config: ServerConfig | None
