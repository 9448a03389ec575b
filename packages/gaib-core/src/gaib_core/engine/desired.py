"""The config as the objects gaib wants: roles, categories and channels with their attributes.

Everything here is a pure function of the config (and, only to resolve an overwrite that names
a role outside the config, of the guild's role names). Attributes use Discord's encoding
(color and permissions as ints, channel type numbers, names as Discord stores them) and refer to
other objects through :mod:`gaib_core.engine.refs`, so that :mod:`observed` can describe a live
guild in exactly the same vocabulary and ``==`` is the diff.

Which channel attributes gaib manages depends on the type (FACTS.md 1.2): the topic of text-like
channels (an absent topic means "no topic"), slowmode where Discord has it, bitrate and user limit
only when the config sets them (Discord picks defaults otherwise), nsfw everywhere.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from gaib_core.config.models import (
    BOT,
    CATEGORY_TYPE,
    EVERYONE,
    CategoryConfig,
    ChannelConfig,
    Overwrite,
    ServerConfig,
    color_to_int,
)
from gaib_core.engine.names import canonical_name
from gaib_core.engine.refs import BOT_REF, EVERYONE_REF, role_id_ref
from gaib_core.permissions import to_bits
from gaib_core.provider.models import ANNOUNCEMENT, FORUM, STAGE, TEXT, VOICE, Guild

_TOPIC_TYPES = frozenset({TEXT, ANNOUNCEMENT, FORUM})
_SLOWMODE_TYPES = frozenset({TEXT, VOICE, STAGE, FORUM})

ResourceKind = Literal["role", "category", "channel"]


class OverwriteSpec(BaseModel):
    """Allow and deny bits of one overwrite."""

    allow: int = 0
    deny: int = 0


class DesiredRole(BaseModel):
    """A role as gaib wants it."""

    address: str
    name: str
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    permissions: int = 0
    prevent_destroy: bool = False
    ignore_changes: list[str] = Field(default_factory=list)

    @property
    def kind(self) -> ResourceKind:
        """Always ``"role"``."""
        return "role"

    def attributes(self) -> dict[str, Any]:
        """The compared attributes."""
        return {
            "name": self.name,
            "color": self.color,
            "hoist": self.hoist,
            "mentionable": self.mentionable,
            "permissions": self.permissions,
        }


class DesiredChannel(BaseModel):
    """A category or channel as gaib wants it (``type`` 4 = category)."""

    address: str
    type: int
    name: str
    parent: str | None = None
    topic: str | None = None
    nsfw: bool = False
    slowmode: int = 0
    bitrate: int | None = None
    user_limit: int | None = None
    overwrites: dict[str, OverwriteSpec] = Field(default_factory=dict)
    prevent_destroy: bool = False
    ignore_changes: list[str] = Field(default_factory=list)

    @property
    def kind(self) -> ResourceKind:
        """``"category"`` or ``"channel"``."""
        return "category" if self.type == CATEGORY_TYPE else "channel"

    def managed_keys(self) -> list[str]:
        """The scalar attributes gaib manages for this channel's type."""
        if self.type == CATEGORY_TYPE:
            return ["name"]
        keys = ["name", "type", "parent", "nsfw"]
        if self.type in _TOPIC_TYPES or (self.type == STAGE and self.topic):
            keys.append("topic")
        if self.type in _SLOWMODE_TYPES or self.slowmode:
            keys.append("slowmode")
        if self.bitrate is not None:
            keys.append("bitrate")
        if self.user_limit is not None:
            keys.append("user_limit")
        return keys

    def attributes(self) -> dict[str, Any]:
        """The compared scalar attributes (overwrites are compared per target separately)."""
        values: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "parent": self.parent,
            "nsfw": self.nsfw,
            "topic": self.topic or "",
            "slowmode": self.slowmode,
            "bitrate": self.bitrate,
            "user_limit": self.user_limit,
        }
        return {key: values[key] for key in self.managed_keys()}


