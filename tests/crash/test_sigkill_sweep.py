"""Crash safety: SIGKILL the apply after each possible request count k of the Sietch theme.

For every k, the k-th API request of a fresh apply is held by the sandbox (a ``delay`` fault
with ``after=k-1``); while it is in flight the applying process is SIGKILLed, so the sandbox
performs the write but the client never sees the answer -- the hardest moment to crash. Then a
new apply runs to completion. The guild must hold no duplicate, match the config, and a plan
right after must be empty.

The applying process is forked from the test process (imports already loaded), so a sweep over
every k of the ~55 requests of the Sietch theme stays within about a minute.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
from gaib_core.config.models import ServerConfig
from gaib_core.engine.workflow import plan_and_apply, refresh_plan
from gaib_core.plugins import Hooks, build_plugin_manager
from gaib_core.project import Project
from gaib_core.provider.discord import DiscordProvider
from gaib_core.provider.models import Guild
from gaib_core.sandbox.faults import FaultSpec
from gaib_core.sandbox.server import SandboxServer
from gaib_core.state.manager import open_state
from gaib_core.themes import find_theme, render_theme

HOLD = 0.4  # seconds the sandbox holds the k-th request before performing it


def _hooks() -> Hooks:
    return Hooks(build_plugin_manager(load_entry_points=False))


def _sietch() -> ServerConfig:
    return render_theme(find_theme("sietch", Hooks(build_plugin_manager())), {})


def _apply(base_url: str, token: str, guild_id: str, root: Path, config: ServerConfig) -> list[str]:
    hooks = _hooks()
    manager = open_state(Project(root), hooks)

    async def go() -> list[str]:
        async with DiscordProvider(token=token, base_url=base_url) as provider:
            plan, result = await plan_and_apply(config, provider, guild_id, manager, hooks)
            return [*plan.errors, *result.errors]

    return asyncio.run(go())


def _child(base_url: str, token: str, guild_id: str, root: str, config_json: str) -> None:
    config = ServerConfig.model_validate_json(config_json)
    errors = _apply(base_url, token, guild_id, Path(root), config)
    os._exit(0 if not errors else 3)


def _plan_changes(base_url: str, token: str, guild_id: str, root: Path, config: ServerConfig):  # type: ignore[no-untyped-def]
    manager = open_state(Project(root), _hooks())

    async def go():  # type: ignore[no-untyped-def]
        async with DiscordProvider(token=token, base_url=base_url) as provider:
            plan = await refresh_plan(config, provider, guild_id, manager)
            guild = await provider.read_guild(guild_id)
            return plan, guild

    return asyncio.run(go())


def _duplicates(guild: Guild) -> list[str]:
    roles = Counter(role.name for role in guild.roles)
    channels = Counter((ch.name, ch.type, ch.parent_id) for ch in guild.channels)
    return [f"role {n}" for n, c in roles.items() if c > 1] + [
        f"channel {key}" for key, c in channels.items() if c > 1
    ]


def _requests_of_a_clean_apply(server: SandboxServer, config: ServerConfig, root: Path) -> int:
    info = server.sandbox.create_guild(bot_role_name="Shai-Hulud")
    before = server.sandbox.stats()["requests"]
    assert _apply(server.base_url, info.token, info.guild_id, root, config) == []
    return int(server.sandbox.stats()["requests"] - before)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() with the server thread alive
def test_sigkill_after_every_request_leaves_no_duplicate(
    sandbox_server: SandboxServer, tmp_path: Path
) -> None:
    core = sandbox_server.sandbox
    core.clear_faults()
    core.set_limits("relaxed")
    config = _sietch()
    total = _requests_of_a_clean_apply(sandbox_server, config, tmp_path / "clean")
    assert total > 40, total  # the Sietch theme: reads, 14 roles, 1 order, ~32 channels
    ctx = multiprocessing.get_context("fork")
    failures: list[str] = []
    killed = 0
    for k in range(1, total + 1):
        info = core.create_guild(bot_role_name="Shai-Hulud")
        root = tmp_path / f"k{k}"
        root.mkdir()
        fired = core.stats()["faults_fired"]
        core.add_fault(FaultSpec(kind="delay", delay=HOLD, after=k - 1, count=1))
        child = ctx.Process(
            target=_child,
            args=(
                sandbox_server.base_url,
                info.token,
                info.guild_id,
                str(root),
                config.model_dump_json(),
            ),
        )
        child.start()
        deadline = time.monotonic() + 60
        while core.stats()["faults_fired"] == fired and child.is_alive():
            assert time.monotonic() < deadline, f"k={k}: the fault never fired"
            time.sleep(0.005)
        if child.is_alive():
            os.kill(child.pid or 0, signal.SIGKILL)
            killed += 1
        child.join()
        core.clear_faults()
        time.sleep(HOLD + 0.1)  # let the held request land, as Discord would have
        errors = _apply(sandbox_server.base_url, info.token, info.guild_id, root, config)
        plan, guild = _plan_changes(
            sandbox_server.base_url, info.token, info.guild_id, root, config
        )
        dupes = _duplicates(guild)
        if errors or dupes or plan.has_changes:
            failures.append(f"k={k}: errors={errors} duplicates={dupes} changes={plan.summary()}")
    assert not failures, "\n".join(failures)
    assert killed == total, f"only {killed} of {total} runs were killed mid-request"
