"""What a command needs to plan or apply: project, config, provider, guild id, state manager.

``open_session`` wires the parts together exactly as the CLI does (the provider chosen by
``gaib_core.provider.factory.open_provider``, the state by ``open_state``), so programs that
embed gaib-core get the same behaviour. The provider is async: close it with
``await session.aclose()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gaib_core.config.loader import load_config
from gaib_core.project import Project, find_project
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
    config_path: Path,
    hooks: Hooks,
    *,
    guild: str | None = None,
    workspace: str | None = None,
    need_config: bool = True,
    project: Project | None = None,
) -> Session:
    """Load the config (when ``need_config`` or the file exists) and open provider and state."""
    project = project or find_project()
    config = load_config(config_path, hooks=hooks) if need_config or config_path.exists() else None
    provider, guild_id = open_provider(project, config, hooks, guild)
    token_env = config.server.token_env if config is not None else None
    manager = open_state(project, hooks, workspace, token_env=token_env)
    return Session(project, config, config_path, provider, guild_id, manager, hooks)
