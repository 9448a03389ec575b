"""gaib's own optional packages (data/companions.json) and what their absence leaves out.

gaib-cli works without them: their commands are simply not there. ``gaib plugins`` says which
are missing, so a user who looks for ``gaib server backup`` learns what to install.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from gaib_core.plugins import DISABLE_ENV


@dataclass(frozen=True)
class Companion:
    """One optional package and the commands and features it adds."""

    package: str
    adds: str


def companions() -> list[Companion]:
    """Every optional package gaib knows of, from data/companions.json."""
    text = resources.files("gaib_cli").joinpath("data/companions.json").read_text("utf-8")
    return [Companion(**item) for item in json.loads(text)["companions"]]


def absent_companions(origins: Iterable[str]) -> list[str]:
    """One line for each optional package no loaded plugin comes from.

    ``origins`` are the loaded plugins' "distribution version" strings (``plugin_names``).
    """
    loaded = {origin.split(" ", 1)[0] for origin in origins}
    notes = []
    for companion in companions():
        if companion.package in loaded:
            continue
        try:
            version = importlib.metadata.version(companion.package)
        except importlib.metadata.PackageNotFoundError:
            notes.append(
                f"{companion.package} is not installed, so these are absent: {companion.adds} "
                f"(pip install {companion.package})."
            )
            continue
        notes.append(
            f"{companion.package} {version} is installed but not loaded ({DISABLE_ENV}="
            f"{os.environ.get(DISABLE_ENV, '')}), so these are absent: {companion.adds}."
        )
    return notes
