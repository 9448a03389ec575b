"""Discord server templates (``GET /guilds/templates/{code}``) as a config.

A template's ``serialized_source_guild`` holds the guild with ids local to the template: roles
numbered from 0 (``0`` is @everyone) in the order Discord lists them, lowest first; channels
with integer ids, ``parent_id`` naming a category's id, and ``permission_overwrites`` naming
role ids. The bare ``serialized_source_guild`` object is read as well.

Roles become a config listed highest first; @everyone's permissions become
``server.everyone_permissions``; ``afk_channel_id`` and ``system_channel_id`` become channel
addresses. A child channel whose overwrites equal its category's stays synced.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gaib_core.config.models import (
    CATEGORY_TYPE,
    EVERYONE,
    CategoryConfig,
    ChannelConfig,
    ChannelType,
    Overwrite,
    normalize_color,
)
from gaib_core.convert.builder import Bitfield, ChannelSource, ConfigBuilder, Conversion
from gaib_core.convert.settings import ServerFields

FORMAT = "Discord server template"

Id = int | str


class _Lenient(BaseModel):
    # Templates carry more than gaib reads (tags, locale, flags); unknown keys are not errors.
    model_config = ConfigDict(extra="ignore")


class TemplateOverwrite(_Lenient):
    """``permission_overwrites[]``: ``type`` 0 = role, 1 = member."""

    id: Id
    type: int | str = 0
    allow: Bitfield = 0
    deny: Bitfield = 0


class TemplateChannel(_Lenient):
    """``GuildTemplateChannelResponse``."""

    id: Id | None = None
    type: int
    name: str | None = None
    position: int | None = None
    topic: str | None = None
    bitrate: int | None = None
    user_limit: int | None = None
    nsfw: bool = False
    rate_limit_per_user: int | None = None
    parent_id: Id | None = None
    permission_overwrites: list[TemplateOverwrite] = Field(default_factory=list)
    available_tags: list[Any] | None = None


class TemplateRole(_Lenient):
    """``GuildTemplateRoleResponse``."""

    id: Id
    name: str
    permissions: Bitfield = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    icon: str | None = None
    unicode_emoji: str | None = None


class TemplateGuild(_Lenient):
    """``GuildTemplateSnapshotResponse`` (``serialized_source_guild``)."""

    name: str
    description: str | None = None
    verification_level: int | None = None
    default_message_notifications: int | None = None
    explicit_content_filter: int | None = None
    preferred_locale: str | None = None
    afk_channel_id: Id | None = None
    afk_timeout: int | None = None
    system_channel_id: Id | None = None
    system_channel_flags: int | None = None
    roles: list[TemplateRole]
    channels: list[TemplateChannel]


def is_template(data: Any) -> bool:
    """Whether ``data`` is a template (or its ``serialized_source_guild``)."""
    if isinstance(data, dict) and isinstance(data.get("serialized_source_guild"), dict):
        return True
    return (
        isinstance(data, dict)
        and isinstance(data.get("roles"), list)
        and isinstance(data.get("channels"), list)
    )


def parse(data: dict[str, Any]) -> tuple[TemplateGuild, str]:
    """The template's guild and the field path it was read from (for error messages)."""
    if isinstance(data.get("serialized_source_guild"), dict):
        return TemplateGuild.model_validate(
            data["serialized_source_guild"]
        ), "serialized_source_guild"
    return TemplateGuild.model_validate(data), ""


def convert(guild: TemplateGuild) -> Conversion:
    """The config the template describes, and what it holds that a config does not."""
    return _Converter(guild).run()


_KINDS = {
    0: ChannelType.TEXT,
    2: ChannelType.VOICE,
    5: ChannelType.ANNOUNCEMENT,
    13: ChannelType.STAGE,
    15: ChannelType.FORUM,
}
_VOICE_LIKE = (ChannelType.VOICE, ChannelType.STAGE)


