"""The page and its API over real HTTP (uvicorn on loopback), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount
from gaib_theme_sietch.verify.testing import Clock, high_s, sign

USER = "712345678901234567"


def _message(service: Any, session_id: str, address: str) -> str:
    response = service.http.get(f"/api/verify/{session_id}", params={"address": address})
    assert response.status_code == 200, response.text
    return str(response.json()["message"])


def test_verify_over_http(service: Any, wallet: LocalAccount) -> None:
    session = service.verifier.start("discord", USER)
    text = _message(service, session.id, wallet.address)
    response = service.http.post(
        f"/api/verify/{session.id}",
        json={"address": wallet.address, "message": text, "signature": sign(wallet, text)},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["address"] == wallet.address and body["user_id"] == USER
    assert body["short"] == f"{wallet.address[:6]}…{wallet.address[-4:]}"
    assert [link.address for link in service.store.links()] == [wallet.address]


def test_refusals_carry_code_and_status(service: Any, wallet: LocalAccount, clock: Clock) -> None:
    session = service.verifier.start("discord", USER)
    text = _message(service, session.id, wallet.address)
    url = f"/api/verify/{session.id}"
    good = sign(wallet, text)
    cases = [
        (
            {"address": wallet.address, "message": text, "signature": high_s(good)},
            400,
            "signature_high_s",
        ),
        (
            {"address": wallet.address, "message": text, "signature": "0x12"},
            400,
            "signature_length",
        ),
        ({"address": wallet.address, "message": text}, 400, "malformed_body"),
        ({"address": "nope", "message": text, "signature": good}, 400, "malformed_address"),
    ]
    for body, status, code in cases:
        response = service.http.post(url, json=body)
        assert (response.status_code, response.json()["error"]) == (status, code)
        assert response.json()["message"]
    assert service.http.post(url, content=b"not json").json()["error"] == "malformed_body"
    unknown = service.http.post("/api/verify/" + "x" * 32, json=cases[0][0])
    assert (unknown.status_code, unknown.json()["error"]) == (404, "unknown_session")
    clock.advance(3600)
    expired = service.http.post(
        url, json={"address": wallet.address, "message": text, "signature": good}
    )
    assert (expired.status_code, expired.json()["error"]) == (410, "session_expired")
    assert service.store.links() == []


def test_page_is_served_with_a_strict_policy(service: Any) -> None:
    session = service.verifier.start("telegram", "4242")
    response = service.http.get(f"/verify/{session.id}")
    assert response.status_code == 200
    assert "window.ethereum" in response.text and "personal_sign" in response.text
    assert "Telegram" in response.text and "4242" in response.text
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'nonce-" in policy
    assert response.headers["referrer-policy"] == "no-referrer"


def test_page_of_a_used_or_unknown_session_says_why(service: Any, wallet: LocalAccount) -> None:
    unknown = service.http.get("/verify/" + "y" * 32)
    assert unknown.status_code == 404 and "run /verify for a new link" in unknown.text
    assert 'id="verify" type="button" disabled' in unknown.text
    session = service.verifier.start("discord", USER)
    text = _message(service, session.id, wallet.address)
    service.verifier.verify(session.id, wallet.address, text, sign(wallet, text))
    used = service.http.get(f"/verify/{session.id}")
    assert used.status_code == 409 and "already used" in used.text


def test_health(service: Any) -> None:
    assert service.http.get("/healthz").json()["ok"] is True
