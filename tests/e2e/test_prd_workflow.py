"""The PRD's end-to-end workflows (sections 8.3 and 6.7), run as a user runs them: the real
``gaib`` command in a subprocess, against the embedded sandbox and against a sandbox server on
loopback reached exactly as Discord would be (DISCORD_API_BASE + DISCORD_TOKEN + --guild).
The recovery drill (6.7) covers both layers: the guild's structure (export, apply) and the
Sietch app configuration (the teardown's checkpoint, ``gaib restore``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import yaml
from gaib_core.project import Project
from gaib_core.testing.fixtures import SandboxGuild
from gaib_theme_sietch.appconfig.models import AppConfig
from gaib_theme_sietch.appconfig.store import open_config_store

from .gaibrun import gaib

SIETCH_RESOURCES = 46  # 14 roles, 9 categories, 23 channels
NO_VETERAN = AppConfig().gates | {"veteran": False}


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


def structure(sandbox: SandboxGuild) -> dict[str, Any]:
    """The guild as names see it: every role with its permissions and looks, every channel with
    its category, settings and overwrites (ids replaced by role names: they change in a rebuild)."""
    guild = sandbox.guild_id
    with httpx.Client(base_url=sandbox.base_url, headers=sandbox.headers) as api:
        roles = api.get(f"/guilds/{guild}/roles").json()
        channels = api.get(f"/guilds/{guild}/channels").json()
    role_name = {r["id"]: r["name"] for r in roles}
    channel_name = {c["id"]: c["name"] for c in channels}
    return {
        "roles": {
            r["name"]: (r["permissions"], r["color"], r["hoist"], r["mentionable"]) for r in roles
        },
        "channels": {
            c["name"]: (
                c["type"],
                channel_name.get(c.get("parent_id") or ""),
                c.get("topic"),
                sorted(
                    (role_name.get(o["id"], o["id"]), o["type"], o["allow"], o["deny"])
                    for o in c.get("permission_overwrites", [])
                ),
            )
            for c in channels
        },
    }


def test_disaster_recovery_drill_against_a_guild_like_discord(
    sandbox: SandboxGuild, tmp_path: Path
) -> None:
    """PRD 6.7: export -> teardown (with the Sietch checkpoint) -> apply the export -> restore
    exec: the same roles, channels, permissions and role mappings as before."""
    # DATABASE_URL empty: the Sietch app configuration lives in the project's .gaib/sietch.sqlite3
    env = {"DISCORD_API_BASE": sandbox.base_url, "DISCORD_TOKEN": sandbox.token, "DATABASE_URL": ""}
    guild = sandbox.guild_id
    init = gaib("server", "init", "--theme", "sietch", "--guild", guild, cwd=tmp_path, env=env)
    assert init.code == 0, init
    apply = gaib("server", "apply", "--auto-approve", cwd=tmp_path, env=env)
    assert apply.code == 0, apply
    before = structure(sandbox)
    assert {"Naib", "Hajra", "Veteran"} <= set(before["roles"])
    assert {"council-chamber", "census"} <= set(before["channels"])
    # the Sietch app's configuration: its role mappings read from the guild, a gate switched off
    mapped = gaib("sietch", "config", "map-roles", cwd=tmp_path, env=env)
    assert mapped.code == 0, mapped
    with open_config_store(Project(tmp_path), None) as store:  # (config set's own tests: sietch)
        store.put(guild, app_config(tmp_path, guild).model_copy(update={"gates": NO_VETERAN}))
    app_before = app_config(tmp_path, guild)
    assert len(app_before.roles) == 14 and app_before.gates["veteran"] is False
    # members, and a sync that gives them their tiers (the Veteran gate is off: nobody gets it)
    members = {name: sandbox.server.sandbox.add_member(guild, name) for name in MEMBERS}
    holders = write_holders(tmp_path / "holders.csv", members)
    synced = gaib("sietch", "sync", "--holders", str(holders), cwd=tmp_path, env=env)
    assert synced.code == 0, synced
    tiers_before = member_roles(sandbox, members)
    assert tiers_before == {
        "alia": {"Usul", "Taqwa"},  # 1200 BGT, rank 70: the waitlist (and 400 days: no Veteran)
        "chani": {"Sihaya", "Taqwa", "Water Sharer"},
        "jamis": {"Hajra", "Taqwa"},
    }

    # Phase 1: export, preview the teardown
    backup = tmp_path / "testing-server-backup.yaml"
    export = gaib("server", "export", "--guild", guild, "-o", str(backup), cwd=tmp_path, env=env)
    assert export.code == 0, export
    preview = gaib(
        "server", "teardown", "--guild", guild, "--confirm-teardown", "--dry-run",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert preview.code == 0, preview
    assert structure(sandbox) == before  # a dry run deletes nothing
    assert "checkpoint" not in preview.err  # nor checkpoints anything

    # Phase 2-3: teardown, which checkpoints the app configuration; only @everyone and the
    # bot's own role remain
    teardown = gaib(
        "server", "teardown", "--guild", guild, "--confirm-teardown", "-o",
        str(tmp_path / "teardown-export.yaml"), cwd=tmp_path, env=env,
    )  # fmt: skip
    assert teardown.code == 0, teardown
    said = re.search(
        r"restore it with: gaib restore exec --checkpoint (ckpt-[0-9a-f-]+)", teardown.err
    )
    assert said, teardown
    checkpoint = said.group(1)
    with httpx.Client(base_url=sandbox.base_url, headers=sandbox.headers) as api:
        listed = api.get(f"/guilds/{guild}/roles").json()
    bot_role = next(r["name"] for r in listed if r["managed"])
    after_teardown = structure(sandbox)
    assert set(after_teardown["roles"]) == {"@everyone", bot_role}
    assert after_teardown["channels"] == {}

    # Phase 4: restore the structure from the export into the same guild
    fresh = tmp_path / "restore"
    fresh.mkdir()
    restore = gaib(
        "server", "apply", "--config", str(backup), "--guild", guild, "--auto-approve",
        cwd=fresh, env=env,
    )  # fmt: skip
    assert restore.code == 0, restore
    assert structure(sandbox) == before  # roles, channels, permissions, overwrites
    replan = gaib(
        "server", "plan", "--config", str(backup), "--guild", guild, "--detailed-exitcode",
        cwd=fresh, env=env,
    )  # fmt: skip
    assert replan.code == 0, replan

    # Phase 5: restore the Sietch configuration; the preview is exactly what exec does
    checkpoints = gaib("restore", "list", "--guild", guild, "--json", cwd=tmp_path, env=env)
    assert checkpoints.code == 0, checkpoints
    assert [c["id"] for c in json.loads(checkpoints.out)] == [checkpoint]
    shown = gaib("restore", "preview", "--checkpoint", checkpoint, "--json", cwd=tmp_path, env=env)
    assert shown.code == 0, shown
    done = gaib("restore", "exec", "--checkpoint", checkpoint, "--json", cwd=tmp_path, env=env)
    assert done.code == 0, done
    planned, executed = json.loads(shown.out), json.loads(done.out)
    assert planned["changes"] == executed["changes"]
    assert {c["key"] for c in executed["changes"]} == {f"roles.{n}" for n in app_before.roles}
    assert executed["backup_checkpoint"] is not None

    # Phase 6: the same mappings by name, each now the id of the re-created role
    app_after = app_config(tmp_path, guild)
    live_ids = live_role_ids(sandbox)
    assert app_after.roles == {name: live_ids[name] for name in app_before.roles}
    assert set(app_after.roles.values()).isdisjoint(app_before.roles.values())
    assert app_after.thresholds == app_before.thresholds and app_after.gates == app_before.gates
    # ... and a sync, which gives the mapped role ids (it refuses ids the guild does not have),
    # assigns the same tiers (by role name) as before the teardown
    resynced = gaib("sietch", "sync", "--holders", str(holders), cwd=tmp_path, env=env)
    assert resynced.code == 0, resynced
    assert member_roles(sandbox, members) == tiers_before


MEMBERS = ("alia", "chani", "jamis")


def write_holders(path: Path, members: dict[str, str]) -> Path:
    """69 unlinked whales in the seats, then the members on the waitlist (ranks 70-72)."""
    rows = ["wallet,amount,discord_user_id,badges,joined_at"]
    rows += [f"0x{0xA000 + i:040x},{5000 + i},,," for i in range(69)]
    amounts = {"alia": ("1200", "", "2025-10-25"), "chani": ("420", "water-sharer", ""),
               "jamis": ("7", "", "")}  # fmt: skip
    for n, name in enumerate(MEMBERS):
        amount, badges, joined = amounts[name]
        rows.append(f"0x{0xB000 + n:040x},{amount},{members[name]},{badges},{joined}")
    path.write_text("\n".join(rows) + "\n")
    return path


def member_roles(sandbox: SandboxGuild, members: dict[str, str]) -> dict[str, set[str]]:
    """Each member's role names, as the guild holds them now."""
    guild = sandbox.server.sandbox.store.guild(sandbox.guild_id)
    assert guild is not None
    names = {role_id: role.name for role_id, role in guild.roles.items()}
    return {name: {names[r] for r in guild.members[user].roles} for name, user in members.items()}


def app_config(project: Path, guild: str) -> AppConfig:
    """The project's stored Sietch app configuration of ``guild``."""
    with open_config_store(Project(project), None) as store:
        config = store.get(guild)
    assert config is not None
    return config


def live_role_ids(sandbox: SandboxGuild) -> dict[str, str]:
    """Role name -> id in the sandbox guild now."""
    with httpx.Client(base_url=sandbox.base_url, headers=sandbox.headers) as api:
        return {r["name"]: r["id"] for r in api.get(f"/guilds/{sandbox.guild_id}/roles").json()}
