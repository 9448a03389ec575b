"""The Discord-compatible sandbox: Discord's routes, bodies, errors and rate limits, offline.

- ``core.Sandbox``: the state and ``handle(method, path, headers, body)``;
- ``server.SandboxServer``: it over real loopback HTTP; ``transport.SandboxTransport``: in-process;
- ``admin``: the ``/_sandbox`` routes (create guilds and members, faults, stats, limits).
"""

from __future__ import annotations

from gaib_core.sandbox.core import GuildInfo, Sandbox
from gaib_core.sandbox.errors import SandboxError
from gaib_core.sandbox.responses import SandboxResponse

__all__ = ["GuildInfo", "Sandbox", "SandboxError", "SandboxResponse"]
