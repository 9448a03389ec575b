"""``GET /guilds/{guild_id}`` (the guild with its roles, never its channels) and Modify Guild.

Modify Guild (``PATCH /guilds/{guild_id}``) is answered as Discord does for the settings the
sandbox keeps: MANAGE_GUILD is required (403 / 50013), the body is validated field by field
(400 / 50035 with an ``errors`` tree: ``BASE_TYPE_BAD_LENGTH`` for a name outside 2-100,
``ENUM_TYPE_COERCE`` for an unknown level or an AFK timeout other than 60/300/900/1800/3600,
``IMAGE_INVALID`` for icon data that is not a PNG/JPEG/GIF data URI), and the answer is the
guild object. Only the fields sent change; ``null`` clears the nullable ones (description,
icon, AFK and system channel).

The AFK channel must be a voice channel of the guild and the system channel a text channel of
the guild (Discord fixed accepting other types in 2021, discord-api-docs#1380). Discord does not
document the field error codes for these; the sandbox answers 50035 with ``CHANNEL_UNKNOWN`` or
``CHANNEL_TYPE_INVALID`` on the field. The icon hash is the MD5 of the image (32 hex digits, as
Discord's are; a GIF gets Discord's ``a_`` prefix when the guild has ``ANIMATED_ICON``).
"""

from __future__ import annotations

from gaib_core import images
from gaib_core.sandbox import rules
from gaib_core.sandbox.bodies import GuildBody, parse_body
from gaib_core.sandbox.responses import (
    SandboxResponse,
    field_error,
    invalid_field,
    invalid_form,
    json_response,
    merge_trees,
)
from gaib_core.sandbox.routes.common import guild_of
from gaib_core.sandbox.routing import Request, Router
from gaib_core.sandbox.store import StoredGuild
from gaib_core.sandbox.views import guild_json

ANIMATED_ICON = "ANIMATED_ICON"


def get_guild(req: Request) -> SandboxResponse:
    """The guild, with its roles (never its channels); ``?with_counts=true`` adds counts."""
    guild = guild_of(req)
    with_counts = (req.query_value("with_counts") or "").lower() in ("true", "1")
    return json_response(200, guild_json(guild, with_counts=with_counts))


def modify_guild(req: Request) -> SandboxResponse:
    """Change the settings sent (MANAGE_GUILD); the answer is the guild object."""
    guild = guild_of(req)
    rules.require_guild_permission(guild, req.actor_id, rules.MANAGE_GUILD)
    body = parse_body(GuildBody, req.json(default={}))
    sent = body.model_fields_set
    if "name" in sent and body.name is None:
        raise invalid_field(["name"], "BASE_TYPE_REQUIRED", "This field is required")
    icon = _icon_hash(guild, body.icon) if "icon" in sent else guild.icon
    _check_channels(guild, body)
    if body.name is not None:
        guild.name = body.name
    if "description" in sent:
        guild.description = body.description or None
    guild.icon = icon
    for field in ("verification_level", "default_message_notifications", "explicit_content_filter"):
        value = getattr(body, field)
        if value is not None:
            setattr(guild, field, value)
    if body.afk_timeout is not None:
        guild.afk_timeout = body.afk_timeout
    if "afk_channel_id" in sent:
        guild.afk_channel_id = body.afk_channel_id
    if "system_channel_id" in sent:
        guild.system_channel_id = body.system_channel_id
    return json_response(200, guild_json(guild))


def _icon_hash(guild: StoredGuild, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        image = images.from_data_uri(value)
    except images.ImageError:
        raise invalid_field(["icon"], "IMAGE_INVALID", "Invalid image data") from None
    prefix = "a_" if image.animated and ANIMATED_ICON in guild.features else ""
    return prefix + image.md5


def _check_channels(guild: StoredGuild, body: GuildBody) -> None:
    """50035 when the AFK channel is not a voice channel or the system channel not a text one."""
    errors: dict[str, object] = {}
    wanted = (
        ("afk_channel_id", body.afk_channel_id, rules.VOICE, "a voice channel"),
        ("system_channel_id", body.system_channel_id, rules.TEXT, "a text channel"),
    )
    for field, channel_id, kind, what in wanted:
        if channel_id is None:
            continue
        channel = guild.channels.get(channel_id)
        if channel is None:
            leaf = field_error("CHANNEL_UNKNOWN", f"Unknown channel {channel_id}.")
        elif channel.type != kind:
            leaf = field_error("CHANNEL_TYPE_INVALID", f"The channel must be {what}.")
        else:
            continue
        merge_trees(errors, {field: leaf})
    if errors:
        raise invalid_form(errors)


def register(router: Router) -> None:
    """Add the routes of this module."""
    router.add("GET", "/guilds/{guild_id}", get_guild)
    router.add("PATCH", "/guilds/{guild_id}", modify_guild)
