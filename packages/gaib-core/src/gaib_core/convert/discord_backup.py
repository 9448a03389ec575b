"""discord-backup's JSON backups (Androz2091/discord-backup, the npm package) as a config.

Its ``BackupData``: ``name``, ``verificationLevel``, ``explicitContentFilter``,
``defaultMessageNotifications``, ``afk {name, timeout}``, ``roles[]`` (``name``, ``color``
``#rrggbb``, ``hoist``, ``permissions`` as a bitfield string, ``mentionable``, ``position``,
``isEveryone``), ``channels {categories[] {name, permissions[], children[]}, others[]}`` (each
channel: ``type``, ``name``, ``permissions[] {roleName, allow, deny}``, ``nsfw``, ``topic``,
``rateLimitPerUser``, ``isNews``, ``bitrate``, ``userLimit``, ``messages[]``, ``threads[]``),
``bans``, ``emojis``, ``members``, icon, splash, banner and widget. Versions 2 (discord.js v12:
``type: "text"``, bitfields as numbers), 3.0 (v13: ``"GUILD_TEXT"``, ``"NONE"``) and 3.3+ (v14:
numbers) are read alike; a ``BackupInfos`` wrapper (``{id, size, data}``) is unwrapped.

Roles are listed highest first (by ``position``); @everyone's permissions become
``server.everyone_permissions``; an icon saved as ``iconBase64`` becomes ``server.icon``
(``server-icon.png``, its bytes in ``Conversion.icon`` for the caller to write beside the config). Overwrites name roles, as in the backup. A child channel whose
overwrites equal its category's stays synced (no ``overwrites`` of its own).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gaib_core import images
from gaib_core.config.models import (
    EVERYONE,
    CategoryConfig,
    ChannelConfig,
    ChannelType,
    Overwrite,
    normalize_color,
)
from gaib_core.convert.builder import Bitfield, ChannelSource, ConfigBuilder, Conversion
from gaib_core.convert.settings import ServerFields

FORMAT = "discord-backup"
ICON_FILE = "server-icon"
_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif"}


class _Lenient(BaseModel):
    # discord-backup's files carry more than gaib reads; unknown keys are not errors.
    model_config = ConfigDict(extra="ignore")


class PermissionData(_Lenient):
    """``ChannelPermissionsData``: one role's overwrite."""

    roleName: str
    allow: Bitfield = 0
    deny: Bitfield = 0


class ChannelData(_Lenient):
    """``TextChannelData`` or ``VoiceChannelData``."""

    type: int | str = 0
    name: str
    permissions: list[PermissionData] = Field(default_factory=list)
    nsfw: bool | None = None
    topic: str | None = None
    rateLimitPerUser: int | None = None
    isNews: bool = False
    bitrate: int | None = None
    userLimit: int | None = None
    messages: list[Any] = Field(default_factory=list)
    threads: list[Any] = Field(default_factory=list)


class CategoryData(_Lenient):
    """``CategoryData``."""

    name: str
    permissions: list[PermissionData] = Field(default_factory=list)
    children: list[ChannelData] = Field(default_factory=list)


class ChannelsData(_Lenient):
    """``ChannelsData``."""

    categories: list[CategoryData] = Field(default_factory=list)
    others: list[ChannelData] = Field(default_factory=list)


class RoleData(_Lenient):
    """``RoleData``."""

    name: str
    color: str | int | None = None
    hoist: bool = False
    permissions: Bitfield = 0
    mentionable: bool = False
    position: int = 0
    isEveryone: bool = False


class AfkData(_Lenient):
    """``AfkData``: the AFK channel by name and the timeout in seconds."""

    name: str
    timeout: int


class BackupData(_Lenient):
    """``BackupData``, the whole backup file."""

    name: str
    verificationLevel: int | str | None = None
    explicitContentFilter: int | str | None = None
    defaultMessageNotifications: int | str | None = None
    afk: AfkData | None = None
    channels: ChannelsData
    roles: list[RoleData]
    bans: list[Any] = Field(default_factory=list)
    emojis: list[Any] = Field(default_factory=list)
    members: list[Any] = Field(default_factory=list)
    iconURL: str | None = None
    iconBase64: str | None = None
    splashURL: str | None = None
    splashBase64: str | None = None
    bannerURL: str | None = None
    bannerBase64: str | None = None
    widget: dict[str, Any] | None = None
    guildID: str | None = None


