"""The sandbox answers a curl-style request exactly as Discord would."""

from __future__ import annotations

import httpx
from gaib_core.testing.fixtures import SandboxGuild


def test_plain_get_roles_with_bot_token(sandbox: SandboxGuild) -> None:
    response = httpx.get(
        f"{sandbox.base_url}/guilds/{sandbox.guild_id}/roles",
        headers={"Authorization": "Bot x"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    roles = response.json()
    assert [r["name"] for r in roles] == ["@everyone", "gaib"]
    everyone, bot = roles
    assert everyone["id"] == sandbox.guild_id and everyone["position"] == 0
    assert isinstance(everyone["permissions"], str)
    assert bot["managed"] is True and bot["tags"] == {"bot_id": sandbox.info.bot_user_id}
    for header in ("Limit", "Remaining", "Reset", "Reset-After", "Bucket"):
        assert f"x-ratelimit-{header.lower()}" in response.headers


def test_no_token_is_401(sandbox: SandboxGuild) -> None:
    response = httpx.get(f"{sandbox.base_url}/guilds/{sandbox.guild_id}/roles")
    assert response.status_code == 401
    assert response.json() == {"message": "401: Unauthorized", "code": 0}
