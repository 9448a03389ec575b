"""Member routes: list, get, modify roles, add/remove one role."""

from __future__ import annotations

from gaib_core.sandbox import rules
from gaib_core.sandbox.bodies import MemberBody, parse_body
from gaib_core.sandbox.responses import (
    APIError,
    SandboxResponse,
    empty_response,
    invalid_field,
    json_response,
    missing_access,
    missing_permissions,
)
from gaib_core.sandbox.routes.common import guild_of, member_of, role_of
from gaib_core.sandbox.routing import Request, Router
from gaib_core.sandbox.store import StoredGuild, StoredMember, StoredRole
from gaib_core.sandbox.views import member_json


def _member_json(req: Request, member: StoredMember) -> dict[str, object]:
    user = req.store.user(member.user_id)
    assert user is not None  # members are always created with their user
    return member_json(member, user)


def _int_query(req: Request, name: str, default: int, low: int, high: int) -> int:
    raw = req.query_value(name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise invalid_field([name], "NUMBER_TYPE_COERCE", f'Value "{raw}" is not int.')
    value = int(raw)
    if value < low:
        raise invalid_field(
            [name], "NUMBER_TYPE_MIN", f"int value should be greater than or equal to {low}."
        )
    if value > high:
        raise invalid_field(
            [name], "NUMBER_TYPE_MAX", f"int value should be less than or equal to {high}."
        )
    return value


def list_members(req: Request) -> SandboxResponse:
    """Members by user id, ``limit`` 1..1000 (default 1) after the user id ``after``.

    Needs the Server Members privileged intent, as on Discord (403 / 50001 without it).
    """
    guild = guild_of(req)
    if not req.store.data.members_intent:
        raise missing_access()
    limit = _int_query(req, "limit", 1, 1, 1000)
    after = _int_query(req, "after", 0, 0, 2**64)
    members = sorted(guild.members.values(), key=lambda m: int(m.user_id))
    page = [m for m in members if int(m.user_id) > after][:limit]
    return json_response(200, [_member_json(req, m) for m in page])


def get_member(req: Request) -> SandboxResponse:
    """One member."""
    guild = guild_of(req)
    return json_response(200, _member_json(req, member_of(req, guild)))


def _check_assignable(req: Request, guild: StoredGuild, role: StoredRole) -> None:
    """A role the bot may give or take: not @everyone, not managed, below the bot's top role."""
    if role.id == guild.id:
        raise APIError(400, 50028, "Invalid Role")
    if role.managed:
        raise missing_permissions()
    rules.require_below(guild, req.actor_id, role)


def modify_member(req: Request) -> SandboxResponse:
    """Replace the member's role list (and nick); every role added or removed is checked."""
    guild = guild_of(req)
    member = member_of(req, guild)
    body = parse_body(MemberBody, req.json(default={}))
    if body.roles is not None:
        rules.require_guild_permission(guild, req.actor_id, rules.MANAGE_ROLES)
        wanted: list[str] = []
        for index, role_id in enumerate(body.roles):
            if role_id not in guild.roles:
                raise invalid_field(["roles", index], "UNKNOWN_ROLE", "Unknown role")
            if role_id != guild.id and role_id not in wanted:
                wanted.append(role_id)
        for role_id in set(wanted) ^ set(member.roles):
            _check_assignable(req, guild, guild.roles[role_id])
        member.roles = wanted
    if "nick" in body.model_fields_set:
        member.nick = body.nick
    return json_response(200, _member_json(req, member))


def add_member_role(req: Request) -> SandboxResponse:
    """Give a member a role (204, idempotent)."""
    guild = guild_of(req)
    rules.require_guild_permission(guild, req.actor_id, rules.MANAGE_ROLES)
    member = member_of(req, guild)
    role = role_of(req, guild)
    _check_assignable(req, guild, role)
    if role.id not in member.roles:
        member.roles.append(role.id)
    return empty_response()


def remove_member_role(req: Request) -> SandboxResponse:
    """Take a role from a member (204, also when it did not hold it)."""
    guild = guild_of(req)
    rules.require_guild_permission(guild, req.actor_id, rules.MANAGE_ROLES)
    member = member_of(req, guild)
    role = role_of(req, guild)
    _check_assignable(req, guild, role)
    if role.id in member.roles:
        member.roles.remove(role.id)
    return empty_response()


def register(router: Router) -> None:
    """Add the routes of this module."""
    router.add("GET", "/guilds/{guild_id}/members", list_members)
    router.add("GET", "/guilds/{guild_id}/members/{user_id}", get_member)
    router.add("PATCH", "/guilds/{guild_id}/members/{user_id}", modify_member)
    router.add("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", add_member_role)
    router.add("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", remove_member_role)
