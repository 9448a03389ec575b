"""The pydantic v2 models of ``discord-server.yaml``.

Shape of the file::

    version: 1
    server:        {name, description, icon, verification_level, default_notifications,
                    explicit_content_filter, afk_channel, afk_timeout, system_channel,
                    guild_id, token_env, bot_role, unmanaged, everyone_permissions}
    theme:         {name, version, variables}        # written by `gaib server init`
    roles:         [RoleConfig, ...]                  # first = highest (just below the bot)
    categories:    [CategoryConfig{channels: [...]}]  # listed order = display order
    channels:      [ChannelConfig, ...]               # channels outside any category

Roles are listed top to bottom; gaib places all of them below the bot's own role, in that order.
Overwrites name a role of the config, ``@everyone`` or ``@bot`` (the bot's managed role).
Resource addresses are ``role.<key>``, ``category.<key>`` and ``channel.<key>``; ``key`` defaults
to the name in snake case (``Former Naib`` -> ``former_naib``).

Field-level rules live here; rules that span the file (duplicates, references, limits) live in
``gaib_core.config.validate`` so that they can report file positions.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from gaib_core import permissions as perms
from gaib_core.text import BIDI_CONTROLS, is_unsafe

if TYPE_CHECKING:
    from gaib_core.config.icon import IconFile

EVERYONE = "@everyone"
BOT = "@bot"

_HEX_COLOR = re.compile(r"^#?([0-9a-fA-F]{6})$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


def refuse_control_characters(value: str | None, *, newlines: bool = False) -> str | None:
    """``value`` if it has no control character (C0, DEL, C1: e.g. a terminal escape) and no
    bidirectional override; ``ValueError`` naming the first one otherwise. ``newlines`` allows
    line breaks and tabs (channel topics)."""
    if value is None:
        return value
    for index, char in enumerate(value):
        if newlines and char in "\n\t":
            continue
        if is_unsafe(char):
            what = "a terminal escape (ESC)" if char == "\x1b" else "a control character"
            if char in BIDI_CONTROLS:
                what = "a bidirectional override"
            raise ValueError(
                f"contains {what} U+{ord(char):04X} at position {index + 1}; names are shown in "
                "terminals and Discord clients, remove it"
            )
    return value


def _plain_text(value: str | None) -> str | None:
    return refuse_control_characters(value)


def _multiline_text(value: str | None) -> str | None:
    return refuse_control_characters(value, newlines=True)


def slug(name: str) -> str:
    """The default address key for a name: lowercase snake case (``Former Naib`` -> ``former_naib``)."""
    key = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if not key or not key[0].isalpha():
        key = f"r_{key}" if key else "unnamed"
    return key


def normalize_color(value: Any) -> str:
    """A color as ``#RRGGBB`` (uppercase). Accepts ``#rrggbb``, ``rrggbb`` or an int 0..0xFFFFFF."""
    if isinstance(value, bool):
        raise ValueError("a color is '#RRGGBB', not a boolean")
    if isinstance(value, int):
        if not 0 <= value <= 0xFFFFFF:
            raise ValueError(f"color {value} is out of range 0..16777215")
        return f"#{value:06X}"
    if isinstance(value, str):
        m = _HEX_COLOR.match(value.strip())
        if m:
            return f"#{m.group(1).upper()}"
    raise ValueError(f"'{value}' is not a color; write it as '#RRGGBB', e.g. '#FFD700'")


def color_to_int(color: str) -> int:
    """``#RRGGBB`` to the integer Discord stores."""
    return int(color.lstrip("#"), 16)


