"""`gaib server validate|schema|init|theme`: driven through the real typer app (and one subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from gaib_cli.app import build_app
from gaib_cli.errors import CommandFailed
from gaib_core.config.loader import load_config
from gaib_core.errors import GaibError, ThemeError
from typer.testing import CliRunner, Result

THEME = {
    "theme.yaml": """\
name: mini
version: 0.1.0
description: Minimal theme.
variables:
  title: {type: string, default: Mini, description: Server name.}
  tint: {type: color, default: "#00FF00"}
  voice: {type: boolean, default: false}
""",
    "server.yaml": "server:\n  name: ${title}\n",
    "roles.yaml": "roles:\n  - name: Admin\n    color: ${tint}\n  - name: Member\n",
    "channels.yaml": """\
categories:
  - name: Main
    overwrites:
      "@everyone": {deny: [VIEW_CHANNEL]}
      Member: {allow: [VIEW_CHANNEL]}
    channels:
      - name: general
      - name: talk
        type: voice
        when: ${voice}
""",
}

BAD = """\
roles:
  - name: Naib
    color: gold
  - name: Naib
channels:
  - name: general
    overwrites:
      Niab: {allow: [VIEW_CHANNEL]}
"""


@pytest.fixture
def theme_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "mini-theme"
    directory.mkdir()
    for name, text in THEME.items():
        (directory / name).write_text(text)
    return directory


def run(*args: str, env: dict[str, str | None] | None = None) -> Result:
    base: dict[str, str | None] = {"DISCORD_TOKEN": None, "MY_TOKEN": None, "COLUMNS": "80"}
    return CliRunner().invoke(build_app(), list(args), env={**base, **(env or {})})


# --- validate / schema -------------------------------------------------------------------------


def test_validate_a_good_file(tmp_path: Path, theme_dir: Path) -> None:
    assert run("server", "init", "--theme", str(theme_dir), "--dir", str(tmp_path)).exit_code == 0
    result = run("server", "validate", "-c", str(tmp_path / "discord-server.yaml"))
    assert result.exit_code == 0, result.output
    assert "is valid: 2 roles, 1 category, 1 channel." in result.stdout
    result = run("server", "validate", "-c", str(tmp_path / "discord-server.yaml"), "--json")
    data = json.loads(result.stdout)
    assert data["valid"] is True and data["errors"] == []
    assert data["summary"] == {"roles": 2, "categories": 1, "channels": 1}


def test_validate_prints_every_problem_on_its_own_line(tmp_path: Path) -> None:
    path = tmp_path / "discord-server.yaml"
    path.write_text(BAD)
    result = run("server", "validate", "-c", str(path))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert (
        lines[0]
        == f"Error: {path}:3:12: roles[0].color: 'gold' is not a color; write it as '#RRGGBB', e.g. '#FFD700'"
    )
    assert len(lines) == 1  # one problem: one line, no summary


def test_validate_sums_up_several_problems(tmp_path: Path) -> None:
    path = tmp_path / "discord-server.yaml"
    path.write_text(BAD.replace("color: gold", "color: gold\n    permissions: [VIEW_CHANEL]"))
    result = run("server", "validate", "-c", str(path))
    assert result.exit_code == 1
    assert [line.split(":")[0] for line in result.stderr.splitlines()] == ["Error"] * 2
    assert isinstance(result.exception, GaibError)
    assert "is not valid (2 problems)" in str(result.exception)


def test_validate_reports_cross_file_rules_as_json(tmp_path: Path) -> None:
    path = tmp_path / "discord-server.yaml"
    path.write_text(BAD.replace("gold", "'#FFD700'"))
    result = run("server", "validate", "-c", str(path), "--json")
    assert result.exit_code == 1
    # the error object's details (gaib_cli.errors.run prints it; see test_json_docs.py)
    assert isinstance(result.exception, CommandFailed) and result.stdout == ""
    data = result.exception.details
    assert data["valid"] is False
    assert [(e["line"], e["column"], e["field"]) for e in data["errors"]] == [
        (4, 11, "roles[1].name"),
        (8, 7, "channels[0].overwrites.Niab"),
    ]
    assert data["errors"][1]["hint"] == "did you mean 'Naib'?"


def test_validate_default_path_and_missing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("server", "validate")
    assert result.exit_code == 1
    assert "Error: discord-server.yaml: file not found" in result.stderr


def test_schema_to_stdout_and_file(tmp_path: Path) -> None:
    result = run("server", "schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    out = tmp_path / "s" / "schema.json"
    result = run("server", "schema", "-o", str(out))
    assert result.exit_code == 0 and json.loads(out.read_text()) == schema


# --- theme ls / info ----------------------------------------------------------------------------


def test_theme_ls_lists_installed_themes() -> None:
    result = run("server", "theme", "ls", "--json")
    assert result.exit_code == 0
    names = [item["name"] for item in json.loads(result.stdout)]
    assert names == sorted(names)
    human = run("server", "theme", "ls")
    assert human.exit_code == 0
    for name in names:
        assert name in human.stdout


def test_theme_info_of_a_directory_as_json(theme_dir: Path) -> None:
    result = run("server", "theme", "info", str(theme_dir), "--json", "--var", "voice=true")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["name"], data["version"]) == ("mini", "0.1.0")
    assert data["variables"]["tint"] == {
        "type": "color",
        "default": "#00FF00",
        "required": False,
        "description": "",
        "values": None,
        "min": None,
        "max": None,
    }
    assert [r["name"] for r in data["roles"]] == ["Admin", "Member"]
    assert data["roles"][0]["color"] == "#00FF00"
    assert [c["name"] for c in data["categories"][0]["channels"]] == ["general", "talk"]


def test_theme_info_shows_hierarchy_tree_and_variables(theme_dir: Path) -> None:
    result = run("server", "theme", "info", str(theme_dir))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Variables" in out and "title" in out and "#00FF00" in out
    assert "Role hierarchy" in out
    assert out.index("@bot (the bot's role)") < out.index("Admin") < out.index("Member")
    assert "Main" in out and "#general" in out


def test_theme_info_of_sietch_has_the_whole_matrix() -> None:
    result = run("server", "theme", "info", "sietch")
    if isinstance(result.exception, ThemeError):
        pytest.skip("gaib-theme-sietch is not installed")
    assert result.exit_code == 0, result.output
    assert "Shai-Hulud (the bot's role)" in result.stdout
    try:
        import gaib_core.themes.matrix  # noqa: F401
    except ImportError:
        return
    # The real command in an 80-column pipe: the matrix is printed whole, not squeezed into
    # "…" cells.
    proc = subprocess.run(
        [sys.executable, "-m", "gaib_cli", "server", "theme", "info", "sietch"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert proc.returncode == 0, proc.stderr
    matrix = proc.stdout[proc.stdout.index("Permission matrix") :]
    header = next(line for line in matrix.splitlines() if "Channel" in line)
    assert "Water Sharer" in header and "@everyone" in header


def test_theme_info_unknown_theme() -> None:
    result = run("server", "theme", "info", "no-such-theme-xyz")
    assert result.exit_code == 1
    assert isinstance(result.exception, ThemeError)


def test_theme_info_bad_var_is_a_usage_error(theme_dir: Path) -> None:
    result = run("server", "theme", "info", str(theme_dir), "--var", "novalue")
    assert result.exit_code == 2
    assert "is not NAME=VALUE" in result.stderr


# --- init ---------------------------------------------------------------------------------------


def test_init_writes_config_and_project(tmp_path: Path, theme_dir: Path) -> None:
    project = tmp_path / "proj"
    result = run(
        "server", "init", "--theme", str(theme_dir), "--dir", str(project), "--var", "title=Hello"
    )
    assert result.exit_code == 0, result.output
    text = (project / "discord-server.yaml").read_text()
    assert text.startswith("# discord-server.yaml: this Discord server is theme mini, with")
    reference = yaml.safe_load(text)
    # The file references the theme (rendered at every load); it does not copy it.
    assert reference["theme"] == {
        "name": "../mini-theme",
        "version": "~=0.1",
        "variables": {"title": "Hello", "tint": "#00FF00", "voice": False},
    }
    assert "roles" not in reference and "categories" not in reference
    config = load_config(project / "discord-server.yaml")
    assert config.server.name == "Hello"
    assert config.theme is not None and config.theme.variables["title"] == "Hello"
    settings = yaml.safe_load((project / ".gaib" / "config.yaml").read_text())
    assert settings["provider"] == "sandbox" and settings["workspace"] == "default"
    assert (project / ".gaib" / "workspaces" / "default").is_dir()
    assert "targets the embedded offline sandbox" in result.stdout


def test_init_refuses_to_overwrite_without_force(tmp_path: Path, theme_dir: Path) -> None:
    target = tmp_path / "discord-server.yaml"
    target.write_text("# mine\n")
    result = run("server", "init", "--theme", str(theme_dir), "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert "already exists" in str(result.exception) and "--force" in str(result.exception)
    assert target.read_text() == "# mine\n"
    assert not (tmp_path / ".gaib").exists()
    result = run("server", "init", "--theme", str(theme_dir), "--dir", str(tmp_path), "--force")
    assert result.exit_code == 0, result.output
    assert target.read_text().startswith("# discord-server.yaml: this Discord server is theme")


def test_init_into_a_file_is_refused(tmp_path: Path, theme_dir: Path) -> None:
    (tmp_path / "f").write_text("x")
    result = run("server", "init", "--theme", str(theme_dir), "--dir", str(tmp_path / "f"))
    assert result.exit_code == 1 and "is a file" in str(result.exception)


def test_init_with_a_bad_variable_writes_nothing(tmp_path: Path, theme_dir: Path) -> None:
    result = run(
        "server", "init", "--theme", str(theme_dir), "--dir", str(tmp_path), "--var", "tint=gold"
    )
    assert result.exit_code == 1
    assert "'gold' is not a color" in str(result.exception)
    assert list(tmp_path.iterdir()) == [theme_dir]


@pytest.mark.parametrize(
    "args",
    [["--var", "oops"], ["--guild", "abc"], ["--token-env", "not a name"], ["--bogus"]],
)
def test_init_usage_errors_exit_2(tmp_path: Path, theme_dir: Path, args: list[str]) -> None:
    result = run("server", "init", "--theme", str(theme_dir), "--dir", str(tmp_path), *args)
    assert result.exit_code == 2
    assert not (tmp_path / "discord-server.yaml").exists()


def test_init_targets_discord_with_a_token_and_a_guild(tmp_path: Path, theme_dir: Path) -> None:
    guild = "123456789012345678"
    result = run(
        "server", "init", "--theme", str(theme_dir), "--dir", str(tmp_path), "--guild", guild,
        "--json", env={"DISCORD_TOKEN": "secret-token-value"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["provider"] == "discord" and report["guild_id"] == guild
    settings = yaml.safe_load((tmp_path / ".gaib" / "config.yaml").read_text())
    assert settings["provider"] == "discord" and settings["guild_id"] == guild
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert "secret-token-value" not in path.read_text(errors="replace")
    assert not (tmp_path / ".gaib" / "sandbox.json").exists()


def test_init_with_a_custom_token_env(tmp_path: Path, theme_dir: Path) -> None:
    result = run(
        "server", "init", "--theme", str(theme_dir), "--dir", str(tmp_path), "--guild",
        "123456789012345678", "--token-env", "MY_TOKEN", env={"MY_TOKEN": "x"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert load_config(tmp_path / "discord-server.yaml").server.token_env == "MY_TOKEN"
    assert "Target: Discord guild 123456789012345678 (bot token from $MY_TOKEN)" in result.stdout


def test_init_with_a_guild_but_no_token_targets_that_guild(tmp_path: Path, theme_dir: Path) -> None:
    guild = "123456789012345678"
    result = run(
        "server", "init", "--theme", str(theme_dir), "--dir", str(tmp_path), "--guild", guild
    )
    assert result.exit_code == 0, result.output
    assert f"Target: Discord guild {guild}" in result.stdout
    assert "Set $DISCORD_TOKEN before `gaib server plan`" in result.stdout
    settings = yaml.safe_load((tmp_path / ".gaib" / "config.yaml").read_text())
    assert settings["provider"] == "discord" and settings["guild_id"] == guild
    assert not (tmp_path / ".gaib" / "sandbox.json").exists()


def test_init_without_a_theme_sets_up_the_existing_config(tmp_path: Path, theme_dir: Path) -> None:
    made = run("server", "init", "--theme", str(theme_dir), "--dir", str(tmp_path))
    assert made.exit_code == 0, made.output
    written = (tmp_path / "discord-server.yaml").read_bytes()
    refused = run("server", "init", "--theme", str(theme_dir), "--dir", str(tmp_path))
    assert refused.exit_code == 1 and "leave out --theme" in str(refused.exception)
    again = run("server", "init", "--dir", str(tmp_path), "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["adopted"] is True
    assert (tmp_path / "discord-server.yaml").read_bytes() == written
    assert not list(tmp_path.glob("discord-server.yaml.*"))  # nothing replaced, no backup


def test_the_real_command_prints_one_line_errors(tmp_path: Path) -> None:
    path = tmp_path / "discord-server.yaml"
    path.write_text(BAD)
    proc = subprocess.run(
        [sys.executable, "-m", "gaib_cli", "server", "validate", "-c", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert all(line.startswith("Error: ") for line in lines)
    assert f"{path}:3:12: roles[0].color" in lines[0]


def test_theme_info_without_a_required_value_shows_what_it_can(theme_dir: Path) -> None:
    manifest = theme_dir / "theme.yaml"
    manifest.write_text(manifest.read_text() + "  owner: {type: string, required: true}\n")
    result = run("server", "theme", "info", str(theme_dir))
    assert result.exit_code == 0, result.output
    assert "owner" in result.stdout and "(required)" in result.stdout
    assert "Note: preview needs variable values" in result.stderr
    data = json.loads(run("server", "theme", "info", str(theme_dir), "--json").stdout)
    assert data["variables"]["owner"]["required"] is True and "roles" not in data
    result = run("server", "theme", "info", str(theme_dir), "--var", "owner=me", "--json")
    assert [r["name"] for r in json.loads(result.stdout)["roles"]] == ["Admin", "Member"]


# --- a file that references a theme --------------------------------------------------------------


def test_init_force_keeps_the_replaced_file(tmp_path: Path, theme_dir: Path) -> None:
    target = tmp_path / "discord-server.yaml"
    target.write_text("# my hand edits\nversion: 1\n")
    result = run("server", "init", "--theme", str(theme_dir), "--dir", str(tmp_path), "--force")
    assert result.exit_code == 0, result.output
    (backup,) = tmp_path.glob("discord-server.yaml.*.bak")
    assert backup.read_text() == "# my hand edits\nversion: 1\n"
    assert f"The previous file is kept as {backup}" in result.stdout


def test_init_without_a_theme_writes_a_plain_config(tmp_path: Path) -> None:
    result = run("server", "init", "--dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    config = load_config(tmp_path / "discord-server.yaml")
    assert config.theme is None and config.roles == [] and config.all_channels() == []
    assert "a plain config" in result.stdout
    assert run("server", "init", "--dir", str(tmp_path), "--var", "a=b").exit_code == 2


def test_render_prints_writes_and_ejects(tmp_path: Path, theme_dir: Path) -> None:
    assert run("server", "init", "--theme", str(theme_dir), "--dir", str(tmp_path)).exit_code == 0
    path = tmp_path / "discord-server.yaml"
    path.write_text(
        path.read_text().replace("overrides:\n", "overrides:\n  role.admin: {color: '#ABCDEF'}\n")
    )
    shown = run("server", "render", "-c", str(path))
    assert shown.exit_code == 0, shown.output
    assert "color: '#ABCDEF'" in shown.stdout and "theme:\n  name: mini" in shown.stdout
    as_json = json.loads(run("server", "render", "-c", str(path), "--json").stdout)
    assert as_json["roles"][0] == {"name": "Admin", "color": "#ABCDEF"}
    frozen = tmp_path / "frozen.yaml"
    assert run("server", "render", "-c", str(path), "--eject", "-o", str(frozen)).exit_code == 0
    ejected = load_config(frozen)
    assert ejected.theme is None and ejected == load_config(path).model_copy(update={"theme": None})
    again = run("server", "render", "-c", str(path), "--eject", "-o", str(frozen))
    assert again.exit_code == 1 and "--force" in str(again.exception)
    forced = run("server", "render", "-c", str(path), "--eject", "-o", str(frozen), "--force")
    assert forced.exit_code == 0 and len(list(tmp_path.glob("frozen.yaml.*.bak"))) == 1


def test_validate_says_a_full_copy_only_records_its_theme(tmp_path: Path, theme_dir: Path) -> None:
    assert run("server", "init", "--theme", str(theme_dir), "--dir", str(tmp_path)).exit_code == 0
    path = tmp_path / "discord-server.yaml"
    frozen = run("server", "render", "-c", str(path)).stdout  # a full copy with its theme record
    path.write_text(frozen)
    result = run("server", "validate", "-c", str(path))
    assert result.exit_code == 0, result.output
    line = next(n for n, text in enumerate(frozen.splitlines(), 1) if text.startswith("theme:"))
    assert result.stderr.startswith(
        f"Warning: {path}:{line}:1: theme: this file is a full copy of theme mini 0.1.0"
    )


def test_the_constraint_init_writes_accepts_the_installed_theme_only(
    tmp_path: Path, theme_dir: Path
) -> None:
    assert run("server", "init", "--theme", str(theme_dir), "--dir", str(tmp_path)).exit_code == 0
    path = tmp_path / "discord-server.yaml"
    manifest = theme_dir / "theme.yaml"
    manifest.write_text(manifest.read_text().replace("version: 0.1.0", "version: 0.2.0"))
    assert run("server", "validate", "-c", str(path)).exit_code == 0  # ~=0.1 is 0.x from 0.1
    manifest.write_text(manifest.read_text().replace("version: 0.2.0", "version: 1.0.0"))
    result = run("server", "validate", "-c", str(path))
    assert result.exit_code == 1
    assert "theme mini 1.0.0 is installed, but this file accepts ~=0.1" in result.stderr
    assert 'set theme.version to "~=1.0"' in result.stderr
    path.write_text(path.read_text().replace('version: "~=0.1"', 'version: "~=1.0"'))
    assert run("server", "validate", "-c", str(path)).exit_code == 0


def test_render_to_a_file_takes_the_themes_icon_along(tmp_path: Path, theme_dir: Path) -> None:
    from gaib_core.testing.images import png_bytes

    (theme_dir / "server.yaml").write_text("server:\n  name: ${title}\n  icon: logo.png\n")
    (theme_dir / "logo.png").write_bytes(png_bytes((1, 2, 3)))
    project = tmp_path / "proj"
    assert run("server", "init", "--theme", str(theme_dir), "--dir", str(project)).exit_code == 0
    path = project / "discord-server.yaml"
    out = tmp_path / "out" / "frozen.yaml"
    result = run("server", "render", "-c", str(path), "--eject", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert (out.parent / "logo.png").read_bytes() == png_bytes((1, 2, 3))
    ejected = load_config(out)
    icon = ejected.server.icon_file
    assert icon is not None and icon.path == out.parent / "logo.png"
    assert icon.sha256 == load_config(path).server.icon_file.sha256  # type: ignore[union-attr]
    (out.parent / "logo.png").write_bytes(png_bytes((9, 9, 9)))  # another image by that name
    again = run("server", "render", "-c", str(path), "--eject", "-o", str(out), "--force")
    assert again.exit_code == 0, again.output
    assert len(list(out.parent.glob("logo.png.*.bak"))) == 1


def test_theme_info_shows_addresses_the_constraint_and_the_package(theme_dir: Path) -> None:
    data = json.loads(run("server", "theme", "info", str(theme_dir), "--json").stdout)
    assert data["constraint"] == "~=0.1" and data["package"] is None  # a plain directory
    assert [role["address"] for role in data["roles"]] == ["role.admin", "role.member"]
    sietch = json.loads(run("server", "theme", "info", "sietch", "--json").stdout)
    assert (sietch["constraint"], sietch["package"]) == ("~=3.0", "gaib-theme-sietch")
    text = run("server", "theme", "info", "sietch").stdout
    assert 'version: "~=3.0"' in text and "pip install -U gaib-theme-sietch" in text
    assert "role.naib" in text and "channel.council_chamber" in text
