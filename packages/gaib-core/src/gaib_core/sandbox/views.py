"""Stored objects as Discord's JSON (``GuildRoleResponse``, ``GuildChannelResponse``, ...).

Snowflakes and permission bitfields are decimal strings, as Discord sends them.
"""

from __future__ import annotations

from typing import Any

from gaib_core.sandbox.rules import (
    CATEGORY,
    FORUM,
    MEDIA,
    TEXT_LIKE,
    VOICE_LIKE,
    channels_in_order,
    roles_in_order,
)
from gaib_core.sandbox.store import (
    StoredChannel,
    StoredGuild,
    StoredMember,
    StoredOverwrite,
    StoredRole,
    StoredUser,
)


def role_json(role: StoredRole) -> dict[str, Any]:
    """``GuildRoleResponse``."""
    data: dict[str, Any] = {
        "id": role.id,
        "name": role.name,
        "description": None,
        "permissions": str(role.permissions),
        "position": role.position,
        "color": role.color,
        "colors": {"primary_color": role.color, "secondary_color": None, "tertiary_color": None},
        "hoist": role.hoist,
        "managed": role.managed,
        "mentionable": role.mentionable,
        "icon": None,
        "unicode_emoji": None,
        "flags": 0,
    }
    if role.bot_id is not None:
        data["tags"] = {"bot_id": role.bot_id}
    return data


def roles_json(guild: StoredGuild) -> list[dict[str, Any]]:
    """Every role of the guild, by position then id."""
    return [role_json(r) for r in roles_in_order(guild)]


def overwrite_json(ow: StoredOverwrite) -> dict[str, Any]:
    """``ChannelPermissionOverwriteResponse``."""
    return {"id": ow.id, "type": ow.type, "allow": str(ow.allow), "deny": str(ow.deny)}


def channel_json(guild: StoredGuild, ch: StoredChannel) -> dict[str, Any]:
    """``GuildChannelResponse`` with the fields Discord sends for this channel type."""
    data: dict[str, Any] = {
        "id": ch.id,
        "type": ch.type,
        "guild_id": guild.id,
        "name": ch.name,
        "parent_id": ch.parent_id,
        "position": ch.position,
        "flags": ch.flags,
        "permission_overwrites": [overwrite_json(o) for o in ch.overwrites],
    }
    if ch.type == CATEGORY:
        return data
    data["nsfw"] = ch.nsfw
    data["rate_limit_per_user"] = ch.rate_limit_per_user
    if ch.type in TEXT_LIKE:
        data["topic"] = ch.topic
        data["last_message_id"] = None
        if ch.default_auto_archive_duration is not None:
            data["default_auto_archive_duration"] = ch.default_auto_archive_duration
        if ch.type in (FORUM, MEDIA):
            data["available_tags"] = []
            data["default_reaction_emoji"] = None
            data["default_sort_order"] = None
            data["default_forum_layout"] = 0
    if ch.type in VOICE_LIKE:
        data["bitrate"] = ch.bitrate if ch.bitrate is not None else 64000
        data["user_limit"] = ch.user_limit if ch.user_limit is not None else 0
        data["rtc_region"] = ch.rtc_region
        data["last_message_id"] = None
        if ch.video_quality_mode is not None:
            data["video_quality_mode"] = ch.video_quality_mode
    return data


def channels_json(guild: StoredGuild) -> list[dict[str, Any]]:
    """Every channel of the guild, by position then id."""
    return [channel_json(guild, c) for c in channels_in_order(guild)]


def user_json(user: StoredUser) -> dict[str, Any]:
    """``UserResponse``."""
    data: dict[str, Any] = {
        "id": user.id,
        "username": user.username,
        "avatar": None,
        "discriminator": "0",
        "public_flags": 0,
        "flags": 0,
        "global_name": None if user.bot else user.username,
        "primary_guild": None,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "collectibles": None,
    }
    if user.bot:
        data["bot"] = True
    return data


def me_json(user: StoredUser) -> dict[str, Any]:
    """``UserPIIResponse`` for ``GET /users/@me``."""
    return {**user_json(user), "mfa_enabled": False, "locale": "en-US", "verified": True}


def member_json(member: StoredMember, user: StoredUser) -> dict[str, Any]:
    """``GuildMemberResponse``."""
    return {
        "avatar": None,
        "banner": None,
        "communication_disabled_until": None,
        "flags": 0,
        "joined_at": member.joined_at,
        "nick": member.nick,
        "pending": False,
        "premium_since": None,
        "roles": list(member.roles),
        "user": user_json(user),
        "mute": False,
        "deaf": False,
    }


def guild_json(guild: StoredGuild, *, with_counts: bool = False) -> dict[str, Any]:
    """``GuildWithCountsResponse``."""
    data: dict[str, Any] = {
        "id": guild.id,
        "name": guild.name,
        "icon": guild.icon,
        "description": guild.description,
        "home_header": None,
        "splash": None,
        "discovery_splash": None,
        "features": list(guild.features),
        "banner": None,
        "owner_id": guild.owner_id,
        "application_id": None,
        "region": "deprecated",
        "afk_channel_id": guild.afk_channel_id,
        "afk_timeout": guild.afk_timeout,
        "system_channel_id": guild.system_channel_id,
        "system_channel_flags": 0,
        "widget_enabled": False,
        "widget_channel_id": None,
        "verification_level": guild.verification_level,
        "roles": roles_json(guild),
        "default_message_notifications": guild.default_message_notifications,
        "mfa_level": 0,
        "explicit_content_filter": guild.explicit_content_filter,
        "max_presences": None,
        "max_members": 500000,
        "max_stage_video_channel_users": 50,
        "max_video_channel_users": 25,
        "vanity_url_code": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "rules_channel_id": None,
        "safety_alerts_channel_id": None,
        "public_updates_channel_id": None,
        "premium_progress_bar_enabled": False,
        "nsfw": False,
        "nsfw_level": 0,
        "emojis": [],
        "stickers": [],
        "incidents_data": None,
    }
    if with_counts:
        data["approximate_member_count"] = len(guild.members)
        data["approximate_presence_count"] = 0
    return data
