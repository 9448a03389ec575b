"""What a command needs to plan or apply: project, config, provider, guild id, state manager.

``open_session`` wires the parts together exactly as the CLI does (the project found like git
finds a repository, the provider the project names chosen by
``gaib_core.provider.factory.open_provider``, the state by ``open_state``, the guild from
``--guild``, the workspace's own guild, the config or the project), so programs that embed
gaib-core get the same behaviour. The provider is async: close it with
``await session.aclose()``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from gaib_core.config.loader import load_config
from gaib_core.project import CONFIG_FILE, Project, find_project
from gaib_core.provider.factory import resolve_provider
from gaib_core.state.manager import StateManager, open_state

if TYPE_CHECKING:
    from collections.abc import Callable

    from gaib_core.config.models import ServerConfig
    from gaib_core.plugins import Hooks
    from gaib_core.provider.base import Provider


@dataclass
class Session:
    """An opened project: config (if any), provider, guild id and state manager."""

    project: Project
    config: ServerConfig | None
    config_path: Path
    provider: Provider
    guild_id: str
    manager: StateManager
    hooks: Hooks

    def require_config(self) -> ServerConfig:
        """The config (``ConfigError`` through ``load_config`` if it was not loaded)."""
        if self.config is None:
            self.config = load_config(self.config_path, hooks=self.hooks)
        return self.config

    async def aclose(self) -> None:
        """Close the provider."""
        await self.provider.aclose()


def open_session(
    config_path: Path | None,
    hooks: Hooks,
    *,
    guild: str | None = None,
    workspace: str | None = None,
    need_config: bool = True,
    project: Project | None = None,
    connect: bool = True,
) -> Session:
    """Find the project, load the config (when ``need_config`` or the file exists) and open
    state and provider.

    ``config_path`` None means the project's own ``discord-server.yaml``; a given path is
    relative to the current directory, and the project is looked for from its directory first.
    Raises ``NotAProjectError`` outside a project (nothing is created). With ``connect`` False
    the provider is built (and its token read) on first use: for a command that may not talk
    to the guild (a backup of the state, a listing), which then runs without a token.
    """
    project = project or find_project(config=config_path)
    # Named relative to where the user is (errors then say discord-server.yaml:17:17).
    path = (
        config_path
        if config_path is not None
        else Path(os.path.relpath(project.root / CONFIG_FILE))
    )
    config = load_config(path, hooks=hooks) if need_config or path.exists() else None
    token_env = config.server.token_env if config is not None else None
    manager = open_state(project, hooks, workspace, token_env=token_env)
    build, guild_id = resolve_provider(
        project, config, hooks, guild, workspace_guild=manager.workspace_guild()
    )
    provider = build() if connect else cast("Provider", DeferredProvider(build))
    return Session(project, config, path, provider, guild_id, manager, hooks)


class DeferredProvider:
    """A provider built on first use (``open_session(connect=False)``); closing one never used
    builds nothing."""

    def __init__(self, build: Callable[[], Provider]) -> None:
        self._build = build
        self._provider: Provider | None = None

    def __getattr__(self, name: str) -> Any:
        if self._provider is None:
            self._provider = self._build()
        return getattr(self._provider, name)

    async def aclose(self) -> None:
        """Close the provider if it was built."""
        if self._provider is not None:
            await self._provider.aclose()
