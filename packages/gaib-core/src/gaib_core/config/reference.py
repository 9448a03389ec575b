"""The top level of a ``discord-server.yaml`` that references a theme, as pydantic models.

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

Rendering it is the theme layer's work (``gaib_core.themes.compose``); the shape of the file
lives here, beside the full config's models, for the loader and the JSON Schema.
"""

from __future__ import annotations

from typing import Any, Literal

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, ConfigDict, Field, field_validator


class ThemeReference(BaseModel):
    """``theme:`` of a referencing file: which theme, which versions, which variable values."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, description="An installed theme's name (`theme ls`).")
    version: str = Field(
        min_length=1, description="PEP 440 constraint on the theme's version, e.g. '~=3.0'."
    )
    variables: dict[str, Any] = Field(
        default_factory=dict, description="The theme's variables and their values."
    )

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

    version: Literal[1] = Field(1, description="Format version of this file; always 1.")
    theme: ThemeReference = Field(description="The theme this server is rendered from.")
    server: dict[str, Any] = Field(
        default_factory=dict, description="Server settings merged key by key over the theme's."
    )
    overrides: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="By address (role.KEY, category.KEY, channel.KEY): fields that change, or "
        "a complete new item placed with after/before/category.",
    )
    remove: list[str] = Field(
        default_factory=list, description="Addresses of theme items this server does without."
    )

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
