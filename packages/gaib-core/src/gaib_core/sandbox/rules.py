"""Discord's rules as the sandbox enforces them: permissions, hierarchy, names and limits.

Pure functions over the stored guild, so the route handlers stay short and the rules can be read
in one place. Sources: FACTS.md sections 4, 5 and 6.
"""

from __future__ import annotations

from collections.abc import Iterable

from gaib_core import effective
from gaib_core.permissions import default_bot, default_everyone, flag, to_bits
from gaib_core.sandbox.responses import missing_access, missing_permissions
from gaib_core.sandbox.store import StoredChannel, StoredGuild, StoredOverwrite, StoredRole

ADMINISTRATOR = flag("ADMINISTRATOR")
MANAGE_CHANNELS = flag("MANAGE_CHANNELS")
MANAGE_GUILD = flag("MANAGE_GUILD")
VIEW_CHANNEL = flag("VIEW_CHANNEL")
MANAGE_ROLES = flag("MANAGE_ROLES")

TEXT, VOICE, CATEGORY, ANNOUNCEMENT, STAGE, DIRECTORY, FORUM, MEDIA = 0, 2, 4, 5, 13, 14, 15, 16
TEXT_LIKE = frozenset({TEXT, ANNOUNCEMENT, FORUM, MEDIA})
VOICE_LIKE = frozenset({VOICE, STAGE})

MAX_ROLES = 250
MAX_CHANNELS = 500
MAX_PER_CATEGORY = 50

# The bot's managed role is created this high so that every role a 250-role guild can hold fits
# below it (positions 1..248): the sandbox stands in for the owner who drags the bot role to the
# top after inviting it.
BOT_ROLE_POSITION = 250

EVERYONE_DEFAULT = to_bits(default_everyone())
BOT_DEFAULT = to_bits(default_bot())


def sorting_bucket(channel_type: int) -> int:
    """d.py's channel sorting bucket: text-like 0, voice-like 2, category 4."""
    if channel_type == CATEGORY:
        return 4
    if channel_type in VOICE_LIKE:
        return 2
    return 0


def role_key(role: StoredRole) -> tuple[int, int]:
    """Sort key for the hierarchy: bigger is higher (position, then the LOWER id wins a tie)."""
    return (role.position, -int(role.id))


def roles_in_order(guild: StoredGuild) -> list[StoredRole]:
    """Roles as Discord lists them: position ascending, then id ascending."""
    return sorted(guild.roles.values(), key=lambda r: (r.position, int(r.id)))


def channels_in_order(guild: StoredGuild) -> list[StoredChannel]:
    """Channels by position, then id."""
    return sorted(guild.channels.values(), key=lambda c: (c.position, int(c.id)))


def member_roles(guild: StoredGuild, user_id: str) -> list[StoredRole]:
    """The roles a member holds (without @everyone)."""
    member = guild.members.get(user_id)
    if member is None:
        return []
    return [guild.roles[r] for r in member.roles if r in guild.roles]


def top_role(guild: StoredGuild, user_id: str) -> StoredRole:
    """The member's highest role (@everyone if it holds none)."""
    return max([guild.everyone, *member_roles(guild, user_id)], key=role_key)


def guild_permissions(guild: StoredGuild, user_id: str) -> int:
    """A member's guild-wide permissions (everything for the owner or an administrator)."""
    return effective.guild_permissions(
        guild.everyone.permissions,
        (role.permissions for role in member_roles(guild, user_id)),
        owner=user_id == guild.owner_id,
    )


def channel_permissions(guild: StoredGuild, channel: StoredChannel, user_id: str) -> int:
    """A member's permissions in ``channel``: Discord's algorithm (:mod:`gaib_core.effective`)."""
    roles = {role.id for role in member_roles(guild, user_id)}
    everyone = member = None
    mine: list[StoredOverwrite] = []
    for overwrite in channel.overwrites:
        if overwrite.type == 1:
            if overwrite.id == user_id:
                member = overwrite
        elif overwrite.id == guild.id:
            everyone = overwrite
        elif overwrite.id in roles:
            mine.append(overwrite)
    return effective.channel_permissions(
        guild_permissions(guild, user_id),
        channel.type,
        everyone=everyone,
        roles=mine,
        member=member,
    )


def is_admin(guild: StoredGuild, user_id: str) -> bool:
    """True for the owner or a member with ADMINISTRATOR."""
    return bool(guild_permissions(guild, user_id) & ADMINISTRATOR)


def require_guild_permission(guild: StoredGuild, user_id: str, bits: int) -> None:
    """403 / 50013 unless the member holds ``bits`` guild-wide."""
    if guild_permissions(guild, user_id) & bits != bits:
        raise missing_permissions()


def require_channel_permission(
    guild: StoredGuild, channel: StoredChannel, user_id: str, bits: int
) -> None:
    """403 / 50001 if the member cannot VIEW the channel, 403 / 50013 if it lacks ``bits`` there."""
    perms = channel_permissions(guild, channel, user_id)
    if not perms & VIEW_CHANNEL:
        raise missing_access()
    if perms & bits != bits:
        raise missing_permissions()


def require_below(guild: StoredGuild, user_id: str, role: StoredRole) -> None:
    """403 / 50013 unless ``role`` is strictly below the member's highest role (owner exempt)."""
    if user_id == guild.owner_id:
        return
    if role_key(role) >= role_key(top_role(guild, user_id)):
        raise missing_permissions()


def require_position_below(guild: StoredGuild, user_id: str, position: int) -> None:
    """403 / 50013 unless ``position`` is below the member's highest role's position."""
    if user_id == guild.owner_id:
        return
    if position >= top_role(guild, user_id).position:
        raise missing_permissions()


def require_grantable(guild: StoredGuild, user_id: str, changed_bits: int) -> None:
    """403 / 50013 if ``changed_bits`` holds a permission the member lacks (admins exempt)."""
    if is_admin(guild, user_id):
        return
    if changed_bits & ~guild_permissions(guild, user_id):
        raise missing_permissions()


def has_manage_roles_overwrite(
    guild: StoredGuild, overwrites: Iterable[StoredOverwrite], user_id: str
) -> bool:
    """True when an existing overwrite explicitly allows MANAGE_ROLES to the member (one of its
    roles, or the member itself): Discord then lets it set any overwrite bit in that channel."""
    mine = {r.id for r in member_roles(guild, user_id)} | {user_id, guild.id}
    return any(o.id in mine and o.allow & MANAGE_ROLES for o in overwrites)


def require_overwrites_allowed(
    guild: StoredGuild,
    user_id: str,
    old: Iterable[StoredOverwrite],
    new: Iterable[StoredOverwrite],
) -> None:
    """403 / 50013 if the overwrite change touches a permission the member may not set.

    Only bits that change are checked (re-sending an overwrite unchanged is always allowed, as on
    Discord); MANAGE_ROLES in an overwrite is reserved to administrators. A member with an
    explicit MANAGE_ROLES allow overwrite in the channel may set anything there (Modify Channel
    docs).
    """
    if is_admin(guild, user_id):
        return
    before = {o.id: o for o in old}
    if has_manage_roles_overwrite(guild, before.values(), user_id):
        return
    held = guild_permissions(guild, user_id)
    for ow in new:
        prev = before.get(ow.id)
        changed = (ow.allow ^ prev.allow) | (ow.deny ^ prev.deny) if prev else ow.allow | ow.deny
        if changed & MANAGE_ROLES or changed & ~held:
            raise missing_permissions()
