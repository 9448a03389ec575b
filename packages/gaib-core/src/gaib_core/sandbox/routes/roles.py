"""Role routes: list, create, bulk positions, get, modify, delete."""

from __future__ import annotations

from gaib_core.sandbox import rules
from gaib_core.sandbox.bodies import RoleBody, RolePositionBody, parse_body
from gaib_core.sandbox.responses import (
    APIError,
    SandboxResponse,
    empty_response,
    json_response,
    missing_permissions,
    unknown,
)
from gaib_core.sandbox.routes.common import guild_of, role_of
from gaib_core.sandbox.routing import Request, Router
from gaib_core.sandbox.store import StoredGuild, StoredRole
from gaib_core.sandbox.views import role_json, roles_json


def _invalid_role() -> APIError:
    return APIError(400, 50028, "Invalid Role")


def list_roles(req: Request) -> SandboxResponse:
    """Every role, by position then id."""
    return json_response(200, roles_json(guild_of(req)))


def create_role(req: Request) -> SandboxResponse:
    """A new role at position 1; the others are NOT renumbered (positions may collide)."""
    guild = guild_of(req)
    rules.require_guild_permission(guild, req.actor_id, rules.MANAGE_ROLES)
    body = parse_body(RoleBody, req.json(default={}))
    if len(guild.roles) >= rules.MAX_ROLES:
        raise APIError(400, 30005, "Maximum number of server roles reached (250)")
    permissions = body.permissions if body.permissions is not None else guild.everyone.permissions
    rules.require_grantable(guild, req.actor_id, permissions)
    role = StoredRole(
        id=req.store.snowflake(),
        name=body.name or "new role",
        permissions=permissions,
        color=_color(body, 0),
        hoist=bool(body.hoist),
        mentionable=bool(body.mentionable),
        position=1,
    )
    guild.roles[role.id] = role
    return json_response(200, role_json(role))


def _color(body: RoleBody, current: int) -> int:
    if body.color is not None:
        return body.color
    if body.colors and body.colors.get("primary_color") is not None:
        return int(body.colors["primary_color"] or 0)
    return current


def reorder_roles(req: Request) -> SandboxResponse:
    """Set exactly the positions asked (nothing else moves); answer with every role."""
    guild = guild_of(req)
    rules.require_guild_permission(guild, req.actor_id, rules.MANAGE_ROLES)
    entries = parse_body(list[RolePositionBody], req.json(default=[]))
    changes: list[tuple[StoredRole, int]] = []
    for entry in entries:
        role = guild.roles.get(entry.id)
        if role is None:
            raise unknown("role")
        if entry.position is None or entry.position == role.position:
            continue
        if role.id == guild.id:
            raise _invalid_role()
        rules.require_below(guild, req.actor_id, role)
        rules.require_position_below(guild, req.actor_id, entry.position)
        changes.append((role, entry.position))
    for role, position in changes:
        role.position = position
    return json_response(200, roles_json(guild))


def get_role(req: Request) -> SandboxResponse:
    """One role."""
    guild = guild_of(req)
    return json_response(200, role_json(role_of(req, guild)))


def modify_role(req: Request) -> SandboxResponse:
    """Change a role below the bot's highest role; new permission bits must be the bot's own."""
    guild = guild_of(req)
    rules.require_guild_permission(guild, req.actor_id, rules.MANAGE_ROLES)
    role = role_of(req, guild)
    body = parse_body(RoleBody, req.json(default={}))
    rules.require_below(guild, req.actor_id, role)
    if body.permissions is not None:
        rules.require_grantable(guild, req.actor_id, body.permissions ^ role.permissions)
        role.permissions = body.permissions
    if body.name is not None and role.id != guild.id:
        role.name = body.name
    role.color = _color(body, role.color)
    if body.hoist is not None:
        role.hoist = body.hoist
    if body.mentionable is not None:
        role.mentionable = body.mentionable
    return json_response(200, role_json(role))


def delete_role(req: Request) -> SandboxResponse:
    """Delete a role below the bot (never @everyone or a managed role); 204."""
    guild = guild_of(req)
    rules.require_guild_permission(guild, req.actor_id, rules.MANAGE_ROLES)
    role = role_of(req, guild)
    if role.id == guild.id:
        raise _invalid_role()
    if role.managed:
        raise missing_permissions()
    rules.require_below(guild, req.actor_id, role)
    _forget_role(guild, role.id)
    return empty_response()


def _forget_role(guild: StoredGuild, role_id: str) -> None:
    del guild.roles[role_id]
    for member in guild.members.values():
        if role_id in member.roles:
            member.roles.remove(role_id)
    for channel in guild.channels.values():
        channel.overwrites = [
            o for o in channel.overwrites if not (o.type == 0 and o.id == role_id)
        ]


def register(router: Router) -> None:
    """Add the routes of this module."""
    router.add("GET", "/guilds/{guild_id}/roles", list_roles)
    router.add("POST", "/guilds/{guild_id}/roles", create_role)
    router.add("PATCH", "/guilds/{guild_id}/roles", reorder_roles)
    router.add("GET", "/guilds/{guild_id}/roles/{role_id}", get_role)
    router.add("PATCH", "/guilds/{guild_id}/roles/{role_id}", modify_role)
    router.add("DELETE", "/guilds/{guild_id}/roles/{role_id}", delete_role)
