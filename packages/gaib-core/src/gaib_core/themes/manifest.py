"""A theme on disk: ``theme.yaml`` (the manifest), its files and README.

::

    name: sietch
    version: 3.0.0
    description: ...
    files: [server.yaml, roles.yaml, channels.yaml]   # merged in this order
    variables:
      color_naib: {type: color, default: "#FFD700", description: ...}
      enable_voice: {type: boolean, default: true}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gaib_core.config.issues import validate_document
from gaib_core.config.source import LoadedYaml, load_yaml
from gaib_core.errors import ConfigError, SourceLocation, ThemeError
from gaib_core.themes.variables import NAME, VariableSpec

MANIFEST = "theme.yaml"
README = "README.md"
DEFAULT_FILES = ("server.yaml", "roles.yaml", "channels.yaml")


class ThemeManifest(BaseModel):
    """The contents of ``theme.yaml``."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    version: str = Field(min_length=1, max_length=64)
    description: str = ""
    files: list[str] | None = Field(
        None, description="Partial discord-server.yaml files merged in order."
    )
    variables: dict[str, VariableSpec] = Field(default_factory=dict)

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        # `version: 3.0` is a float in YAML; a version is text.
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("files")
    @classmethod
    def _relative_files(cls, value: list[str] | None) -> list[str] | None:
        for name in value or []:
            path = PurePosixPath(name)
            if path.is_absolute() or ".." in path.parts or not name.endswith((".yaml", ".yml")):
                raise ValueError(f"'{name}' must be a .yaml file inside the theme directory")
        if value is not None and len(set(value)) != len(value):
            raise ValueError("a file is listed twice")
        return value

    @field_validator("variables")
    @classmethod
    def _names(cls, value: dict[str, VariableSpec]) -> dict[str, VariableSpec]:
        for name in value:
            if not NAME.match(name):
                raise ValueError(f"variable name '{name}' must be letters, digits and _")
        return value


@dataclass
class Theme:
    """A loaded theme. ``readme`` is the text of README.md ('' when there is none)."""

    name: str
    version: str
    description: str
    variables: dict[str, VariableSpec]
    path: Path
    files: list[str]
    readme: str = ""
    manifest: LoadedYaml | None = field(default=None, repr=False)

    @property
    def manifest_path(self) -> Path:
        """``<path>/theme.yaml``."""
        return self.path / MANIFEST

    def file_location(self, name: str) -> SourceLocation:
        """Where ``name`` is listed in ``files:`` (or the manifest itself)."""
        if self.manifest is not None:
            listed = self.manifest.get(("files",))
            if isinstance(listed, list) and name in listed:
                return self.manifest.locate(("files", listed.index(name)))
        return SourceLocation(str(self.manifest_path))


def load_theme(path: Path) -> Theme:
    """Load the theme in directory ``path`` (or whose ``theme.yaml`` is ``path``)."""
    directory = path.parent if path.name == MANIFEST and path.is_file() else path
    manifest_path = directory / MANIFEST
    if not directory.is_dir():
        raise ThemeError(
            f"theme directory {directory} does not exist",
            hint="give an installed theme name (see `gaib server theme ls`) or a directory",
        )
    if not manifest_path.is_file():
        raise ThemeError(
            f"{directory} has no {MANIFEST}",
            location=SourceLocation(str(directory)),
            hint="a theme directory holds theme.yaml, its YAML files and README.md",
        )
    source = load_yaml(manifest_path)
    if source.data is None:
        raise ConfigError("theme.yaml is empty", location=SourceLocation(str(manifest_path)))
    manifest: ThemeManifest = validate_document(ThemeManifest, source.data, source)
    files = manifest.files
    if files is None:
        files = [name for name in DEFAULT_FILES if (directory / name).is_file()]
    readme_path = directory / README
    readme = (
        readme_path.read_text(encoding="utf-8", errors="replace") if readme_path.is_file() else ""
    )
    return Theme(
        name=manifest.name,
        version=manifest.version,
        description=manifest.description.strip(),
        variables=dict(manifest.variables),
        path=directory,
        files=list(files),
        readme=readme,
        manifest=source,
    )
