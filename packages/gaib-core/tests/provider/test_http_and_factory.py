"""The client factory, the provider factories, ``open_provider`` and the embedded sandbox."""

from __future__ import annotations

import asyncio
import platform
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from gaib_core.config.models import ServerConfig
from gaib_core.errors import ConfigError
from gaib_core.hookspecs import hookimpl
from gaib_core.plugins import Hooks, build_plugin_manager
from gaib_core.project import Project, ProjectSettings
from gaib_core.provider.base import Provider
from gaib_core.provider.discord import DiscordProvider
from gaib_core.provider.factory import (
    discord_factory,
    ensure_sandbox_guild,
    open_provider,
    sandbox_factory,
)
from gaib_core.provider.http import (
    DEFAULT_API_BASE,
    api_base_from_env,
    build_client,
    user_agent,
)
from gaib_core.provider.models import RoleWrite
from gaib_core.registry import ProviderRegistrar
from gaib_core.sandbox.core import Sandbox
from gaib_core.testing.fixtures import SandboxGuild

SECRET = "MTAx.very-secret.token"


@pytest.fixture(scope="module")
def hooks() -> Hooks:
    return Hooks(build_plugin_manager(load_entry_points=False))


def test_user_agent_follows_discords_format() -> None:
    py = ".".join(platform.python_version_tuple()[:2])
    assert user_agent() == (
        f"DiscordBot (https://github.com/gaib-dev/gaib, 0.1.0) Python/{py} "
        f"httpx/{httpx.__version__}"
    )


def test_build_client_sets_headers_and_hides_the_token() -> None:
    client = build_client(SECRET, "http://127.0.0.1:1/api/v10")
    try:
        assert client.headers["Authorization"] == f"Bot {SECRET}"
        assert client.headers["User-Agent"].startswith("DiscordBot (")
        assert str(client.base_url) == "http://127.0.0.1:1/api/v10/"
        assert client.timeout.read == 30.0 and client.timeout.connect == 10.0
        for text in (repr(client), str(client), repr(client.headers)):
            assert SECRET not in text
        provider = DiscordProvider(client, token=SECRET)
        assert SECRET not in repr(provider)
    finally:
        asyncio.run(client.aclose())


def test_build_client_without_token_sends_no_authorization() -> None:
    client = build_client(None)
    assert "Authorization" not in client.headers
    assert str(client.base_url) == DEFAULT_API_BASE + "/"
    asyncio.run(client.aclose())


def test_api_base_comes_from_the_environment() -> None:
    assert api_base_from_env({}) == DEFAULT_API_BASE
    assert api_base_from_env({"DISCORD_API_BASE": "http://x:1/api/v10/"}) == "http://x:1/api/v10"


def test_builtins_register_both_providers(hooks: Hooks) -> None:
    factories = hooks.providers()
    assert factories["discord"] is discord_factory
    assert factories["sandbox"] is sandbox_factory


def test_discord_factory_needs_a_token() -> None:
    with pytest.raises(ConfigError, match=r"targets Discord guild 42; set MY_TOKEN"):
        discord_factory({"token_env": "MY_TOKEN", "guild_id": "42"})


def test_discord_factory_talks_to_a_sandbox_server(sandbox: SandboxGuild) -> None:
    provider = discord_factory({"token": SECRET, "base_url": sandbox.base_url})
    assert isinstance(provider, Provider)

    async def go() -> str:
        try:
            return (await provider.read_guild(sandbox.guild_id)).id
        finally:
            await provider.aclose()

    assert asyncio.run(go()) == sandbox.guild_id


def _project(tmp_path: Path, **settings: object) -> Project:
    project = Project(tmp_path / "my-community")
    project.root.mkdir()
    if settings:
        project.save(ProjectSettings.model_validate(settings))
    return project


def test_ensure_sandbox_guild_creates_once_and_saves_the_id(tmp_path: Path) -> None:
    project = _project(tmp_path)
    gid = ensure_sandbox_guild(project)
    saved = yaml.safe_load(project.settings_path.read_text())
    assert saved["guild_id"] == gid and saved["provider"] == "sandbox"
    assert ensure_sandbox_guild(project) == gid
    sandbox = Sandbox(project.gaib_dir / "sandbox.json")
    assert [g["id"] for g in sandbox.guilds()] == [gid]
    assert SECRET not in project.settings_path.read_text()


def test_a_lost_sandbox_guild_comes_back_under_the_same_id(tmp_path: Path) -> None:
    project = _project(tmp_path)
    gid = ensure_sandbox_guild(project)
    Sandbox(project.gaib_dir / "sandbox.json").reset()
    assert ensure_sandbox_guild(project) == gid
    assert [g["id"] for g in Sandbox(project.gaib_dir / "sandbox.json").guilds()] == [gid]


def test_open_provider_uses_the_embedded_sandbox_of_a_sandbox_project(
    tmp_path: Path, hooks: Hooks
) -> None:
    project = _project(tmp_path)
    ensure_sandbox_guild(project)

    async def go() -> tuple[str, str, list[str]]:
        # A token in the environment does not send a sandbox project to Discord.
        provider, gid = open_provider(project, None, hooks, None, environ={"DISCORD_TOKEN": "x"})
        try:
            await provider.create_role(gid, RoleWrite(name="Naib"), reason="gaib apply: role.naib")
            guild = await provider.read_guild(gid)
            return provider.name, gid, [r.name for r in guild.sorted_roles()]
        finally:
            await provider.aclose()

    name, gid, roles = asyncio.run(go())
    assert name == "sandbox"
    assert roles == ["Shai-Hulud", "Naib", "@everyone"]
    assert project.load().guild_id == gid
    # It persisted: a second provider on the same project sees the role.
    again = Sandbox(project.gaib_dir / "sandbox.json")
    assert [g["roles"] for g in again.guilds()] == [3]


