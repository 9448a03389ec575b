"""Load ``discord-server.yaml`` keeping where every value was written.

Every pydantic ``ValidationError`` and every cross-file rule is reported in one line::

    discord-server.yaml:14:12: roles[3].color: 'gold' is not a color; write it as '#RRGGBB'

The parts live in their own modules (``source`` parses YAML with positions, ``issues`` turns
validation errors into located issues, ``dump`` writes the file); this module ties them together
and re-exports them, so ``gaib_core.config.loader`` is the one import callers need.
"""

from __future__ import annotations

from pathlib import Path

from gaib_core.config.dump import config_document, dump_config, dump_yaml
from gaib_core.config.issues import issues_from_validation, model_at, validate_document
from gaib_core.config.models import ServerConfig
from gaib_core.config.source import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_INT_DIGITS,
    MAX_NODES,
    LoadedYaml,
    PathKey,
    describe_value,
    format_path,
    load_yaml,
    parse_yaml,
    read_yaml_text,
)
from gaib_core.config.validate import validate_config
from gaib_core.errors import ConfigError, SourceLocation

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_INT_DIGITS",
    "MAX_NODES",
    "LoadedYaml",
    "PathKey",
    "config_document",
    "config_from_document",
    "describe_value",
    "dump_config",
    "dump_yaml",
    "format_path",
    "issues_from_validation",
    "load_config",
    "load_config_source",
    "load_yaml",
    "model_at",
    "parse_yaml",
    "read_yaml_text",
    "validate_document",
]


def config_from_document(source: LoadedYaml, *, check: bool = True) -> ServerConfig:
    """A ``ServerConfig`` from loaded data, with located errors; ``check`` runs the cross rules."""
    if source.data is None:
        raise ConfigError(
            "the file is empty",
            location=SourceLocation(source.file),
            hint="run `gaib server init --theme NAME` to create one",
        )
    if not isinstance(source.data, dict):
        raise ConfigError(
            f"the top level must be a mapping (version, server, roles, ...), got "
            f"{describe_value(source.data)}",
            location=source.locate(()),
        )
    config: ServerConfig = validate_document(ServerConfig, source.data, source)
    if check:
        validate_config(config, source)
    return config


def load_config_source(path: Path, *, check: bool = True) -> tuple[ServerConfig, LoadedYaml]:
    """The config at ``path`` and its positions (for callers that report their own findings)."""
    source = load_yaml(path)
    return config_from_document(source, check=check), source


def load_config(path: Path) -> ServerConfig:
    """Load and fully validate ``discord-server.yaml``; ``ConfigError``/``ConfigErrors`` if bad."""
    return load_config_source(path)[0]
