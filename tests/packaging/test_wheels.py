"""The built sdists and wheels, installed as users install them (issue 14 item 1).

``nox -s build`` builds each package once per session; a few fresh virtualenvs get the wheels
(dependencies from PyPI through uv's cache). What is checked is what a user of
``pip install gaib-cli gaib-theme-sietch`` relies on: every data file lands in the wheel, each
package installs and imports alone, gaib works without gaib-backup (and says what is missing),
plugins accept a range of gaib-core, and a wheel-installed gaib runs the main job on the sandbox.
"""

from __future__ import annotations

import re
import subprocess
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from .conftest import extras_of
from .venvs import IMPORT_ALL, PACKAGES, ROOT, Dists, Venv, module_of, project

pytestmark = pytest.mark.packaging

PLUGINS = ("gaib-cli", "gaib-backup", "gaib-theme-sietch")


def tracked(folder: Path) -> list[Path]:
    """The files git tracks under ``folder``, relative to it."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "."], cwd=folder, capture_output=True, check=True, text=True
    ).stdout
    return [Path(name) for name in out.split("\0") if name]


def test_build_makes_an_sdist_and_a_wheel_of_each_package(dists: Dists) -> None:
    for package in PACKAGES:
        version = project(package)["version"]
        assert dists.wheel(package).name == f"{module_of(package)}-{version}-py3-none-any.whl"
        assert dists.sdist(package).name == f"{module_of(package)}-{version}.tar.gz"
    assert len(list(dists.folder.glob("*.whl"))) == len(list(dists.folder.glob("*.tar.gz"))) == 4


@pytest.mark.parametrize("package", PACKAGES)
def test_the_wheel_holds_every_file_of_the_package(dists: Dists, package: str) -> None:
    """Theme YAML, schemas, JSON data, HTML, SQL and py.typed: not only the .py files."""
    module = module_of(package)
    source = ROOT / "packages" / package / "src" / module
    with zipfile.ZipFile(dists.wheel(package)) as whl:
        names = set(whl.namelist())
        entry_points = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        declared = whl.read(entry_points[0]).decode() if entry_points else ""
    expected = {f"{module}/{path.as_posix()}" for path in tracked(source)}
    assert expected - names == set()
    assert f"{module}/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), "the MIT licence text"
    for name, target in project(package).get("entry-points", {}).get("gaib", {}).items():  # type: ignore[union-attr]
        assert f"{name} = {target}" in declared
    for name, target in project(package).get("scripts", {}).items():  # type: ignore[union-attr]
        assert f"{name} = {target}" in declared


@pytest.mark.parametrize("package", PACKAGES)
def test_the_sdist_holds_the_sources_tests_and_changelog(dists: Dists, package: str) -> None:
    """Everything tracked under the package (a vendored file keeps its licence beside it)."""
    folder = ROOT / "packages" / package
    with tarfile.open(dists.sdist(package)) as sdist:
        top = sdist.getnames()[0].split("/")[0]
        names = {name.removeprefix(f"{top}/") for name in sdist.getnames()}
    assert {path.as_posix() for path in tracked(folder)} - names == set()
    assert {"README.md", "CHANGELOG.md", "LICENSE", "pyproject.toml"} <= names
    vendored = [name for name in names if name.endswith("openapi.json")]
    for name in vendored:
        assert str(Path(name).with_name("LICENSE")) in names


@pytest.mark.parametrize("package", PACKAGES)
def test_the_changelog_is_current(package: str) -> None:
    """The newest entry of each package's CHANGELOG is its version."""
    text = (ROOT / "packages" / package / "CHANGELOG.md").read_text()
    headings = re.findall(r"^## (\S+)", text, flags=re.MULTILINE)
    assert headings, f"{package}/CHANGELOG.md has no '## VERSION' entry"
    assert headings[0] == project(package)["version"]


@pytest.mark.parametrize("package", PLUGINS)
def test_each_plugin_accepts_a_range_of_gaib_core(dists: Dists, package: str) -> None:
    """Versions are per package; a plugin pins gaib-core's minor series, not one release."""
    core = Version(str(project("gaib-core")["version"]))
    (requirement,) = [
        Requirement(text)
        for text in dists.metadata(package).get_all("Requires-Dist") or []
        if Requirement(text).name == "gaib-core" and not Requirement(text).marker
    ]
    operators = {spec.operator for spec in requirement.specifier}
    assert operators & {">=", "~="} and operators & {"<", "~="}, requirement
    assert core in requirement.specifier
    assert Version(f"{core.major}.{core.minor + 1}") not in requirement.specifier
    assert Version(f"{core.major + 1}.0") not in requirement.specifier


