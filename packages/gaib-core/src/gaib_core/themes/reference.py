"""A ``discord-server.yaml`` that references a theme, and the theme versions it accepts.

::

    version: 1
    theme:
      name: sietch
      version: "~=3.0"          # PEP 440: ~=3.0, >=3,<4, ==3.0.1 (a bare 3.0.1 means ==3.0.1)
      variables: {community_name: Arrakis}
    server: {guild_id: "..."}   # merged key by key over the theme's server settings
    overrides:                  # by address: field overrides, or complete new items
      role.naib: {color: "#FFAA00"}
    remove: [channel.spice]

A file is such a *reference* when it has ``theme:`` and does not list its own ``roles``,
``categories`` or ``channels`` (a file that lists them is a full copy: its ``theme:`` only
records where it came from, as ``gaib server init`` wrote files before themes were live).
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, ConfigDict, Field, field_validator

from gaib_core.config.document import CHANGE_SECTIONS, ITEM_SECTIONS, is_theme_reference
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


class ThemeReference(BaseModel):
    """``theme:`` of a referencing file: which theme, which versions, which variable values."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, description="An installed theme's name (`theme ls`).")
    version: str = Field(
        min_length=1, description="PEP 440 constraint on the theme's version, e.g. '~=3.0'."
    )
    variables: dict[str, Any] = Field(default_factory=dict)

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        # `version: 3.0` is a float in YAML; a version constraint is text.
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("version")
    @classmethod
    def _constraint(cls, value: str) -> str:
        parse_constraint(value)
        return value

    @field_validator("variables", mode="before")
    @classmethod
    def _no_variables(cls, value: Any) -> Any:
        return {} if value is None else value


class ThemedFile(BaseModel):
    """The top level of a referencing ``discord-server.yaml``."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    theme: ThemeReference
    server: dict[str, Any] = Field(default_factory=dict)
    overrides: dict[str, dict[str, Any]] = Field(default_factory=dict)
    remove: list[str] = Field(default_factory=list)

    @field_validator("server", "overrides", "remove", mode="before")
    @classmethod
    def _empty_section(cls, value: Any, info: Any) -> Any:
        # An empty section (`overrides:` with everything below commented out) means none.
        if value is None:
            return [] if info.field_name == "remove" else {}
        return value


def parse_constraint(text: str) -> SpecifierSet:
    """``text`` as a PEP 440 specifier set; a bare version means exactly that version."""
    text = text.strip()
    try:
        return SpecifierSet(f"=={Version(text)}")
    except InvalidVersion:
        pass
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        raise ValueError(
            f"'{text}' is not a version constraint; write e.g. '~=3.0' (3.x from 3.0) or '>=3,<4'"
        ) from None


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
