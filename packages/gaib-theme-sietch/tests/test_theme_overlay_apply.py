"""Property: a Sietch file with drawn variables, overrides, additions and removals applies, and
planning right after is empty, against a fresh guild on the sandbox over loopback HTTP.

Files that do not load (the conformance kit checks their errors name a line) and plans that
preflight refuses are discarded; what remains goes through the real engine, provider and state.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from gaib_core.config.loader import dump_yaml, load_document, parse_yaml
from gaib_core.config.models import ServerConfig
from gaib_core.engine.workflow import plan_and_apply, refresh_plan
from gaib_core.errors import ConfigError
from gaib_core.plugins import Hooks, build_plugin_manager
from gaib_core.project import Project
from gaib_core.provider.discord import DiscordProvider
from gaib_core.sandbox.server import SandboxServer
from gaib_core.state.manager import open_state
from gaib_core.testing.overlays import reference_files
from gaib_core.testing.themes import value_sets
from gaib_core.themes import render_theme, resolve_values
from gaib_theme_sietch import rendering
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

THEME = rendering.load()
HOOKS = Hooks(build_plugin_manager(load_entry_points=False))


def _apply_then_plan(server: SandboxServer, config: ServerConfig) -> None:
    info = server.sandbox.create_guild()
    root = Path(tempfile.mkdtemp(prefix="sietch-overlay-"))
    manager = open_state(Project(root), HOOKS)

    async def go() -> None:
        async with DiscordProvider(token=info.token, base_url=server.base_url) as provider:
            first = await refresh_plan(config, provider, info.guild_id, manager)
            assume(not first.errors)  # preflight refused it (reported in the plan, not here)
            _, result = await plan_and_apply(config, provider, info.guild_id, manager, HOOKS)
            assert result.errors == [], result.errors
            again = await refresh_plan(config, provider, info.guild_id, manager)
            assert not again.has_changes, [(c.address, c.changes) for c in again.actionable()]
            assert manager.read().theme == config.theme  # the apply recorded the theme

    asyncio.run(go())


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_changed_sietch_applies_and_then_plans_empty(
    data: st.DataObject, sandbox_server: SandboxServer
) -> None:
    values = resolve_values(THEME.variables, data.draw(value_sets(THEME)))
    document = data.draw(reference_files(THEME, render_theme(THEME, values), values))
    path = Path(tempfile.gettempdir()) / "discord-server.yaml"
    try:
        config, _ = load_document(parse_yaml(dump_yaml(document), str(path)), hooks=HOOKS)
    except ConfigError:
        assume(False)
        return
    _apply_then_plan(sandbox_server, config)
