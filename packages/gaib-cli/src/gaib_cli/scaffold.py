"""``gaib theme new``: an installable theme package, from the template in data/theme_template.

Template files end in ``.tmpl``; ``{{name}}``, ``{{package}}``, ``{{module}}``, ``{{version}}``,
``{{core}}`` (the gaib-core range the package requires) and ``{{constraint}}`` (what a community
writes) are
filled in, ``__module__`` in a path becomes the module's name and ``dot-`` a leading dot. Theme
files keep their own ``${variable}`` syntax untouched.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

from gaib_core.errors import GaibError

#: The theme manifest's rule for names (gaib_core.themes.manifest), checked before anything.
NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
#: A new theme starts at 1.0.0: communities write ``~=1.0`` (this major series, compatible_constraint),
#: so semantic versioning says what they get (``~=0.1`` would accept every 0.x release).
FIRST_VERSION = "1.0.0"
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


@dataclass(frozen=True)
class ThemePackage:
    """The names a new theme package is made of."""

    name: str

    @property
    def package(self) -> str:
        """The distribution: ``gaib-theme-NAME`` (what ``pip install`` takes)."""
        return f"gaib-theme-{self.name}"

    @property
    def module(self) -> str:
        """The import name: ``gaib_theme_NAME`` with ``-`` and ``.`` as ``_``."""
        return "gaib_theme_" + re.sub(r"[-.]", "_", self.name)


def check_name(name: str) -> ThemePackage:
    """The package for theme ``name``; ``GaibError`` (one line) unless the name is valid."""
    if NAME.fullmatch(name):
        return ThemePackage(name)
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    suggestion = re.sub(r"[^a-z0-9_.-]+", "-", plain).strip("-_.")[:64]
    example = suggestion if suggestion and NAME.fullmatch(suggestion) else "my-theme"
    raise GaibError(
        f"theme name {name!r} is not valid: use 1-64 lowercase letters, digits, '.', '_' or '-', "
        "starting with a letter or digit",
        hint=f"e.g. `gaib theme new {example}`",
    )


def core_requirement(version: str) -> str:
    """The gaib-core releases a new theme accepts: this minor series (``>=0.1,<0.2``) before
    1.0, this major one (``>=1.2,<2``) from 1.0 on, as gaib's own plugins do."""
    from packaging.version import Version

    parsed = Version(version)
    major, minor = parsed.major, parsed.minor
    upper = f"{major}.{minor + 1}" if major == 0 else f"{major + 1}"
    return f">={major}.{minor},<{upper}"


def render_files(theme: ThemePackage) -> dict[PurePosixPath, str]:
    """Every file of the new package (relative path -> text), the template filled in."""
    from gaib_core.themes.reference import compatible_constraint

    values = {
        "name": theme.name,
        "package": theme.package,
        "module": theme.module,
        "core": core_requirement(importlib.metadata.version("gaib-core")),
        "version": FIRST_VERSION,
        "constraint": compatible_constraint(FIRST_VERSION),
    }
    root = resources.files("gaib_cli").joinpath("data", "theme_template")
    files: dict[PurePosixPath, str] = {}
    for relative, source in _template_files(root, PurePosixPath()):
        target = PurePosixPath(
            *(part.replace("__module__", theme.module) for part in relative.parts)
        )
        target = target.with_name(re.sub(r"^dot-", ".", target.name.removesuffix(".tmpl")))
        text = source.read_text("utf-8")
        files[target] = _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)
    return files


def _template_files(
    folder: Traversable, prefix: PurePosixPath
) -> list[tuple[PurePosixPath, Traversable]]:
    out: list[tuple[PurePosixPath, Traversable]] = []
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        if item.is_dir():
            out.extend(_template_files(item, prefix / item.name))
        elif item.name.endswith(".tmpl"):
            out.append((prefix / item.name, item))
    return out


def scaffold(theme: ThemePackage, target: Path, *, force: bool) -> list[PurePosixPath]:
    """Write the package into ``target``; the relative paths written, sorted.

    A new directory appears whole or not at all (built beside it, then renamed). An existing,
    non-empty one is refused unless ``force``; then the kit's files are replaced one by one
    (each atomically) and every other file there stays.
    """
    files = render_files(theme)
    if target.exists() and not target.is_dir():
        raise GaibError(f"{target} is a file", hint="choose another --directory")
    if target.is_dir() and any(target.iterdir()):
        if not force:
            raise GaibError(
                f"{target} already exists and is not empty",
                hint="choose another --directory, or pass --force to replace the kit's files "
                "there (other files stay)",
            )
        _write_into(target, files)
    else:
        _write_new(target, files)
    return sorted(files)


def _write_new(target: Path, files: dict[PurePosixPath, str]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for relative, text in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        staging.chmod(0o777 & ~_umask())
        os.replace(staging, target)  # onto nothing, or onto an empty directory
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _write_into(target: Path, files: dict[PurePosixPath, str]) -> None:
    from gaib_core.project import atomic_write_text

    for relative, text in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, text)


def _umask() -> int:
    # mkdtemp makes a 0700 directory; the package directory gets the user's usual mode.
    current = os.umask(0)
    os.umask(current)
    return current
