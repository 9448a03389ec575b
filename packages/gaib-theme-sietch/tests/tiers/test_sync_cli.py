"""``gaib sietch sync`` as a user runs it: the real ``gaib`` in a subprocess, in a project made
with ``gaib server init --guild``, DISCORD_API_BASE pointing at the sandbox over loopback HTTP.
Plus the change lifecycle a sync runs in (operation ``sync``), with an inline plugin."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from gaib_cli.testing import run_gaib
from gaib_core import hookimpl
from gaib_core.engine.session import open_session
from gaib_core.errors import LockError
from gaib_core.lifecycle import ChangeEvent, ChangeOutcome
from gaib_core.plugins import Hooks, build_plugin_manager
from gaib_core.project import find_project
from gaib_core.sandbox.faults import FaultSpec
from gaib_core.state.lock import new_lock_info
from gaib_core.state.manager import open_state
from gaib_theme_sietch.appconfig.models import AppConfig
from gaib_theme_sietch.appconfig.store import open_config_store
from gaib_theme_sietch.tiers.holders import read_snapshot
from gaib_theme_sietch.tiers.sync_cli import Options, _run, app_settings
from gaib_theme_sietch.tiers.thresholds import Thresholds

from .conftest import SietchGuild, whales

HEADER = "wallet,amount,discord_user_id,badges\n"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One project for the module, made as a user makes it (each test syncs its own guild
    with --guild, so the project is made once)."""
    path = tmp_path_factory.mktemp("community")
    made = run_gaib("server", "init", "--guild", "123456789012345678", cwd=path)
    assert made.code == 0, made
    return path


def environment(guild: SietchGuild) -> dict[str, str]:
    """DISCORD_API_BASE and DISCORD_TOKEN for the sandbox."""
    return {"DISCORD_API_BASE": guild.sandbox.base_url, "DISCORD_TOKEN": guild.sandbox.token}


def snapshot(root: Path, rows: list[str]) -> Path:
    """holders.csv with the whales (ranks 1-100) and ``rows``."""
    lines = [f"{h.wallet},{5000 + i},," for i, h in enumerate(whales())]
    path = root / "holders.csv"
    path.write_text(HEADER + "\n".join([*lines, *rows]) + "\n")
    return path


def one_line(result: object) -> str:
    err = result.err  # type: ignore[attr-defined]
    assert result.code == 1, result  # type: ignore[attr-defined]
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_sync_prints_the_plan_applies_it_and_converges(
    sietch_guild: SietchGuild, root: Path
) -> None:
    env = environment(sietch_guild)
    alia = sietch_guild.add_member("alia", ["hajra"])
    leto = sietch_guild.add_member("leto", ["usul", "naib"])
    holders = snapshot(
        root,
        [f"0x{1:040x},69,{alia},", f"0x{2:040x},1111,{leto},water-sharer"],
    )
    sync = ("sietch", "sync", "--holders", str(holders), "--guild", sietch_guild.guild_id)

    dry = run_gaib(*sync, "--dry-run", "--detailed-exitcode", cwd=root, env=env)
    assert dry.code == 2, dry
    assert "Tier changes:\n" in dry.out
    # No joined_at column: tenure is unknown, so Veteran is neither given nor taken.
    assert "Veteran left as they are: the snapshot source has no joined-at dates" in dry.out
    assert f"alia ({alia}): promotion Hajra -> Ichwan" in dry.out
    assert f"leto ({leto}): demotion Naib -> Usul" in dry.out
    assert f"alia ({alia}): - Hajra, + Ichwan" in dry.out
    assert f"leto ({leto}): - Naib, + Former Naib, + Water Sharer" in dry.out
    assert "Plan: 3 to add, 2 to remove, for 2 members." in dry.out
    assert "Dry run: nothing was changed." in dry.out
    assert sietch_guild.held(alia) == {"hajra"}

    done = run_gaib(*sync, cwd=root, env=env)
    assert done.code == 0, done
    # 4 to read the guild, 1 page of members, 5 role changes
    assert "Sync complete: 3 added, 2 removed (10 requests in all)." in done.out
    assert sietch_guild.held(alia) == {"ichwan"}
    assert sietch_guild.held(leto) == {"usul", "former_naib", "water_sharer"}

    again = run_gaib(*sync, "--json", "--detailed-exitcode", cwd=root, env=env)
    assert again.code == 0, again
    data = json.loads(again.out)
    assert data["role_changes"] == [] and data["applied"] is None
    assert data["source"] == "snapshot"
    assert data["left_as_they_are"] == [{"fact": "joined_at", "roles": ["veteran"]}]
    assert (data["members"], data["member_pages"], data["linked"]) == (4, 1, 2)
    assert data["requests"] == 5

    # A guild without Sietch's roles: one line saying how to get them (this project's config
    # defines none of them, so `gaib server apply` would not create them: the theme would).
    empty = sietch_guild.sandbox.server.sandbox.create_guild().guild_id
    line = one_line(run_gaib(*sync[:4], "--guild", empty, cwd=root, env=env))
    assert "has no role 'Naib' (role.naib)" in line
    assert "`gaib server init --theme sietch --force`" in line and line.endswith("sync again")


def test_bad_input_and_no_project_are_one_line_each(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + f"0x{1:040x},6.9,,\n0x{2:040x},6.9.1,,\n")
    line = one_line(run_gaib("sietch", "sync", "--holders", str(bad), cwd=tmp_path))
    assert "bad.csv:3" in line and "'6.9.1' is not a BGT amount" in line
    holders = snapshot(tmp_path, [])
    line = one_line(run_gaib("sietch", "sync", "--holders", str(holders), cwd=tmp_path))
    assert "gaib server init" in line


