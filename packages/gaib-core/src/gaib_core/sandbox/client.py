"""Reaching a sandbox's admin operations the same way whether it is remote or embedded.

``RemoteSandbox`` talks to a running ``gaib sandbox serve`` through ``/_sandbox``; the embedded
sandbox is a ``Sandbox`` over the project's ``.gaib/sandbox.json``. Both offer ``create_guild``,
``add_member``, ``guilds``, ``reset``, ``stats``, ``add_fault`` and ``clear_faults``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import httpx

from gaib_core.sandbox.core import ADMIN_PREFIX, GuildInfo
from gaib_core.sandbox.errors import SandboxError
from gaib_core.sandbox.faults import FaultSpec


def admin_url_for(api_base: str) -> str:
    """The admin URL of the sandbox whose API base is ``api_base`` (``.../api/v10``)."""
    root = re.sub(r"/api(/v\d+)?/?$", "", api_base.rstrip("/"))
    return root + ADMIN_PREFIX


class RemoteSandbox:
    """The admin API of a running sandbox server."""

    def __init__(self, admin_url: str, *, timeout: float = 10.0) -> None:
        self.admin_url = admin_url.rstrip("/")
        self._timeout = timeout

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        url = self.admin_url + path
        try:
            response = httpx.request(method, url, json=body, timeout=self._timeout)
        except httpx.HTTPError as exc:
            raise SandboxError(
                f"cannot reach the sandbox admin API at {self.admin_url} ({type(exc).__name__})",
                hint="is `gaib sandbox serve` running, and does DISCORD_API_BASE point at it?",
            ) from None
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.status_code >= 400:
            message = data.get("message") if isinstance(data, dict) else response.text
            raise SandboxError(f"sandbox admin {method} {path} failed: {message}")
        return data

    def create_guild(
        self,
        name: str = "Sandbox",
        bot_role_name: str = "gaib",
        bot_permissions: int | None = None,
        members: Iterable[str] = (),
    ) -> GuildInfo:
        """``POST /_sandbox/guilds``."""
        body: dict[str, Any] = {
            "name": name,
            "bot_role_name": bot_role_name,
            "members": list(members),
        }
        if bot_permissions is not None:
            body["bot_permissions"] = str(bot_permissions)
        return GuildInfo(**self._call("POST", "/guilds", body))

    def add_member(self, guild_id: str, username: str, roles: Iterable[str] = ()) -> str:
        """``POST /_sandbox/guilds/{gid}/members``; returns the user id."""
        data = self._call(
            "POST", f"/guilds/{guild_id}/members", {"username": username, "roles": list(roles)}
        )
        return str(data["user_id"])

    def grant_bot(self, guild_id: str, permissions: int) -> tuple[str, int]:
        """``POST /_sandbox/guilds/{gid}/bot-permissions``; the bot role's id and permissions."""
        data = self._call(
            "POST", f"/guilds/{guild_id}/bot-permissions", {"permissions": str(permissions)}
        )
        return str(data["role_id"]), int(data["permissions"])

    def guilds(self) -> list[dict[str, Any]]:
        """``GET /_sandbox/guilds``."""
        return list(self._call("GET", "/guilds"))

    def reset(self) -> None:
        """``POST /_sandbox/reset``."""
        self._call("POST", "/reset")

    def stats(self) -> dict[str, Any]:
        """``GET /_sandbox/stats``."""
        return dict(self._call("GET", "/stats"))

    def add_fault(self, spec: FaultSpec) -> None:
        """``POST /_sandbox/faults``."""
        self._call("POST", "/faults", spec.model_dump(by_alias=True, exclude_none=True))

    def clear_faults(self) -> None:
        """``DELETE /_sandbox/faults``."""
        self._call("DELETE", "/faults")

    def pending_faults(self) -> list[dict[str, object]]:
        """``GET /_sandbox/faults``."""
        return list(self._call("GET", "/faults"))
