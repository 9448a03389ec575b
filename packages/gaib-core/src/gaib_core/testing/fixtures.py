"""pytest fixtures: a Discord-compatible sandbox over real loopback HTTP.

- ``sandbox_server`` (session): one ``SandboxServer`` with the "relaxed" rate-limit profile;
- ``sandbox`` (function): clears faults and statistics, restores the "relaxed" profile and the
  Server Members intent, creates a
  fresh guild and yields a ``SandboxGuild`` (server, info, base_url, token).
- ``base`` (function): a fresh copy of :data:`BASE`, a small config as a plain dict.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from gaib_core.sandbox.core import GuildInfo
from gaib_core.sandbox.server import SandboxServer

#: A small config (3 roles, a private category with 2 channels, 2 top-level channels), as the
#: dict ``discord-server.yaml`` is read into; the ``base`` fixture hands out copies.
BASE: dict[str, Any] = {
    "roles": [
        {"name": "Naib", "color": "#FFD700", "hoist": True, "permissions": ["MANAGE_MESSAGES"]},
        {"name": "Fedaykin", "color": "#C0C0C0"},
        {"name": "Member"},
    ],
    "categories": [
        {
            "name": "Stillsuit",
            "overwrites": {
                "@everyone": {"deny": ["VIEW_CHANNEL"]},
                "Naib": {"allow": ["VIEW_CHANNEL"]},
                "@bot": {"allow": ["VIEW_CHANNEL"]},
            },
            "channels": [
                {"name": "Council Chamber", "topic": "for the Naib"},
                {"name": "Voice Hall", "type": "voice"},
            ],
        }
    ],
    "channels": [{"name": "general"}, {"name": "announcements", "type": "announcement"}],
}


@pytest.fixture
def base() -> dict[str, Any]:
    """A fresh copy of :data:`BASE` (a test may change it freely)."""
    return copy.deepcopy(BASE)


@dataclass
class SandboxGuild:
    """A fresh guild on the session's sandbox server."""

    server: SandboxServer
    info: GuildInfo
    base_url: str
    token: str

    @property
    def guild_id(self) -> str:
        """The guild's id."""
        return self.info.guild_id

    @property
    def admin_url(self) -> str:
        """The server's ``/_sandbox`` admin base URL."""
        return self.server.admin_url

    @property
    def headers(self) -> dict[str, str]:
        """``Authorization: Bot <token>`` for plain httpx clients."""
        return {"Authorization": f"Bot {self.token}"}


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    """A sandbox server on 127.0.0.1 (free port), relaxed limits, for the whole session."""
    with SandboxServer(limits="relaxed") as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> Iterator[SandboxGuild]:
    """A fresh guild on the session's sandbox; faults, stats and the limit profile reset."""
    core = sandbox_server.sandbox
    core.clear_faults()
    core.set_limits("relaxed")
    core.reset_stats()
    core.set_members_intent(True)
    info = core.create_guild()
    yield SandboxGuild(sandbox_server, info, sandbox_server.base_url, info.token)
    core.clear_faults()
