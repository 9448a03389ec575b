"""The one factory for the httpx client that talks to Discord (or the sandbox).

Every Discord request carries ``Authorization: Bot <token>`` and a ``DiscordBot (url, version)``
User-Agent (Discord blocks requests without one: error 40333). The client is built here, passed
in everywhere else, and closed by whoever built it. Its ``repr`` never shows the token.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Mapping

import httpx

from gaib_core import __version__

DEFAULT_API_BASE = "https://discord.com/api/v10"
API_BASE_ENV = "DISCORD_API_BASE"
PROJECT_URL = "https://github.com/gaib-dev/gaib"

# Discord answers in well under a second; a read timeout of 30 s covers its slow days without
# hanging a plan forever. Connecting is either quick or broken.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0, pool=60.0)
# The global limit is 50 requests/s; more connections than that buys nothing.
DEFAULT_LIMITS = httpx.Limits(max_connections=50, max_keepalive_connections=20, keepalive_expiry=30)


def api_base_from_env(environ: Mapping[str, str] | None = None) -> str:
    """``DISCORD_API_BASE`` when set (e.g. a ``gaib sandbox serve``), else Discord's v10 URL."""
    env = os.environ if environ is None else environ
    return (env.get(API_BASE_ENV) or DEFAULT_API_BASE).rstrip("/")


def user_agent() -> str:
    """``DiscordBot (https://github.com/gaib-dev/gaib, 0.1.0) Python/3.11 httpx/0.28.1``."""
    py = ".".join(platform.python_version_tuple()[:2])
    return f"DiscordBot ({PROJECT_URL}, {__version__}) Python/{py} httpx/{httpx.__version__}"


class DiscordHTTPClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` whose ``repr`` names the base URL and hides the token."""

    def __repr__(self) -> str:
        auth = "Bot ***" if "authorization" in self.headers else "none"
        return f"<DiscordHTTPClient base_url={str(self.base_url)!r} authorization={auth}>"


def build_client(
    token: str | None,
    base_url: str = DEFAULT_API_BASE,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    limits: httpx.Limits = DEFAULT_LIMITS,
) -> httpx.AsyncClient:
    """A client for Discord's REST API at ``base_url``.

    :param token: the bot token (sent as ``Authorization: Bot <token>``); ``None`` or ``""``
        builds a client without the header (only useful to test what an unauthenticated request
        gets).
    :param base_url: the API root, e.g. ``https://discord.com/api/v10`` or a sandbox's.
    :param transport: an alternative transport, e.g. the in-process ``SandboxTransport``.
    :param timeout: httpx timeout (seconds or an ``httpx.Timeout``).
    :param limits: connection pool limits.
    """
    headers = {"User-Agent": user_agent(), "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bot {token}"
    return DiscordHTTPClient(
        base_url=base_url.rstrip("/") + "/",
        headers=headers,
        transport=transport,
        timeout=timeout,
        limits=limits,
        follow_redirects=False,
    )
