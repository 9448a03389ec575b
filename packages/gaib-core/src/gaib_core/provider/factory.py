"""Building providers: the registered factories and ``open_provider``, which picks one.

``open_provider`` uses the provider the project names in ``.gaib/config.yaml`` (``provider:``),
looked up by that name among the registered factories (``gaib_register_providers``), so a
third-party provider works exactly like the built-ins. gaib never picks another target on its
own: a project that says ``discord`` and has no token stops with one line naming its guild and
the variable to set; the sandbox is used only where the project says ``provider: sandbox``.

The built-ins:

* ``discord``: Discord's REST API at ``$DISCORD_API_BASE`` (e.g. a ``gaib sandbox serve``
  instance, or a proxy) or Discord itself, with the token from ``server.token_env``
  (default ``DISCORD_TOKEN``);
* ``sandbox``: the embedded sandbox persisted at ``.gaib/sandbox.json``, reached in-process
  through ``SandboxTransport`` by the very same ``DiscordProvider`` class (its guild is created
  by ``gaib server init`` and its id kept in ``.gaib/config.yaml``), or a sandbox server at
  ``provider_options.base_url``.

Every factory receives the same settings mapping (see :func:`provider_settings`). The token only
ever comes from the environment, never from a file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gaib_core.errors import ConfigError, SourceLocation
from gaib_core.plugins import missing_plugin_hint
from gaib_core.provider.credentials import check_api_base, read_token
from gaib_core.provider.discord import DiscordProvider
from gaib_core.provider.http import API_BASE_ENV, DEFAULT_API_BASE

if TYPE_CHECKING:
    from gaib_core.config.models import ServerConfig
    from gaib_core.plugins import Hooks
    from gaib_core.project import Project
    from gaib_core.provider.base import Provider
    from gaib_core.registry import ProviderFactory

log = logging.getLogger(__name__)

DEFAULT_TOKEN_ENV = "DISCORD_TOKEN"
SANDBOX_BOT_ROLE = "Shai-Hulud"
# Any "Bot <token>" is accepted by the sandbox; this one just fills the header.
SANDBOX_TOKEN = "sandbox-token"
# The in-process transport ignores the host; ``.invalid`` can never resolve, should it leak.
EMBEDDED_BASE = "http://sandbox.invalid/api/v10"


def discord_factory(settings: Mapping[str, Any]) -> Provider:
    """The ``discord`` provider.

    Settings: ``token`` (required), ``token_env``, ``base_url`` (else ``api_base``, else
    Discord's), ``guild_id`` (named in the error when the token is missing).
    """
    token = settings.get("token")
    token_env = str(settings.get("token_env") or DEFAULT_TOKEN_ENV)
    if not token:
        guild = settings.get("guild_id")
        target = f"Discord guild {guild}" if guild else "Discord"
        raise ConfigError(
            f"this project targets {target}; set {token_env}",
            hint=f"export {token_env}=<bot token> (it is never read from a file)",
        )
    base = settings.get("base_url") or settings.get("api_base") or DEFAULT_API_BASE
    return DiscordProvider(
        token=str(token),
        base_url=check_api_base(str(base)),
        token_env=token_env,
        max_ratelimit_wait=float(settings.get("max_ratelimit_wait", 60.0)),
    )


def sandbox_factory(settings: Mapping[str, Any]) -> Provider:
    """The ``sandbox`` provider: a sandbox server at ``base_url``, else the embedded one.

    Settings: ``sandbox_path`` (the JSON file of the embedded sandbox; default in memory),
    ``base_url`` (a running ``gaib sandbox serve``, from ``provider_options``), ``token``
    (optional), ``limits``. ``$DISCORD_API_BASE`` (``api_base``) is the discord provider's and
    is not used here.
    """
    token = str(settings.get("token") or SANDBOX_TOKEN)
    base_url = settings.get("base_url")
    if base_url:
        return DiscordProvider(token=token, base_url=check_api_base(str(base_url)), name="sandbox")
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

    Called by ``gaib server init`` for a sandbox project. The guild gets a bot whose managed
    role is called ``Shai-Hulud``. The id goes to ``.gaib/config.yaml`` (``guild_id``,
    ``provider: sandbox``).
    """
    settings = project.load()
    if settings.guild_id and sandbox_has_guild(project, settings.guild_id):
        return settings.guild_id
    if settings.guild_id:
        # The sandbox was reset or its file lost: the guild comes back empty under the same id,
        # so the project's target never changes (plan then shows what is missing).
        log.warning("sandbox has no guild %s any more; creating it again", settings.guild_id)
    settings.guild_id = create_sandbox_guild(project, guild_id=settings.guild_id)
    settings.provider = "sandbox"
    project.save(settings)
    return settings.guild_id


def create_sandbox_guild(
    project: Project, name: str | None = None, *, guild_id: str | None = None
) -> str:
    """A guild in the project's embedded sandbox (bot role ``Shai-Hulud``); its id.

    ``guild_id`` recreates a guild that disappeared under the id the project targets.
    """
    from gaib_core.sandbox.core import Sandbox

    sandbox = Sandbox(sandbox_path(project))
    info = sandbox.create_guild(
        name=name or project.root.name or "Sandbox",
        bot_role_name=SANDBOX_BOT_ROLE,
        guild_id=guild_id,
    )
    return info.guild_id


def sandbox_has_guild(project: Project, guild_id: str) -> bool:
    """True if the project's embedded sandbox has the guild ``guild_id``."""
    from gaib_core.sandbox.core import Sandbox

    return any(g["id"] == guild_id for g in Sandbox(sandbox_path(project)).guilds())


def provider_settings(
    project: Project,
    config: ServerConfig | None,
    guild_id: str | None,
    environ: Mapping[str, str],
) -> dict[str, Any]:
    """What every provider factory receives.

    ``token`` (stripped, checked; None when unset), ``token_env``, ``api_base``
    (``$DISCORD_API_BASE``, checked, or None), ``guild_id``, ``project_root``, ``sandbox_path``,
    then the project's ``provider_options`` (which may override any of them but the token).
    """
    token_env = config.server.token_env if config is not None else DEFAULT_TOKEN_ENV
    settings = project.load()
    base = (environ.get(API_BASE_ENV) or "").strip()
    return {
        **settings.provider_options,
        "token": read_token(environ, token_env),
        "token_env": token_env,
        "api_base": check_api_base(base, source=f"${API_BASE_ENV}") if base else None,
        "guild_id": guild_id,
        "project_root": str(project.root),
        "sandbox_path": str(sandbox_path(project)),
    }


def open_provider(
    project: Project,
    config: ServerConfig | None,
    hooks: Hooks,
    guild_override: str | None,
    *,
    environ: Mapping[str, str] | None = None,
    workspace_guild: str | None = None,
) -> tuple[Provider, str]:
    """The provider the project names and the guild id to use (see the module docstring).

    The guild id is ``guild_override`` (``--guild``), else ``workspace_guild`` (the guild the
    current workspace was created for), else the config's ``server.guild_id``, else
    ``.gaib/config.yaml``'s. Nothing is written.
    """
    connect, guild_id = resolve_provider(
        project, config, hooks, guild_override, environ=environ, workspace_guild=workspace_guild
    )
    return connect(), guild_id


def resolve_provider(
    project: Project,
    config: ServerConfig | None,
    hooks: Hooks,
    guild_override: str | None,
    *,
    environ: Mapping[str, str] | None = None,
    workspace_guild: str | None = None,
) -> tuple[Callable[[], Provider], str]:
    """:func:`open_provider` in two steps: the guild id and the project's checks now, and a
    function that builds the provider (and reads its token) when called.

    For commands that may not talk to the guild at all (a backup of the state, a listing):
    they need no token unless they do.
    """
    env = os.environ if environ is None else environ
    settings = project.load()
    guild_id = (
        guild_override
        or workspace_guild
        or (config.server.guild_id if config is not None else None)
        or settings.guild_id
    )
    factory = provider_factory(project, hooks, settings.provider)
    if not guild_id:
        raise ConfigError(
            f"no guild id for provider '{settings.provider}'",
            hint="pass --guild ID or set server.guild_id in discord-server.yaml",
        )
    embedded = settings.provider == "sandbox" and "base_url" not in settings.provider_options
    if embedded and not sandbox_has_guild(project, guild_id):
        raise ConfigError(
            f"the embedded sandbox ({sandbox_path(project)}) has no guild {guild_id}",
            hint=f"run `gaib server init` in {project.root} to create it again (empty, "
            "same id), then `gaib server plan`"
            if guild_id == settings.guild_id
            else "pass --guild with one of its guilds (`gaib sandbox create-guild` makes one)",
        )
    found = guild_id

    def connect() -> Provider:
        return factory(provider_settings(project, config, found, env))

    return connect, guild_id


def provider_factory(project: Project, hooks: Hooks, name: str) -> ProviderFactory:
    """The factory registered as ``name``; ``ConfigError`` listing the registered ones."""
    factories = hooks.providers()
    if name in factories:
        return factories[name]
    known = ", ".join(sorted(factories)) or "none"
    raise ConfigError(
        f"provider '{name}' is not registered (registered: {known})",
        location=SourceLocation(str(project.settings_path)),
        field="provider",
        hint=missing_plugin_hint("provider", name, factories),
    )
