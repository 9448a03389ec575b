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
    POST   /_sandbox/guilds/{gid}/bot-permissions  {permissions} -> {role_id, permissions}
                                           (added to the bot's managed role, as the owner would)
    POST   /_sandbox/reset                 -> {reset: true}
    POST   /_sandbox/faults                {kind, count, route?, retry_after?, global?, status?, delay?, after?}
    GET    /_sandbox/faults                -> [queued faults]
    DELETE /_sandbox/faults                -> {cleared: true}
    GET    /_sandbox/stats                 -> {requests, by_route, rate_limited, faults_fired}
    POST   /_sandbox/stats/reset           -> {reset: true} (also empties the audit log)
    GET    /_sandbox/audit-log             -> [{method, route, path, status, reason, user_agent}]
                                           (every API write; reason = X-Audit-Log-Reason decoded)
    POST   /_sandbox/limits                {profile: strict|relaxed|off} -> {profile}
    POST   /_sandbox/intents               {members: bool} -> {members} (the Server Members
                                           intent; without it List Guild Members is 403 / 50001)
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gaib_core.sandbox.bodies import Bitfield, Snowflake
from gaib_core.sandbox.errors import SandboxError
from gaib_core.sandbox.faults import FaultSpec
from gaib_core.sandbox.ratelimit import PROFILES
from gaib_core.sandbox.responses import APIError, SandboxResponse, json_response
from gaib_core.sandbox.routing import Request, Router

if TYPE_CHECKING:
    from gaib_core.sandbox.core import Sandbox


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


class IntentsBody(_Admin):
    """Body of ``POST /_sandbox/intents``."""

    members: bool


class LimitsBody(_Admin):
    """Body of ``POST /_sandbox/limits``."""

    profile: str


def _bad(message: str, status: int = 400) -> SandboxResponse:
    return json_response(status, {"message": message, "code": 0})


def _parse(model: type[BaseModel], req: Request) -> Any:
    data = json.loads(req.body) if req.body.strip() else {}
    return model.model_validate(data)


def handle_admin(
    sandbox: Sandbox, router: Router, method: str, path: str, req: Request
) -> SandboxResponse:
    """Answer one admin request (``path`` is relative to ``/_sandbox``) through ``router``.

    Bad bodies answer 400 naming the field; a ``SandboxError`` answers its own ``status``.
    """
    path = path.rstrip("/") or "/"
    try:
        match = router.match(method, path)
    except APIError as exc:
        return exc.response()
    if match is None:
        return _bad(f"no admin route {method} /_sandbox{path}", 404)
    req.params = match.params
    try:
        return match.route.handler(req)
    except ValueError as exc:  # includes pydantic's ValidationError and bad JSON
        first = (
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            if isinstance(exc, ValidationError)
            else str(exc)
        )
        return _bad(f"invalid admin request: {first}")
    except SandboxError as exc:
        return _bad(str(exc), exc.status)


class BotGrant(_Admin):
    """Body of ``POST /_sandbox/guilds/{gid}/bot-permissions``."""

    permissions: Bitfield


def build_admin_router(sandbox: Sandbox) -> Router:
    """Every ``/_sandbox`` route (see the module docstring), acting on ``sandbox``."""
    router = Router()

    def new_guild(req: Request) -> SandboxResponse:
        new = _parse(NewGuild, req)
        info = sandbox.create_guild(new.name, new.bot_role_name, new.bot_permissions, new.members)
        return json_response(200, info.to_json())

    def new_member(req: Request) -> SandboxResponse:
        member = _parse(NewMember, req)
        user_id = sandbox.add_member(req.params["guild_id"], member.username, member.roles)
        return json_response(200, {"user_id": user_id})

    def new_role(req: Request) -> SandboxResponse:
        role = _parse(NewRole, req)
        role_id = sandbox.add_role(
            req.params["guild_id"],
            role.name,
            permissions=role.permissions,
            position=role.position,
            managed=role.managed,
        )
        return json_response(200, {"role_id": role_id})

    def grant_bot(req: Request) -> SandboxResponse:
        grant = _parse(BotGrant, req)
        role_id, bits = sandbox.grant_bot(req.params["guild_id"], grant.permissions)
        return json_response(200, {"role_id": role_id, "permissions": str(bits)})

    def reset(req: Request) -> SandboxResponse:
        sandbox.reset()
        return json_response(200, {"reset": True})

    def add_fault(req: Request) -> SandboxResponse:
        sandbox.add_fault(_parse(FaultSpec, req))
        return json_response(200, {"queued": True})

    def clear_faults(req: Request) -> SandboxResponse:
        sandbox.clear_faults()
        return json_response(200, {"cleared": True})

    def reset_stats(req: Request) -> SandboxResponse:
        sandbox.reset_stats()
        return json_response(200, {"reset": True})

    def set_limits(req: Request) -> SandboxResponse:
        limits = _parse(LimitsBody, req)
        if limits.profile not in PROFILES:
            return _bad(f"unknown profile {limits.profile!r}; use one of {', '.join(PROFILES)}")
        sandbox.set_limits(limits.profile)
        return json_response(200, {"profile": limits.profile})

    def set_intents(req: Request) -> SandboxResponse:
        intents = _parse(IntentsBody, req)
        sandbox.set_members_intent(intents.members)
        return json_response(200, {"members": intents.members})

    router.add("POST", "/guilds", new_guild)
    router.add("GET", "/guilds", lambda req: json_response(200, sandbox.guilds()))
    router.add("POST", "/guilds/{guild_id}/members", new_member)
    router.add("POST", "/guilds/{guild_id}/roles", new_role)
    router.add("POST", "/guilds/{guild_id}/bot-permissions", grant_bot)
    router.add("POST", "/reset", reset)
    router.add("POST", "/faults", add_fault)
    router.add("GET", "/faults", lambda req: json_response(200, sandbox.pending_faults()))
    router.add("DELETE", "/faults", clear_faults)
    router.add("GET", "/stats", lambda req: json_response(200, sandbox.stats()))
    router.add("POST", "/stats/reset", reset_stats)
    router.add("GET", "/audit-log", lambda req: json_response(200, sandbox.audit_log()))
    router.add("POST", "/limits", set_limits)
    router.add("POST", "/intents", set_intents)
    router.add(
        "GET", "/limits", lambda req: json_response(200, {"profile": sandbox.limiter.profile.name})
    )
    return router
