"""Telegram's webhook: the secret token, and /verify answered through sendMessage (received by a
local HTTP server standing in for the Bot API)."""

from __future__ import annotations

from typing import Any

from gaib_theme_sietch.verify.testing import link_wallet

TOKEN = "123456:" + "A" * 35
SECRET = "webhook-secret_123"
USER = 424242


def _update(text: str, *, chat_type: str = "private", chat_id: int = USER) -> dict[str, Any]:
    return {
        "update_id": 1,
        "message": {
            "message_id": 7,
            "date": 0,
            "from": {"id": USER, "is_bot": False, "first_name": "Chani"},
            "chat": {"id": chat_id, "type": chat_type},
            "text": text,
        },
    }


def _post(service: Any, update: dict[str, Any], secret: str | None = SECRET) -> Any:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return service.http.post("/telegram/webhook", json=update, headers=headers)


def test_verify_with_the_right_secret_sends_a_link(service: Any, bot_api: Any) -> None:
    response = _post(service, _update("/verify"))
    assert response.status_code == 200
    ((path, body),) = bot_api.wait_for(1)
    assert path == f"/bot{TOKEN}/sendMessage"
    assert body["chat_id"] == USER
    (session,) = service.store.sessions("telegram", str(USER))
    assert f"https://verify.sietch.test/verify/{session.id}" in body["text"]
    assert "collab" not in body["text"].lower()


def test_wrong_or_missing_secret_is_refused(service: Any, bot_api: Any) -> None:
    assert _post(service, _update("/verify"), secret="wrong").status_code == 401
    assert _post(service, _update("/verify"), secret=None).status_code == 401
    assert bot_api.requests == []
    assert service.store.sessions("telegram", str(USER)) == []


def test_verified_member_sees_the_wallet(service: Any, bot_api: Any) -> None:
    wallet, _ = link_wallet(service.verifier, "telegram", str(USER))
    _post(service, _update("/verify@SietchBot"))
    ((_, body),) = bot_api.wait_for(1)
    assert f"{wallet.address[:6]}…{wallet.address[-4:]}" in body["text"]
    assert "/verify new" in body["text"]
    _post(service, _update("/verify new"))
    _, (_, again) = bot_api.wait_for(2)
    assert "/verify/" in again["text"] and "replaces" in again["text"]


def test_no_link_in_a_group_chat(service: Any, bot_api: Any) -> None:
    _post(service, _update("/verify", chat_type="supergroup", chat_id=-100123))
    ((_, body),) = bot_api.wait_for(1)
    assert body["chat_id"] == -100123 and "private chat" in body["text"]
    assert "/verify/" not in body["text"]
    assert service.store.sessions("telegram", str(USER)) == []


def test_other_messages_are_ignored(service: Any, bot_api: Any) -> None:
    assert _post(service, _update("hello")).status_code == 200
    assert _post(service, {"update_id": 2, "edited_message": {}}).status_code == 200
    _post(service, _update("/start"))
    ((_, body),) = bot_api.wait_for(1)
    assert "/verify" in body["text"]
