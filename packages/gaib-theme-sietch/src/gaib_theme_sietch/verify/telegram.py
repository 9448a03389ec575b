"""Telegram: the webhook that receives updates, and ``/verify`` answered through ``sendMessage``.

Telegram sends the ``secret_token`` given to ``setWebhook`` in ``X-Telegram-Bot-Api-Secret-Token``
with every update; anything else is refused (401). Replies go through the Bot API
(``{TELEGRAM_API_BASE}/bot<token>/sendMessage``). Verification links are only sent in private
chats: a link posted in a group could be used by anyone in it.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from typing import Any

import httpx

from gaib_theme_sietch.verify.replies import new_link_reply, verified_reply
from gaib_theme_sietch.verify.verifier import Verifier

log = logging.getLogger(__name__)

SECRET_HEADER = "x-telegram-bot-api-secret-token"
COMMAND = "/verify"
RELINK_ARGUMENT = "new"
HELP = (
    "I link your wallet to your Telegram account for the Sietch. Send /verify to get a "
    "verification link (it is free: you only sign a message)."
)


def secret_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison of the webhook secret."""
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


@dataclass(frozen=True)
class Reply:
    """A message to send: chat and text."""

    chat_id: int | str
    text: str


def handle_update(update: Any, verifier: Verifier) -> Reply | None:
    """The reply to one update (blocking: it may open a session), or None to stay silent."""
    message = update.get("message") if isinstance(update, dict) else None
    if not isinstance(message, dict):
        return None
    text = message.get("text")
    chat = message.get("chat") or {}
    sender = message.get("from") or {}
    if not isinstance(text, str) or not text.startswith("/") or "id" not in chat:
        return None
    command, _, argument = text.partition(" ")
    command = command.split("@", 1)[0].lower()
    if command == "/start":
        return Reply(chat["id"], HELP)
    if command != COMMAND:
        return None
    if chat.get("type") != "private":
        return Reply(
            chat["id"],
            "For your safety, verification links are only sent in a private chat: open a chat "
            f"with me and send {COMMAND}.",
        )
    user_id = str(sender.get("id", ""))
    if not user_id.isdigit():
        return None
    link = verifier.store.link_for("telegram", user_id)
    if link is not None and argument.strip().lower() != RELINK_ARGUMENT:
        hint = f"To link another wallet, send {COMMAND} {RELINK_ARGUMENT}."
        return Reply(chat["id"], verified_reply(link, relink_hint=hint))
    return Reply(chat["id"], new_link_reply(verifier.start("telegram", user_id), already=link))


class BotAPI:
    """The Telegram Bot API methods the service calls, over a shared ``httpx.AsyncClient``."""

    def __init__(self, client: httpx.AsyncClient, base_url: str, token: str) -> None:
        self._client = client
        self._base = base_url.rstrip("/")
        self._token = token

    def __repr__(self) -> str:
        return f"<BotAPI {self._base} token=***>"

    async def send_message(self, reply: Reply) -> bool:
        """``sendMessage``; False (and a log line without the token) if Telegram refused."""
        url = f"{self._base}/bot{self._token}/sendMessage"
        body = {
            "chat_id": reply.chat_id,
            "text": reply.text,
            "link_preview_options": {"is_disabled": True},
        }
        try:
            response = await self._client.post(url, json=body)
        except httpx.HTTPError as exc:
            log.error("Telegram sendMessage failed: %s", type(exc).__name__)
            return False
        if response.status_code != 200:
            log.error(
                "Telegram sendMessage answered %s: %s", response.status_code, response.text[:200]
            )
            return False
        return True
