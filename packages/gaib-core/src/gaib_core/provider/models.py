"""Discord objects as gaib reads and writes them (API v10 shapes, permissions as ints).

These are the provider interface's data types: the Discord provider parses responses into them
and serialises writes from them; the engine diffs configs against them. ``to_json`` produces the
request body Discord expects (permissions as decimal strings, snowflakes as strings).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from gaib_core.effective import guild_permissions
from gaib_core.permissions import parse_wire, to_wire

# Discord channel type numbers gaib deals with.
TEXT, VOICE, CATEGORY, ANNOUNCEMENT, STAGE, FORUM, MEDIA = 0, 2, 4, 5, 13, 15, 16
TEXT_LIKE = frozenset({TEXT, ANNOUNCEMENT, FORUM, MEDIA})
VOICE_LIKE = frozenset({VOICE, STAGE})


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=False)


class Role(_Model):
    """A guild role (``GuildRoleResponse``)."""

    id: str
    name: str
    permissions: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    position: int = 0
    bot_id: str | None = Field(None, description="tags.bot_id: set on a bot's managed role.")

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Role:
        """Parse Discord's JSON role object."""
        tags = data.get("tags") or {}
        colors = data.get("colors") or {}
        color = data.get("color")
        if color is None:
            color = colors.get("primary_color") or 0
        return cls(
            id=str(data["id"]),
            name=data["name"],
            permissions=parse_wire(data.get("permissions")),
            color=int(color),
            hoist=bool(data.get("hoist", False)),
            mentionable=bool(data.get("mentionable", False)),
            managed=bool(data.get("managed", False)),
            position=int(data.get("position", 0)),
            bot_id=str(tags["bot_id"]) if tags.get("bot_id") else None,
        )


class PermissionOverwrite(_Model):
    """A channel permission overwrite. ``type`` 0 = role, 1 = member."""

    id: str
    type: int = 0
    allow: int = 0
    deny: int = 0

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> PermissionOverwrite:
        """Parse Discord's JSON overwrite."""
        return cls(
            id=str(data["id"]),
            type=int(data.get("type", 0)),
            allow=parse_wire(data.get("allow")),
            deny=parse_wire(data.get("deny")),
        )

    def to_json(self) -> dict[str, Any]:
        """The overwrite as Discord expects it in a request body."""
        return {
            "id": self.id,
            "type": self.type,
            "allow": to_wire(self.allow),
            "deny": to_wire(self.deny),
        }


class Channel(_Model):
    """A guild channel or category (``GuildChannelResponse``)."""

    id: str
    type: int
    name: str
    position: int = 0
    parent_id: str | None = None
    topic: str | None = None
    nsfw: bool = False
    rate_limit_per_user: int = 0
    bitrate: int | None = None
    user_limit: int | None = None
    permission_overwrites: list[PermissionOverwrite] = Field(default_factory=list)

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Channel:
        """Parse Discord's JSON channel object."""
        return cls(
            id=str(data["id"]),
            type=int(data["type"]),
            name=data["name"],
            position=int(data.get("position") or 0),
            parent_id=str(data["parent_id"]) if data.get("parent_id") else None,
            topic=data.get("topic"),
            nsfw=bool(data.get("nsfw", False)),
            rate_limit_per_user=int(data.get("rate_limit_per_user") or 0),
            bitrate=data.get("bitrate"),
            user_limit=data.get("user_limit"),
            permission_overwrites=[
                PermissionOverwrite.from_api(o) for o in data.get("permission_overwrites") or []
            ],
        )

    @property
    def is_category(self) -> bool:
        """True for a category (type 4)."""
        return self.type == CATEGORY


class Member(_Model):
    """A guild member: the user id and the ids of its roles (not @everyone)."""

    user_id: str
    username: str = ""
    roles: list[str] = Field(default_factory=list)

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Member:
        """Parse Discord's JSON member object."""
        user = data.get("user") or {}
        return cls(
            user_id=str(user.get("id", "")),
            username=user.get("username", ""),
            roles=[str(r) for r in data.get("roles") or []],
        )