def test_a_stopped_sync_says_so_and_its_advice_finishes_the_job(
    sietch_guild: SietchGuild, root: Path
) -> None:
    env = environment(sietch_guild)
    users = [sietch_guild.add_member(f"fremen{i}", ["usul"]) for i in range(6)]
    holders = snapshot(root, [f"0x{i + 1:040x},69,{u}," for i, u in enumerate(users)])
    core = sietch_guild.sandbox.server.sandbox
    # Discord asks for a wait longer than gaib's (60 s) on the 4th role write: the sync stops.
    core.add_fault(
        FaultSpec(
            kind="429", retry_after=600, after=3, route=r"* /guilds/\d+/members/\d+/roles/\d+"
        )
    )
    sync = ("sietch", "sync", "--holders", str(holders), "--guild", sietch_guild.guild_id)
    stopped = run_gaib(*sync, "--concurrency", "1", cwd=root, env=env)
    line = one_line(stopped)
    assert "the sync stopped after 3 of 12 role changes" in line and "rate limited" in line
    assert "run `gaib sietch sync` again: it picks up where this one stopped" in line
    assert "Sync stopped: 1 added, 2 removed" in stopped.out
    finished = run_gaib(*sync, cwd=root, env=env)  # the advice, followed
    assert finished.code == 0, finished
    assert "Sync complete: 5 added, 4 removed" in finished.out
    assert all(sietch_guild.held(u) == {"ichwan"} for u in users)


class Recorder:
    """An inline plugin that records the lifecycle hooks a sync fires."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, ChangeEvent, ChangeOutcome | None]] = []

    @hookimpl
    def gaib_before_change(self, event: ChangeEvent) -> None:
        self.calls.append(("before", event, None))

    @hookimpl
    def gaib_after_change(self, event: ChangeEvent, outcome: ChangeOutcome) -> None:
        self.calls.append(("after", event, outcome))


def _sync_in_process(
    root: Path, guild: SietchGuild, recorder: Recorder, *, dry_run: bool = False
) -> object:
    hooks = Hooks(build_plugin_manager(load_entry_points=False, extra=[recorder]))
    session = open_session(
        None, hooks, guild=guild.guild_id, need_config=False, project=find_project(root)
    )
    holders = read_snapshot(root / "holders.csv")
    options = Options(dry_run, True, False, 4, 0.0, "snapshot")
    return asyncio.run(_run(session, holders, app_settings(session, None), options))


def test_a_sync_runs_in_the_change_lifecycle_under_the_state_lock(
    sietch_guild: SietchGuild, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in environment(sietch_guild).items():
        monkeypatch.setenv(name, value)
    user = sietch_guild.add_member("ghanima")
    snapshot(root, [f"0x{1:040x},420,{user},"])
    recorder = Recorder()
    _sync_in_process(root, sietch_guild, recorder, dry_run=True)
    assert recorder.calls == []  # a dry run changes nothing: no lifecycle
    _sync_in_process(root, sietch_guild, recorder)
    [(first, event, _), (second, _, outcome)] = recorder.calls
    assert (first, second) == ("before", "after")
    assert (event.operation, event.guild_id) == ("sync", sietch_guild.guild_id)
    assert outcome is not None and outcome.status == "succeeded"
    assert outcome.changed == [f"member.{user}"]
    assert sietch_guild.held(user) == {"sihaya"}
    # Someone else holds the workspace's lock: the sync stops before reading the guild.
    locker = open_state(find_project(root), Hooks(build_plugin_manager())).locker
    held = locker.lock(new_lock_info("apply"))
    try:
        with pytest.raises(LockError):
            _sync_in_process(root, sietch_guild, recorder)
    finally:
        locker.unlock(held)
    assert len(recorder.calls) == 2


def test_the_app_configuration_maps_roles_gates_them_and_sets_thresholds(
    sietch_guild: SietchGuild, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Role mappings (name -> id) win over names, a gate that is off leaves its roles alone,
    and the stored thresholds decide the tiers."""
    for name, value in environment(sietch_guild).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    core, gid = sietch_guild.sandbox.server.sandbox, sietch_guild.guild_id
    council = core.add_role(gid, "Naib Council", position=120)  # what the community calls Naib
    vet = sietch_guild.add_member("mapes", ["veteran"])
    user = sietch_guild.add_member("kynes")
    snapshot(root, [f"0x{1:040x},100,{user},", f"0x{2:040x},1,{vet},"])
    thresholds = Thresholds.model_validate({"ranks": {"naib": 1, "fedaykin": 2, "waitlist": 3}})
    app = AppConfig(
        thresholds=thresholds,
        gates={"veteran": False},
        roles={"Naib": council},
    )
    with open_config_store(find_project(root), None) as store:
        store.put(gid, app)
    try:
        # 100 whales of 5000+ BGT hold ranks 1-3 now: kynes has 100 BGT, an amount tier
        _sync_in_process(root, sietch_guild, Recorder())
        assert sietch_guild.held(user) == {"ichwan"}
        assert sietch_guild.held(vet) == {"veteran"}  # not eligible, but the gate is off
        snapshot_path = root / "holders.csv"
        snapshot_path.write_text(HEADER + f"0x{1:040x},100,{user},\n")  # only kynes: rank 1
        _sync_in_process(root, sietch_guild, Recorder())
        assert council in sietch_guild.role_ids(user)  # Naib through the mapping
        assert sietch_guild.roles["naib"] not in sietch_guild.role_ids(user)
    finally:
        with open_config_store(find_project(root), None) as store:
            store.put(gid, AppConfig())
