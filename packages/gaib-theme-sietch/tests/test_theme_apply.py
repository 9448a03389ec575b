"""The Sietch theme through the real pipeline: engine, provider and state against the sandbox.

Applies with the default bot permissions over loopback HTTP, then checks that planning again
shows no change, that the guild holds the PRD's roles (below the bot) and channel tree, and that
what members can do in the applied guild is the theme's permission matrix.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from gaib_core.config.models import BOT, EVERYONE, ServerConfig
from gaib_core.engine.plan import Plan
from gaib_core.engine.workflow import plan_and_apply, refresh_plan
from gaib_core.plugins import Hooks, build_plugin_manager
from gaib_core.project import Project
from gaib_core.provider.discord import DiscordProvider
from gaib_core.sandbox import rules
from gaib_core.state.manager import open_state
from gaib_core.testing.fixtures import SandboxGuild
from gaib_core.themes.matrix import permission_matrix, summarize
from gaib_theme_sietch import rendering


def _plan(sandbox: SandboxGuild, root: Path, config: ServerConfig, apply: bool) -> Plan:
    hooks = Hooks(build_plugin_manager(load_entry_points=False))
    manager = open_state(Project(root), hooks)

    async def go() -> Plan:
        async with DiscordProvider(token=sandbox.token, base_url=sandbox.base_url) as provider:
            if not apply:
                return await refresh_plan(config, provider, sandbox.guild_id, manager)
            plan, result = await plan_and_apply(config, provider, sandbox.guild_id, manager, hooks)
            assert result.errors == [], result.errors
            return plan

    return asyncio.run(go())


def test_sietch_applies_converges_and_grants_what_the_matrix_says(
    sandbox: SandboxGuild, sietch: ServerConfig, tmp_path: Path
) -> None:
    plan = _plan(sandbox, tmp_path, sietch, apply=True)
    assert plan.errors == []
    assert plan.counts() == (14 + 9 + 23, 1, 0)  # the one change: the server's name
    again = _plan(sandbox, tmp_path, sietch, apply=False)
    assert not again.has_changes, [(c.address, c.changes) for c in again.actionable()]

    core = sandbox.server.sandbox
    guild = core.store.guild(sandbox.guild_id)
    assert guild is not None
    assert guild.name == "Sietch"  # community_name's default names the server
    by_position = sorted(guild.roles.values(), key=lambda role: -role.position)
    assert [role.name for role in by_position] == [
        "gaib",  # the bot's managed role stays on top
        *(role.name for role in sietch.roles),
        "@everyone",
    ]
    categories = sorted(
        (ch for ch in guild.channels.values() if ch.type == 4), key=lambda ch: ch.position
    )
    assert [ch.name for ch in categories] == [category.name for category in sietch.categories]

    role_ids = {role.name: role.id for role in guild.roles.values()}
    members = {
        role.name: core.add_member(sandbox.guild_id, f"m-{role.key}", roles=[role_ids[role.name]])
        for role in sietch.roles
    }
    members[EVERYONE] = core.add_member(sandbox.guild_id, "m-nobody")
    members[BOT] = sandbox.info.bot_user_id
    channels = {ch.name: ch for ch in guild.channels.values() if ch.type != 4}
    matrix = permission_matrix(sietch, bot_permissions=rules.BOT_DEFAULT)
    for row in matrix.rows:
        for column, cell in zip(matrix.roles, row.cells, strict=True):
            bits = rules.channel_permissions(guild, channels[row.channel], members[column])
            assert summarize(bits, row.type) == cell, (row.channel, column)


def test_switching_the_flags_off_removes_voice_and_badge_channels(
    sandbox: SandboxGuild, sietch: ServerConfig, tmp_path: Path
) -> None:
    _plan(sandbox, tmp_path, sietch, apply=True)
    config = rendering.render({"enable_voice": False, "enable_badge_channels": False})
    plan = _plan(sandbox, tmp_path, config, apply=True)
    # 5 voice channels, the badge category and its 3 channels go; the badge roles stay.
    assert plan.counts() == (0, 0, 5 + 1 + 3)
    assert not _plan(sandbox, tmp_path, config, apply=False).has_changes


def test_community_name_names_the_server(sandbox: SandboxGuild, tmp_path: Path) -> None:
    config = rendering.render({"community_name": "Arrakis"})
    plan = _plan(sandbox, tmp_path, config, apply=False)
    (server,) = [c for c in plan.changes if c.address == "server"]
    assert [(c.attribute, c.before, c.after) for c in server.changes] == [
        ("name", "Sandbox", "Arrakis")
    ]
    _plan(sandbox, tmp_path, config, apply=True)
    guild = sandbox.server.sandbox.store.guild(sandbox.guild_id)
    assert guild is not None and guild.name == "Arrakis"
    renamed = rendering.render({"community_name": "Caladan"})
    (server,) = [
        c for c in _plan(sandbox, tmp_path, renamed, apply=False).changes if c.address == "server"
    ]
    assert [(c.attribute, c.before, c.after) for c in server.changes] == [
        ("name", "Arrakis", "Caladan")
    ]
