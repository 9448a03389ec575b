"""Building providers: the registered factories and ``open_provider``, which picks one.

``open_provider`` decides what a command talks to:

1. ``DISCORD_API_BASE`` set -> the ``discord`` provider at that base (e.g. a ``gaib sandbox
   serve`` instance, or a proxy), with the token from the environment if there is one;
2. a token in the environment (``server.token_env``, default ``DISCORD_TOKEN``) -> Discord;
3. otherwise the embedded sandbox persisted at ``.gaib/sandbox.json``, reached in-process through
   ``SandboxTransport`` by the very same ``DiscordProvider`` class (a guild is created on first
   use and its id saved to ``.gaib/config.yaml``).

The token only ever comes from the environment, never from a file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from gaib_core.errors import ConfigError
from gaib_core.provider.discord import DiscordProvider
from gaib_core.provider.http import API_BASE_ENV, DEFAULT_API_BASE, api_base_from_env

if TYPE_CHECKING:
    from gaib_core.config.models import ServerConfig
    from gaib_core.plugins import Hooks
    from gaib_core.project import Project
    from gaib_core.provider.base import Provider

log = logging.getLogger(__name__)

DEFAULT_TOKEN_ENV = "DISCORD_TOKEN"
SANDBOX_BOT_ROLE = "Shai-Hulud"
# Any "Bot <token>" is accepted by the sandbox; this one just fills the header.
SANDBOX_TOKEN = "sandbox-token"
# The in-process transport ignores the host; ``.invalid`` can never resolve, should it leak.
EMBEDDED_BASE = "http://sandbox.invalid/api/v10"


def discord_factory(settings: Mapping[str, Any]) -> Provider:
    """The ``discord`` provider. Settings: ``token`` (required), ``base_url``, ``token_env``."""
    token = settings.get("token")
    token_env = str(settings.get("token_env") or DEFAULT_TOKEN_ENV)
    if not token:
        raise ConfigError(
            f"no Discord bot token: {token_env} is not set",
            hint=f"export {token_env}=<bot token> (it is never read from a file)",
        )
    return DiscordProvider(
        token=str(token),
        base_url=str(settings.get("base_url") or api_base_from_env()),
        token_env=token_env,
        max_ratelimit_wait=float(settings.get("max_ratelimit_wait", 60.0)),
    )


def sandbox_factory(settings: Mapping[str, Any]) -> Provider:
    """The ``sandbox`` provider: a sandbox server at ``base_url``, else the embedded one.

    Settings: ``sandbox_path`` (the JSON file of the embedded sandbox; default in memory),
    ``base_url`` (a running ``gaib sandbox serve``), ``token`` (optional), ``limits``.
    """
    token = str(settings.get("token") or SANDBOX_TOKEN)
    base_url = settings.get("base_url")
    if base_url:
        return DiscordProvider(token=token, base_url=str(base_url), name="sandbox")
    from gaib_core.sandbox.core import Sandbox
    from gaib_core.sandbox.transport import SandboxTransport

    raw_path = settings.get("sandbox_path")
    sandbox = Sandbox(
        Path(raw_path) if raw_path else None, limits=str(settings.get("limits", "relaxed"))
    )
    return DiscordProvider(
        token=token, base_url=EMBEDDED_BASE, transport=SandboxTransport(sandbox), name="sandbox"
    )


def sandbox_path(project: Project) -> Path:
    """The embedded sandbox's file (``.gaib/sandbox.json`` unless the settings say otherwise)."""
    path = Path(project.load().sandbox_path)
    return path if path.is_absolute() else project.root / path


def ensure_sandbox_guild(project: Project) -> str:
    """The project's embedded-sandbox guild id, creating the guild (and saving its id) if needed.

    The guild gets a bot whose managed role is called ``Shai-Hulud``. The id goes to
    ``.gaib/config.yaml`` (``guild_id``, ``provider: sandbox``).
    """
    from gaib_core.sandbox.core import Sandbox

    settings = project.load()
    sandbox = Sandbox(sandbox_path(project))
    if settings.guild_id and any(g["id"] == settings.guild_id for g in sandbox.guilds()):
        return settings.guild_id
    if settings.guild_id:
        log.warning("sandbox has no guild %s any more; creating a new one", settings.guild_id)
    info = sandbox.create_guild(name=project.root.name or "Sandbox", bot_role_name=SANDBOX_BOT_ROLE)
    settings.guild_id = info.guild_id
    settings.provider = "sandbox"
    project.save(settings)
    return info.guild_id


def open_provider(
    project: Project,
    config: ServerConfig | None,
    hooks: Hooks,
    guild_override: str | None,
    *,
    environ: Mapping[str, str] | None = None,
) -> tuple[Provider, str]:
    """The provider this project talks to and the guild id to use (see the module docstring).

    The guild id is ``guild_override`` (``--guild``), else the config's ``server.guild_id``,
    else ``.gaib/config.yaml``'s (created in the embedded sandbox when there is none).
    """
    env = os.environ if environ is None else environ
    token_env = config.server.token_env if config is not None else DEFAULT_TOKEN_ENV
    token = env.get(token_env) or None
    base = env.get(API_BASE_ENV) or None
    settings = project.load()
    guild_id = guild_override or (config.server.guild_id if config is not None else None)
    factories = hooks.providers()

    if base or token:
        base_url = (base or DEFAULT_API_BASE).rstrip("/")
        if token is None:
            if _is_discord(base_url):
                raise ConfigError(
                    f"{API_BASE_ENV} points at Discord but {token_env} is not set",
                    hint=f"export {token_env}=<bot token>, or unset {API_BASE_ENV} to use the "
                    "embedded sandbox",
                )
            token = SANDBOX_TOKEN
        guild_id = guild_id or settings.guild_id
        if not guild_id:
            raise ConfigError(
                f"no guild id for {base_url}",
                hint="pass --guild ID or set server.guild_id in discord-server.yaml "
                "(for a sandbox server, `gaib sandbox create-guild` prints one)",
            )
        provider = factories["discord"](
            {"token": token, "base_url": base_url, "token_env": token_env}
        )
        return provider, guild_id

    guild_id = guild_id or ensure_sandbox_guild(project)
    provider = factories["sandbox"]({"sandbox_path": str(sandbox_path(project))})
    return provider, guild_id


def _is_discord(base_url: str) -> bool:
    host = urlparse(base_url).hostname or ""
    return host == "discord.com" or host.endswith(".discord.com") or host.endswith("discordapp.com")
