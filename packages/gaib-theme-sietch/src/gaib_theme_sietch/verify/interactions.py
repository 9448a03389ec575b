"""Discord's HTTP interactions endpoint: signature check, PING, and the ``/verify`` command.

Discord signs every interaction with the application's Ed25519 key over ``timestamp + body``;
an endpoint must answer 401 to anything that does not verify (Discord itself sends such requests
to check). The timestamp must also be recent, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from gaib_theme_sietch.verify.replies import new_link_reply, verified_reply
from gaib_theme_sietch.verify.verifier import Verifier

SIGNATURE_HEADER = "x-signature-ed25519"
TIMESTAMP_HEADER = "x-signature-timestamp"
#: How old (or how far in the future) a signed timestamp may be, in seconds.
MAX_CLOCK_SKEW = 300

PING, APPLICATION_COMMAND = 1, 2
PONG, CHANNEL_MESSAGE_WITH_SOURCE = 1, 4
EPHEMERAL = 1 << 6
COMMAND_NAME = "verify"
RELINK_OPTION = "new_wallet"


class InteractionRefused(Exception):
    """The request is not a genuine, fresh interaction (answered 401 with ``reason``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class InteractionVerifier:
    """Checks ``X-Signature-Ed25519`` / ``X-Signature-Timestamp`` against the public key."""

    public_key: str

    def check(self, headers: dict[str, str], body: bytes, now: float | None = None) -> None:
        """Raise :class:`InteractionRefused` unless the request is signed and fresh."""
        signature = headers.get(SIGNATURE_HEADER)
        timestamp = headers.get(TIMESTAMP_HEADER)
        if not signature or not timestamp:
            raise InteractionRefused("missing X-Signature-Ed25519 or X-Signature-Timestamp")
        try:
            VerifyKey(bytes.fromhex(self.public_key)).verify(
                timestamp.encode() + body, bytes.fromhex(signature)
            )
        except (BadSignatureError, ValueError):
            raise InteractionRefused("invalid request signature") from None
        if not timestamp.isdigit():
            raise InteractionRefused("the signature timestamp is not a number")
        current = time.time() if now is None else now
        if abs(current - int(timestamp)) > MAX_CLOCK_SKEW:
            raise InteractionRefused("stale signature timestamp")


def handle_interaction(payload: Any, verifier: Verifier) -> dict[str, Any]:
    """The response to a verified interaction (blocking: it may open a session)."""
    if not isinstance(payload, dict):
        return _ephemeral("This request is not an interaction.")
    kind = payload.get("type")
    if kind == PING:
        return {"type": PONG}
    data = payload.get("data") or {}
    if kind != APPLICATION_COMMAND or data.get("name") != COMMAND_NAME:
        return _ephemeral(f"Unknown command: this service only answers /{COMMAND_NAME}.")
    user = (payload.get("member") or {}).get("user") or payload.get("user") or {}
    user_id = str(user.get("id", ""))
    if not user_id.isdigit():
        return _ephemeral("Discord sent no user with this command; please try again.")
    return _ephemeral(verify_reply(verifier, user_id, relink=_option(data, RELINK_OPTION)))


def verify_reply(verifier: Verifier, user_id: str, *, relink: bool) -> str:
    """The member's status, or a new verification link."""
    link = verifier.store.link_for("discord", user_id)
    if link is not None and not relink:
        return verified_reply(
            link, relink_hint=f"To link another wallet, run /{COMMAND_NAME} {RELINK_OPTION}:True."
        )
    session = verifier.start("discord", user_id)
    return new_link_reply(session, already=link)


def _option(data: dict[str, Any], name: str) -> bool:
    for option in data.get("options") or []:
        if isinstance(option, dict) and option.get("name") == name:
            return option.get("value") is True
    return False


def _ephemeral(content: str) -> dict[str, Any]:
    """Type 4 (CHANNEL_MESSAGE_WITH_SOURCE), flags 64 (EPHEMERAL): only the member sees it."""
    return {
        "type": CHANNEL_MESSAGE_WITH_SOURCE,
        "data": {"content": content, "flags": EPHEMERAL, "allowed_mentions": {"parse": []}},
    }
