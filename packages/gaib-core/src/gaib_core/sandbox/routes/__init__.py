"""The sandbox's Discord API v10 routes, one module per resource."""

from __future__ import annotations

from gaib_core.sandbox.routes import channels, commands, guilds, members, roles, users
from gaib_core.sandbox.routing import Router


def build_router() -> Router:
    """A router with every route the sandbox implements under ``/api/v10``."""
    router = Router()
    for module in (users, guilds, roles, channels, members, commands):
        module.register(router)
    return router
