"""Themes: installable, typed templates of ``discord-server.yaml``.

A theme is a directory with ``theme.yaml`` (name, version, description, files, variables), the
partial config files it lists, and ``README.md``. Rendering interpolates ``${name}``, applies
``when:`` flags, merges the files and validates the result into a ``ServerConfig``.
"""

from gaib_core.themes.discovery import ThemeListing, find_theme, list_themes, registered_themes
from gaib_core.themes.manifest import Theme, ThemeManifest, load_theme
from gaib_core.themes.render import (
    RenderedTheme,
    render_theme,
    render_theme_document,
    render_theme_source,
)
from gaib_core.themes.variables import VariableSpec, coerce_value, resolve_values

__all__ = [
    "RenderedTheme",
    "Theme",
    "ThemeListing",
    "ThemeManifest",
    "VariableSpec",
    "coerce_value",
    "find_theme",
    "list_themes",
    "load_theme",
    "registered_themes",
    "render_theme",
    "render_theme_document",
    "render_theme_source",
    "resolve_values",
]
