"""``GET /users/@me``: the sandbox's bot user."""

from __future__ import annotations

from gaib_core.sandbox.responses import SandboxResponse, json_response
from gaib_core.sandbox.routing import Request, Router
from gaib_core.sandbox.views import me_json


def get_me(req: Request) -> SandboxResponse:
    """The bot user."""
    return json_response(200, me_json(req.store.bot_user()))


def register(router: Router) -> None:
    """Add the routes of this module."""
    router.add("GET", "/users/@me", get_me)
