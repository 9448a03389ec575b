"""Configuration is documented, and no Collab.Land URL or dependency exists in the packages."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from gaib_theme_sietch.verify.settings import VARIABLES, load_settings

PACKAGE = Path(__file__).resolve().parents[2]
REPO = PACKAGE.parents[1]
ENV_EXAMPLE = PACKAGE / ".env.example"
# collab.land as a URL or host (https://..., api.collab.land, collab.land/...), any case.
COLLAB_URL = re.compile(
    r"(https?://[^\s\"'<>]*collab\.?land|[\w-]+\.collab\.land|collab\.land/)", re.I
)
TEXT_SUFFIXES = {
    ".py",
    ".toml",
    ".md",
    ".json",
    ".yaml",
    ".yml",
    ".html",
    ".sql",
    ".txt",
    ".cfg",
    ".lock",
    ".example",
    ".sh",
}


def _example_values() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def test_env_example_documents_every_setting() -> None:
    values = _example_values()
    assert set(values) == set(VARIABLES)
    # Each variable sits in a paragraph that opens with comments saying what it is.
    for paragraph in ENV_EXAMPLE.read_text().split("\n\n"):
        lines = paragraph.strip().splitlines()
        settings = [line for line in lines if not line.startswith("#")]
        assert not settings or lines[0].startswith("#"), settings


def test_env_example_values_are_accepted() -> None:
    """The example, loaded as it stands, is a valid configuration (empty values are unset)."""
    settings = load_settings(_example_values())
    assert settings.base_url == "https://verify.example.org"
    assert settings.session_ttl == 15 * 60


def test_readme_has_the_verification_section() -> None:
    readme = (PACKAGE / "README.md").read_text()
    assert "## Wallet verification" in readme
    for name in ("VERIFY_BASE_URL", "DATABASE_URL", ".env.example", "gaib sietch serve"):
        assert name in readme


def _package_files() -> list[Path]:
    files = []
    for path in (REPO / "packages").rglob("*"):
        if any(part in {"__pycache__", ".venv", "node_modules"} for part in path.parts):
            continue
        if path == Path(__file__).resolve():
            continue  # this test names the pattern it searches for
        if path.is_file() and (path.suffix in TEXT_SUFFIXES or path.name.startswith(".env")):
            files.append(path)
    return files


def test_no_collab_land_url_anywhere_in_the_packages() -> None:
    files = _package_files()
    assert len(files) > 100  # the search really covered the packages
    hits = [
        f"{path.relative_to(REPO)}:{number}"
        for path in files
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if COLLAB_URL.search(line)
    ]
    assert hits == []


def test_the_url_pattern_would_catch_one() -> None:
    for url in ("https://connect.collab.land/verify", "api.collab.land", "see collab.land/x"):
        assert COLLAB_URL.search(url), url
    assert not COLLAB_URL.search("no Collab.Land involved")


def test_no_collab_land_dependency() -> None:
    names: list[str] = []
    for pyproject in (REPO / "packages").glob("*/pyproject.toml"):
        project = tomllib.loads(pyproject.read_text())["project"]
        names += project.get("dependencies", [])
        for extra in project.get("optional-dependencies", {}).values():
            names += extra
    lock = tomllib.loads((REPO / "uv.lock").read_text())
    names += [package["name"] for package in lock["package"]]
    assert len(names) > 50
    assert [name for name in names if "collab" in name.lower()] == []
