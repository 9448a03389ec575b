"""The client factory, the provider factories, ``open_provider`` and the embedded sandbox."""

from __future__ import annotations

import asyncio
import platform
from pathlib import Path

import httpx
import pytest
import yaml
from gaib_core.config.models import ServerConfig
from gaib_core.errors import ConfigError
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
    with pytest.raises(ConfigError, match="MY_TOKEN is not set"):
        discord_factory({"token_env": "MY_TOKEN"})


def test_discord_factory_talks_to_a_sandbox_server(sandbox: SandboxGuild) -> None:
    provider = discord_factory({"token": SECRET, "base_url": sandbox.base_url})
    assert isinstance(provider, Provider)

    async def go() -> str:
        try:
            return (await provider.read_guild(sandbox.guild_id)).id
        finally:
            await provider.aclose()

    assert asyncio.run(go()) == sandbox.guild_id


def _project(tmp_path: Path) -> Project:
    project = Project(tmp_path / "my-community")
    project.root.mkdir()
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


def test_open_provider_defaults_to_the_embedded_sandbox(tmp_path: Path, hooks: Hooks) -> None:
    project = _project(tmp_path)

    async def go() -> tuple[str, str, list[str]]:
        provider, gid = open_provider(project, None, hooks, None, environ={})
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


def test_open_provider_uses_discord_when_a_token_is_set(
    tmp_path: Path, hooks: Hooks, sandbox: SandboxGuild
) -> None:
    project = _project(tmp_path)
    config = ServerConfig.model_validate(
        {"server": {"guild_id": sandbox.guild_id, "token_env": "GAIB_TOKEN"}}
    )
    env = {"GAIB_TOKEN": SECRET, "DISCORD_API_BASE": sandbox.base_url}
    provider, gid = open_provider(project, config, hooks, None, environ=env)
    assert (provider.name, gid) == ("discord", sandbox.guild_id)
    assert isinstance(provider, DiscordProvider)
    assert str(provider.client.base_url) == sandbox.base_url + "/"
    assert provider.client.headers["Authorization"] == f"Bot {SECRET}"
    asyncio.run(provider.aclose())

    # --guild wins over the config; a token alone targets Discord itself.
    provider, gid = open_provider(project, config, hooks, "42", environ={"GAIB_TOKEN": SECRET})
    assert gid == "42"
    assert isinstance(provider, DiscordProvider)
    assert str(provider.client.base_url) == DEFAULT_API_BASE + "/"
    asyncio.run(provider.aclose())
    assert not project.exists  # nothing written when talking to Discord


def test_open_provider_explains_what_is_missing(tmp_path: Path, hooks: Hooks) -> None:
    project = _project(tmp_path)
    with pytest.raises(ConfigError, match="no guild id"):
        open_provider(project, None, hooks, None, environ={"DISCORD_TOKEN": SECRET})
    with pytest.raises(ConfigError, match="DISCORD_TOKEN is not set") as info:
        open_provider(
            project, None, hooks, "1", environ={"DISCORD_API_BASE": "https://discord.com/api/v10"}
        )
    assert "unset DISCORD_API_BASE" in str(info.value)


def test_open_provider_with_a_sandbox_server_needs_no_token(
    tmp_path: Path, hooks: Hooks, sandbox: SandboxGuild
) -> None:
    project = _project(tmp_path)
    project.save(ProjectSettings(guild_id=sandbox.guild_id))

    async def go() -> str:
        provider, gid = open_provider(
            project, None, hooks, None, environ={"DISCORD_API_BASE": sandbox.base_url}
        )
        try:
            return (await provider.read_guild(gid)).id
        finally:
            await provider.aclose()

    assert asyncio.run(go()) == sandbox.guild_id
