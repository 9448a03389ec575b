"""Built distributions and fresh virtualenvs for the packaging tests.

The wheels come from ``nox -s build`` (the same command a release uses); each virtualenv is made
with ``uv venv`` and filled with ``uv pip install`` from those wheels, their dependencies from
PyPI through uv's cache. Nothing of the workspace's own environment leaks in.
"""

from __future__ import annotations

import email.parser
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("gaib-core", "gaib-cli", "gaib-backup", "gaib-theme-sietch")


def uv() -> str:
    """The uv that runs this suite (``uv run`` sets $UV), else the repo's, else PATH's."""
    for candidate in (os.environ.get("UV"), str(ROOT / ".tools" / "bin" / "uv"), "uv"):
        if candidate and shutil.which(candidate):
            return candidate
    raise RuntimeError("uv not found: run `make install` first (it bootstraps .tools/bin/uv)")


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment without the workspace's venv, gaib's settings or a Discord token."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DISCORD_", "GAIB_", "PYTHON"))
        and k not in {"VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"}
    }
    env.update({"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})
    env.update(extra or {})
    return env


def project(package: str) -> dict[str, object]:
    """The ``[project]`` table of a workspace package."""
    with open(ROOT / "packages" / package / "pyproject.toml", "rb") as fh:
        table: dict[str, object] = tomllib.load(fh)["project"]
    return table


def module_of(package: str) -> str:
    """The import name of a distribution (``gaib-theme-sietch`` -> ``gaib_theme_sietch``)."""
    return package.replace("-", "_")


@dataclass(frozen=True)
class Dists:
    """The sdist and wheel of each package, built into one folder."""

    folder: Path

    def wheel(self, package: str) -> Path:
        """The one wheel of ``package``."""
        (path,) = self.folder.glob(f"{module_of(package)}-*.whl")
        return path

    def sdist(self, package: str) -> Path:
        """The one sdist of ``package``."""
        (path,) = self.folder.glob(f"{module_of(package)}-*.tar.gz")
        return path

    def requirement(self, package: str, extras: tuple[str, ...] = ()) -> str:
        """A requirement naming the local wheel (with extras): nothing of ours from an index."""
        suffix = f"[{','.join(extras)}]" if extras else ""
        return f"{package}{suffix} @ {self.wheel(package).as_uri()}"

    def metadata(self, package: str) -> email.message.Message:
        """The wheel's METADATA."""
        with zipfile.ZipFile(self.wheel(package)) as whl:
            (name,) = [n for n in whl.namelist() if n.endswith(".dist-info/METADATA")]
            return email.parser.Parser().parsestr(whl.read(name).decode())


def build(out_dir: Path) -> Dists:
    """``nox -s build -- --out-dir OUT_DIR``: the release build, into a folder of the test's."""
    nox = [sys.executable, "-m", "nox", "-f", str(ROOT / "noxfile.py"), "-s", "build"]
    proc = subprocess.run(
        [*nox, "--", "--out-dir", str(out_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return Dists(out_dir)


@dataclass
class Result:
    """What one command printed and returned."""

    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


@dataclass(frozen=True)
class Venv:
    """A fresh virtualenv made by ``uv venv``."""

    path: Path

    @classmethod
    def create(cls, path: Path) -> Venv:
        """``uv venv PATH`` with this suite's Python version."""
        subprocess.run(
            [uv(), "venv", "--quiet", "--python", sys.executable, str(path)],
            check=True,
            capture_output=True,
            env=clean_env(),
            timeout=120,
        )
        return cls(path)

    @property
    def bin(self) -> Path:
        """The folder of its executables."""
        return self.path / "bin"

    def install(self, *requirements: str, cwd: Path | None = None) -> None:
        """``uv pip install REQUIREMENTS`` into this virtualenv (CalledProcessError names why)."""
        proc = subprocess.run(
            [
                uv(),
                "pip",
                "install",
                "--quiet",
                "--python",
                str(self.bin / "python"),
                *requirements,
            ],
            capture_output=True,
            text=True,
            env=clean_env(),
            cwd=cwd,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr

    def run(
        self, program: str, *args: str, cwd: Path, env: Mapping[str, str] | None = None
    ) -> Result:
        """``program ARGS`` from this virtualenv's bin/, in ``cwd``."""
        proc = subprocess.run(
            [str(self.bin / program), *args],
            cwd=cwd,
            env=clean_env(env),
            capture_output=True,
            text=True,
            timeout=300,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def gaib(self, *args: str, cwd: Path, env: Mapping[str, str] | None = None) -> Result:
        """The installed ``gaib`` command."""
        return self.run("gaib", *args, cwd=cwd, env=env)


# Imports every module of a package but its pytest kits (``.testing``: they need the dev tools).
IMPORT_ALL = (
    "import importlib, pkgutil, sys; m = importlib.import_module(sys.argv[1]); "
    "names = [i.name for i in pkgutil.walk_packages(m.__path__, m.__name__ + '.') "
    "if '.testing' not in i.name and not i.name.endswith('__main__')]; "
    "[importlib.import_module(n) for n in names]; print(len(names))"
)
