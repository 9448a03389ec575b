"""Discord's interactions endpoint with real Ed25519 signatures from a key generated here."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from gaib_theme_sietch.verify.testing import link_wallet
from nacl.signing import SigningKey

USER = "712345678901234567"
BASE_URL = "https://verify.sietch.test"


def _post(
    service: Any,
    key: SigningKey,
    payload: Any,
    *,
    timestamp: int | None = None,
    tamper: bool = False,
) -> Any:
    body = json.dumps(payload).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = key.sign(stamp.encode() + body).signature.hex()
    if tamper:
        body = body.replace(b'"type": 2', b'"type": 1')
    return service.http.post(
        "/discord/interactions",
        content=body,
        headers={
            "X-Signature-Ed25519": signature,
            "X-Signature-Timestamp": stamp,
            "Content-Type": "application/json",
        },
    )


def _command(
    options: list[dict[str, Any]] | None = None, *, in_guild: bool = True
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": "1",
        "application_id": "2",
        "type": 2,
        "token": "interaction-token",
        "version": 1,
        "data": {"id": "3", "name": "verify", "type": 1, "options": options or []},
    }
    user = {"id": USER, "username": "paul", "discriminator": "0"}
    if in_guild:
        payload["guild_id"] = "4"
        payload["member"] = {"user": user, "roles": []}
    else:
        payload["user"] = user
    return payload


def test_ping_is_answered_with_pong(service: Any, discord_key: SigningKey) -> None:
    response = _post(service, discord_key, {"type": 1, "id": "1", "application_id": "2"})
    assert response.status_code == 200 and response.json() == {"type": 1}


@pytest.mark.parametrize("in_guild", [True, False], ids=["guild", "dm"])
def test_verify_replies_with_an_ephemeral_link(
    service: Any, discord_key: SigningKey, in_guild: bool
) -> None:
    response = _post(service, discord_key, _command(in_guild=in_guild))
    assert response.status_code == 200
    answer = response.json()
    assert answer["type"] == 4 and answer["data"]["flags"] == 64
    sessions = service.store.sessions("discord", USER)
    assert len(sessions) == 1
    assert f"{BASE_URL}/verify/{sessions[0].id}" in answer["data"]["content"]
    assert "not verified" in answer["data"]["content"]


def test_verify_shows_the_linked_wallet(service: Any, discord_key: SigningKey) -> None:
    wallet, _ = link_wallet(service.verifier, "discord", USER)
    answer = _post(service, discord_key, _command()).json()
    content = answer["data"]["content"]
    assert answer["data"]["flags"] == 64
    assert f"{wallet.address[:6]}…{wallet.address[-4:]}" in content and "verified" in content
    assert len(service.store.sessions("discord", USER)) == 1  # no new session opened
    relink = _post(
        service, discord_key, _command([{"name": "new_wallet", "type": 5, "value": True}])
    )
    assert "/verify/" in relink.json()["data"]["content"]
    assert len(service.store.sessions("discord", USER)) == 2


def test_tampered_body_is_refused(service: Any, discord_key: SigningKey) -> None:
    response = _post(service, discord_key, _command(), tamper=True)
    assert response.status_code == 401
    assert response.json()["message"] == "invalid request signature"
    assert service.store.sessions("discord", USER) == []


def test_other_key_is_refused(service: Any) -> None:
    response = _post(service, SigningKey.generate(), _command())
    assert response.status_code == 401


@pytest.mark.parametrize("age", [301, -301, 3600])
def test_stale_timestamp_is_refused(service: Any, discord_key: SigningKey, age: int) -> None:
    response = _post(service, discord_key, _command(), timestamp=int(time.time()) - age)
    assert response.status_code == 401
    assert response.json()["message"] == "stale signature timestamp"
    assert service.store.sessions("discord", USER) == []


@pytest.mark.parametrize("drop", ["X-Signature-Ed25519", "X-Signature-Timestamp", "both"])
def test_missing_headers_are_refused(service: Any, drop: str) -> None:
    headers = {"X-Signature-Ed25519": "00" * 64, "X-Signature-Timestamp": str(int(time.time()))}
    for name in list(headers):
        if drop in (name, "both"):
            del headers[name]
    response = service.http.post("/discord/interactions", json={"type": 1}, headers=headers)
    assert response.status_code == 401
    assert "missing" in response.json()["message"]


def test_malformed_signature_hex_is_refused(service: Any) -> None:
    headers = {"X-Signature-Ed25519": "zz", "X-Signature-Timestamp": str(int(time.time()))}
    response = service.http.post("/discord/interactions", json={"type": 1}, headers=headers)
    assert response.status_code == 401


def test_unknown_command_gets_an_ephemeral_answer(service: Any, discord_key: SigningKey) -> None:
    payload = _command()
    payload["data"]["name"] = "tier"
    answer = _post(service, discord_key, payload).json()
    assert answer["type"] == 4 and answer["data"]["flags"] == 64
    assert "only answers /verify" in answer["data"]["content"]