DesiredObject = DesiredRole | DesiredChannel


class DesiredModel(BaseModel):
    """Everything the config asks for, in config order."""

    roles: list[DesiredRole] = Field(default_factory=list)
    categories: list[DesiredChannel] = Field(default_factory=list)
    channels: list[DesiredChannel] = Field(default_factory=list)
    everyone_permissions: int | None = None
    problems: list[str] = Field(default_factory=list)

    def all(self) -> list[DesiredObject]:
        """Roles, then categories, then channels (dependency order)."""
        return [*self.roles, *self.categories, *self.channels]

    def by_address(self) -> dict[str, DesiredObject]:
        """Address -> desired object."""
        return {obj.address: obj for obj in self.all()}


def build_desired(config: ServerConfig, guild: Guild | None = None) -> DesiredModel:
    """The desired objects of ``config``.

    ``guild`` is only used to resolve an overwrite naming a role that is not in the config but
    exists in the guild (by exact name); names found nowhere are listed in ``problems``.
    """
    model = DesiredModel()
    role_refs = {role.name: role.address for role in config.roles}
    guild_roles = {r.name: r.id for r in guild.roles} if guild is not None else {}
    for role in config.roles:
        model.roles.append(
            DesiredRole(
                address=role.address,
                name=role.name,
                color=color_to_int(role.color),
                hoist=role.hoist,
                mentionable=role.mentionable,
                permissions=role.permission_bits,
                prevent_destroy=role.lifecycle.prevent_destroy,
                ignore_changes=list(role.lifecycle.ignore_changes),
            )
        )

    def targets(where: str, overwrites: dict[str, Overwrite]) -> dict[str, OverwriteSpec]:
        out: dict[str, OverwriteSpec] = {}
        for name, ow in overwrites.items():
            ref = _target_ref(name, role_refs, guild_roles)
            if ref is None:
                model.problems.append(
                    f"{where}: overwrite for '{name}' names no role of the config or the guild; "
                    f"add the role to `roles:` or fix the name"
                )
                continue
            out[ref] = OverwriteSpec(allow=ow.allow_bits, deny=ow.deny_bits)
        return out

    for category in config.categories:
        model.categories.append(
            DesiredChannel(
                address=category.address,
                type=CATEGORY_TYPE,
                name=category.name,
                overwrites=targets(category.address, category.overwrites),
                prevent_destroy=category.lifecycle.prevent_destroy,
                ignore_changes=list(category.lifecycle.ignore_changes),
            )
        )
    for parent, channel in config.all_channels():
        model.channels.append(_channel(config, parent, channel, targets))
    if config.server.everyone_permissions is not None:
        model.everyone_permissions = to_bits(config.server.everyone_permissions)
    return model


def _target_ref(name: str, role_refs: dict[str, str], guild_roles: dict[str, str]) -> str | None:
    if name == EVERYONE:
        return EVERYONE_REF
    if name == BOT:
        return BOT_REF
    if name in role_refs:
        return role_refs[name]
    if name in guild_roles:
        return role_id_ref(guild_roles[name])
    return None


def _channel(
    config: ServerConfig,
    category: CategoryConfig | None,
    channel: ChannelConfig,
    targets: Any,
) -> DesiredChannel:
    kind = channel.type.discord_type
    return DesiredChannel(
        address=channel.address,
        type=kind,
        name=canonical_name(channel.name, kind),
        parent=category.address if category is not None else None,
        topic=channel.topic,
        nsfw=channel.nsfw,
        slowmode=channel.slowmode,
        bitrate=channel.bitrate,
        user_limit=channel.user_limit,
        overwrites=targets(channel.address, config.effective_overwrites(category, channel)),
        prevent_destroy=channel.lifecycle.prevent_destroy,
        ignore_changes=list(channel.lifecycle.ignore_changes),
    )
