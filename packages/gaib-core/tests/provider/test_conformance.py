"""gaib's own Discord provider passes the provider conformance kit, on the sandbox over HTTP."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from gaib_core.provider.base import Provider
from gaib_core.provider.discord import DiscordProvider
from gaib_core.testing.fixtures import SandboxGuild
from gaib_core.testing.provider import ProviderContract


class TestDiscordProviderOnTheSandbox(ProviderContract):
    @pytest.fixture
    def make_provider(self, sandbox: SandboxGuild) -> Callable[[], Provider]:
        return lambda: DiscordProvider(token=sandbox.token, base_url=sandbox.base_url)

    @pytest.fixture
    def guild_id(self, sandbox: SandboxGuild) -> str:
        return sandbox.guild_id