def _check_permission_names(names: list[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        info = perms.lookup(name)
        if info is None:
            guess = perms.suggest(name)
            hint = f"; did you mean {guess}?" if guess else ""
            raise ValueError(f"unknown permission '{name}'{hint}")
        if info.name not in out:
            out.append(info.name)
    return out


PermissionList = Annotated[list[str], Field(default_factory=list)]


class ChannelType(StrEnum):
    """Channel kinds a config may declare, with their Discord type numbers."""

    TEXT = "text"
    VOICE = "voice"
    ANNOUNCEMENT = "announcement"
    STAGE = "stage"
    FORUM = "forum"

    @property
    def discord_type(self) -> int:
        """Discord's channel type number."""
        return _CHANNEL_TYPE_NUMBERS[self]

    @property
    def is_voice_like(self) -> bool:
        """Voice and stage channels (they keep case and spaces in names, take bitrate)."""
        return self in (ChannelType.VOICE, ChannelType.STAGE)

    @classmethod
    def from_discord(cls, number: int) -> ChannelType:
        """The config kind for a Discord type number (ValueError for categories and others)."""
        for kind, value in _CHANNEL_TYPE_NUMBERS.items():
            if value == number:
                return kind
        raise ValueError(f"channel type {number} is not a configurable channel kind")


_CHANNEL_TYPE_NUMBERS = {
    ChannelType.TEXT: 0,
    ChannelType.VOICE: 2,
    ChannelType.ANNOUNCEMENT: 5,
    ChannelType.STAGE: 13,
    ChannelType.FORUM: 15,
}
CATEGORY_TYPE = 4


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# Attribute names a config may list in lifecycle.ignore_changes (besides "all"); a channel may
# also name one overwrite, ``overwrites[Naib]``.
ROLE_ATTRIBUTES = ("name", "color", "hoist", "mentionable", "permissions", "position")
CHANNEL_ATTRIBUTES = (
    "name",
    "type",
    "topic",
    "nsfw",
    "slowmode",
    "bitrate",
    "user_limit",
    "parent",
    "overwrites",
    "position",
)


class Lifecycle(_Strict):
    """Per-resource safety switches, as in Terraform."""

    prevent_destroy: bool = Field(
        False, description="Refuse any plan that would delete or replace this resource."
    )
    ignore_changes: list[str] = Field(
        default_factory=list,
        description="Attribute names whose drift is ignored (e.g. [color, permissions]).",
    )


class Overwrite(_Strict):
    """A permission overwrite for one role on a channel or category."""

    allow: PermissionList
    deny: PermissionList

    _check_allow = field_validator("allow", "deny")(_check_permission_names)

    @model_validator(mode="after")
    def _no_overlap(self) -> Overwrite:
        both = set(self.allow) & set(self.deny)
        if both:
            raise ValueError(
                f"{', '.join(sorted(both))} is both allowed and denied; keep it in one list "
                "(an override of an overwrite replaces `allow` and `deny` one at a time, so "
                "give both: e.g. `allow: [VIEW_CHANNEL], deny: []`)"
            )
        return self

    @property
    def allow_bits(self) -> int:
        """The allow list as a bitfield."""
        return perms.to_bits(self.allow)

    @property
    def deny_bits(self) -> int:
        """The deny list as a bitfield."""
        return perms.to_bits(self.deny)


class RoleConfig(_Strict):
    """A role gaib manages."""

    name: str = Field(min_length=1, max_length=100, description="The role's name (1-100 chars).")
    _check_name = field_validator("name")(_plain_text)
    key: str | None = Field(
        None, description="Address key (role.<key>); defaults to the name in snake_case."
    )
    color: str = Field("#000000", description="'#RRGGBB'; '#000000' means no color.")
    hoist: bool = Field(False, description="Display members separately in the member list.")
    mentionable: bool = Field(False, description="Anyone may @mention this role.")
    permissions: PermissionList = Field(
        default_factory=list, description="Guild-wide permissions by Discord name."
    )
    lifecycle: Lifecycle = Field(default_factory=Lifecycle)

    _norm_color = field_validator("color", mode="before")(normalize_color)
    _check_perms = field_validator("permissions")(_check_permission_names)

    @field_validator("key")
    @classmethod
    def _check_key(cls, value: str | None) -> str | None:
        if value is not None and not _KEY.match(value):
            raise ValueError(f"key '{value}' must be lowercase snake_case, e.g. 'former_naib'")
        return value

    @property
    def address_key(self) -> str:
        """The key used in this role's address."""
        return self.key or slug(self.name)

    @property
    def address(self) -> str:
        """``role.<key>``."""
        return f"role.{self.address_key}"

    @property
    def permission_bits(self) -> int:
        """The role's permissions as a bitfield."""
        return perms.to_bits(self.permissions)


class ChannelConfig(_Strict):
    """A channel (text, voice, announcement, stage or forum)."""

    name: str = Field(min_length=1, max_length=100)
    key: str | None = Field(None, description="Address key (channel.<key>).")
    type: ChannelType = ChannelType.TEXT
    topic: str | None = Field(None, max_length=4096)
    _check_name = field_validator("name")(_plain_text)
    _check_topic = field_validator("topic")(_multiline_text)
    nsfw: bool = False
    slowmode: int = Field(0, ge=0, le=21600, description="Seconds between messages (0-21600).")
    bitrate: int | None = Field(None, ge=8000, le=384000, description="Voice/stage only.")
    user_limit: int | None = Field(None, ge=0, le=10000, description="Voice/stage; 0 = no limit.")
    overwrites: dict[str, Overwrite] = Field(
        default_factory=dict,
        description="Permission overwrites by role name, '@everyone' or '@bot'.",
    )
    lifecycle: Lifecycle = Field(default_factory=Lifecycle)

    @field_validator("key")
    @classmethod
    def _check_key(cls, value: str | None) -> str | None:
        if value is not None and not _KEY.match(value):
            raise ValueError(f"key '{value}' must be lowercase snake_case, e.g. 'general'")
        return value

    @model_validator(mode="after")
    def _fields_fit_type(self) -> ChannelConfig:
        if not self.type.is_voice_like:
            for attr in ("bitrate", "user_limit"):
                if getattr(self, attr) is not None:
                    raise ValueError(f"{attr} only applies to voice and stage channels")
        else:
            if self.topic is not None and self.type is ChannelType.VOICE:
                raise ValueError("topic does not apply to voice channels")
            if (
                self.type is ChannelType.VOICE
                and self.user_limit is not None
                and self.user_limit > 99
            ):
                raise ValueError("user_limit of a voice channel is at most 99")
            if self.type is ChannelType.STAGE and self.bitrate is not None and self.bitrate > 64000:
                raise ValueError("bitrate of a stage channel is at most 64000")
        if self.topic is not None and self.type is not ChannelType.FORUM and len(self.topic) > 1024:
            raise ValueError("topic is at most 1024 characters (4096 for forums)")
        return self

    @property
    def address_key(self) -> str:
        """The key used in this channel's address."""
        return self.key or slug(self.name)

    @property
    def address(self) -> str:
        """``channel.<key>``."""
        return f"channel.{self.address_key}"


class CategoryConfig(_Strict):
    """A category and the channels inside it (listed order = display order)."""

    name: str = Field(min_length=1, max_length=100)
    key: str | None = Field(None, description="Address key (category.<key>).")
    _check_name = field_validator("name")(_plain_text)
    overwrites: dict[str, Overwrite] = Field(default_factory=dict)
    channels: list[ChannelConfig] = Field(default_factory=list, max_length=50)
    lifecycle: Lifecycle = Field(default_factory=Lifecycle)

    @field_validator("key")
    @classmethod
    def _check_key(cls, value: str | None) -> str | None:
        if value is not None and not _KEY.match(value):
            raise ValueError(f"key '{value}' must be lowercase snake_case, e.g. 'stillsuit'")
        return value

    @property
    def address_key(self) -> str:
        """The key used in this category's address."""
        return self.key or slug(self.name)

    @property
    def address(self) -> str:
        """``category.<key>``."""
        return f"category.{self.address_key}"


class VerificationLevel(StrEnum):
    """Who may talk in the server (Discord's verification levels)."""

    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"

    @property
    def discord_value(self) -> int:
        """Discord's number for the level."""
        return list(VerificationLevel).index(self)


class DefaultNotifications(StrEnum):
    """Which messages notify members by default."""

    ALL_MESSAGES = "all_messages"
    ONLY_MENTIONS = "only_mentions"

    @property
    def discord_value(self) -> int:
        """Discord's number for the setting."""
        return list(DefaultNotifications).index(self)


class ContentFilter(StrEnum):
    """Whose media Discord scans for explicit content."""

    DISABLED = "disabled"
    MEMBERS_WITHOUT_ROLES = "members_without_roles"
    ALL_MEMBERS = "all_members"

    @property
    def discord_value(self) -> int:
        """Discord's number for the filter."""
        return list(ContentFilter).index(self)


# The server settings gaib manages through Modify Guild, in the order plans list them.
MANAGED_SERVER_SETTINGS = (
    "name",
    "description",
    "icon",
    "verification_level",
    "default_notifications",
    "explicit_content_filter",
    "afk_channel",
    "afk_timeout",
    "system_channel",
)
_CHANNEL_ADDRESS = re.compile(r"^channel\.[a-z][a-z0-9_]*$")


class ServerSettings(_Strict):
    """Guild-level settings.

    The server's own settings (``MANAGED_SERVER_SETTINGS``) are managed only when written: a
    setting left out is never read, compared or sent, and removing one from the file stops
    managing it (the server keeps whatever value it has). An empty string clears a setting that
    can be empty (description, icon, AFK and system channel).
    """

    name: str | None = Field(
        None, min_length=2, max_length=100, description="The server's name (2-100 characters)."
    )
    _check_name = field_validator("name")(_plain_text)
    description: str | None = Field(
        None, max_length=300, description="The server's description; '' removes it."
    )
    _check_description = field_validator("description")(_multiline_text)
    icon: str | None = Field(
        None,
        description="A PNG, JPEG or GIF file, relative to the file that names it; '' removes "
        "the icon. Compared by content: editing the file updates the icon.",
    )
    verification_level: VerificationLevel | None = Field(
        None, description="none, low, medium, high or very_high."
    )
    default_notifications: DefaultNotifications | None = Field(
        None, description="all_messages or only_mentions."
    )
    explicit_content_filter: ContentFilter | None = Field(
        None, description="disabled, members_without_roles or all_members."
    )
    afk_channel: str | None = Field(
        None, description="A voice channel of this file, as channel.<key>; '' for none."
    )
    afk_timeout: Literal[60, 300, 900, 1800, 3600] | None = Field(
        None, description="Seconds before idle members move to the AFK channel."
    )
    system_channel: str | None = Field(
        None,
        description="The text channel for Discord's join and boost messages, as channel.<key>; "
        "'' for none.",
    )
    # The image behind ``icon``, read by the loader; not part of the file.
    _icon_file: IconFile | None = PrivateAttr(default=None)
    guild_id: str | None = Field(
        None, pattern=r"^\d{1,20}$", description="Target guild; --guild overrides it."
    )
    token_env: str = Field(
        "DISCORD_TOKEN",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="Name of the environment variable holding the bot token (never the token).",
    )
    bot_role: str | None = Field(
        None, description="Name of the bot's own (managed) role, for documentation and checks."
    )
    unmanaged: Literal["keep", "report", "remove"] = Field(
        "keep",
        description="Roles/channels in the guild but not in this file: keep, report, or remove.",
    )
    everyone_permissions: list[str] | None = Field(
        None, description="Guild-wide permissions of @everyone; omitted = not managed."
    )

    _check_everyone = field_validator("everyone_permissions")(
        lambda v: None if v is None else _check_permission_names(v)
    )

    @field_validator("afk_channel", "system_channel")
    @classmethod
    def _check_channel_address(cls, value: str | None) -> str | None:
        if value and not _CHANNEL_ADDRESS.match(value):
            raise ValueError(
                f"'{value}' is not a channel address; write channel.<key> (e.g. channel.general), "
                "or '' for none"
            )
        return value

    def attach_icon(self, icon: IconFile | None) -> None:
        """Attach the icon image the loader read for ``icon`` (``gaib_core.config.icon``)."""
        self._icon_file = icon

    @property
    def icon_file(self) -> IconFile | None:
        """The icon image read at load time (None when ``icon`` is unset, empty or not read)."""
        return self._icon_file

    def managed(self) -> list[str]:
        """The server settings this file sets (so gaib manages them), in plan order."""
        return [name for name in MANAGED_SERVER_SETTINGS if getattr(self, name) is not None]


class ThemeRef(_Strict):
    """Which theme (and variable values) a config was rendered from."""

    name: str
    version: str
    variables: dict[str, Any] = Field(default_factory=dict)


class ServerConfig(_Strict):
    """The whole ``discord-server.yaml``."""

    version: Literal[1] = 1
    server: ServerSettings = Field(default_factory=ServerSettings)
    theme: ThemeRef | None = None
    roles: list[RoleConfig] = Field(default_factory=list, max_length=250)
    categories: list[CategoryConfig] = Field(default_factory=list)
    channels: list[ChannelConfig] = Field(default_factory=list)

    def all_channels(self) -> list[tuple[CategoryConfig | None, ChannelConfig]]:
        """Every channel with its category (None for top-level), in listed order."""
        out: list[tuple[CategoryConfig | None, ChannelConfig]] = [
            (None, channel) for channel in self.channels
        ]
        for category in self.categories:
            out.extend((category, channel) for channel in category.channels)
        return out

    @staticmethod
    def effective_overwrites(
        category: CategoryConfig | None, channel: ChannelConfig
    ) -> dict[str, Overwrite]:
        """The overwrites gaib sends for ``channel``.

        A channel that does not mention ``overwrites`` at all is synced with its category (it
        gets the category's overwrites); an explicit ``overwrites: {}`` means none.
        """
        if "overwrites" not in channel.model_fields_set and category is not None:
            return dict(category.overwrites)
        return dict(channel.overwrites)

    def role_by_name(self, name: str) -> RoleConfig | None:
        """The role called ``name`` (exact match), or None."""
        return next((role for role in self.roles if role.name == name), None)

    def addresses(self) -> list[str]:
        """Every resource address in dependency order (roles, categories, channels)."""
        return (
            [role.address for role in self.roles]
            + [category.address for category in self.categories]
            + [channel.address for _, channel in self.all_channels()]
        )