# Channel `type` as each discord.js generation wrote it.
_TYPES: dict[int | str, ChannelType] = {
    0: ChannelType.TEXT,
    2: ChannelType.VOICE,
    5: ChannelType.ANNOUNCEMENT,
    13: ChannelType.STAGE,
    15: ChannelType.FORUM,
    "text": ChannelType.TEXT,
    "voice": ChannelType.VOICE,
    "news": ChannelType.ANNOUNCEMENT,
    "stage": ChannelType.STAGE,
    "GUILD_TEXT": ChannelType.TEXT,
    "GUILD_VOICE": ChannelType.VOICE,
    "GUILD_NEWS": ChannelType.ANNOUNCEMENT,
    "GUILD_STAGE_VOICE": ChannelType.STAGE,
    "GUILD_FORUM": ChannelType.FORUM,
}


def is_discord_backup(data: Any) -> bool:
    """Whether ``data`` is shaped like a discord-backup backup (or its ``BackupInfos``)."""
    if isinstance(data, dict) and isinstance(data.get("data"), dict) and "size" in data:
        data = data["data"]
    return (
        isinstance(data, dict)
        and isinstance(data.get("roles"), list)
        and isinstance(data.get("channels"), dict)
        and ("categories" in data["channels"] or "others" in data["channels"])
    )


def parse(data: Any) -> BackupData:
    """The backup's model (``pydantic.ValidationError`` when a field does not fit)."""
    if isinstance(data.get("data"), dict) and "size" in data:
        data = data["data"]
    return BackupData.model_validate(data)


def convert(backup: BackupData) -> Conversion:
    """The config the backup describes, and what it holds that a config does not."""
    return _Converter(backup).run()


