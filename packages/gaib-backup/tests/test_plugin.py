"""The plugin in the change lifecycle, in process against a sandbox guild over loopback HTTP:
the safety backup before a change, the theme registry after it (failed applies included), a
store that cannot take the safety backup aborting the change, and snapshot restore + apply.
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from gaib_backup import plugin
from gaib_backup.backups import list_backups, preview_state
from gaib_backup.context import BackupContext
from gaib_backup.errors import BackupError
from gaib_backup.operations import apply_config, plan_config, restore_config, restore_state
from gaib_backup.snapshots import create_snapshot, list_snapshots, load_snapshot
from gaib_backup.theme_registry import history, read_registry
from gaib_core.engine.session import Session, open_session
from gaib_core.engine.workflow import plan_and_apply, refresh_plan
from gaib_core.plugins import Hooks, build_plugin_manager
from gaib_core.project import Project
from gaib_core.sandbox.faults import FaultSpec
from gaib_core.testing.fixtures import SandboxGuild
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CHANNELS = ["general", "lounge", "memes", "help", "announcements"]


def config_doc(roles: list[str], channels: list[str]) -> dict[str, object]:
    return {
        "version": 1,
        "roles": [{"name": name, "color": "#112233"} for name in roles],
        "channels": [{"name": name, "topic": f"about {name}"} for name in channels],
    }


@pytest.fixture
def hooks() -> Hooks:
    """A plugin manager with gaib-backup registered (and nothing else from entry points)."""
    return Hooks(build_plugin_manager(load_entry_points=False, extra=[plugin]))


@pytest.fixture
def ctx(memory_url: str) -> Iterator[BackupContext]:
    """A memory store the hooks use (through ``use_context``)."""
    context = BackupContext.from_url(memory_url)
    plugin.use_context(context)
    yield context
    plugin.use_context(None)


@pytest.fixture
def project(tmp_path: Path, sandbox: SandboxGuild, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project targeting the sandbox guild the way it would target Discord."""
    monkeypatch.setenv("DISCORD_API_BASE", sandbox.base_url)
    monkeypatch.setenv("DISCORD_TOKEN", sandbox.token)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".gaib").mkdir()
    settings = {"provider": "discord", "guild_id": sandbox.guild_id}
    (tmp_path / ".gaib" / "config.yaml").write_text(yaml.safe_dump(settings))
    write_config(tmp_path, ["Member"], ["general"])
    return tmp_path


def write_config(root: Path, roles: list[str], channels: list[str]) -> Path:
    path = root / "discord-server.yaml"
    path.write_text(yaml.safe_dump(config_doc(roles, channels), sort_keys=False))
    return path


def session(root: Path, hooks: Hooks) -> Session:
    return open_session(root / "discord-server.yaml", hooks, project=Project(root))


async def apply(root: Path, hooks: Hooks):  # type: ignore[no-untyped-def]
    opened = session(root, hooks)
    try:
        _, result = await plan_and_apply(
            opened.require_config(), opened.provider, opened.guild_id, opened.manager, hooks
        )
        return result, opened.manager.read()
    finally:
        await opened.aclose()


def test_a_change_is_backed_up_before_and_recorded_after(
    project: Path, hooks: Hooks, ctx: BackupContext, sandbox: SandboxGuild
) -> None:
    _, first = asyncio.run(apply(project, hooks))
    assert list_backups(ctx, sandbox.guild_id) == []  # nothing to back up before the first apply
    write_config(project, ["Member", "Mod"], ["general", "lounge"])
    _, second = asyncio.run(apply(project, hooks))
    [safety] = list_backups(ctx, sandbox.guild_id)
    assert (safety.kind, safety.serial, safety.lineage) == ("safety", first.serial, first.lineage)
    deployments = history(ctx, sandbox.guild_id)
    assert [(d.action, d.outcome, d.serial) for d in deployments] == [
        ("apply", "succeeded", second.serial),
        ("apply", "succeeded", first.serial),
    ]
    snap = load_snapshot(ctx, sandbox.guild_id, deployments[0].snapshot_id or "")
    assert snap.state.resources == second.resources
    assert snap.config_text == (project / "discord-server.yaml").read_text()
    assert read_registry(ctx, sandbox.guild_id).current_theme is not None


