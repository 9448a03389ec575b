"""Loading a ``discord-server.yaml`` that references a theme: render it, apply the file's changes.

This runs at every load (``validate``, ``plan``, ``apply``, ``render``): the installed theme is
checked against the file's version constraint, rendered with the file's variables, and the
file's ``server``, ``overrides`` and ``remove`` are applied on top
(:mod:`gaib_core.themes.overlay`). The result is validated like any config; every value keeps
the file and line it came from, the community's file or the theme's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gaib_core.config.document import config_from_document
from gaib_core.config.issues import validate_document
from gaib_core.config.models import ServerConfig
from gaib_core.config.source import LoadedYaml
from gaib_core.errors import ConfigError, ThemeError
from gaib_core.themes.discovery import find_theme, registered_themes
from gaib_core.themes.layout import Layout
from gaib_core.themes.manifest import Theme, load_theme
from gaib_core.themes.overlay import Overlay
from gaib_core.themes.reference import ITEM_SECTIONS, ThemedFile, check_version
from gaib_core.themes.render import render_theme_source
from gaib_core.themes.variables import resolve_values

if TYPE_CHECKING:
    from gaib_core.plugins import Hooks


@dataclass
class Composed:
    """A referencing file, loaded: the theme used, the merged document and the config."""

    theme: Theme
    reference: ThemedFile
    document: LoadedYaml
    config: ServerConfig


def compose(source: LoadedYaml, hooks: Hooks | None = None, *, check: bool = True) -> Composed:
    """Render the theme ``source`` references and apply its changes (``ConfigError`` if bad).

    ``check`` runs the cross-file rules of ``validate_config`` on the result.
    """
    _refuse_item_lists(source)
    reference: ThemedFile = validate_document(ThemedFile, source.data, source)
    if hooks is None:
        from gaib_core.plugins import Hooks

        hooks = Hooks()
    theme = installed_theme(reference.theme.name, source, hooks)
    check_version(
        theme.name,
        theme.version,
        reference.theme.version,
        location=source.locate(("theme", "version")),
        theme_path=theme.path,
        owners=hooks.plugin_distributions(),
    )
    document = merged_document(theme, source)
    config = config_from_document(document, check=check)
    return Composed(theme, reference, document, config)


def merged_document(theme: Theme, source: LoadedYaml) -> LoadedYaml:
    """The theme rendered with ``source``'s variables and its changes applied (positions kept)."""
    given = source.get(("theme", "variables"))
    values = resolve_values(
        theme.variables,
        given if isinstance(given, dict) else {},
        source=source,
        path=("theme", "variables"),
    )
    rendered = render_theme_source(theme, values)
    layout = Layout.from_document(rendered.source)
    Overlay(layout, source, theme.name).apply()
    document = layout.to_document(source.file)
    # The record of what was rendered (name, installed version, every value) is the file's
    # `theme:`; state keeps it at each apply and plan compares against it.
    document.locations[()] = source.locate(())
    for path in (("theme",), ("version",)):
        document.locations[path] = source.locate(path)
        document.key_locations[path] = source.locate(path, key=True)
    return document


def installed_theme(name: str, source: LoadedYaml, hooks: Hooks) -> Theme:
    """The theme called ``name`` (or the theme directory ``name``, relative to the file)."""
    where = source.locate(("theme", "name"))
    if name in registered_themes(hooks):
        return find_theme(name, hooks)
    # normpath, not resolve: `init` checks the file before its directory exists.
    directory = Path(os.path.normpath(Path(source.file).parent / name))
    if "/" in name and directory.is_dir():
        return load_theme(directory)
    try:
        return find_theme(name, hooks)
    except ThemeError as exc:
        raise ThemeError(
            f"theme '{name}' is not installed", location=where, field="theme.name", hint=exc.hint
        ) from None


def _refuse_item_lists(source: LoadedYaml) -> None:
    for section in ITEM_SECTIONS:
        if isinstance(source.data, dict) and section in source.data:
            kind = {"roles": "role", "categories": "category", "channels": "channel"}[section]
            raise ConfigError(
                f"a file that references a theme does not list {section}",
                location=source.locate((section,), key=True),
                field=section,
                hint=f"add each under `overrides:` by address ({kind}.KEY: {{name: ...}}), or "
                "run `gaib server render --eject` for a file without the theme",
            )
