"""The theme versions a ``discord-server.yaml`` that references a theme accepts.

The file's shape (``ThemedFile``, ``ThemeReference``) is in ``gaib_core.config.reference`` and
re-exported here. ``theme.version`` is a PEP 440 constraint; an installed theme outside it is a
one-line error naming both versions, the constraint to write and the matching ``pip install``.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Mapping
from pathlib import Path

from packaging.version import InvalidVersion, Version

from gaib_core.config.document import CHANGE_SECTIONS, ITEM_SECTIONS, is_theme_reference
from gaib_core.config.reference import ThemedFile, ThemeReference, parse_constraint
from gaib_core.errors import SourceLocation, ThemeError

__all__ = [
    "CHANGE_SECTIONS",
    "ITEM_SECTIONS",
    "ThemeReference",
    "ThemedFile",
    "accepts",
    "check_version",
    "compatible_constraint",
    "distribution_of",
    "is_theme_reference",
    "parse_constraint",
]


def compatible_constraint(version: str) -> str:
    """The constraint ``init`` writes: releases compatible with ``version`` (``3.1.2`` -> ``~=3.1``)."""
    parsed = Version(version)
    major = parsed.release[0]
    minor = parsed.release[1] if len(parsed.release) > 1 else 0
    constraint = f"~={major}.{minor}"
    if not accepts(constraint, version):  # a pre-release (3.1.0rc1) sorts before 3.1
        constraint = f">={parsed},<{major + 1}"
    return constraint


def accepts(constraint: str, version: str) -> bool:
    """True when ``version`` satisfies ``constraint`` (pre-releases count when installed)."""
    return parse_constraint(constraint).contains(Version(version), prereleases=True)


def check_version(
    theme_name: str,
    installed: str,
    constraint: str,
    *,
    location: SourceLocation,
    theme_path: Path | None = None,
    owners: Mapping[str, str] | None = None,
) -> None:
    """``ThemeError`` (one line: both versions and the fix) unless ``installed`` is accepted."""
    try:
        ok = accepts(constraint, installed)
    except InvalidVersion:
        raise ThemeError(
            f"theme {theme_name} declares version '{installed}', which is not a PEP 440 version",
            location=location,
            hint="ask the theme's publisher for a release with a version such as 3.1.0",
        ) from None
    if ok:
        return
    wanted = compatible_constraint(installed)
    package = distribution_of(theme_path, owners or {}) if theme_path is not None else None
    spec = str(parse_constraint(constraint))
    install = (
        f", or install a matching release: pip install '{package}{spec}'"
        if package
        else ", or install a release of the theme that matches"
    )
    raise ThemeError(
        f"theme {theme_name} {installed} is installed, but this file accepts {constraint}",
        location=location,
        field="theme.version",
        hint=f'to use {installed}, set theme.version to "{wanted}" and review `gaib server plan`'
        f"{install}",
    )


def distribution_of(path: Path, owners: Mapping[str, str]) -> str | None:
    """The distribution whose package holds ``path`` (None for a plain directory).

    ``owners`` maps top-level module names to distributions (the loaded plugins); installed
    metadata fills in the rest.
    """
    known = dict(owners)
    try:
        for module, names in importlib.metadata.packages_distributions().items():
            known.setdefault(module, names[0])
    except Exception:  # broken metadata of some unrelated distribution: say less, not crash
        pass
    for parent in (path, *path.parents):
        if parent.name in known and (parent / "__init__.py").is_file():
            return known[parent.name]
    return None
