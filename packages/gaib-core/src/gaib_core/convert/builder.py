"""What every converter shares: a ``ServerConfig`` being built, unique address keys, permission
bits turned into names a config may hold, and the warnings for what could not be converted.

A converter never drops anything silently: whatever the source holds that gaib does not
manage (emojis, bans, messages, member overwrites, unknown permission bits...) becomes one
warning naming it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import BeforeValidator, ValidationError

from gaib_core import permissions as perms
from gaib_core.config.models import (
    BOT,
    EVERYONE,
    CategoryConfig,
    ChannelConfig,
    ChannelType,
    Overwrite,
    RoleConfig,
    ServerConfig,
    slug,
)
from gaib_core.config.validate import normalize_channel_name

# Which letter of permissions.json's `channel` list a channel kind takes (None: a category,
# which takes every channel permission).
_PERMISSION_CLASS = {
    ChannelType.TEXT: "T",
    ChannelType.ANNOUNCEMENT: "T",
    ChannelType.FORUM: "T",
    ChannelType.VOICE: "V",
    ChannelType.STAGE: "S",
}


@dataclass
class Conversion:
    """A converted config, the format it came from, and what was left out (one line each)."""

    config: ServerConfig
    source_format: str
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: The server icon's bytes when the source holds the image itself; ``config.server.icon``
    #: names the file to write them to, beside the config.
    icon: bytes | None = None

    def without_icon(self, why: str) -> None:
        """Leave the icon out of the config (it cannot be written where the config goes)."""
        if self.icon is not None:
            self.icon = None
            self.config.server.icon = None
            self.warnings.append(f"server icon: {why}")

    def yaml(self, source: str) -> str:
        """``discord-server.yaml`` text, headed by where it came from and what was left out."""
        from gaib_core.config.dump import dump_config

        header = [
            f"Converted by `gaib server convert` from {printable(source)} ({self.source_format})."
        ]
        if self.warnings:
            header.append("Not converted:")
            header.extend(f"- {warning}" for warning in self.warnings)
        if self.notes:
            header.append("Added by convert:")
            header.extend(f"- {note}" for note in self.notes)
        return dump_config(self.config, header="\n".join(header))


def printable(text: str) -> str:
    """``text`` with control, format and separator characters (bidirectional overrides among
    them; not the zero-width joiner of emoji) written as ``\\u`` and four hex digits: warnings
    quote the source's names, and they go to terminals and YAML comments."""
    return "".join(
        f"\\u{ord(c):04x}"
        if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") and c != "\u200d"
        else c
        for c in text
    )


_DECIMAL = re.compile(r"[0-9]{1,40}")


def _bitfield(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**128:
        return value
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        return int(value)
    raise ValueError(f"{value!r} is not a permission bitfield (a decimal string, e.g. '1024')")


#: A permission bitfield as Discord and discord.js write it: a decimal string (or a number).
Bitfield = Annotated[int, BeforeValidator(_bitfield)]


def synced(overwrites: dict[str, Overwrite], kind: ChannelType) -> dict[str, Overwrite]:
    """A category's overwrites from the source, restricted to what applies to a child of
    ``kind`` (``@bot``, which convert adds, left out): a child whose own overwrites equal these
    is synced with its category."""
    letter = _PERMISSION_CLASS[kind]
    out = {}
    for target, overwrite in overwrites.items():
        if target == BOT:
            continue
        allow, deny = (
            [n for n in names if (info := perms.lookup(n)) is not None and letter in info.channel]
            for names in (overwrite.allow, overwrite.deny)
        )
        out[target] = Overwrite(allow=allow, deny=deny)
    return out


@dataclass(frozen=True)
class ChannelSource:
    """The channel attributes both source formats hold, under gaib's names."""

    name: str
    bitrate: int | None = None
    user_limit: int | None = None
    topic: str | None = None
    nsfw: bool | None = None
    slowmode: int | None = None


def first_error(exc: ValidationError) -> str:
    """The first problem of a pydantic error as ``field: message``."""
    error = exc.errors()[0]
    where = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"]
    ).lstrip(".")
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


