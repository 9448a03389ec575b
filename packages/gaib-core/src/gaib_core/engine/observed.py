"""Guild objects described in the vocabulary of :mod:`desired`, so the two compare with ``==``.

A :class:`RefMap` knows which guild ids are managed (by address) and names everything else
with the references of :mod:`refs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gaib_core.engine.desired import OverwriteSpec
from gaib_core.engine.refs import (
    BOT_REF,
    EVERYONE_REF,
    category_id_ref,
    member_ref,
    role_id_ref,
)
from gaib_core.provider.models import Channel, Guild, PermissionOverwrite, Role


@dataclass
class RefMap:
    """Guild id -> reference, for the objects matched to config addresses."""

    guild: Guild
    roles: dict[str, str] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)

    def role_ref(self, role_id: str) -> str:
        """The reference of a role id."""
        if role_id == self.guild.id:
            return EVERYONE_REF
        if role_id in self.roles:
            return self.roles[role_id]
        managed = self.guild.bot_managed_role
        if managed is not None and managed.id == role_id:
            return BOT_REF
        return role_id_ref(role_id)

    def overwrite_ref(self, overwrite: PermissionOverwrite) -> str:
        """The reference of an overwrite's target."""
        if overwrite.type == 1:
            if overwrite.id == self.guild.bot_user_id and self.guild.bot_managed_role is None:
                return BOT_REF
            return member_ref(overwrite.id)
        return self.role_ref(overwrite.id)

    def parent_ref(self, parent_id: str | None) -> str | None:
        """The reference of a channel's parent category."""
        if parent_id is None:
            return None
        return self.categories.get(parent_id, category_id_ref(parent_id))


def role_attributes(role: Role) -> dict[str, Any]:
    """A role's compared attributes."""
    return {
        "name": role.name,
        "color": role.color,
        "hoist": role.hoist,
        "mentionable": role.mentionable,
        "permissions": role.permissions,
    }


def channel_attributes(channel: Channel, refs: RefMap, keys: list[str]) -> dict[str, Any]:
    """A channel's compared scalar attributes (only ``keys``)."""
    values: dict[str, Any] = {
        "name": channel.name,
        "type": channel.type,
        "parent": refs.parent_ref(channel.parent_id),
        "nsfw": channel.nsfw,
        "topic": channel.topic or "",
        "slowmode": channel.rate_limit_per_user,
        "bitrate": channel.bitrate,
        "user_limit": channel.user_limit,
    }
    return {key: values[key] for key in keys}


def channel_overwrites(channel: Channel, refs: RefMap) -> dict[str, OverwriteSpec]:
    """A channel's overwrites by target reference."""
    return {
        refs.overwrite_ref(ow): OverwriteSpec(allow=ow.allow, deny=ow.deny)
        for ow in channel.permission_overwrites
    }
