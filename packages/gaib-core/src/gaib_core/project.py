"""A gaib project directory: ``discord-server.yaml`` plus ``.gaib/`` (PRD 4.2).

``.gaib/config.yaml`` records how this directory reaches its guild and its state::

    workspace: default            # the selected workspace (`gaib server workspace select`)
    provider: sandbox | discord   # a registered provider's name (`gaib plugins` lists them)
    provider_options: {}          # extra settings handed to that provider's factory
    sandbox_path: .gaib/sandbox.json
    guild_id: "123..."            # default guild (the config's server.guild_id or --guild win)
    backend: {type: local}        # or {type: fsspec, url: s3://bucket/prefix, options: {...}}

It never holds a token: tokens come from the environment variable the config names.

A project is found the way git finds a repository: the nearest directory, starting from the
config file's directory (``-c``) or the current one and going up, that holds ``.gaib/``
(:func:`find_project`). Outside a project, commands that need one stop with
:class:`NotAProjectError` instead of creating ``.gaib/`` where they happen to run.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gaib_core.errors import ConfigError, SourceLocation
from gaib_core.layout import CONFIG_FILE as CONFIG_FILE  # re-exported

GAIB_DIR = ".gaib"
PROJECT_FILE = "config.yaml"
DEFAULT_WORKSPACE = "default"


class BackendSettings(BaseModel):
    """Where state lives."""

    model_config = ConfigDict(extra="forbid")

    type: str = "local"
    url: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)


class ProjectSettings(BaseModel):
    """The contents of ``.gaib/config.yaml``."""

    model_config = ConfigDict(extra="forbid")

    workspace: str = DEFAULT_WORKSPACE
    provider: str = Field("sandbox", min_length=1)
    provider_options: dict[str, Any] = Field(default_factory=dict)
    sandbox_path: str = f"{GAIB_DIR}/sandbox.json"
    guild_id: str | None = None
    backend: BackendSettings = Field(default_factory=BackendSettings)


class Project:
    """A project rooted at ``root`` (the directory holding ``.gaib/``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def gaib_dir(self) -> Path:
        """``<root>/.gaib``."""
        return self.root / GAIB_DIR

    @property
    def settings_path(self) -> Path:
        """``<root>/.gaib/config.yaml``."""
        return self.gaib_dir / PROJECT_FILE

    @property
    def exists(self) -> bool:
        """True once ``gaib server init`` (or ``save``) has written ``.gaib/config.yaml``."""
        return self.settings_path.exists()

    def load(self) -> ProjectSettings:
        """The settings (defaults when ``.gaib/config.yaml`` does not exist)."""
        if not self.settings_path.exists():
            return ProjectSettings()
        try:
            raw = yaml.safe_load(self.settings_path.read_text()) or {}
            return ProjectSettings.model_validate(raw)
        except (yaml.YAMLError, ValidationError) as exc:
            first = str(exc).splitlines()[0]
            raise ConfigError(
                f"cannot read project settings: {first}",
                location=SourceLocation(str(self.settings_path)),
                hint="fix the file or delete it and run `gaib server init` again",
            ) from None

    def save(self, settings: ProjectSettings) -> None:
        """Write ``.gaib/config.yaml`` atomically."""
        self.gaib_dir.mkdir(parents=True, exist_ok=True)
        text = yaml.safe_dump(settings.model_dump(mode="json"), sort_keys=False)
        atomic_write_text(self.settings_path, text)

    def workspace_dir(self, workspace: str) -> Path:
        """``.gaib/workspaces/<workspace>``."""
        return self.gaib_dir / "workspaces" / workspace


class NotAProjectError(ConfigError):
    """No ``.gaib/`` in the directory a command started from nor in any parent."""


def discover_project(start: Path) -> Project | None:
    """The project whose root is ``start`` or its nearest parent holding ``.gaib/``, or None."""
    here = start.resolve()
    for directory in (here, *here.parents):
        if (directory / GAIB_DIR).is_dir():
            return Project(directory)
    return None


def find_project(start: Path | None = None, *, config: Path | None = None) -> Project:
    """The project a command acts on, found like git finds a repository.

    The search starts in ``config``'s directory when a config file is given (``-c``), then in
    ``start`` (default: the current directory), each going up to the filesystem root. Raises
    :class:`NotAProjectError` with the ``gaib server init`` command that creates one.
    """
    here = (start or Path.cwd()).resolve()
    places = [(here / config).parent, here] if config is not None else [here]
    for directory in places:
        found = discover_project(directory)
        if found is not None:
            return found
    raise not_a_project(places[0])


def project_or_here(start: Path | None = None) -> Project:
    """The project found from ``start`` (default: the current directory) upwards, else a project
    rooted at ``start`` itself (for programs that only read settings, e.g. plugins' defaults)."""
    here = (start or Path.cwd()).resolve()
    return discover_project(here) or Project(here)


def not_a_project(directory: Path) -> NotAProjectError:
    """The error for ``directory`` outside any project; its advice works as written there."""
    what = (
        f"set up {GAIB_DIR}/ for its {CONFIG_FILE}"
        if (directory / CONFIG_FILE).is_file()
        else "create one (add --theme NAME for a theme; `gaib server theme ls` lists them)"
    )
    return NotAProjectError(
        f"not a gaib project: no {GAIB_DIR}/ in {directory} or any parent directory",
        hint=f"run `gaib server init` in {directory} to {what}, or cd into your project",
    )


def atomic_write_text(path: Path, text: str, *, mode: int = 0o644, overwrite: bool = True) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; see :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode, overwrite=overwrite)


def atomic_write_bytes(
    path: Path, data: bytes, *, mode: int = 0o644, overwrite: bool = True
) -> None:
    """Write ``data`` to ``path`` atomically: temp file in the same directory, fsync, rename.

    With ``overwrite=False`` the file appears only if ``path`` does not exist yet (a hard link
    instead of the rename, so two writers cannot both win): ``FileExistsError`` otherwise.
    """
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
            os.unlink(tmp)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
