"""Channel routes: list, create, bulk positions/parents, get, modify, delete, overwrites."""

from __future__ import annotations

from collections.abc import Iterable

from gaib_core.config.validate import normalize_channel_name
from gaib_core.sandbox import rules
from gaib_core.sandbox.bodies import (
    GUILD_CHANNEL_TYPES,
    ChannelCreateBody,
    ChannelModifyBody,
    ChannelPositionBody,
    OverwriteBody,
    OverwritePutBody,
    parse_body,
)
from gaib_core.sandbox.responses import (
    APIError,
    SandboxResponse,
    empty_response,
    invalid_field,
    json_response,
    unknown,
)
from gaib_core.sandbox.routes.common import channel_of, guild_of, snowflake_param
from gaib_core.sandbox.routing import Request, Router
from gaib_core.sandbox.store import StoredChannel, StoredGuild, StoredOverwrite
from gaib_core.sandbox.views import channel_json, channels_json


def list_channels(req: Request) -> SandboxResponse:
    """Every channel of the guild (Discord lists them all, visible or not)."""
    return json_response(200, channels_json(guild_of(req)))


def _check_parent(
    guild: StoredGuild, channel_type: int, parent_id: str | None, moving: str | None = None
) -> None:
    """400 / 50035 on ``parent_id`` unless it names a category with room (categories: none)."""
    if parent_id is None:
        return
    if channel_type == rules.CATEGORY:
        raise invalid_field(
            ["parent_id"], "CHANNEL_PARENT_INVALID_TYPE", "Categories cannot have subcategories."
        )
    parent = guild.channels.get(parent_id)
    if parent is None or parent.type != rules.CATEGORY:
        raise invalid_field(["parent_id"], "CHANNEL_PARENT_INVALID_TYPE", "Not a category.")
    children = [c for c in guild.channels.values() if c.parent_id == parent_id and c.id != moving]
    if len(children) >= rules.MAX_PER_CATEGORY:
        raise invalid_field(
            ["parent_id"],
            "CHANNEL_PARENT_MAX_CHANNELS",
            "Maximum number of channels in category reached (50)",
        )


def _overwrites(
    req: Request, guild: StoredGuild, old: Iterable[StoredOverwrite], new: list[OverwriteBody]
) -> list[StoredOverwrite]:
    """Validated overwrites: targets must exist, and the bot may only set what it may grant."""
    result: dict[str, StoredOverwrite] = {}
    for index, ow in enumerate(new):
        kind_number = ow.type or 0
        known = guild.roles if kind_number == 0 else guild.members
        if ow.id not in known:
            kind = "role" if kind_number == 0 else "member"
            raise invalid_field(
                ["permission_overwrites", index, "id"],
                "UNKNOWN_OVERWRITE_TARGET",
                f"Unknown {kind}",
            )
        result[ow.id] = StoredOverwrite(
            id=ow.id, type=kind_number, allow=ow.allow or 0, deny=ow.deny or 0
        )
    rules.require_overwrites_allowed(guild, req.actor_id, old, result.values())
    return list(result.values())


def _stored_name(name: str, ctype: int) -> str:
    """The normalised name; 400 / 50035 if nothing of it is left (e.g. "!!!")."""
    # The one definition configs and the engine use too, so plans never see a rename.
    stored = normalize_channel_name(name, ctype)
    if not stored:
        raise invalid_field(["name"], "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length.")
    return stored


def _next_position(guild: StoredGuild, channel_type: int) -> int:
    bucket = rules.sorting_bucket(channel_type)
    positions = [
        c.position for c in guild.channels.values() if rules.sorting_bucket(c.type) == bucket
    ]
    return max(positions, default=-1) + 1


def _check_topic(channel_type: int, topic: str | None) -> None:
    limit = 4096 if channel_type in (rules.FORUM, rules.MEDIA) else 1024
    if topic is not None and len(topic) > limit:
        raise invalid_field(
            ["topic"], "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."
        )


def _check_voice(channel_type: int, user_limit: int | None) -> None:
    if channel_type == rules.VOICE and user_limit is not None and user_limit > 99:
        raise invalid_field(
            ["user_limit"], "NUMBER_TYPE_MAX", "int value should be less than or equal to 99."
        )