class _Converter:
    def __init__(self, guild: TemplateGuild) -> None:
        self.guild = guild
        self.build = ConfigBuilder(FORMAT)
        self.role_names: dict[str, str] = {}  # template role id -> name in the config
        self.addresses: dict[str, str] = {}  # template channel id -> channel address

    def run(self) -> Conversion:
        self._roles()
        channels = sorted(
            enumerate(self.guild.channels),
            key=lambda item: item[1].position if item[1].position is not None else item[0],
        )
        categories = [(i, c) for i, c in channels if c.type == CATEGORY_TYPE]
        category_ids = {str(c.id) for _, c in categories if c.id is not None}
        for index, data in categories:
            self._category(index, data, channels)
        top = [
            (i, c)
            for i, c in channels
            if c.type != CATEGORY_TYPE
            and (c.parent_id is None or str(c.parent_id) not in category_ids)
        ]
        self.build.config.channels = self._channels(top, None)
        self._server()
        return self.build.finish()

    def _roles(self) -> None:
        # Discord serialises roles lowest first; a config lists them highest first.
        for index, role in reversed(list(enumerate(self.guild.roles))):
            what = f"roles[{index}] '{role.name}'"
            bits = role.permissions
            if str(role.id) == "0" or role.name == EVERYONE:
                self.build.config.server.everyone_permissions = self.build.role_permissions(
                    bits, what
                )
                self.role_names[str(role.id)] = EVERYONE
                continue
            if role.icon or role.unicode_emoji:
                self.build.warn(f"{what}: role icon not converted (gaib does not manage it)")
            added = self.build.add_role(
                {
                    "name": role.name,
                    "color": normalize_color(role.color & 0xFFFFFF),
                    "hoist": role.hoist,
                    "mentionable": role.mentionable,
                    "permissions": self.build.role_permissions(bits, what),
                },
                what,
            )
            if added is not None:
                self.role_names[str(role.id)] = added.name

    def _overwrites(
        self, items: list[TemplateOverwrite], kind: ChannelType | None, what: str
    ) -> dict[str, Overwrite]:
        out: dict[str, Overwrite] = {}
        for item in items:
            if str(item.type) not in ("0", "role"):
                self.build.warn(f"{what}: overwrite for member {item.id} not converted")
                continue
            target = self.role_names.get(str(item.id))
            if target is None:
                self.build.warn(f"{what}: overwrite for unknown role id {item.id} left out")
                continue
            out[target] = self.build.overwrite(
                item.allow, item.deny, kind, f"{what} overwrite {target}"
            )
        return out

    def _category(
        self, index: int, data: TemplateChannel, channels: list[tuple[int, TemplateChannel]]
    ) -> None:
        what = f"channels[{index}] '{data.name}'"
        category = self.build.make_category(
            {
                "name": data.name or "",
                "overwrites": self.build.visible_to_bot(
                    self._overwrites(data.permission_overwrites, None, what),
                    f"category '{data.name}'",
                ),
            },
            what,
        )
        if category is None:
            return
        children = [
            (i, c)
            for i, c in channels
            if c.type != CATEGORY_TYPE
            and c.parent_id is not None
            and str(c.parent_id) == str(data.id)
        ]
        category.channels = self._channels(children, category)
        self.build.config.categories.append(category)

    def _channels(
        self, items: list[tuple[int, TemplateChannel]], parent: CategoryConfig | None
    ) -> list[ChannelConfig]:
        out: list[ChannelConfig] = []
        ordered = sorted(items, key=lambda item: _KINDS.get(item[1].type) in _VOICE_LIKE)
        for index, data in ordered:
            what = f"channels[{index}] '{data.name}'"
            kind = _KINDS.get(data.type)
            if kind is None:
                self.build.warn(
                    f"{what}: channel type {data.type} is not one gaib manages; skipped"
                )
                continue
            channel = self.build.make_channel(self._fields(data, kind, parent, what), out, what)
            if channel is None:
                continue
            out.append(channel)
            if data.id is not None:
                self.addresses[str(data.id)] = channel.address
            if data.available_tags:
                self.build.warn(f"{what}: {len(data.available_tags)} forum tag(s) not converted")
        return out

    def _fields(
        self, data: TemplateChannel, kind: ChannelType, parent: CategoryConfig | None, what: str
    ) -> dict[str, object]:
        source = ChannelSource(
            name=data.name or "",
            bitrate=data.bitrate,
            user_limit=data.user_limit,
            topic=data.topic,
            nsfw=data.nsfw,
            slowmode=data.rate_limit_per_user,
        )
        overwrites = self._overwrites(data.permission_overwrites, kind, what)
        return self.build.channel_fields(source, kind, overwrites, parent)

    def _server(self) -> None:
        guild = self.guild
        server = ServerFields(self.build)
        server.name(guild.name)
        if guild.description:
            server.set("description", guild.description)
        server.verification_level(guild.verification_level)
        server.default_notifications(guild.default_message_notifications)
        server.explicit_content_filter(guild.explicit_content_filter)
        if guild.afk_channel_id is not None:
            address = self.addresses.get(str(guild.afk_channel_id))
            server.channel_address("afk_channel", address, ChannelType.VOICE)
            if address is None:
                self.build.warn("server afk_channel: not a converted channel; left out")
        server.afk_timeout(guild.afk_timeout)
        if guild.system_channel_id is not None:
            address = self.addresses.get(str(guild.system_channel_id))
            server.channel_address("system_channel", address, ChannelType.TEXT)
            if address is None:
                self.build.warn("server system_channel: not a converted channel; left out")
        if guild.preferred_locale and guild.preferred_locale != "en-US":
            self.build.warn(
                f"server preferred_locale {guild.preferred_locale}: not managed by gaib"
            )
        if guild.system_channel_flags:
            self.build.warn("server system_channel_flags: not managed by gaib")
