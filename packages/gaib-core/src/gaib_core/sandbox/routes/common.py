"""Lookups every route needs: path parameters as snowflakes, and 404s with Discord's codes."""

from __future__ import annotations

from gaib_core.sandbox.responses import invalid_field, unknown
from gaib_core.sandbox.routing import Request
from gaib_core.sandbox.store import StoredChannel, StoredGuild, StoredMember, StoredRole


def snowflake_param(req: Request, name: str) -> str:
    """A path parameter that must be a snowflake (400 / 50035 otherwise)."""
    value = req.params[name]
    if not value.isdigit():
        raise invalid_field([name], "NUMBER_TYPE_COERCE", f'Value "{value}" is not snowflake.')
    return value


def guild_of(req: Request) -> StoredGuild:
    """The ``{guild_id}`` guild (404 / 10004 if unknown)."""
    guild = req.store.guild(snowflake_param(req, "guild_id"))
    if guild is None or req.actor_id not in guild.members:
        raise unknown("guild")
    _act(req, guild)
    return guild


def _act(req: Request, guild: StoredGuild) -> None:
    """With ``X-Sandbox-Actor: owner`` the request acts as the guild's owner (a human's edit)."""
    if req.as_owner:
        req.actor_id = guild.owner_id


def role_of(req: Request, guild: StoredGuild) -> StoredRole:
    """The ``{role_id}`` role of ``guild`` (404 / 10011 if unknown)."""
    role = guild.roles.get(snowflake_param(req, "role_id"))
    if role is None:
        raise unknown("role")
    return role


def member_of(req: Request, guild: StoredGuild) -> StoredMember:
    """The ``{user_id}`` member of ``guild`` (404 / 10007 if unknown)."""
    member = guild.members.get(snowflake_param(req, "user_id"))
    if member is None:
        raise unknown("member")
    return member


def channel_of(req: Request) -> tuple[StoredGuild, StoredChannel]:
    """The ``{channel_id}`` channel and its guild (404 / 10003 if unknown)."""
    found = req.store.find_channel(snowflake_param(req, "channel_id"))
    if found is None or req.actor_id not in found[0].members:
        raise unknown("channel")
    _act(req, found[0])
    return found
