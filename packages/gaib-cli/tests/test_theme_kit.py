"""``gaib theme new`` (the theme authoring kit) and the ``gaib theme ls|info`` aliases.

Installing a scaffolded package and running its generated tests is tests/packaging/
test_theme_kit.py (a fresh virtualenv from the built wheels); here: what the command writes,
what it refuses, and its names.
"""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path, PurePosixPath

import pytest
import yaml
from gaib_cli.commands import theme, theme_kit
from gaib_cli.scaffold import NAME, check_name, core_requirement, render_files, scaffold
from gaib_cli.testing import Gaib, advice, files_of
from gaib_core.errors import GaibError
from gaib_core.themes import load_theme, render_theme
from hypothesis import given
from hypothesis import strategies as st


def test_new_writes_a_theme_package(gaib: Gaib, tmp_path: Path) -> None:
    result = gaib("theme", "new", "lagoon", cwd=tmp_path)
    assert result.code == 0, result
    root = tmp_path / "gaib-theme-lagoon"
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert project["name"] == "gaib-theme-lagoon"
    assert project["entry-points"]["gaib"] == {"lagoon": "gaib_theme_lagoon.plugin"}
    core = core_requirement(importlib.metadata.version("gaib-core"))
    assert project["dependencies"] == [f"gaib-core{core}"]
    theme = load_theme(root / "src" / "gaib_theme_lagoon" / "theme")
    assert (theme.name, theme.version) == ("lagoon", "1.0.0")
    assert {"community_name", "enable_voice"} <= set(theme.variables)
    assert [role.name for role in render_theme(theme, {}).roles] == ["Leader", "Member"]
    example = yaml.safe_load((root / "examples" / "discord-server.yaml").read_text())
    assert example["theme"]["version"] == "~=1.0" and example["overrides"] and example["remove"]
    for name in ("README.md", "CHANGELOG.md", ".gitignore", "tests/test_theme.py"):
        assert (root / name).is_file(), name
    assert (
        "gaib_core.testing.themes import ThemeContract"
        in (root / "tests/test_theme.py").read_text()
    )
    assert "pip install -e '.[test]'" in result.err and "gaib theme info lagoon" in result.err
    assert result.out == ""


def test_new_refuses_a_directory_in_use_and_force_replaces_only_the_kits_files(
    gaib: Gaib, tmp_path: Path
) -> None:
    target = tmp_path / "mine"
    scaffold(check_name("lagoon"), target, force=False)
    manifest = target / "src" / "gaib_theme_lagoon" / "theme" / "theme.yaml"
    manifest.write_text(manifest.read_text().replace("version: 1.0.0", "version: 1.4.0"))
    (target / "notes.txt").write_text("mine")
    before = files_of(target)
    refused = gaib("theme", "new", "lagoon", "-d", str(target), cwd=tmp_path)
    assert refused.code == 1
    assert refused.err.count("\n") == 1 and "already exists" in refused.err, refused
    assert "--force" in refused.err
    assert files_of(target) == before
    forced = gaib("theme", "new", "lagoon", "-d", str(target), "--force", "--quiet", cwd=tmp_path)
    assert forced.code == 0, forced
    assert forced.out == forced.err == ""  # --quiet: no confirmation
    assert "version: 1.0.0" in manifest.read_text()
    assert (target / "notes.txt").read_text() == "mine"


def test_an_empty_directory_needs_no_force_and_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    written = scaffold(check_name("lagoon"), tmp_path / "empty", force=False)
    assert PurePosixPath("pyproject.toml") in written
    assert (tmp_path / "empty" / "pyproject.toml").is_file()
    (tmp_path / "file").write_text("x")
    with pytest.raises(GaibError, match="is a file"):
        scaffold(check_name("lagoon"), tmp_path / "file", force=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "file"]  # no staging left


def test_a_bad_name_is_one_line_and_writes_nothing(gaib: Gaib, tmp_path: Path) -> None:
    result = gaib("theme", "new", "Läguna!", cwd=tmp_path)
    assert result.code == 1
    assert result.err.count("\n") == 1 and "theme name 'Läguna!' is not valid" in result.err
    assert list(tmp_path.iterdir()) == []
    # The advice works as written.
    assert advice(result.err) == ["theme", "new", "laguna"]
    followed = gaib(*advice(result.err), cwd=tmp_path)
    assert followed.code == 0, followed
    assert (tmp_path / "gaib-theme-laguna" / "pyproject.toml").is_file()


@pytest.mark.parametrize(
    ("name", "suggested"),
    [
        ("", "my-theme"),
        ("-lagoon", "lagoon"),
        ("Lagoon", "lagoon"),
        ("My Theme", "my-theme"),
        ("a" * 65, "a" * 64),
        ("la guna", "la-guna"),
        ("ä", "a"),
    ],
)
def test_names_outside_the_manifests_rule_are_refused(name: str, suggested: str) -> None:
    with pytest.raises(GaibError, match="is not valid") as caught:
        check_name(name)
    assert f"`gaib theme new {suggested}`" in str(caught.value)


def test_the_name_of_an_installed_theme_is_refused(gaib: Gaib, tmp_path: Path) -> None:
    result = gaib("theme", "new", "sietch", cwd=tmp_path)
    assert result.code == 1
    assert "a theme named 'sietch' is already installed" in result.err
    assert list(tmp_path.iterdir()) == []


def test_theme_ls_and_info_are_also_top_level(gaib: Gaib, tmp_path: Path) -> None:
    aliases = {info.name: info.callback for info in theme_kit.app.registered_commands}
    assert aliases["ls"] is theme.ls and aliases["info"] is theme.info
    listed = gaib("theme", "ls", cwd=tmp_path)
    assert listed.code == 0, listed
    assert "sietch" in listed.out


@given(st.text(max_size=70))
def test_any_name_is_refused_or_makes_consistent_names(name: str) -> None:
    """Property: a valid name gives a package whose manifest, entry point and module agree."""
    try:
        theme = check_name(name)
    except GaibError as exc:
        assert not NAME.fullmatch(name)
        assert "\n" not in exc.message
        return
    assert theme.module.isidentifier()
    files = render_files(theme)
    project = tomllib.loads(files[PurePosixPath("pyproject.toml")])["project"]
    assert project["entry-points"]["gaib"] == {name: f"{theme.module}.plugin"}
    manifest = files[PurePosixPath("src", theme.module, "theme", "theme.yaml")]
    assert yaml.safe_load(manifest)["name"] == name


@pytest.mark.parametrize(
    ("version", "requirement"),
    [
        ("0.1.0", ">=0.1,<0.2"),
        ("0.12.3", ">=0.12,<0.13"),
        ("1.4.0", ">=1.4,<2"),
        ("2.0", ">=2.0,<3"),
    ],
)
def test_core_requirement_is_the_compatible_series(version: str, requirement: str) -> None:
    assert core_requirement(version) == requirement
