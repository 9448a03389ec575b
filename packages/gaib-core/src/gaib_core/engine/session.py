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
from typing import TYPE_CHECKING

from gaib_core.config.loader import load_config
from gaib_core.project import CONFIG_FILE, Project, find_project
from gaib_core.provider.factory import open_provider
from gaib_core.state.manager import StateManager, open_state

if TYPE_CHECKING:
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
) -> Session:
    """Find the project, load the config (when ``need_config`` or the file exists) and open
    state and provider.

    ``config_path`` None means the project's own ``discord-server.yaml``; a given path is
    relative to the current directory, and the project is looked for from its directory first.
    Raises ``NotAProjectError`` outside a project (nothing is created).
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
    provider, guild_id = open_provider(
        project, config, hooks, guild, workspace_guild=manager.workspace_guild()
    )
    return Session(project, config, path, provider, guild_id, manager, hooks)