def create_channel(req: Request) -> SandboxResponse:
    """A new channel or category (201); overwrites travel in the body."""
    guild = guild_of(req)
    rules.require_guild_permission(guild, req.actor_id, rules.MANAGE_CHANNELS)
    body = parse_body(ChannelCreateBody, req.json(default={}))
    ctype = body.type if body.type is not None else rules.TEXT
    if ctype not in GUILD_CHANNEL_TYPES:
        raise invalid_field(
            ["type"], "BASE_TYPE_CHOICES", f"Value must be one of {set(GUILD_CHANNEL_TYPES)}."
        )
    if len(guild.channels) >= rules.MAX_CHANNELS:
        raise APIError(400, 30013, "Maximum number of guild channels reached (500)")
    _check_parent(guild, ctype, body.parent_id)
    _check_topic(ctype, body.topic)
    _check_voice(ctype, body.user_limit)
    overwrites: list[StoredOverwrite] = []
    if body.permission_overwrites:
        rules.require_guild_permission(guild, req.actor_id, rules.MANAGE_ROLES)
        overwrites = _overwrites(req, guild, [], body.permission_overwrites)
    voice = ctype in rules.VOICE_LIKE
    channel = StoredChannel(
        id=req.store.snowflake(),
        type=ctype,
        name=_stored_name(body.name, ctype),
        position=body.position if body.position is not None else _next_position(guild, ctype),
        parent_id=body.parent_id,
        topic=body.topic if ctype in rules.TEXT_LIKE else None,
        nsfw=bool(body.nsfw),
        rate_limit_per_user=body.rate_limit_per_user or 0,
        bitrate=(body.bitrate or 64000) if voice else None,
        user_limit=(body.user_limit or 0) if voice else None,
        rtc_region=body.rtc_region if voice else None,
        video_quality_mode=body.video_quality_mode if voice else None,
        default_auto_archive_duration=body.default_auto_archive_duration,
        overwrites=overwrites,
    )
    guild.channels[channel.id] = channel
    return json_response(201, channel_json(guild, channel))


def reorder_channels(req: Request) -> SandboxResponse:
    """Bulk positions/parents (204); at most one parent change per request (400 / 40009)."""
    guild = guild_of(req)
    rules.require_guild_permission(guild, req.actor_id, rules.MANAGE_CHANNELS)
    entries = parse_body(list[ChannelPositionBody], req.json(default=[]))
    targets: list[tuple[StoredChannel, ChannelPositionBody]] = []
    for entry in entries:
        channel = guild.channels.get(entry.id)
        if channel is None:
            raise unknown("channel")
        targets.append((channel, entry))
    moves = [
        (ch, e)
        for ch, e in targets
        if "parent_id" in e.model_fields_set and e.parent_id != ch.parent_id
    ]
    if len(moves) > 1:
        raise APIError(400, 40009, "Only one channel can have a parent_id modified at a time")
    for channel, entry in moves:
        rules.require_channel_permission(guild, channel, req.actor_id, rules.MANAGE_CHANNELS)
        _check_parent(guild, channel.type, entry.parent_id, moving=channel.id)
    # lock_permissions syncs a channel with its (new or current) category: needs MANAGE_ROLES
    moved_to = {ch.id: e.parent_id for ch, e in moves}
    syncs = [
        (ch, parent)
        for ch, e in targets
        if e.lock_permissions and (parent := moved_to.get(ch.id, ch.parent_id)) is not None
    ]
    for channel, _ in syncs:
        rules.require_channel_permission(guild, channel, req.actor_id, rules.MANAGE_ROLES)
    for channel, entry in targets:
        if entry.position is not None:
            channel.position = entry.position
    for channel, entry in moves:
        channel.parent_id = entry.parent_id
    for channel, parent_id in syncs:
        channel.overwrites = [o.model_copy() for o in guild.channels[parent_id].overwrites]
    return empty_response()


def get_channel(req: Request) -> SandboxResponse:
    """One channel (403 / 50001 if the bot cannot view it)."""
    guild, channel = channel_of(req)
    rules.require_channel_permission(guild, channel, req.actor_id, 0)
    return json_response(200, channel_json(guild, channel))


