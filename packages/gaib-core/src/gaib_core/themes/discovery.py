"""Finding themes: those plugins register (``gaib_register_themes``) and local directories."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gaib_core.errors import GaibError, ThemeError
from gaib_core.themes.manifest import Theme, load_theme

if TYPE_CHECKING:
    from gaib_core.plugins import Hooks


@dataclass
class ThemeListing:
    """One registered theme for ``theme ls``: loaded, or the error that stopped it loading."""

    name: str
    path: Path
    theme: Theme | None = None
    error: str | None = None


def registered_themes(hooks: Hooks) -> dict[str, Path]:
    """Theme name -> directory from every plugin (``ThemeError`` if two claim one name)."""
    try:
        return hooks.themes()
    except ValueError as exc:
        raise ThemeError(str(exc), hint="uninstall or disable one of the plugins") from None


def list_themes(hooks: Hooks) -> list[ThemeListing]:
    """Every registered theme, sorted by name; a broken one carries its error instead."""
    out: list[ThemeListing] = []
    for name, path in sorted(registered_themes(hooks).items()):
        listing = ThemeListing(name=name, path=path)
        try:
            listing.theme = load_theme(path)
        except GaibError as exc:
            listing.error = str(exc)
        out.append(listing)
    return out


def find_theme(name_or_path: str, hooks: Hooks) -> Theme:
    """The theme registered as ``name_or_path``, else the theme directory at that path."""
    registered = registered_themes(hooks)
    if name_or_path in registered:
        return load_theme(registered[name_or_path])
    path = Path(name_or_path).expanduser()
    if path.exists():
        return load_theme(path)
    guess = difflib.get_close_matches(name_or_path, list(registered), n=1)
    if guess:
        hint = f"did you mean '{guess[0]}'?"
    elif registered:
        hint = f"installed themes: {', '.join(sorted(registered))}; or give a theme directory"
    else:
        hint = "no theme is installed (pip install gaib-theme-sietch); or give a theme directory"
    raise ThemeError(f"unknown theme '{name_or_path}'", hint=hint)
