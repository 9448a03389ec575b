"""The admin API under ``/_sandbox``: what Discord's API has no route for.

JSON in, JSON out, no auth (the sandbox listens on loopback). Besides these routes, an API request
with the header ``X-Sandbox-Actor: owner`` acts as the guild's owner instead of the bot (hand
edits: drift, roles above the bot)::

    POST   /_sandbox/guilds                {name?, bot_role_name?, bot_permissions?, members?}
                                           -> GuildInfo {guild_id, owner_id, bot_user_id, bot_role_id, token}
    GET    /_sandbox/guilds                -> [{id, name, owner_id, roles, channels, members}]
    POST   /_sandbox/guilds/{gid}/members  {username, roles?} -> {user_id}
    POST   /_sandbox/guilds/{gid}/roles    {name, permissions?, position?, managed?} -> {role_id}
                                           (a role made by the owner: any position, no rules)
    POST   /_sandbox/reset                 -> {reset: true}
    POST   /_sandbox/faults                {kind, count, route?, retry_after?, global?, status?, delay?, after?}
    GET    /_sandbox/faults                -> [queued faults]
    DELETE /_sandbox/faults                -> {cleared: true}
    GET    /_sandbox/stats                 -> {requests, by_route, rate_limited, faults_fired}
    POST   /_sandbox/stats/reset           -> {reset: true} (also empties the audit log)
    GET    /_sandbox/audit-log             -> [{method, route, path, status, reason, user_agent}]
                                           (every API write; reason = X-Audit-Log-Reason decoded)
    POST   /_sandbox/limits                {profile: strict|relaxed|off} -> {profile}
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gaib_core.sandbox.bodies import Bitfield, Snowflake
from gaib_core.sandbox.faults import FaultSpec
from gaib_core.sandbox.ratelimit import PROFILES
from gaib_core.sandbox.responses import SandboxResponse, json_response

if TYPE_CHECKING:
    from gaib_core.sandbox.core import Sandbox

_MEMBERS = re.compile(r"^/guilds/(\d+)/members/?$")
_ROLES = re.compile(r"^/guilds/(\d+)/roles/?$")


class _Admin(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewGuild(_Admin):
    """Body of ``POST /_sandbox/guilds``."""

    name: str = Field("Sandbox", min_length=1, max_length=100)
    bot_role_name: str = Field("gaib", min_length=1, max_length=100)
    bot_permissions: Bitfield | None = None
    members: list[str] = Field(default_factory=list)


class NewMember(_Admin):
    """Body of ``POST /_sandbox/guilds/{gid}/members``."""

    username: str = Field(min_length=1, max_length=32)
    roles: list[Snowflake] = Field(default_factory=list)


class NewRole(_Admin):
    """Body of ``POST /_sandbox/guilds/{gid}/roles`` (a role the owner makes)."""

    name: str = Field(min_length=1, max_length=100)
    permissions: Bitfield = 0
    position: int = Field(1, ge=1)
    managed: bool = False


class LimitsBody(_Admin):
    """Body of ``POST /_sandbox/limits``."""

    profile: str


def _bad(message: str, status: int = 400) -> SandboxResponse:
    return json_response(status, {"message": message, "code": 0})


def _parse(model: type[BaseModel], body: bytes) -> Any:
    data = json.loads(body) if body.strip() else {}
    return model.model_validate(data)


def handle_admin(sandbox: Sandbox, method: str, path: str, body: bytes) -> SandboxResponse:
    """Answer one admin request (``path`` is relative to ``/_sandbox``)."""
    from gaib_core.sandbox.core import SandboxError

    path = path.rstrip("/") or "/"
    try:
        return _route(sandbox, method, path, body)
    except ValueError as exc:  # includes pydantic's ValidationError and bad JSON
        first = (
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            if isinstance(exc, ValidationError)
            else str(exc)
        )
        return _bad(f"invalid admin request: {first}")
    except SandboxError as exc:
        return _bad(str(exc), 404 if "has no guild" in exc.message else 400)


def _route(sandbox: Sandbox, method: str, path: str, body: bytes) -> SandboxResponse:
    key = (method, path)
    if key == ("POST", "/guilds"):
        new = _parse(NewGuild, body)
        info = sandbox.create_guild(new.name, new.bot_role_name, new.bot_permissions, new.members)
        return json_response(200, info.to_json())
    if key == ("GET", "/guilds"):
        return json_response(200, sandbox.guilds())
    found = _MEMBERS.match(path)
    if found and method == "POST":
        member = _parse(NewMember, body)
        user_id = sandbox.add_member(found.group(1), member.username, member.roles)
        return json_response(200, {"user_id": user_id})
    found = _ROLES.match(path)
    if found and method == "POST":
        role = _parse(NewRole, body)
        role_id = sandbox.add_role(
            found.group(1),
            role.name,
            permissions=role.permissions,
            position=role.position,
            managed=role.managed,
        )
        return json_response(200, {"role_id": role_id})
    if key == ("POST", "/reset"):
        sandbox.reset()
        return json_response(200, {"reset": True})
    if key == ("POST", "/faults"):
        sandbox.add_fault(_parse(FaultSpec, body))
        return json_response(200, {"queued": True})
    if key == ("GET", "/faults"):
        return json_response(200, sandbox.pending_faults())
    if key == ("DELETE", "/faults"):
        sandbox.clear_faults()
        return json_response(200, {"cleared": True})
    if key == ("GET", "/stats"):
        return json_response(200, sandbox.stats())
    if key == ("GET", "/audit-log"):
        return json_response(200, sandbox.audit_log())
    if key == ("POST", "/stats/reset"):
        sandbox.reset_stats()
        return json_response(200, {"reset": True})
    if key == ("POST", "/limits"):
        limits = _parse(LimitsBody, body)
        if limits.profile not in PROFILES:
            return _bad(f"unknown profile {limits.profile!r}; use one of {', '.join(PROFILES)}")
        sandbox.set_limits(limits.profile)
        return json_response(200, {"profile": limits.profile})
    if key == ("GET", "/limits"):
        return json_response(200, {"profile": sandbox.limiter.profile.name})
    return _bad(f"no admin route {method} /_sandbox{path}", 404)