def modify_channel(req: Request) -> SandboxResponse:
    """Change the fields given; overwrites replace the channel's whole list."""
    guild, channel = channel_of(req)
    rules.require_channel_permission(guild, channel, req.actor_id, rules.MANAGE_CHANNELS)
    body = parse_body(ChannelModifyBody, req.json(default={}))
    fields = body.model_fields_set
    ctype = channel.type
    if body.type is not None and body.type != channel.type:
        if {body.type, channel.type} != {rules.TEXT, rules.ANNOUNCEMENT}:
            raise invalid_field(
                ["type"],
                "CHANNEL_TYPE_INVALID",
                "Only text and announcement channels can be converted into each other.",
            )
        ctype = body.type
    if "parent_id" in fields and body.parent_id != channel.parent_id:
        _check_parent(guild, ctype, body.parent_id, moving=channel.id)
    _check_topic(ctype, body.topic)
    _check_voice(ctype, body.user_limit)
    overwrites = None
    if "permission_overwrites" in fields:
        rules.require_channel_permission(guild, channel, req.actor_id, rules.MANAGE_ROLES)
        overwrites = _overwrites(req, guild, channel.overwrites, body.permission_overwrites or [])
    _apply_modify(channel, body, ctype, fields)
    if overwrites is not None:
        channel.overwrites = overwrites
    return json_response(200, channel_json(guild, channel))


def _apply_modify(
    channel: StoredChannel, body: ChannelModifyBody, ctype: int, fields: set[str]
) -> None:
    channel.type = ctype
    voice = ctype in rules.VOICE_LIKE
    if body.name is not None:
        channel.name = _stored_name(body.name, ctype)
    if "parent_id" in fields:
        channel.parent_id = body.parent_id
    if body.position is not None:
        channel.position = body.position
    if "topic" in fields and ctype in rules.TEXT_LIKE:
        channel.topic = body.topic
    if body.nsfw is not None:
        channel.nsfw = body.nsfw
    if body.rate_limit_per_user is not None:
        channel.rate_limit_per_user = body.rate_limit_per_user
    if voice and body.bitrate is not None:
        channel.bitrate = body.bitrate
    if voice and body.user_limit is not None:
        channel.user_limit = body.user_limit
    if voice and "rtc_region" in fields:
        channel.rtc_region = body.rtc_region
    if voice and body.video_quality_mode is not None:
        channel.video_quality_mode = body.video_quality_mode
    if body.default_auto_archive_duration is not None:
        channel.default_auto_archive_duration = body.default_auto_archive_duration


def delete_channel(req: Request) -> SandboxResponse:
    """Delete a channel (200 with the object); a category's children lose their parent."""
    guild, channel = channel_of(req)
    rules.require_channel_permission(guild, channel, req.actor_id, rules.MANAGE_CHANNELS)
    data = channel_json(guild, channel)
    del guild.channels[channel.id]
    for child in guild.channels.values():
        if child.parent_id == channel.id:
            child.parent_id = None
    # As on Discord, the guild stops pointing at a deleted AFK or system channel.
    if guild.afk_channel_id == channel.id:
        guild.afk_channel_id = None
    if guild.system_channel_id == channel.id:
        guild.system_channel_id = None
    return json_response(200, data)


def put_overwrite(req: Request) -> SandboxResponse:
    """Create or replace one overwrite (204)."""
    guild, channel = channel_of(req)
    rules.require_channel_permission(guild, channel, req.actor_id, rules.MANAGE_ROLES)
    target = snowflake_param(req, "overwrite_id")
    body = parse_body(OverwritePutBody, req.json(default={}))
    if body.type == 0 and target not in guild.roles:
        raise unknown("role")
    if body.type == 1 and target not in guild.members:
        raise unknown("member")
    new = StoredOverwrite(id=target, type=body.type, allow=body.allow or 0, deny=body.deny or 0)
    rules.require_overwrites_allowed(guild, req.actor_id, channel.overwrites, [new])
    kept = [o for o in channel.overwrites if o.id != target]
    channel.overwrites = [*kept, new]
    return empty_response()


def delete_overwrite(req: Request) -> SandboxResponse:
    """Remove one overwrite (204, also when there was none)."""
    guild, channel = channel_of(req)
    rules.require_channel_permission(guild, channel, req.actor_id, rules.MANAGE_ROLES)
    target = snowflake_param(req, "overwrite_id")
    channel.overwrites = [o for o in channel.overwrites if o.id != target]
    return empty_response()


def register(router: Router) -> None:
    """Add the routes of this module."""
    router.add("GET", "/guilds/{guild_id}/channels", list_channels)
    router.add("POST", "/guilds/{guild_id}/channels", create_channel)
    router.add("PATCH", "/guilds/{guild_id}/channels", reorder_channels)
    router.add("GET", "/channels/{channel_id}", get_channel)
    router.add("PATCH", "/channels/{channel_id}", modify_channel)
    router.add("DELETE", "/channels/{channel_id}", delete_channel)
    router.add("PUT", "/channels/{channel_id}/permissions/{overwrite_id}", put_overwrite)
    router.add("DELETE", "/channels/{channel_id}/permissions/{overwrite_id}", delete_overwrite)