def test_the_sietch_package_and_theme_have_one_version(dists: Dists) -> None:
    """Communities pin the theme's version and pip-install the package's: they agree."""
    with zipfile.ZipFile(dists.wheel("gaib-theme-sietch")) as whl:
        manifest = whl.read("gaib_theme_sietch/theme/theme.yaml").decode()
    (version,) = re.findall(r"^version: *(\S+)", manifest, flags=re.MULTILINE)
    assert version == dists.metadata("gaib-theme-sietch")["Version"]


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_installed_alone_imports(
    venv_with: Callable[..., Venv], package: str, workdir: Path
) -> None:
    """The package (with its extras, and gaib-core it depends on) and nothing else of gaib's."""
    venv = venv_with((package, extras_of(package)))
    result = venv.run("python", "-c", IMPORT_ALL, module_of(package), cwd=workdir)
    assert result.code == 0, result
    assert int(result.out) > 0


def test_gaib_cli_alone_runs_and_names_what_is_missing(
    venv_with: Callable[..., Venv], workdir: Path
) -> None:
    venv = venv_with("gaib-cli")
    themes = venv.gaib("server", "theme", "ls", cwd=workdir)
    assert themes.code == 0, themes
    assert "No themes installed" in themes.out and "`gaib theme new NAME`" in themes.out
    plugins = venv.gaib("plugins", cwd=workdir)
    assert plugins.code == 0, plugins
    assert "gaib-backup is not installed" in plugins.out
    assert "pip install gaib-backup" in plugins.out
    assert "gaib-theme-sietch is not installed" in plugins.out


@pytest.fixture(scope="module")
def without_backup(venv_with: Callable[..., Venv]) -> Venv:
    """``pip install gaib-cli gaib-theme-sietch``: what the README tells a new user to run."""
    return venv_with("gaib-cli", "gaib-theme-sietch")


def test_theme_ls_from_the_wheels(without_backup: Venv, workdir: Path) -> None:
    result = without_backup.gaib("server", "theme", "ls", cwd=workdir)
    assert result.code == 0, result
    version = project("gaib-theme-sietch")["version"]
    assert re.search(rf"sietch\s+│\s+{re.escape(str(version))}", result.out), result.out


def test_without_gaib_backup_its_commands_are_absent_and_plugins_says_so(
    without_backup: Venv, workdir: Path
) -> None:
    listed = without_backup.gaib("--version", cwd=workdir)
    assert listed.code == 0, listed
    assert {line.split()[0] for line in listed.out.splitlines()} == {
        "gaib-core",
        "gaib-cli",
        "gaib-theme-sietch",
    }
    backup = without_backup.gaib("server", "backup", "list", cwd=workdir)
    assert backup.code == 2
    assert "No such command 'backup'" in backup.err
    export = without_backup.gaib("server", "export", "--help", cwd=workdir)
    assert export.code == 0 and "--backup" not in export.out
    plugins = without_backup.gaib("plugins", cwd=workdir)
    assert plugins.code == 0, plugins
    assert "sietch" in plugins.out and "gaib-backup is not installed" in plugins.out
    assert "gaib server backup" in plugins.out
    assert "gaib-theme-sietch is not installed" not in plugins.out


def test_wheel_installed_gaib_inits_validates_and_plans_sietch_on_the_sandbox(
    without_backup: Venv, workdir: Path
) -> None:
    """Theme files, the starter template and the permission data all come from the wheels."""
    init = without_backup.gaib("server", "init", "--theme", "sietch", cwd=workdir)
    assert init.code == 0, init
    assert "name: sietch" in (workdir / "discord-server.yaml").read_text()
    validate = without_backup.gaib("server", "validate", cwd=workdir)
    assert validate.code == 0, validate
    plan = without_backup.gaib("server", "plan", "--detailed-exitcode", cwd=workdir)
    assert plan.code == 2, plan  # changes present: the whole theme is to be created
    assert '+ role.naib  role "Naib"' in plan.out, plan.out
    assert '+ channel.the_oasis  channel "the-oasis"' in plan.out  # a flag's default from the wheel
    added = re.search(r"Plan: (\d+) to add, \d+ to change, 0 to destroy", plan.out)
    assert added and int(added.group(1)) > 40, plan.out


def test_with_gaib_backup_its_commands_are_there(everything: Venv, workdir: Path) -> None:
    venv = everything
    backup = venv.gaib("server", "backup", "--help", cwd=workdir)
    assert backup.code == 0, backup
    plugins = venv.gaib("plugins", cwd=workdir)
    assert f"gaib-backup {project('gaib-backup')['version']}" in plugins.out
    assert "not installed" not in plugins.out