class GuildSettings(_Model):
    """The guild's own settings, the ones Modify Guild changes (``GuildResponse`` fields).

    ``icon`` is Discord's icon hash (not the image); levels are Discord's enum numbers.
    """

    name: str = ""
    description: str | None = None
    icon: str | None = None
    verification_level: int = 0
    default_message_notifications: int = 0
    explicit_content_filter: int = 0
    afk_channel_id: str | None = None
    afk_timeout: int = 300
    system_channel_id: str | None = None

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> GuildSettings:
        """Parse the settings out of Discord's JSON guild object."""
        return cls(
            name=data.get("name") or "",
            description=data.get("description") or None,
            icon=data.get("icon"),
            verification_level=int(data.get("verification_level") or 0),
            default_message_notifications=int(data.get("default_message_notifications") or 0),
            explicit_content_filter=int(data.get("explicit_content_filter") or 0),
            afk_channel_id=str(data["afk_channel_id"]) if data.get("afk_channel_id") else None,
            afk_timeout=int(data.get("afk_timeout") or 300),
            system_channel_id=(
                str(data["system_channel_id"]) if data.get("system_channel_id") else None
            ),
        )


class GuildWrite(_Model):
    """Fields for Modify Guild; only the set fields are sent (``None`` clears a nullable one).

    ``icon`` is image data (``data:image/png;base64,...``) or ``None`` to remove the icon.
    """

    name: str | None = None
    description: str | None = None
    icon: str | None = None
    verification_level: int | None = None
    default_message_notifications: int | None = None
    explicit_content_filter: int | None = None
    afk_channel_id: str | None = None
    afk_timeout: int | None = None
    system_channel_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The request body (``GuildPatchRequestPartial``)."""
        return self.model_dump(exclude_unset=True)

    def __repr__(self) -> str:
        # Image data can be megabytes: name the fields, not the bytes.
        return f"GuildWrite({', '.join(sorted(self.model_fields_set))})"


class Guild(_Model):
    """A guild as gaib reads it: its roles, its channels, the bot's member and its settings."""

    id: str
    name: str
    owner_id: str
    settings: GuildSettings = Field(default_factory=GuildSettings)
    roles: list[Role] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list)
    bot_user_id: str
    bot_member: Member

    @property
    def everyone(self) -> Role:
        """The @everyone role (its id is the guild id)."""
        return next(role for role in self.roles if role.id == self.id)

    # Id lookups of the lists above, rebuilt when a list is replaced or changes length: a plan
    # looks up every object by id, and a scan per lookup made a 500-channel plan quadratic.
    _roles_by_id: tuple[list[Role], int, dict[str, Role]] | None = PrivateAttr(default=None)
    _channels_by_id: tuple[list[Channel], int, dict[str, Channel]] | None = PrivateAttr(
        default=None
    )

    def __eq__(self, other: object) -> bool:
        # Field values only: the id indexes are caches, not part of what a guild is.
        if not isinstance(other, Guild):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # mutable, as pydantic models are

    def role(self, role_id: str) -> Role | None:
        """The role with this id, or None."""
        index = self._roles_by_id
        if index is None or index[0] is not self.roles or index[1] != len(self.roles):
            index = (self.roles, len(self.roles), _first_by_id(self.roles))
            self._roles_by_id = index
        found = index[2].get(role_id)
        if found is not None and found.id != role_id:  # an id changed in place: index anew
            self._roles_by_id = None
            return self.role(role_id)
        return found

    def channel(self, channel_id: str) -> Channel | None:
        """The channel with this id, or None."""
        index = self._channels_by_id
        if index is None or index[0] is not self.channels or index[1] != len(self.channels):
            index = (self.channels, len(self.channels), _first_by_id(self.channels))
            self._channels_by_id = index
        found = index[2].get(channel_id)
        if found is not None and found.id != channel_id:  # an id changed in place: index anew
            self._channels_by_id = None
            return self.channel(channel_id)
        return found

    def sorted_roles(self) -> list[Role]:
        """Roles top to bottom, as Discord displays them (position desc, then id asc)."""
        return sorted(self.roles, key=lambda r: (-r.position, int(r.id)))

    @property
    def bot_is_owner(self) -> bool:
        """True when the bot owns the guild (the hierarchy does not bind it then)."""
        return self.bot_user_id == self.owner_id

    @property
    def bot_top_position(self) -> int:
        """Position of the bot's highest role (0 if it has only @everyone)."""
        positions = [r.position for r in self.roles if r.id in set(self.bot_member.roles)]
        return max(positions, default=0)

    @property
    def bot_top_role(self) -> Role | None:
        """The bot's highest role, or None."""
        mine = [r for r in self.roles if r.id in set(self.bot_member.roles)]
        if not mine:
            return None
        return max(mine, key=lambda r: (r.position, -int(r.id)))

    @property
    def bot_managed_role(self) -> Role | None:
        """The role Discord created for the bot (``managed`` with ``tags.bot_id``)."""
        return next((r for r in self.roles if r.bot_id == self.bot_user_id), None)

    def bot_permissions(self) -> int:
        """The bot's guild-wide permissions (all bits if owner or ADMINISTRATOR)."""
        mine = set(self.bot_member.roles)
        return guild_permissions(
            self.everyone.permissions,
            (role.permissions for role in self.roles if role.id in mine),
            owner=self.bot_is_owner,
        )