def test_open_provider_never_creates_a_sandbox_guild(tmp_path: Path, hooks: Hooks) -> None:
    project = _project(tmp_path, provider="sandbox", guild_id="1576635609450020866")
    with pytest.raises(ConfigError, match="has no guild 1576635609450020866") as info:
        open_provider(project, None, hooks, None, environ={})
    assert "run `gaib server init`" in str(info.value)
    assert not (project.gaib_dir / "sandbox.json").exists()


def test_open_provider_uses_discord_when_the_project_says_so(
    tmp_path: Path, hooks: Hooks, sandbox: SandboxGuild
) -> None:
    project = _project(tmp_path, provider="discord")
    config = ServerConfig.model_validate(
        {"server": {"guild_id": sandbox.guild_id, "token_env": "GAIB_TOKEN"}}
    )
    env = {"GAIB_TOKEN": f"  {SECRET}\n", "DISCORD_API_BASE": sandbox.base_url}
    provider, gid = open_provider(project, config, hooks, None, environ=env)
    assert (provider.name, gid) == ("discord", sandbox.guild_id)
    assert isinstance(provider, DiscordProvider)
    assert str(provider.client.base_url) == sandbox.base_url + "/"
    assert provider.client.headers["Authorization"] == f"Bot {SECRET}"  # stripped
    asyncio.run(provider.aclose())

    # --guild wins over the config; without DISCORD_API_BASE it is Discord itself.
    provider, gid = open_provider(project, config, hooks, "42", environ={"GAIB_TOKEN": SECRET})
    assert gid == "42"
    assert isinstance(provider, DiscordProvider)
    assert str(provider.client.base_url) == DEFAULT_API_BASE + "/"
    asyncio.run(provider.aclose())
    # The workspace's own guild wins over the config's, --guild over both.
    provider, gid = open_provider(
        project, config, hooks, None, environ={"GAIB_TOKEN": SECRET}, workspace_guild="7"
    )
    assert gid == "7"
    asyncio.run(provider.aclose())


def test_open_provider_explains_what_is_missing(tmp_path: Path, hooks: Hooks) -> None:
    project = _project(tmp_path, provider="discord", guild_id="1234")
    before = project.settings_path.read_text()
    with pytest.raises(ConfigError, match="targets Discord guild 1234; set DISCORD_TOKEN"):
        open_provider(project, None, hooks, None, environ={})
    with pytest.raises(ConfigError, match="not an http"):
        open_provider(project, None, hooks, None, environ={"DISCORD_API_BASE": "ftp://x"})
    with pytest.raises(ConfigError, match="non-ASCII character at position 2"):
        open_provider(project, None, hooks, None, environ={"DISCORD_TOKEN": "tök"})
    assert project.settings_path.read_text() == before
    project.save(ProjectSettings(provider="discord"))
    with pytest.raises(ConfigError, match="no guild id"):
        open_provider(project, None, hooks, None, environ={"DISCORD_TOKEN": SECRET})


def test_the_provider_is_chosen_by_its_registered_name(tmp_path: Path) -> None:
    made: list[dict[str, object]] = []

    class ThirdParty:
        @hookimpl
        def gaib_register_providers(self, register: ProviderRegistrar) -> None:
            def factory(settings: Mapping[str, Any]) -> Provider:
                made.append(dict(settings))
                return discord_factory({"token": "t", "base_url": "http://127.0.0.1:9/api/v10"})

            register("acme", factory)

    project = _project(tmp_path, provider="acme", guild_id="5", provider_options={"region": "eu"})
    hooks = Hooks(build_plugin_manager(load_entry_points=False, extra=[ThirdParty()]))
    provider, gid = open_provider(project, None, hooks, None, environ={})
    asyncio.run(provider.aclose())
    assert gid == "5" and made[0]["region"] == "eu" and made[0]["guild_id"] == "5"

    project.save(ProjectSettings(provider="nope", guild_id="5"))
    with pytest.raises(
        ConfigError, match=r"provider 'nope' is not registered \(registered: acme, "
    ):
        open_provider(project, None, hooks, None, environ={})
    bare = Hooks(build_plugin_manager(load_entry_points=False, builtins=False))
    project.save(ProjectSettings(provider="discord", guild_id="5"))
    with pytest.raises(
        ConfigError, match=r"provider 'discord' is not registered \(registered: none\)"
    ):
        open_provider(project, None, bare, None, environ={})


def test_open_provider_with_a_sandbox_server(
    tmp_path: Path, hooks: Hooks, sandbox: SandboxGuild
) -> None:
    project = _project(tmp_path, provider="discord", guild_id=sandbox.guild_id)

    async def go() -> str:
        provider, gid = open_provider(
            project,
            None,
            hooks,
            None,
            environ={"DISCORD_API_BASE": sandbox.base_url, "DISCORD_TOKEN": "any"},
        )
        try:
            return (await provider.read_guild(gid)).id
        finally:
            await provider.aclose()

    assert asyncio.run(go()) == sandbox.guild_id
