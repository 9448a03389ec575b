"""`gaib server permissions`, `gaib server graph` and the plan's permission effects, run as a
user runs them (subprocesses; the live guild is the sandbox server on loopback)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from gaib_cli.testing import Gaib, advice
from gaib_core.testing.fixtures import SandboxGuild


def write(root: Path, config: dict[str, Any]) -> None:
    (root / "discord-server.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def test_matrix_views_and_errors_from_the_config(
    gaib: Gaib, tmp_path: Path, base: dict[str, Any]
) -> None:
    write(tmp_path, base)
    matrix = gaib("server", "permissions", cwd=tmp_path)
    assert matrix.code == 0, matrix
    assert "Effective permissions (discord-server.yaml)" in matrix.out
    header = next(line for line in matrix.out.splitlines() if "Channel" in line)
    assert [c.strip() for c in header.strip("┃ ").split("┃")][1:] == [
        "Naib",
        "Fedaykin",
        "Member",
        "@everyone",
    ]
    council = next(line for line in matrix.out.splitlines() if "#council-chamber" in line)
    # Naib reads, writes and moderates (MANAGE_MESSAGES); the others cannot see it.
    assert [c.strip() for c in council.strip("│ ").split("│")][1:] == ["rw+", "-", "-", "-"]

    one = gaib("server", "permissions", "--role", "fedaykin", "--json", cwd=tmp_path)
    assert one.code == 0, one
    data = json.loads(one.out)
    assert [r["ref"] for r in data["roles"]] == ["role.fedaykin"]
    by_label = {c["label"]: c["permissions"]["role.fedaykin"] for c in data["channels"]}
    assert by_label["#council-chamber"] == [] and "SEND_MESSAGES" in by_label["#general"]

    typo = gaib("server", "permissions", "--channel", "genral", cwd=tmp_path)
    assert typo.code == 1 and typo.out == ""
    assert typo.err.strip() == (
        "Error: no channel or category called 'genral'; did you mean '#general'?"
    )
    followed = gaib("server", "permissions", "--channel", "#general", cwd=tmp_path)
    assert followed.code == 0, followed
    assert "#general (text)" in followed.out and "View Channel" in followed.out
    role_typo = gaib("server", "permissions", "--role", "Nayb", cwd=tmp_path)
    assert role_typo.code == 1
    assert role_typo.err.strip() == "Error: no role called 'Nayb'; did you mean 'Naib'?"


def test_graph_formats_and_no_overwrite_without_force(
    gaib: Gaib, tmp_path: Path, base: dict[str, Any]
) -> None:
    write(tmp_path, base)
    chart = gaib("server", "graph", cwd=tmp_path)
    assert chart.code == 0, chart
    assert chart.out.startswith("flowchart LR\n") and '[/"Stillsuit (private)"/]' in chart.out
    out = tmp_path / "server.dot"
    made = gaib("server", "graph", "--format", "dot", "-o", str(out), cwd=tmp_path)
    assert made.code == 0, made
    assert out.read_text().startswith("digraph gaib {")
    out.write_text("mine")
    refused = gaib("server", "graph", "--format", "dot", "-o", str(out), cwd=tmp_path)
    assert refused.code == 1 and "already exists" in refused.err and "--force" in refused.err
    assert out.read_text() == "mine"
    forced = gaib("server", "graph", "--format", "dot", "-o", str(out), "--force", cwd=tmp_path)
    assert forced.code == 0 and out.read_text().startswith("digraph gaib {")


def test_live_matrix_and_plan_effects_against_the_sandbox(
    gaib: Gaib, tmp_path: Path, sandbox: SandboxGuild, base: dict[str, Any]
) -> None:
    env = {"DISCORD_API_BASE": sandbox.base_url, "DISCORD_TOKEN": sandbox.token}
    write(tmp_path, base)
    init = gaib("server", "init", "--guild", sandbox.guild_id, cwd=tmp_path, env=env)
    assert init.code == 0, init
    applied = gaib("server", "apply", "--auto-approve", cwd=tmp_path, env=env)
    assert applied.code == 0, applied
    live = gaib("server", "permissions", "--live", "--json", cwd=tmp_path, env=env)
    assert live.code == 0, live
    config = gaib("server", "permissions", "--json", cwd=tmp_path)
    live_doc, config_doc = json.loads(live.out), json.loads(config.out)
    assert live_doc["source"] == "live" and live_doc["owner_id"]
    live_cells = {c["ref"]: c["permissions"] for c in live_doc["channels"]}
    for channel in config_doc["channels"]:
        for role, names in channel["permissions"].items():
            if role != "@everyone":  # the config leaves @everyone at Discord's defaults
                assert live_cells[channel["ref"]][role] == names, (channel["ref"], role)

    # Open the council chamber to everyone and take the Fedaykin out of #general.
    base["categories"][0]["channels"][0]["overwrites"] = {}
    base["channels"][0]["overwrites"] = {"Fedaykin": {"deny": ["VIEW_CHANNEL"]}}
    write(tmp_path, base)
    plan = gaib("server", "plan", cwd=tmp_path, env=env)
    assert plan.code == 0, plan
    lines = plan.out.splitlines()
    assert "Permission effects (a member holding only that role):" in lines
    assert any(line.startswith("  - Fedaykin loses View Channel") for line in lines), plan.out
    assert any(line.startswith("  + @everyone gains View Channel") for line in lines), plan.out
    warning = "Warning: #council-chamber becomes visible to @everyone (every member can see it)"
    assert warning in lines
    as_json = gaib("server", "plan", "--json", cwd=tmp_path, env=env)
    effects = json.loads(as_json.out)["permission_effects"]
    assert effects["now_public"] == ["#council-chamber"]
    assert {(e["role"], tuple(e["channels"])) for e in effects["effects"]} >= {
        ("Fedaykin", ("#general",)),
        ("@everyone", ("#council-chamber",)),
    }


def test_cells_for_every_channel_type_of_a_live_guild() -> None:
    from gaib_cli.commands.permissions import summary
    from gaib_core.effective import Bits
    from gaib_core.engine.access import Access, ChannelAccess, RoleAccess
    from gaib_core.permissions import to_bits

    everyone = to_bits(["VIEW_CHANNEL", "SEND_MESSAGES", "CONNECT", "SPEAK"])
    mod = RoleAccess("role#1", "Mod", to_bits(["MANAGE_MESSAGES"]))
    admin = RoleAccess("role#2", "Admin", to_bits(["ADMINISTRATOR"]))
    listen = {"@everyone": Bits(deny=to_bits(["SPEAK"]))}
    channels = [
        ChannelAccess("channel#10", "media", 16),  # media and directory: no config kind
        ChannelAccess("channel#11", "directory", 14),
        ChannelAccess("channel#12", "stage", 13, overwrites=listen),
        ChannelAccess("category#13", "HALL", 4),
    ]
    access = Access(everyone=everyone, roles=[admin, mod], channels=channels)
    cells = [[summary(access, r, c) for c in channels] for r in access.columns()]
    assert cells == [
        ["admin"] * 4,
        ["rw+", "rw+", "listen+", "see+"],
        ["rw", "rw", "listen", "see"],
    ]


def test_live_outside_a_project_says_how_to_make_one(gaib: Gaib, tmp_path: Path) -> None:
    run = gaib("server", "permissions", "--live", cwd=tmp_path)
    assert run.code == 1 and len(run.err.strip().splitlines()) == 1, run
    assert "gaib server init" in run.err
    assert advice(run.err)[:2] == ["server", "init"]
