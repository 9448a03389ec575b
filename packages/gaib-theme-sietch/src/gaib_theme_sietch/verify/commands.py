"""The application commands the verification service answers (``data/commands.json``)."""

from __future__ import annotations

import json
from importlib import resources

from gaib_core.provider.models import CommandWrite


def verify_commands() -> list[CommandWrite]:
    """``/verify`` (with its ``new_wallet`` option), as registered with Discord."""
    text = resources.files("gaib_theme_sietch.verify").joinpath("data/commands.json").read_text()
    return [CommandWrite.model_validate(item) for item in json.loads(text)]
