"""The sandbox's Discord API v10 routes, one module per resource."""

from __future__ import annotations

from gaib_core.sandbox.routes import channels, members, roles, users
from gaib_core.sandbox.routing import Router


def build_router() -> Router:
    """A router with every route the sandbox implements under ``/api/v10``."""
    router = Router()
    for module in (users, roles, channels, members):
        module.register(router)
    return router
