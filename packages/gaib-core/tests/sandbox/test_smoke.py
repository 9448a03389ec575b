"""The sandbox answers a curl-style request exactly as Discord would."""

from __future__ import annotations

import httpx
import pytest
from gaib_core.sandbox.server import SandboxServer
from gaib_core.testing.fixtures import SandboxGuild
from openapi_core import OpenAPI

from .conftest import spec_request, spec_response


def test_plain_get_roles_with_bot_token(sandbox: SandboxGuild, openapi: OpenAPI) -> None:
    """What `curl -H "Authorization: Bot x" .../guilds/{id}/roles` gets: Discord's answer."""
    response = httpx.get(
        f"{sandbox.base_url}/guilds/{sandbox.guild_id}/roles",
        headers={"Authorization": "Bot x"},
    )
    assert response.status_code == 200
    openapi.validate_response(spec_request(response.request), spec_response(response))
    assert response.headers["content-type"] == "application/json"
    roles = response.json()
    assert [r["name"] for r in roles] == ["@everyone", "gaib"]
    everyone, bot = roles
    assert everyone["id"] == sandbox.guild_id and everyone["position"] == 0
    assert isinstance(everyone["permissions"], str)
    assert bot["managed"] is True and bot["tags"] == {"bot_id": sandbox.info.bot_user_id}
    assert response.headers["via"] == "1.1 google"  # as Discord's front end adds it
    for header in ("Limit", "Remaining", "Reset", "Reset-After", "Bucket"):
        assert f"x-ratelimit-{header.lower()}" in response.headers


def test_no_token_is_401(sandbox: SandboxGuild) -> None:
    response = httpx.get(f"{sandbox.base_url}/guilds/{sandbox.guild_id}/roles")
    assert response.status_code == 401
    assert response.json() == {"message": "401: Unauthorized", "code": 0}


def test_server_interface_and_stop_frees_the_port() -> None:
    server = SandboxServer().start()
    try:
        assert server.base_url == f"http://127.0.0.1:{server.port}/api/v10"
        assert server.admin_url == f"http://127.0.0.1:{server.port}/_sandbox"
        info = server.sandbox.create_guild()
        answer = httpx.get(
            f"{server.base_url}/guilds/{info.guild_id}", headers={"Authorization": "Bot t"}
        )
        assert answer.status_code == 200
    finally:
        server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.base_url}/users/@me", headers={"Authorization": "Bot t"})
