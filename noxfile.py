"""nox sessions for the gaib monorepo.

Sessions reuse the uv workspace environment (``.venv``) unless they need isolation
(``isolated`` installs one package alone to prove its dependencies are declared).
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from pathlib import Path

import nox

# `make install` bootstraps uv into .tools/bin, which is not on PATH in a fresh clone; every
# session (and nox's uv venv backend) runs `uv`, so put it there.
ROOT = Path(__file__).resolve().parent
TOOLS = ROOT / ".tools" / "bin"
if (TOOLS / "uv").exists():
    os.environ["PATH"] = f"{TOOLS}{os.pathsep}{os.environ.get('PATH', '')}"

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["lint", "typecheck", "tests"]

PACKAGES = ["gaib-core", "gaib-cli", "gaib-backup", "gaib-theme-sietch"]
SRC = [f"packages/{p}/src" for p in PACKAGES]


@nox.session(venv_backend="none")
def lint(session: nox.Session) -> None:
    """ruff lint and format check over the whole tree."""
    session.run("uv", "run", "--no-sync", "ruff", "check", ".")
    session.run("uv", "run", "--no-sync", "ruff", "format", "--check", ".")


@nox.session(venv_backend="none")
def typecheck(session: nox.Session) -> None:
    """mypy over every package's sources."""
    session.run("uv", "run", "--no-sync", "mypy", *SRC)


@nox.session(venv_backend="none")
@nox.parametrize("package", [*PACKAGES, "cross-package"])
def tests(session: nox.Session, package: str) -> None:
    """pytest, one package at a time (``cross-package`` = the tests/ folder)."""
    path = "tests" if package == "cross-package" else f"packages/{package}/tests"
    session.run("uv", "run", "--no-sync", "pytest", "-q", path, *session.posargs)


@nox.session(venv_backend="none")
def bench(session: nox.Session) -> None:
    """Benchmarks (figures go to docs/benchmarks.md; not timed tests)."""
    for script in (
        "bench_startup.py",
        "bench_provider.py",
        "bench_engine.py",
        "bench_verify.py",
        "bench_themes.py",
        "bench_backup.py",
        "bench_config.py",
        "bench_tiers.py",
        "bench_sync.py",
        "bench_evm.py",
    ):
        session.run("uv", "run", "--no-sync", "python", f"benchmarks/{script}", *session.posargs)


@nox.session(venv_backend="none")
def demo(session: nox.Session) -> None:
    """The README's main job: init the Sietch theme, plan and apply on the embedded sandbox."""
    session.run("uv", "run", "--no-sync", "bash", "scripts/demo.sh")


@nox.session(venv_backend="none")
def build(session: nox.Session) -> None:
    """Sdist and wheel of each package into dist/ (``-- --out-dir PATH`` puts them elsewhere).

    uv builds every wheel from its sdist, so a file the sdist leaves out fails the build; the
    wheels are what ``pip install gaib-cli gaib-theme-sietch`` installs, and
    tests/packaging checks them installed into fresh virtualenvs. dist/ (gaib's own output
    folder) is emptied first so no stale release sits beside the new one; another --out-dir is
    never emptied.
    """
    parser = argparse.ArgumentParser(prog="nox -s build --")
    parser.add_argument("--out-dir", default="dist", help="where the sdists and wheels go")
    out_dir = parser.parse_args(session.posargs).out_dir
    clear = ["--clear"] if Path(out_dir).resolve() == ROOT / "dist" else []
    session.run("uv", "build", "--all-packages", "--out-dir", out_dir, *clear)


def _extras(package: str) -> list[str]:
    """The optional-dependency groups a package declares."""
    with open(f"packages/{package}/pyproject.toml", "rb") as fh:
        project = tomllib.load(fh)["project"]
    return sorted(project.get("optional-dependencies", {}))


@nox.session(python=False)
@nox.parametrize("package", PACKAGES)
def isolated(session: nox.Session, package: str) -> None:
    """Install one package (and gaib-core from the tree) alone and import it."""
    venv = f".nox/isolated-{package}"
    session.run("uv", "venv", "--quiet", "--clear", venv)
    py = f"{venv}/bin/python"
    deps = ["packages/gaib-core"] if package != "gaib-core" else []
    # With its optional extras (e.g. gaib-theme-sietch[verify]); not the dev tools of "testing".
    extras = [e for e in _extras(package) if not e.startswith("testing")]
    target = f"packages/{package}" + (f"[{','.join(extras)}]" if extras else "")
    session.run("uv", "pip", "install", "--quiet", "--python", py, *deps, target)
    module = package.replace("-", "_")
    # Import every module (the pytest kits under .testing need the dev tools, so not those).
    check = (
        "import importlib, pkgutil, sys; m = importlib.import_module(sys.argv[1]); "
        "names = [i.name for i in pkgutil.walk_packages(m.__path__, m.__name__ + '.') "
        "if '.testing' not in i.name and not i.name.endswith('__main__')]; "
        "[importlib.import_module(n) for n in names]; print(sys.argv[1], len(names), 'modules import alone')"
    )
    session.run(py, "-c", check, module)


@nox.session(venv_backend="none")
def lambda_package(session: nox.Session) -> None:
    """Build infrastructure/build/gaib-backup-lambda.zip, the scheduled-backup Lambda's package.

    For the runtime and architecture infrastructure/terraform/variables.tf deploys; options
    (``-- --python-version 3.12 --architecture arm64 --output PATH``) override them.
    """
    # This interpreter (the workspace's, under `uv run nox`) has python-hcl2 for variables.tf.
    session.run(sys.executable, "infrastructure/lambda_package.py", *session.posargs)
