"""A config document (parsed YAML with positions) to a validated ``ServerConfig``.

Also tells a file that references a theme (rendered at load by ``gaib_core.themes.compose``)
from a full config. Kept apart from ``loader`` so that the theme layer can build on it while the
loader dispatches to the theme layer.
"""

from __future__ import annotations

from gaib_core.config.icon import resolve_icon
from gaib_core.config.issues import validate_document
from gaib_core.config.models import ServerConfig
from gaib_core.config.source import LoadedYaml, describe_value
from gaib_core.config.validate import validate_config
from gaib_core.errors import ConfigError, SourceLocation

# A file that references a theme holds its changes in these sections, and no item lists.
CHANGE_SECTIONS = ("overrides", "remove")
ITEM_SECTIONS = ("roles", "categories", "channels")


def is_theme_reference(data: object) -> bool:
    """True for a file that references a theme (rendered at load) rather than copying it.

    That is a file with ``theme:`` that does not list its own roles, categories or channels (or
    that has ``overrides:``/``remove:``). A file listing them is a full copy, as ``init`` wrote
    them before themes were live: its ``theme:`` only records where it came from.
    """
    if not isinstance(data, dict) or "theme" not in data:
        return False
    return any(key in data for key in CHANGE_SECTIONS) or not any(
        key in data for key in ITEM_SECTIONS
    )


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
    resolve_icon(config, source)
    return config
