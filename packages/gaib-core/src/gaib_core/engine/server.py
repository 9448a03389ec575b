"""The server's own settings (address ``server``): wanted, seen, compared and sent.

Only the settings the config writes are managed (``ServerSettings.managed``): the others are
never compared nor sent, so a setting left out of the file never shows up in a plan and removing
one stops managing it (the server keeps its value). Values use Discord's encoding (levels as
numbers) except references: the AFK and system channels are addresses of the config
(``channel.afk``) or ``#<id>`` for a channel gaib does not manage, and ``None`` means "no
channel" (or no description, no icon).

The icon is compared by content. The wanted value is ``sha256:<hex>`` of the file; the guild
only shows Discord's own hash of what it stored, so the state remembers which hash Discord gave
the file gaib last sent (``ServerState``). While the guild still has that hash, its icon is the
file's; any other hash (an icon changed by hand) is drift.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from gaib_core.config.models import ServerSettings
from gaib_core.engine.diff import AttributeChange
from gaib_core.engine.refs import Resolver, raw_id
from gaib_core.provider.models import GuildSettings, GuildWrite
from gaib_core.state.models import ServerState

ADDRESS = "server"
SHA256 = "sha256:"
# Plan attribute -> GuildWrite field, for the settings sent as they are.
_PLAIN = {
    "name": "name",
    "verification_level": "verification_level",
    "default_notifications": "default_message_notifications",
    "explicit_content_filter": "explicit_content_filter",
    "afk_timeout": "afk_timeout",
}


class DesiredServer(BaseModel):
    """The settings the config sets, by plan attribute name, and the icon to upload."""

    attributes: dict[str, Any] = Field(default_factory=dict)
    icon_file: str | None = Field(None, description="The icon as written in the config.")
    icon_data: str | None = Field(
        None, description="The icon as image data (a data URI), sent when the icon changes."
    )

    @property
    def icon_sha256(self) -> str | None:
        """The SHA-256 of the wanted icon (None when no icon is wanted or it is not managed)."""
        value = self.attributes.get("icon")
        return value[len(SHA256) :] if isinstance(value, str) else None


def desired_server(settings: ServerSettings, problems: list[str]) -> DesiredServer:
    """What the config asks of the server (empty when it manages none of its settings)."""
    wanted = DesiredServer()
    for name in settings.managed():
        value = getattr(settings, name)
        if name == "icon":
            icon = settings.icon_file
            if value and icon is None:
                problems.append(
                    f"server.icon: '{value}' was not read (the config was not loaded from a "
                    "file); load it with gaib_core.config.loader.load_config"
                )
                continue
            wanted.attributes[name] = f"{SHA256}{icon.sha256}" if icon else None
            wanted.icon_file = value or None
            wanted.icon_data = icon.data_uri() if icon else None
        elif hasattr(value, "discord_value"):
            wanted.attributes[name] = value.discord_value
        else:
            wanted.attributes[name] = value or None  # '' means none
    return wanted


def observed_server(
    settings: GuildSettings, channels: dict[str, str], recorded: ServerState | None
) -> dict[str, Any]:
    """The guild's settings in the vocabulary of :class:`DesiredServer` (every attribute).

    ``channels`` maps the ids of managed channels to their addresses.
    """

    def channel(channel_id: str | None) -> str | None:
        if channel_id is None:
            return None
        return channels.get(channel_id, f"#{channel_id}")

    icon: str | None = settings.icon
    if icon is not None and recorded is not None and recorded.icon_hash == icon:
        icon = f"{SHA256}{recorded.icon_sha256}"
    return {
        "name": settings.name,
        "description": settings.description or None,
        "icon": icon,
        "verification_level": settings.verification_level,
        "default_notifications": settings.default_message_notifications,
        "explicit_content_filter": settings.explicit_content_filter,
        "afk_channel": channel(settings.afk_channel_id),
        "afk_timeout": settings.afk_timeout,
        "system_channel": channel(settings.system_channel_id),
    }


def diff_server(desired: DesiredServer, observed: dict[str, Any]) -> list[AttributeChange]:
    """One change per managed setting whose value differs."""
    return [
        AttributeChange(attribute=name, before=observed[name], after=value)
        for name, value in desired.attributes.items()
        if observed[name] != value
    ]


def server_references(desired: DesiredServer) -> list[str]:
    """The config addresses the settings point at (they must exist before the server is set)."""
    refs = [desired.attributes.get(name) for name in ("afk_channel", "system_channel")]
    return [ref for ref in refs if isinstance(ref, str) and raw_id(ref) is None]


def guild_write(
    changes: list[AttributeChange], desired: DesiredServer, resolver: Resolver
) -> GuildWrite:
    """The Modify Guild body for the changed settings (ids resolved, the icon as image data)."""
    body = GuildWrite()
    for change in changes:
        name, value = change.attribute, change.after
        if name in _PLAIN:
            setattr(body, _PLAIN[name], value)
        elif name == "description":
            body.description = value
        elif name == "icon":
            body.icon = desired.icon_data if value is not None else None
        elif name in ("afk_channel", "system_channel"):
            setattr(body, f"{name}_id", resolver.id_of(str(value)) if value else None)
    return body


def record(
    desired: DesiredServer, guild_id: str, answer: GuildSettings, previous: ServerState | None
) -> ServerState:
    """The state entry after Modify Guild answered ``answer``."""
    sha = desired.icon_sha256
    kept = previous if previous is not None and previous.id == guild_id else None
    if "icon" in desired.attributes:
        icon_sha, icon_hash = (sha, answer.icon) if sha else (None, None)
    else:
        icon_sha = kept.icon_sha256 if kept else None
        icon_hash = kept.icon_hash if kept else None
    return ServerState(
        id=guild_id,
        attributes=dict(desired.attributes),
        icon_sha256=icon_sha,
        icon_hash=icon_hash,
    )
