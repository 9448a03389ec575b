"""Application commands in the sandbox, as Discord registers them (spec-checked exchanges)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from gaib_core.provider.discord import DiscordProvider
from gaib_core.provider.models import CommandOption, CommandWrite
from gaib_core.testing.fixtures import SandboxGuild

VERIFY = {"name": "verify", "description": "Link your wallet", "type": 1}


@pytest.fixture
def app_id(sandbox: SandboxGuild, plain: httpx.Client) -> Iterator[str]:
    """The bot's application id, with no global commands before and after the test."""
    app = sandbox.info.bot_user_id
    plain.put(f"/applications/{app}/commands", json=[])
    yield app
    plain.put(f"/applications/{app}/commands", json=[])


def _names(commands: list[dict[str, Any]]) -> list[str]:
    return sorted(c["name"] for c in commands)


def test_create_then_upsert_by_name(api: httpx.Client, app_id: str) -> None:
    created = api.post(f"/applications/{app_id}/commands", json=VERIFY)
    assert created.status_code == 201
    body = created.json()
    assert body["application_id"] == app_id and body["name"] == "verify"
    assert body["dm_permission"] is True and "guild_id" not in body
    again = api.post(
        f"/applications/{app_id}/commands", json={**VERIFY, "description": "Link a wallet"}
    )
    assert again.status_code == 200
    assert again.json()["id"] == body["id"] and again.json()["version"] != body["version"]
    listed = api.get(f"/applications/{app_id}/commands").json()
    assert [(c["id"], c["description"]) for c in listed] == [(body["id"], "Link a wallet")]


def test_bulk_overwrite_keeps_ids_and_deletes_the_rest(api: httpx.Client, app_id: str) -> None:
    url = f"/applications/{app_id}/commands"
    first = {c["name"]: c for c in api.put(url, json=[VERIFY, {**VERIFY, "name": "tier"}]).json()}
    assert sorted(first) == ["tier", "verify"]
    second = api.put(url, json=[VERIFY, {**VERIFY, "name": "rank"}]).json()
    by_name = {c["name"]: c for c in second}
    assert sorted(by_name) == ["rank", "verify"]
    assert by_name["verify"]["id"] == first["verify"]["id"]
    assert by_name["verify"]["version"] == first["verify"]["version"]  # unchanged: same version
    gone = api.get(f"{url}/{first['tier']['id']}")
    assert (gone.status_code, gone.json()["code"]) == (404, 10063)


def test_guild_commands_are_separate(api: httpx.Client, app_id: str, sandbox: SandboxGuild) -> None:
    url = f"/applications/{app_id}/guilds/{sandbox.guild_id}/commands"
    (command,) = api.put(url, json=[VERIFY]).json()
    assert command["guild_id"] == sandbox.guild_id and "dm_permission" not in command
    assert api.get(f"/applications/{app_id}/commands").json() == []
    patched = api.patch(f"{url}/{command['id']}", json={"description": "Verify a wallet"})
    assert patched.json()["description"] == "Verify a wallet"
    assert api.delete(f"{url}/{command['id']}").status_code == 204
    assert api.get(url).json() == []


def test_refusals(api: httpx.Client, app_id: str, sandbox: SandboxGuild) -> None:
    url = f"/applications/{app_id}/commands"
    other_app = api.put("/applications/1234567890123456789/commands", json=[VERIFY])
    assert (other_app.status_code, other_app.json()["code"]) == (403, 20012)
    not_in_guild = api.put(f"/applications/{app_id}/guilds/999999999999999999/commands", json=[])
    assert (not_in_guild.status_code, not_in_guild.json()["code"]) == (403, 50001)
    duplicate = api.put(url, json=[VERIFY, VERIFY])
    assert duplicate.status_code == 400
    assert duplicate.json()["errors"]["1"]["name"]["_errors"][0]["code"] == (
        "APPLICATION_COMMANDS_DUPLICATE_NAME"
    )
    upper = api.post(url, json={**VERIFY, "name": "Verify"})
    assert (
        upper.json()["errors"]["name"]["_errors"][0]["code"] == "APPLICATION_COMMAND_INVALID_NAME"
    )
    no_description = api.post(url, json={"name": "verify"})
    assert no_description.json()["errors"]["description"]["_errors"][0]["code"] == (
        "BASE_TYPE_REQUIRED"
    )
    assert api.get(url).json() == []  # nothing was registered by the refused requests


def test_limit_of_100_chat_input_commands(plain: httpx.Client, app_id: str) -> None:
    url = f"/applications/{app_id}/commands"
    many = [{**VERIFY, "name": f"c{i}"} for i in range(100)]
    assert plain.put(url, json=many).status_code == 200
    over = plain.post(url, json={**VERIFY, "name": "one-more"})
    assert (over.status_code, over.json()["code"]) == (400, 30032)


def test_provider_registers_and_lists(sandbox: SandboxGuild, app_id: str) -> None:
    command = CommandWrite(
        name="verify",
        description="Link your wallet",
        options=[CommandOption(type=5, name="new_wallet", description="Link another wallet")],
        contexts=[0, 1],
    )

    async def go() -> tuple[list[Any], list[Any], list[Any]]:
        async with DiscordProvider(token=sandbox.token, base_url=sandbox.base_url) as provider:
            first = await provider.overwrite_commands(app_id, [command])
            again = await provider.overwrite_commands(app_id, [command])
            guild = await provider.overwrite_commands(app_id, [command], guild_id=sandbox.guild_id)
            assert await provider.list_commands(app_id) == again
            return first, again, guild

    first, again, guild = asyncio.run(go())
    assert [c.id for c in first] == [c.id for c in again]  # idempotent: same command, same id
    assert first[0].options[0].name == "new_wallet" and first[0].guild_id is None
    assert guild[0].guild_id == sandbox.guild_id and guild[0].id != first[0].id
