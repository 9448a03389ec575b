"""Fixtures of the packaging tests: one build per session, a few virtualenvs made from it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .venvs import Dists, Venv, build, project


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    """Every package's sdist and wheel, built once by ``nox -s build``."""
    return build(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="session")
def venv_with(dists: Dists, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Venv]:
    """A fresh virtualenv with these packages' wheels (and extras), made once per set.

    gaib-core's wheel is always among them (each plugin's one dependency of ours).
    """
    made: dict[tuple[tuple[str, tuple[str, ...]], ...], Venv] = {}

    def make(*packages: str | tuple[str, tuple[str, ...]]) -> Venv:
        wanted = tuple(p if isinstance(p, tuple) else (p, ()) for p in packages)
        if wanted not in made:
            venv = Venv.create(tmp_path_factory.mktemp("venv") / "venv")
            requirements = [dists.requirement(name, extras) for name, extras in wanted]
            if "gaib-core" not in {name for name, _ in wanted}:
                # Every plugin needs gaib-core: the one just built, never one from an index.
                requirements.append(dists.requirement("gaib-core"))
            venv.install(*requirements)
            made[wanted] = venv
        return made[wanted]

    return make


@pytest.fixture(scope="session")
def everything(venv_with: Callable[..., Venv]) -> Venv:
    """All four packages, and what gaib-core's theme kit needs (pytest, hypothesis)."""
    return venv_with(
        ("gaib-core", ("testing-themes",)), "gaib-cli", "gaib-backup", "gaib-theme-sietch"
    )


def extras_of(package: str) -> tuple[str, ...]:
    """A package's optional extras but the test tools (``testing``, ``testing-themes``)."""
    declared = project(package).get("optional-dependencies", {})
    assert isinstance(declared, dict)
    return tuple(sorted(e for e in declared if not e.startswith("testing")))


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """An empty folder to run commands in."""
    path = tmp_path / "work"
    path.mkdir()
    return path