class _Converter:
    def __init__(self, backup: BackupData) -> None:
        self.backup = backup
        self.build = ConfigBuilder(FORMAT)

    def run(self) -> Conversion:
        self._roles()
        for index, category in enumerate(self.backup.channels.categories):
            self._category(index, category)
        others = self.backup.channels.others
        self.build.config.channels = self._channels(others, None, "channels.others")
        self._server()
        self._left_out()
        return self.build.finish()

    def _roles(self) -> None:
        ordered = sorted(enumerate(self.backup.roles), key=lambda item: -item[1].position)
        for index, role in ordered:
            what = f"roles[{index}] '{role.name}'"
            if role.isEveryone or role.name == EVERYONE:
                bits = role.permissions
                names = self.build.role_permissions(bits, what)
                self.build.config.server.everyone_permissions = names
                continue
            self.build.add_role(
                {
                    "name": role.name,
                    "color": _color(role.color, self.build, what),
                    "hoist": role.hoist,
                    "mentionable": role.mentionable,
                    "permissions": self.build.role_permissions(role.permissions, what),
                },
                what,
            )

    def _overwrites(
        self, permissions: list[PermissionData], kind: ChannelType | None, what: str
    ) -> dict[str, Overwrite]:
        out: dict[str, Overwrite] = {}
        for perm in permissions:
            target = perm.roleName
            if target != EVERYONE and target not in self.build.role_names:
                self.build.warn(
                    f"{what}: overwrite for role '{target}', which is not among the converted "
                    "roles (a bot's or integration's role), left out"
                )
                continue
            out[target] = self.build.overwrite(
                perm.allow, perm.deny, kind, f"{what} overwrite {target}"
            )
        return out

    def _category(self, index: int, data: CategoryData) -> None:
        what = f"channels.categories[{index}] '{data.name}'"
        category = self.build.make_category(
            {
                "name": data.name,
                "overwrites": self.build.visible_to_bot(
                    self._overwrites(data.permissions, None, what), f"category '{data.name}'"
                ),
            },
            what,
        )
        if category is None:
            return
        category.channels = self._channels(
            data.children, category, f"channels.categories[{index}].children"
        )
        self.build.config.categories.append(category)

    def _channels(
        self, items: list[ChannelData], parent: CategoryConfig | None, where: str
    ) -> list[ChannelConfig]:
        out: list[ChannelConfig] = []
        # Discord lists text-like channels before voice-like ones; so does a config.
        ordered = sorted(
            enumerate(items),
            key=lambda item: _kind(item[1]) in (ChannelType.VOICE, ChannelType.STAGE),
        )
        for index, data in ordered:
            what = f"{where}[{index}] '{data.name}'"
            kind = _kind(data)
            if kind is None:
                self.build.warn(
                    f"{what}: channel type {data.type!r} is not one gaib manages; skipped"
                )
                continue
            fields = self._fields(data, kind, parent, what)
            channel = self.build.make_channel(fields, out, what)
            if channel is not None:
                out.append(channel)
            if data.threads:
                self.build.warn(f"{what}: {len(data.threads)} thread(s) not converted")
        return out

    def _fields(
        self, data: ChannelData, kind: ChannelType, parent: CategoryConfig | None, what: str
    ) -> dict[str, object]:
        source = ChannelSource(
            name=data.name,
            bitrate=data.bitrate,
            user_limit=data.userLimit,
            topic=data.topic,
            nsfw=data.nsfw,
            slowmode=data.rateLimitPerUser,
        )
        overwrites = self._overwrites(data.permissions, kind, what)
        return self.build.channel_fields(source, kind, overwrites, parent)

    def _server(self) -> None:
        backup = self.backup
        server = ServerFields(self.build)
        server.name(backup.name)
        server.verification_level(backup.verificationLevel)
        server.explicit_content_filter(backup.explicitContentFilter)
        server.default_notifications(backup.defaultMessageNotifications)
        if backup.afk is not None:
            server.afk_by_name(backup.afk.name, backup.afk.timeout)

    def _left_out(self) -> None:
        backup, warn = self.backup, self.build.warn
        if backup.iconBase64:
            self._icon(backup.iconBase64)
        elif backup.iconURL:
            warn(
                f"server icon: the backup holds only its URL ({backup.iconURL}); save the image "
                "beside discord-server.yaml and set server.icon to its file name"
            )
        for what, url, b64 in (
            ("splash", backup.splashURL, backup.splashBase64),
            ("banner", backup.bannerURL, backup.bannerBase64),
        ):
            if url or b64:
                warn(f"server {what} image: gaib does not manage it")
        if backup.widget and backup.widget.get("enabled"):
            warn("server widget settings: gaib does not manage them")
        for what, items in (
            ("emoji", backup.emojis),
            ("ban", backup.bans),
            ("member", backup.members),
        ):
            if items:
                warn(f"{len(items)} {what}(s): gaib manages structure, not {what}s")
        messages = [channel.messages for channel in self._every_channel() if channel.messages]
        if messages:
            total = sum(len(m) for m in messages)
            warn(
                f"{total} message(s) in {len(messages)} channel(s): gaib does not restore messages"
            )

    def _icon(self, encoded: str) -> None:
        """The icon discord-backup saved as base64 (``saveImages: "base64"``)."""
        try:
            image = images.from_bytes(base64.b64decode(encoded, validate=True))
        except (binascii.Error, ValueError) as exc:
            self.build.warn(f"server icon: iconBase64 is not an image Discord takes ({exc})")
            return
        self.build.conversion.icon = image.content
        self.build.config.server.icon = ICON_FILE + _EXTENSIONS[image.mime]

    def _every_channel(self) -> list[ChannelData]:
        channels = list(self.backup.channels.others)
        for category in self.backup.channels.categories:
            channels.extend(category.children)
        return channels


def _kind(data: ChannelData) -> ChannelType | None:
    kind = _TYPES.get(data.type)
    if kind is ChannelType.TEXT and data.isNews:
        return ChannelType.ANNOUNCEMENT
    return kind


def _color(value: str | int | None, build: ConfigBuilder, what: str) -> str:
    if value is None or value == "":
        return "#000000"
    try:
        return normalize_color(value)
    except ValueError:
        build.warn(f"{what}: color {value!r} is not #rrggbb; written as no color (#000000)")
        return "#000000"
