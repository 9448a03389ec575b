"""Server settings from a converted source: Discord's numbers (or discord.js's names) as the
words a config uses, each written only when the source has it."""

from __future__ import annotations

from typing import get_args

from pydantic import ValidationError

from gaib_core.config.models import (
    ChannelType,
    ContentFilter,
    DefaultNotifications,
    ServerSettings,
    VerificationLevel,
)
from gaib_core.convert.builder import ConfigBuilder, first_error

# discord.js v12/v13 wrote names; v14 and Discord's API write numbers (the enum's index).
_NAMES: dict[str, dict[str, str]] = {
    "verification_level": {"VERY_HIGH": "very_high"},
    "explicit_content_filter": {},
    "default_notifications": {"ALL": "all_messages", "MENTIONS": "only_mentions"},
}
_ENUMS: dict[str, list[str]] = {
    "verification_level": [level.value for level in VerificationLevel],
    "explicit_content_filter": [level.value for level in ContentFilter],
    "default_notifications": [level.value for level in DefaultNotifications],
}
AFK_TIMEOUTS: tuple[int, ...] = get_args(
    get_args(ServerSettings.model_fields["afk_timeout"].annotation)[0]
)


class ServerFields:
    """Sets ``server:`` fields of the builder's config, warning about values that do not fit."""

    def __init__(self, build: ConfigBuilder) -> None:
        self.build = build
        self.server = build.config.server

    def set(self, field: str, value: object) -> None:
        """Set ``server.<field>`` when the config model takes the value, else warn."""
        try:
            checked = ServerSettings.model_validate({field: value})
        except ValidationError as exc:
            self.build.warn(f"server {first_error(exc)}; left out")
            return
        setattr(self.server, field, getattr(checked, field))

    def name(self, value: str | None) -> None:
        """The server's name."""
        if value:
            self.set("name", value)

    def _enum(self, field: str, value: int | str | None) -> None:
        if value is None:
            return
        values = _ENUMS[field]
        word: str | None = None
        if isinstance(value, int) and 0 <= value < len(values):
            word = values[value]
        elif isinstance(value, str):
            upper = value.upper()
            word = _NAMES[field].get(upper, upper.lower())
        if word not in values:
            self.build.warn(
                f"server {field}: {value!r} is not one of {', '.join(values)}; left out"
            )
            return
        self.set(field, word)

    def verification_level(self, value: int | str | None) -> None:
        """``none`` ... ``very_high``."""
        self._enum("verification_level", value)

    def explicit_content_filter(self, value: int | str | None) -> None:
        """``disabled``, ``members_without_roles`` or ``all_members``."""
        self._enum("explicit_content_filter", value)

    def default_notifications(self, value: int | str | None) -> None:
        """``all_messages`` or ``only_mentions``."""
        self._enum("default_notifications", value)

    def afk_timeout(self, seconds: int | None) -> None:
        """Seconds before idle members move to the AFK channel."""
        if seconds is None:
            return
        if seconds not in AFK_TIMEOUTS:
            allowed = ", ".join(str(s) for s in AFK_TIMEOUTS)
            self.build.warn(f"server afk_timeout: {seconds} is not one of {allowed}; left out")
            return
        self.server.afk_timeout = seconds  # type: ignore[assignment]

    def afk_by_name(self, name: str, timeout: int | None) -> None:
        """The AFK channel named ``name`` (a voice channel of the config) and the timeout."""
        found = self._channel(name, ChannelType.VOICE)
        if found is None:
            self.build.warn(f"server afk channel '{name}': no voice channel of that name; left out")
        else:
            self.server.afk_channel = found
        self.afk_timeout(timeout)

    def channel_address(self, field: str, address: str | None, kind: ChannelType) -> None:
        """``afk_channel`` or ``system_channel`` as the address of a converted channel."""
        if address is None:
            return
        if not any(
            c.address == address and c.type is kind for _, c in self.build.config.all_channels()
        ):
            self.build.warn(f"server {field}: not a {kind.value} channel of the config; left out")
            return
        setattr(self.server, field, address)

    def _channel(self, name: str, kind: ChannelType) -> str | None:
        for _, channel in self.build.config.all_channels():
            if channel.name == name and channel.type is kind:
                return channel.address
        return None