class ConfigBuilder:
    """Builds a ``ServerConfig`` item by item, collecting warnings for what does not fit."""

    def __init__(self, source_format: str) -> None:
        self.conversion = Conversion(config=ServerConfig(), source_format=source_format)
        self._keys: dict[str, set[str]] = {"role": set(), "category": set(), "channel": set()}
        self.role_names: set[str] = set()

    @property
    def config(self) -> ServerConfig:
        """The config built so far."""
        return self.conversion.config

    def warn(self, message: str) -> None:
        """Record something the source holds that the config does not."""
        self.conversion.warnings.append(printable(message))

    def key(self, kind: str, name: str) -> str | None:
        """None when the name's own key is free, else a unique ``<key>_<n>`` (recorded)."""
        base = slug(name)
        taken = self._keys[kind]
        if base not in taken:
            taken.add(base)
            return None
        n = 2
        while f"{base}_{n}" in taken:
            n += 1
        taken.add(f"{base}_{n}")
        return f"{base}_{n}"

    def visible_to_bot(self, overwrites: dict[str, Overwrite], what: str) -> dict[str, Overwrite]:
        """``overwrites`` with ``@bot`` allowed VIEW_CHANNEL (and CONNECT) where @everyone is
        denied it.

        A bot must see a channel to manage it, and connect to a voice channel to manage it
        (Discord answers 50013 otherwise, and ``plan`` refuses such a config); the source's own
        bot role is not among the converted roles.
        """
        everyone = overwrites.get(EVERYONE)
        if everyone is None or BOT in overwrites:
            return overwrites
        needed = [name for name in ("VIEW_CHANNEL", "CONNECT") if name in everyone.deny]
        if not needed:
            return overwrites
        cannot = " or connect to it" if "CONNECT" in needed else ""
        cannot = "see it" + cannot if "VIEW_CHANNEL" in needed else "connect to it"
        self.conversion.notes.append(
            printable(
                f"{what}: @everyone cannot {cannot}, so '@bot' is allowed {' and '.join(needed)} "
                "(gaib's bot must see a channel, and connect to a voice channel, to manage it)"
                if "CONNECT" in needed
                else f"{what}: @everyone cannot see it, so '@bot' is allowed VIEW_CHANNEL "
                "(gaib's bot must see a channel to manage it)"
            )
        )
        return {**overwrites, BOT: Overwrite(allow=needed, deny=[])}

    def channel_fields(
        self,
        source: ChannelSource,
        kind: ChannelType,
        overwrites: dict[str, Overwrite],
        parent: CategoryConfig | None,
    ) -> dict[str, object]:
        """A channel's config fields from what both formats store alike: voice fields for
        voice-like kinds, text fields otherwise, and ``overwrites`` only where the channel is
        not synced with its category."""
        fields: dict[str, object] = {"name": source.name, "type": kind}
        if kind.is_voice_like:
            if source.bitrate:
                fields["bitrate"] = source.bitrate
            if source.user_limit is not None:
                fields["user_limit"] = source.user_limit
        else:
            if source.topic:
                fields["topic"] = source.topic
            if source.nsfw:
                fields["nsfw"] = True
            if source.slowmode:
                fields["slowmode"] = source.slowmode
        if parent is None or overwrites != synced(parent.overwrites, kind):
            fields["overwrites"] = self.visible_to_bot(overwrites, f"channel '{source.name}'")
        return fields

    def role_permissions(self, bits: int, what: str) -> list[str]:
        """Names of the known permissions in ``bits``; unknown bits become a warning."""
        unknown = bits & ~perms.all_bits()
        if unknown:
            self.warn(f"{what}: unknown permission bits {unknown} (not in gaib's table) left out")
        return perms.to_names(bits & perms.all_bits())

    def overwrite(self, allow: int, deny: int, kind: ChannelType | None, what: str) -> Overwrite:
        """An overwrite keeping the bits that apply to ``kind`` (None: a category)."""
        allowed = self._channel_names(allow, kind, what)
        denied = [name for name in self._channel_names(deny, kind, what) if name not in allowed]
        if len(denied) != len(self._channel_names(deny, kind, None)):
            self.warn(f"{what}: permissions both allowed and denied are kept as allowed")
        return Overwrite(allow=allowed, deny=denied)

    def _channel_names(self, bits: int, kind: ChannelType | None, what: str | None) -> list[str]:
        names = []
        dropped = []
        unknown = bits & ~perms.all_bits()
        for info in perms.all_permissions():
            if not bits & info.value:
                continue
            if info.channel and (kind is None or _PERMISSION_CLASS[kind] in info.channel):
                names.append(info.name)
            else:
                dropped.append(info.name)
        if what is not None and (dropped or unknown):
            where = f"a {kind.value} channel" if kind is not None else "a category"
            parts = [f"{', '.join(dropped)} (does not apply to {where})"] if dropped else []
            if unknown:
                parts.append(f"unknown bits {unknown}")
            self.warn(f"{what}: {'; '.join(parts)} left out")
        return names

    def add_role(self, fields: dict[str, object], what: str) -> RoleConfig | None:
        """Append a role (None and a warning when it cannot be one)."""
        name = str(fields["name"])
        if name in self.role_names:
            self.warn(f"{what}: a second role named '{name}' skipped (overwrites name roles)")
            return None
        try:
            role = RoleConfig.model_validate({**fields, "key": self.key("role", name)})
        except ValidationError as exc:
            self.warn(f"{what}: {first_error(exc)}; skipped")
            return None
        self.role_names.add(name)
        self.config.roles.append(role)
        return role

    def make_category(self, fields: dict[str, object], what: str) -> CategoryConfig | None:
        """A category (None and a warning when it cannot be one, or its name is taken)."""
        name = str(fields["name"])
        if any(category.name == name for category in self.config.categories):
            self.warn(f"{what}: a second category named '{name}' skipped")
            return None
        try:
            category = CategoryConfig.model_validate(fields)
        except ValidationError as exc:
            self.warn(f"{what}: {first_error(exc)}; skipped")
            return None
        category.key = self.key("category", name)
        return category

    def make_channel(
        self, fields: dict[str, object], siblings: list[ChannelConfig], what: str
    ) -> ChannelConfig | None:
        """A channel (None and a warning when it cannot be one or duplicates a sibling)."""
        try:
            channel = ChannelConfig.model_validate(fields)
        except ValidationError as exc:
            self.warn(f"{what}: {first_error(exc)}; skipped")
            return None
        normal = normalize_channel_name(channel.name, channel.type)
        if not normal:
            self.warn(f"{what}: the name is empty once Discord normalises it; skipped")
            return None
        for other in siblings:
            if (
                other.type == channel.type
                and normalize_channel_name(other.name, other.type) == normal
            ):
                self.warn(f"{what}: a second {channel.type.value} channel '{normal}' skipped")
                return None
        channel.key = self.key("channel", channel.name)
        return channel

    def finish(self) -> Conversion:
        """The conversion, checked by the same rules ``gaib server validate`` applies."""
        from gaib_core.config.validate import validate_config

        validate_config(self.config)
        return self.conversion
