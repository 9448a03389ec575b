"""The PRD's end-to-end workflows (sections 8.3 and 6.7), run as a user runs them: the real
``gaib`` command in a subprocess, against the embedded sandbox and against a sandbox server on
loopback reached exactly as Discord would be (DISCORD_API_BASE + DISCORD_TOKEN + --guild).
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import yaml
from gaib_core.testing.fixtures import SandboxGuild

from .gaibrun import gaib

SIETCH_RESOURCES = 46  # 14 roles, 9 categories, 23 channels


def test_prd_workflow_offline_on_the_embedded_sandbox(tmp_path: Path) -> None:
    # 1. Initialize (no token: the embedded sandbox guild, said in one line)
    init = gaib("server", "init", "--theme", "sietch", cwd=tmp_path)
    assert init.code == 0, init
    assert "sandbox" in init.out.lower()
    assert (tmp_path / "discord-server.yaml").exists()
    assert (tmp_path / ".gaib" / "config.yaml").exists()
    again = gaib("server", "init", "--theme", "sietch", cwd=tmp_path)
    assert again.code == 1 and "--force" in again.err, again

    # 2. Preview changes
    plan = gaib("server", "plan", cwd=tmp_path)
    assert plan.code == 0, plan
    # the one change: the server is renamed to the theme's community_name
    assert f"Plan: {SIETCH_RESOURCES} to add, 1 to change, 0 to destroy." in plan.out
    assert '~ name: "' in plan.out and '" -> "Sietch"' in plan.out

    # 3. Apply
    apply = gaib("server", "apply", "--auto-approve", cwd=tmp_path)
    assert apply.code == 0, apply
    assert f"Resources: {SIETCH_RESOURCES} added" in apply.out

    # 4. Verify state
    state = gaib("server", "state", "ls", cwd=tmp_path)
    assert state.code == 0, state
    addresses = state.out.split()
    assert "role.naib" in addresses and "channel.council_chamber" in addresses
    assert len([a for a in addresses if re.match(r"^(role|category|channel)\.", a)]) == (
        SIETCH_RESOURCES
    )
    workspaces = gaib("server", "workspace", "ls", cwd=tmp_path)
    assert re.search(r"\*\s*default", workspaces.out), workspaces

    # 5. Make a change and diff
    path = tmp_path / "discord-server.yaml"
    config = yaml.safe_load(path.read_text())
    # The file references the theme: changes go under `overrides:`, by address.
    config["overrides"] = {
        "role.naib": {"color": "#FFAA00"},
        "channel.off_topic": {"name": "off-topic", "topic": "anything goes"},
    }
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    diff = gaib("server", "diff", cwd=tmp_path)
    assert diff.code == 0, diff
    assert "role.naib" in diff.out and "#FFAA00" in diff.out.upper()
    assert "channel.off_topic" in diff.out

    # 6. Apply the change (interactive: answer "yes")
    change = gaib("server", "apply", cwd=tmp_path, input="yes\n")
    assert change.code == 0, change
    assert "1 added, 1 changed, 0 destroyed" in change.out
    clean = gaib("server", "plan", "--detailed-exitcode", cwd=tmp_path)
    assert clean.code == 0, clean

    # 7. Cleanup
    destroy = gaib("server", "destroy", "--auto-approve", cwd=tmp_path)
    assert destroy.code == 0, destroy
    assert f"{SIETCH_RESOURCES + 1} destroyed" in destroy.out
    empty = gaib("server", "state", "ls", cwd=tmp_path)
    assert not re.search(r"^(role|category|channel)\.", empty.out, re.M), empty
    after = gaib("server", "plan", "--detailed-exitcode", cwd=tmp_path)
    assert after.code == 2, after  # everything would be created again


def test_apply_answer_other_than_yes_changes_nothing(tmp_path: Path) -> None:
    assert gaib("server", "init", "--theme", "sietch", cwd=tmp_path).code == 0
    declined = gaib("server", "apply", cwd=tmp_path, input="no\n")
    assert declined.code == 1, declined
    state = gaib("server", "state", "ls", cwd=tmp_path)
    assert "role.naib" not in state.out


def test_disaster_recovery_drill_against_a_guild_like_discord(
    sandbox: SandboxGuild, tmp_path: Path
) -> None:
    env = {"DISCORD_API_BASE": sandbox.base_url, "DISCORD_TOKEN": sandbox.token}
    guild = sandbox.guild_id
    init = gaib("server", "init", "--theme", "sietch", "--guild", guild, cwd=tmp_path, env=env)
    assert init.code == 0, init
    apply = gaib("server", "apply", "--auto-approve", cwd=tmp_path, env=env)
    assert apply.code == 0, apply

    def names() -> tuple[set[str], set[str]]:
        with httpx.Client(base_url=sandbox.base_url, headers=sandbox.headers) as api:
            roles = {r["name"] for r in api.get(f"/guilds/{guild}/roles").json()}
            channels = {c["name"] for c in api.get(f"/guilds/{guild}/channels").json()}
        return roles, channels

    roles, channels = names()
    assert {"Naib", "Hajra", "Veteran"} <= roles and {"council-chamber", "census"} <= channels

    # Phase 1: export, preview the teardown
    backup = tmp_path / "testing-server-backup.yaml"
    export = gaib("server", "export", "--guild", guild, "-o", str(backup), cwd=tmp_path, env=env)
    assert export.code == 0, export
    preview = gaib(
        "server", "teardown", "--guild", guild, "--confirm-teardown", "--dry-run",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert preview.code == 0, preview
    assert names() == (roles, channels)  # a dry run deletes nothing

    # Phase 2-3: teardown; only @everyone and the bot's own role remain
    teardown = gaib(
        "server", "teardown", "--guild", guild, "--confirm-teardown", "-o",
        str(tmp_path / "teardown-export.yaml"), cwd=tmp_path, env=env,
    )  # fmt: skip
    assert teardown.code == 0, teardown
    left_roles, left_channels = names()
    with httpx.Client(base_url=sandbox.base_url, headers=sandbox.headers) as api:
        listed = api.get(f"/guilds/{guild}/roles").json()
    bot_role = next(r["name"] for r in listed if r["managed"])
    assert left_roles == {"@everyone", bot_role}
    assert left_channels == set()

    # Phase 4: restore the structure from the export into the same guild
    fresh = tmp_path / "restore"
    fresh.mkdir()
    restore = gaib(
        "server", "apply", "--config", str(backup), "--guild", guild, "--auto-approve",
        cwd=fresh, env=env,
    )  # fmt: skip
    assert restore.code == 0, restore
    assert names() == (roles, channels)
    replan = gaib(
        "server", "plan", "--config", str(backup), "--guild", guild, "--detailed-exitcode",
        cwd=fresh, env=env,
    )  # fmt: skip
    assert replan.code == 0, replan
