"""Configs from other tools' files: ``gaib server convert``.

Two formats are read, told apart by their shape:

- a discord-backup backup (Androz2091/discord-backup's JSON ``BackupData``):
  :mod:`gaib_core.convert.discord_backup`;
- a Discord server template (``GET /guilds/templates/{code}``, or its
  ``serialized_source_guild``): :mod:`gaib_core.convert.server_template`.

:func:`convert_file` reads one and returns a :class:`Conversion`: the config (checked by the
rules ``gaib server validate`` applies) and one warning for each thing the file holds that a
config does not (emojis, bans, messages, member overwrites...).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gaib_core.convert.builder import Conversion, first_error
from gaib_core.errors import ConfigError, SourceLocation

__all__ = ["EXPECTED", "Conversion", "convert_data", "convert_file"]

EXPECTED = (
    "a discord-backup backup (JSON with roles and channels.categories/others) or a Discord "
    "server template (the JSON of GET /guilds/templates/{code}, with serialized_source_guild)"
)


def convert_file(path: Path) -> Conversion:
    """The config that the backup or template at ``path`` describes.

    ``ConfigError`` (one line naming the file) when it cannot be read, is not JSON, is neither
    format, or a field does not fit its format.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(
            "not a text file", location=SourceLocation(str(path)), hint=f"give {EXPECTED}"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"not JSON ({exc.msg})",
            location=SourceLocation(str(path), exc.lineno, exc.colno),
            hint=f"give {EXPECTED}",
        ) from None
    return convert_data(data, str(path))


def convert_data(data: Any, source: str) -> Conversion:
    """The config that parsed JSON ``data`` describes; ``source`` names it in errors."""
    from gaib_core.convert import discord_backup, server_template

    location = SourceLocation(source)
    try:
        if discord_backup.is_discord_backup(data):
            return discord_backup.convert(discord_backup.parse(data))
        if server_template.is_template(data):
            guild, _ = server_template.parse(data)
            return server_template.convert(guild)
    except ValidationError as exc:
        raise ConfigError(
            f"{first_error(exc)}", location=location, hint=f"the file should be {EXPECTED}"
        ) from None
    raise ConfigError(
        f"neither a discord-backup backup nor a Discord server template (found {_describe(data)})",
        location=location,
        hint=f"give {EXPECTED}",
    )


def _describe(data: Any) -> str:
    if isinstance(data, dict):
        keys = ", ".join(list(data)[:6])
        return f"an object with keys {keys}" if keys else "an empty object"
    if isinstance(data, list):
        return f"a list of {len(data)} item(s)"
    return f"a JSON {type(data).__name__}"
