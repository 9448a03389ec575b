"""Layering: no import cycle inside gaib-core, and gaib-core imports no other gaib package.

Imports are read from the source (``ast``): module-level and function-level ones count, those
under ``if TYPE_CHECKING:`` do not (they never run). A module's own parent packages are not
edges (Python initialises them first anyway).
"""

from __future__ import annotations

import ast
from pathlib import Path

import gaib_core

SRC = Path(gaib_core.__file__).resolve().parent.parent
PACKAGES = Path(__file__).resolve().parents[2]
# The import names of the workspace's other packages (gaib-cli -> gaib_cli, ...).
OTHER_PACKAGES = {
    path.name.replace("-", "_") for path in PACKAGES.iterdir() if path.name != "gaib-core"
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in (SRC / "gaib_core").rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _imports(path: Path) -> set[str]:
    found: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            for field in ("body", "orelse", "finalbody", "handlers"):
                visit([n for n in getattr(node, field, []) if isinstance(n, ast.stmt)])

    visit(ast.parse(path.read_text()).body)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        deps = {d for d in _imports(path) if d in modules}
        graph[name] = {d for d in deps if d != name and not name.startswith(d + ".")}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    done: set[str] = set()

    def walk(node: str, path: list[str]) -> list[str] | None:
        for dep in sorted(graph[node]):
            if dep in path:
                return [*path[path.index(dep) :], dep]
            if dep not in done:
                found = walk(dep, [*path, dep])
                if found:
                    return found
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done and (found := walk(start, [start])):
            return found
    return None


def test_no_import_cycle_in_gaib_core() -> None:
    cycle = _cycle(_graph())
    assert cycle is None, " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_gaib_core_imports_no_other_gaib_package() -> None:
    assert len(OTHER_PACKAGES) >= 3  # the workspace's packages were found
    offenders = sorted(
        f"{name} imports {dep}"
        for name, path in _modules().items()
        for dep in _imports(path)
        if dep.split(".")[0] in OTHER_PACKAGES
    )
    assert offenders == []


def test_permission_bits_come_only_from_the_data_file() -> None:
    """No module spells a permission's bit (``MANAGE_ROLES = 1 << 28``): permissions.flag does."""
    from gaib_core.permissions import all_permissions

    names = {p.name for p in all_permissions()}
    spelled = []
    for module, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id in names for t in node.targets)
                and isinstance(node.value, ast.BinOp | ast.Constant)
            ):
                spelled.append(f"{module}:{node.lineno}")
    assert spelled == [], "use gaib_core.permissions.flag(NAME) instead"
