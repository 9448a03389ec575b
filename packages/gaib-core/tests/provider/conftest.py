"""Helpers for the provider tests: the provider against the sandbox over real loopback HTTP.

``run(sandbox, fn)`` builds a ``DiscordProvider`` pointed at the session's sandbox server and runs
``fn(provider)`` in a fresh event loop. ``Admin`` drives the sandbox's ``/_sandbox`` admin API
over HTTP (faults, stats, limits, members). ``CannedServer`` is a tiny loopback HTTP server used
ONLY for answers the sandbox cannot produce (error codes 40333, 30060, 20028/20029 and 429s with
``X-RateLimit-Scope: shared`` or without a body).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

import httpx
import pytest
from gaib_core.provider.discord import DiscordProvider
from gaib_core.provider.models import CATEGORY
from gaib_core.testing.fixtures import SandboxGuild

T = TypeVar("T")


def run(
    sandbox: SandboxGuild,
    fn: Callable[[DiscordProvider], Awaitable[T]],
    **options: Any,
) -> T:
    """``fn(provider)`` with a provider on the sandbox over loopback HTTP, in a fresh loop."""
    options.setdefault("retry_delay", 0.01)
    options.setdefault("token", sandbox.token)

    async def main() -> T:
        async with DiscordProvider(base_url=sandbox.base_url, **options) as p:
            return await fn(p)

    return asyncio.run(main())


class Admin:
    """The sandbox admin API (``/_sandbox``), over HTTP."""

    def __init__(self, admin_url: str) -> None:
        self.client = httpx.Client(base_url=admin_url + "/", timeout=10)

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        resp = self.client.post(path, json=body)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def fault(self, kind: str, count: int = 1, route: str | None = None, **extra: Any) -> None:
        """Queue ``count`` faults of ``kind`` (optionally for ``"METHOD regex"``)."""
        body: dict[str, Any] = {"kind": kind, "count": count, **extra}
        if route:
            body["route"] = route
        self._post("faults", body)

    def pending_faults(self) -> list[dict[str, Any]]:
        """Faults still queued."""
        return list(self.client.get("faults").json())

    def stats(self) -> dict[str, Any]:
        """``{requests, by_route, rate_limited, faults_fired}``."""
        return dict(self.client.get("stats").json())

    def reset_stats(self) -> None:
        """Zero the counters."""
        self._post("stats/reset", {})

    def limits(self, profile: str) -> None:
        """Switch the rate-limit profile."""
        self._post("limits", {"profile": profile})

    def add_member(self, guild_id: str, username: str, roles: list[str] | None = None) -> str:
        """A new member; returns its user id."""
        return str(
            self._post(f"guilds/{guild_id}/members", {"username": username, "roles": roles or []})[
                "user_id"
            ]
        )

    def close(self) -> None:
        """Close the HTTP client."""
        self.client.close()


@pytest.fixture
def admin(sandbox: SandboxGuild) -> Iterator[Admin]:
    """The admin API of the test's sandbox; restores the relaxed profile afterwards."""
    client = Admin(sandbox.admin_url)
    yield client
    client.limits("relaxed")
    client.close()


def owner_places_role_above_bot(sandbox: SandboxGuild, name: str) -> str:
    """What a guild owner does in the client: a role placed above the bot's. Returns its id.

    Through the sandbox's admin route for owner-made roles (the owner is bound by no hierarchy).
    """
    roles = httpx.get(
        f"{sandbox.base_url}/guilds/{sandbox.guild_id}/roles", headers=sandbox.headers
    )
    bot = next(r for r in roles.json() if r["id"] == sandbox.info.bot_role_id)
    with httpx.Client(base_url=sandbox.admin_url + "/", timeout=10) as admin:
        body = {"name": name, "position": bot["position"] + 1}
        resp = admin.post(f"guilds/{sandbox.guild_id}/roles", json=body)
        assert resp.status_code == 200, resp.text
        return str(resp.json()["role_id"])


def fill_guild(sandbox: SandboxGuild, roles: int = 250, channels: int = 500) -> None:
    """Grow the guild to ``roles`` roles and ``channels`` channels (categories of <= 50).

    Over the API as the bot (relaxed limits), with a plain httpx client: this is setup, not the
    code under test.
    """
    headers = {**sandbox.headers, "User-Agent": "DiscordBot (https://gaib.test, 0) setup"}
    with httpx.Client(base_url=sandbox.base_url + "/", headers=headers, timeout=30) as api:
        gid = sandbox.guild_id
        have = len(api.get(f"guilds/{gid}/roles").json())
        for i in range(roles - have):
            assert api.post(f"guilds/{gid}/roles", json={"name": f"role-{i}"}).status_code == 200
        n_categories = max(1, -(-channels // 50))
        parents = []
        for i in range(min(n_categories, channels)):
            made = api.post(f"guilds/{gid}/channels", json={"name": f"cat-{i}", "type": CATEGORY})
            assert made.status_code == 201, made.text
            parents.append(made.json()["id"])
        for i in range(channels - len(parents)):
            body = {"name": f"ch-{i}", "parent_id": parents[i % len(parents)]}
            assert api.post(f"guilds/{gid}/channels", json=body).status_code == 201


@dataclass
class Canned:
    """One canned answer."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class CannedServer:
    """A loopback HTTP server answering from a queue (then 200 ``{}``), recording requests.

    Only for answers the sandbox cannot produce; everything else is tested against the sandbox.
    """

    def __init__(self) -> None:
        self.answers: list[Canned] = []
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                with outer.lock:
                    outer.requests.append((self.command, self.path, dict(self.headers.items())))
                    answer = outer.answers.pop(0) if outer.answers else Canned(200, {})
                data = b"" if answer.body is None else json.dumps(answer.body).encode()
                if isinstance(answer.body, str):
                    data = answer.body.encode()
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _any

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/api/v10``."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/api/v10"

    def __enter__(self) -> CannedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def canned() -> Iterator[CannedServer]:
    """A ``CannedServer`` for answers the sandbox cannot produce."""
    with CannedServer() as server:
        yield server
