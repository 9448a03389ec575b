"""``GET /guilds/{guild_id}``: the guild object (with its roles, never its channels)."""

from __future__ import annotations

from gaib_core.sandbox.responses import SandboxResponse, json_response
from gaib_core.sandbox.routes.common import guild_of
from gaib_core.sandbox.routing import Request, Router
from gaib_core.sandbox.views import guild_json


def get_guild(req: Request) -> SandboxResponse:
    """The guild, with its roles (never its channels); ``?with_counts=true`` adds counts."""
    guild = guild_of(req)
    with_counts = (req.query_value("with_counts") or "").lower() in ("true", "1")
    return json_response(200, guild_json(guild, with_counts=with_counts))


def register(router: Router) -> None:
    """Add the routes of this module."""
    router.add("GET", "/guilds/{guild_id}", get_guild)