def test_a_failed_apply_is_recorded_as_failed(
    project: Path, hooks: Hooks, ctx: BackupContext, sandbox: SandboxGuild
) -> None:
    asyncio.run(apply(project, hooks))
    write_config(project, ["Member"], ["general", "lounge"])
    sandbox.server.sandbox.add_fault(
        FaultSpec(kind="5xx", count=1000, route=r"POST /guilds/\d+/channels")
    )
    result, _ = asyncio.run(apply(project, hooks))
    assert result.errors
    latest = history(ctx, sandbox.guild_id)[0]
    assert (latest.action, latest.outcome) == ("apply", "failed")
    assert latest.error and latest.snapshot_id is None
    assert len(list_snapshots(ctx, sandbox.guild_id)) == 1  # only the first apply's


def test_a_store_that_cannot_take_the_safety_backup_aborts_the_change(
    project: Path, hooks: Hooks, sandbox: SandboxGuild, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the store's directory would be")
    _, first = asyncio.run(apply(project, hooks))
    plugin.use_context(BackupContext.from_url((blocker / "backups").as_uri()))
    try:
        write_config(project, ["Member", "Mod"], ["general"])
        with pytest.raises(BackupError, match="safety backup before apply failed"):
            asyncio.run(apply(project, hooks))
    finally:
        plugin.use_context(None)
    opened = session(project, hooks)
    assert opened.manager.read().serial == first.serial  # nothing written
    plan = asyncio.run(_plan(opened))
    assert plan.counts() == (1, 0, 0)  # the role was not created


async def _plan(opened: Session):  # type: ignore[no-untyped-def]
    try:
        return await refresh_plan(
            opened.require_config(), opened.provider, opened.guild_id, opened.manager
        )
    finally:
        await opened.aclose()


async def restore_and_apply(root: Path, hooks: Hooks, ctx: BackupContext, snapshot_id: str):  # type: ignore[no-untyped-def]
    opened = session(root, hooks)
    try:
        snap = load_snapshot(ctx, opened.guild_id, snapshot_id)
        preview = preview_state(snap.state, opened.manager, source="snapshot")
        restore_state(ctx, opened.manager, preview, guild_id=opened.guild_id,
                      source="snapshot", snapshot_id=snapshot_id)  # fmt: skip
        path = root / "discord-server.yaml"
        restore_config(path, snap.config_text)
        plan = await plan_config(path, opened.provider, opened.guild_id, opened.manager)
        await apply_config(plan, path, opened.provider, opened.manager, hooks, operation="apply")
        return await plan_config(path, opened.provider, opened.guild_id, opened.manager)
    finally:
        await opened.aclose()


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kept=st.lists(st.sampled_from(CHANNELS), min_size=1, max_size=4, unique=True),
    later=st.lists(st.sampled_from(CHANNELS), min_size=0, max_size=4, unique=True),
    roles=st.lists(st.sampled_from(["Naib", "Fedaykin", "Fremen"]), max_size=3, unique=True),
)
def test_snapshot_then_restore_apply_leaves_an_empty_plan(
    project: Path, hooks: Hooks, sandbox: SandboxGuild, memory_url: str,
    kept: list[str], later: list[str], roles: list[str],
) -> None:  # fmt: skip
    # a fresh guild and project per example: restores leave objects behind on purpose
    guild = sandbox.server.sandbox.create_guild().guild_id
    project = Path(tempfile.mkdtemp(dir=project))
    (project / ".gaib").mkdir()
    settings_doc = {"provider": "discord", "guild_id": guild}
    (project / ".gaib" / "config.yaml").write_text(yaml.safe_dump(settings_doc))
    ctx = BackupContext.from_url(f"{memory_url}/{uuid.uuid4().hex}")
    ctx.set_service_tier(guild, "premium")
    plugin.use_context(ctx)
    try:
        write_config(project, roles, kept)
        _, state = asyncio.run(apply(project, hooks))
        text = (project / "discord-server.yaml").read_text()
        manifest = create_snapshot(ctx, state, text, read_registry(ctx, guild),
                                   server_id=guild)  # fmt: skip
        write_config(project, [r for r in ["Fremen", "Sardaukar"] if r not in roles], later)
        asyncio.run(apply(project, hooks))
        plan = asyncio.run(restore_and_apply(project, hooks, ctx, manifest.id))
    finally:
        plugin.use_context(None)
    assert not plan.has_changes, plan.counts()
    assert (project / "discord-server.yaml").read_text() == text