class RoleWrite(_Model):
    """Fields for create/modify role; only the set fields are sent."""

    name: str | None = None
    permissions: int | None = None
    color: int | None = None
    hoist: bool | None = None
    mentionable: bool | None = None

    def to_json(self) -> dict[str, Any]:
        """The request body (``CreateRoleRequest`` / ``UpdateRoleRequestPartial``)."""
        body = self.model_dump(exclude_unset=True)
        if body.get("permissions") is not None:
            body["permissions"] = to_wire(body["permissions"])
        return body


class ChannelWrite(_Model):
    """Fields for create/modify channel; only the set fields are sent."""

    name: str | None = None
    type: int | None = None
    topic: str | None = None
    nsfw: bool | None = None
    rate_limit_per_user: int | None = None
    bitrate: int | None = None
    user_limit: int | None = None
    parent_id: str | None = None
    position: int | None = None
    permission_overwrites: list[PermissionOverwrite] | None = None

    def to_json(self) -> dict[str, Any]:
        """The request body (``CreateGuildChannelRequest`` / ``UpdateGuildChannelRequestPartial``)."""
        body = self.model_dump(exclude_unset=True, exclude={"permission_overwrites"})
        if "permission_overwrites" in self.model_fields_set:
            body["permission_overwrites"] = [o.to_json() for o in self.permission_overwrites or []]
        return body


class RolePosition(_Model):
    """One entry of the bulk role-positions request."""

    id: str
    position: int


class ChannelPosition(_Model):
    """One entry of the bulk channel-positions request (set only what changes)."""

    id: str
    position: int | None = None
    parent_id: str | None = None
    lock_permissions: bool | None = None

    def to_json(self) -> dict[str, Any]:
        """The entry as Discord expects it."""
        return self.model_dump(exclude_unset=True)


class CommandOption(_Model):
    """An option of an application command (``ApplicationCommand*Option``); nested options,
    choices and the rest travel as Discord spells them."""

    model_config = ConfigDict(extra="allow", frozen=False)

    type: int
    name: str
    description: str
    required: bool | None = None


class CommandWrite(_Model):
    """An application command to register (``ApplicationCommandCreateRequest``).

    ``type`` 1 is a slash command (CHAT_INPUT). ``contexts`` 0/1/2 = guild, bot DM, private
    channel; ``default_member_permissions`` ``None`` = everyone may use it.
    """

    name: str
    description: str
    type: int = 1
    options: list[CommandOption] = Field(default_factory=list)
    default_member_permissions: int | None = None
    contexts: list[int] | None = None
    nsfw: bool = False

    def to_json(self) -> dict[str, Any]:
        """The request body (permissions as a decimal string, as Discord sends them)."""
        body = self.model_dump(exclude={"default_member_permissions", "options"})
        body["options"] = [o.model_dump(exclude_none=True) for o in self.options]
        if self.contexts is None:
            del body["contexts"]
        if self.default_member_permissions is not None:
            body["default_member_permissions"] = str(self.default_member_permissions)
        return body


class ApplicationCommand(_Model):
    """A registered application command (``ApplicationCommandResponse``)."""

    id: str
    application_id: str
    version: str
    type: int = 1
    name: str
    description: str = ""
    guild_id: str | None = None
    options: list[CommandOption] = Field(default_factory=list)
    default_member_permissions: int | None = None

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> ApplicationCommand:
        """Parse Discord's JSON."""
        perms = data.get("default_member_permissions")
        return cls(
            id=str(data["id"]),
            application_id=str(data["application_id"]),
            version=str(data.get("version", "")),
            type=int(data.get("type", 1)),
            name=data["name"],
            description=data.get("description") or "",
            guild_id=str(data["guild_id"]) if data.get("guild_id") else None,
            options=[CommandOption.model_validate(o) for o in data.get("options") or []],
            default_member_permissions=int(perms) if perms is not None else None,
        )


_T = TypeVar("_T", Role, Channel)


def _first_by_id(objects: list[_T]) -> dict[str, _T]:
    """``{id: object}``, the first object of each id winning (as a scan of the list would)."""
    found: dict[str, _T] = {}
    for obj in objects:
        found.setdefault(obj.id, obj)
    return found
