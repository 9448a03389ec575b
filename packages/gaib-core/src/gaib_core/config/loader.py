"""Load ``discord-server.yaml`` keeping where every value was written.

Every pydantic ``ValidationError`` and every cross-file rule is reported in one line::

    discord-server.yaml:14:12: roles[3].color: 'gold' is not a color; write it as '#RRGGBB'

The parts live in their own modules (``source`` parses YAML with positions, ``issues`` turns
validation errors into located issues, ``dump`` writes the file); this module ties them together
and re-exports them, so ``gaib_core.config.loader`` is the one import callers need.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gaib_core.config.document import (
    CHANGE_SECTIONS,
    ITEM_SECTIONS,
    config_from_document,
    is_theme_reference,
)
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

if TYPE_CHECKING:
    from gaib_core.plugins import Hooks

__all__ = [
    "CHANGE_SECTIONS",
    "ITEM_SECTIONS",
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
    "is_theme_reference",
    "issues_from_validation",
    "load_config",
    "load_config_source",
    "load_document",
    "load_yaml",
    "model_at",
    "parse_yaml",
    "read_yaml_text",
    "validate_document",
]


def load_config_source(
    path: Path, *, check: bool = True, hooks: Hooks | None = None
) -> tuple[ServerConfig, LoadedYaml]:
    """The config at ``path`` and its positions (for callers that report their own findings).

    See :func:`load_document` for files that reference a theme.
    """
    return load_document(load_yaml(path), check=check, hooks=hooks)


def load_document(
    source: LoadedYaml, *, check: bool = True, hooks: Hooks | None = None
) -> tuple[ServerConfig, LoadedYaml]:
    """The config of a parsed file and the positions of what it holds.

    A file that references a theme (``theme:`` without its own roles, categories and channels)
    is rendered from the installed theme with the file's variables, overrides and removals;
    ``hooks`` finds the theme (the installed plugins when None). The positions returned are
    then those of the merged document: each value names the file and line it came from.
    """
    if is_theme_reference(source.data):
        # Themes build on this module, so the theme layer is imported where it is needed.
        from gaib_core.themes.compose import compose

        composed = compose(source, hooks, check=check)
        return composed.config, composed.document
    config = config_from_document(source, check=check)
    if config.theme is not None:
        # A full copy with a `theme:` record is the format `init` wrote before themes were live
        # and server settings were managed; there `server.name` only recorded the community's
        # name. It stays informational so such a file plans exactly as it did.
        config.server.name = None
    return config, source


def load_config(path: Path, *, hooks: Hooks | None = None) -> ServerConfig:
    """Load and fully validate ``discord-server.yaml``; ``ConfigError``/``ConfigErrors`` if bad."""
    return load_config_source(path, hooks=hooks)[0]
