"""gaib-core's tests stand on their own: no plugin package, nothing outside the repository.

gaib-core never imports gaib-cli, gaib-backup or gaib-theme-sietch, and its tests must not either
(they are run alone by ``nox -s tests(package='gaib-core')``). Data the tests need is vendored
under ``tests/`` so a fresh clone runs them all instead of skipping.
"""

from __future__ import annotations

import ast
import hashlib
import json
from pathlib import Path

TESTS = Path(__file__).parent
PLUGINS = {"gaib_cli", "gaib_backup", "gaib_theme_sietch"}
SPEC = TESTS / "discord_openapi"


def _test_sources() -> list[Path]:
    """Every Python file under gaib-core's tests but this one (which names what it looks for)."""
    return [p for p in sorted(TESTS.rglob("*.py")) if p != Path(__file__)]


def _imported(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # ``python -m gaib_cli`` in a subprocess is an import of gaib-cli too.
            names.update(p for p in PLUGINS if node.value == p or node.value.startswith(p + "."))
    return names


def test_core_tests_import_no_plugin_package() -> None:
    offenders = {
        str(path.relative_to(TESTS)): sorted(_imported(ast.parse(path.read_text())) & PLUGINS)
        for path in _test_sources()
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_core_tests_name_no_path_outside_the_repository() -> None:
    outside = [
        str(path.relative_to(TESTS))
        for path in _test_sources()
        if "/work/" in path.read_text() or "GAIB_DISCORD_OPENAPI" in path.read_text()
    ]
    assert outside == []


def test_discord_openapi_is_vendored_with_its_licence() -> None:
    data = (SPEC / "openapi.json").read_bytes()
    readme = (SPEC / "README.md").read_text()
    assert hashlib.sha256(data).hexdigest() in readme  # the checksum the README promises
    info = json.loads(data)["info"]
    assert info["license"]["identifier"] == "MIT"
    assert (SPEC / "LICENSE").read_text().startswith("MIT License")
