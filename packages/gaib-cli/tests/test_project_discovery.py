"""Commands find their project like git finds a repository (issue 8, item 5), and workspaces
belong to guilds (item 3). The real command in subprocesses, guilds in the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gaib_cli.testing import Gaib, advice, files_of
from gaib_core.sandbox.core import Sandbox
from gaib_core.sandbox.server import SandboxServer

OUTSIDE = [
    ("server", "plan"),
    ("server", "state", "ls"),
    ("server", "workspace", "ls"),
    ("server", "export"),
]


def test_commands_find_the_project_from_a_subdirectory_with_c_and_chdir(
    gaib: Gaib, mini: Path
) -> None:
    assert gaib("server", "init", cwd=mini).code == 0
    deep = mini / "docs" / "notes"
    deep.mkdir(parents=True)
    from_sub = gaib("server", "plan", cwd=deep)
    assert from_sub.code == 0, from_sub
    assert "Plan: 5 to add" in from_sub.out
    elsewhere = mini.parent
    with_c = gaib("server", "plan", "-c", "community/discord-server.yaml", cwd=elsewhere)
    assert with_c.code == 0 and "Plan: 5 to add" in with_c.out, with_c
    chdir = gaib("--chdir", str(deep), "server", "apply", "--auto-approve", cwd=elsewhere)
    assert chdir.code == 0 and "5 added" in chdir.out, chdir
    listed = set(gaib("server", "state", "ls", cwd=deep).out.split())
    assert {"role.admin", "role.member", "category.main", "channel.general"} <= listed
    # Nothing was created where the commands were started.
    assert not (deep / ".gaib").exists() and not (elsewhere / ".gaib").exists()
    assert gaib("server", "validate", cwd=deep).code == 0


@pytest.mark.parametrize("args", OUTSIDE, ids=lambda a: " ".join(a[1:]))
def test_outside_a_project_commands_say_so_and_the_advice_works(
    gaib: Gaib, mini: Path, args: tuple[str, ...]
) -> None:
    before = files_of(mini)
    result = gaib(*args, cwd=mini)
    assert result.code == 1, result
    assert "not a gaib project" in result.err and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert files_of(mini) == before and not (mini / ".gaib").exists()
    # Follow the advice literally, then the command works.
    fix = gaib(*advice(result.err), cwd=mini)
    assert fix.code == 0, fix
    again = gaib(*args, cwd=mini)
    assert again.code == 0, again


def test_an_empty_directory_gets_advice_that_creates_a_project(
    gaib: Gaib, tmp_path: Path, mini: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = gaib("server", "plan", cwd=empty)
    assert result.code == 1 and "not a gaib project" in result.err, result
    assert "theme ls" in result.err and not (empty / ".gaib").exists()
    assert gaib(*advice(result.err), cwd=empty).code == 0  # a plain config
    again = gaib("server", "plan", cwd=empty)
    assert again.code == 0 and "No changes" in again.out, again
    missing = gaib("--chdir", str(tmp_path / "nope"), "server", "plan", cwd=tmp_path)
    assert missing.code == 1 and "--chdir" in missing.err and "No such file" in missing.err


def test_workspaces_of_a_sandbox_project_are_separate_guilds(gaib: Gaib, mini: Path) -> None:
    assert gaib("server", "init", cwd=mini).code == 0
    production = json.loads(gaib("server", "workspace", "show", "--json", cwd=mini).out)
    made = gaib("server", "workspace", "new", "staging", cwd=mini)
    assert made.code == 0, made
    staging = json.loads(gaib("server", "workspace", "show", "--json", cwd=mini).out)
    assert staging["workspace"] == "staging"
    assert staging["guild_id"] and staging["guild_id"] != production["guild_id"]
    shown = gaib("server", "workspace", "show", cwd=mini).out
    assert shown.strip() == f"staging (guild {staging['guild_id']})"
    assert gaib("server", "apply", "--auto-approve", cwd=mini).code == 0
    sandbox = Sandbox(mini / ".gaib" / "sandbox.json")
    roles = {g["id"]: g["roles"] for g in sandbox.guilds()}
    assert roles[staging["guild_id"]] == 4 and roles[production["guild_id"]] == 2
    gaib("server", "workspace", "select", "default", cwd=mini)
    plan = gaib("server", "plan", cwd=mini)
    assert "Plan: 5 to add" in plan.out, plan


def test_workspace_new_with_guild_targets_that_guild(
    gaib: Gaib, mini: Path, token_server: SandboxServer
) -> None:
    production = token_server.sandbox.create_guild().guild_id
    staging = token_server.sandbox.create_guild().guild_id
    assert gaib("server", "init", "--guild", production, cwd=mini).code == 0
    made = gaib("server", "workspace", "new", "staging", "--guild", staging, cwd=mini)
    assert made.code == 0 and f"It manages guild {staging}" in made.out, made
    env = {"DISCORD_TOKEN": "MTAx.sandbox-server.token", "DISCORD_API_BASE": token_server.base_url}
    applied = gaib("server", "apply", "--auto-approve", cwd=mini, env=env)
    assert applied.code == 0, applied
    roles = {g["id"]: g["roles"] for g in token_server.sandbox.guilds()}
    assert roles[staging] == 4 and roles[production] == 2
    assert gaib("server", "workspace", "select", "default", cwd=mini).code == 0
    assert f"default (guild {production})" in gaib("server", "workspace", "show", cwd=mini).out
    plan = gaib("server", "plan", cwd=mini, env=env)
    assert plan.code == 0 and "Plan: 5 to add" in plan.out, plan
    bad = gaib("server", "workspace", "new", "qa", "--guild", "12", cwd=mini)
    assert bad.code == 2 and "17-20 digits" in bad.err


def test_export_adopt_never_retargets_a_state(
    gaib: Gaib, mini: Path, token_server: SandboxServer
) -> None:
    first = token_server.sandbox.create_guild().guild_id
    other = token_server.sandbox.create_guild().guild_id
    env = {"DISCORD_TOKEN": "MTAx.sandbox-server.token", "DISCORD_API_BASE": token_server.base_url}
    assert gaib("server", "init", "--guild", first, cwd=mini).code == 0
    assert gaib("server", "apply", "--auto-approve", cwd=mini, env=env).code == 0
    state = json.loads(gaib("server", "state", "pull", cwd=mini).out)
    result = gaib("server", "export", "--adopt", "--guild", other, cwd=mini, env=env)
    assert result.code == 1 and f"belongs to guild {first}" in result.err, result
    assert json.loads(gaib("server", "state", "pull", cwd=mini).out) == state
    assert gaib(*advice(result.err), cwd=mini).code == 0
    adopted = gaib("server", "export", "--adopt", "--guild", other, cwd=mini, env=env)
    assert adopted.code == 0, adopted
    assert gaib("server", "workspace", "show", cwd=mini).out.strip() == (
        f"guild-{other} (guild {other})"
    )
