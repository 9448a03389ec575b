"""Registers the Sietch v3.0 theme with gaib (entry point ``gaib.sietch``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from gaib_core import hookimpl
from gaib_core.registry import ThemeRegistrar

THEME_DIR = Path(str(resources.files("gaib_theme_sietch").joinpath("theme")))


@hookimpl
def gaib_register_themes(register: ThemeRegistrar) -> None:
    """The ``sietch`` theme directory shipped inside this package."""
    register("sietch", THEME_DIR)
