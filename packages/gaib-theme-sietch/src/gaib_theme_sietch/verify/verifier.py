"""Opening verification sessions and verifying what the wallet signed.

``Verifier.verify`` refuses, each with its own error code and before anything is written:
an unknown, used or expired session; a message that is not this session's (the first differing
field is named: domain, nonce, chain id, ...); a malformed signature (hex, length, v, range,
high-s); a signature that recovers to another address than the claimed one; a wallet already
linked to another user. Only then does the store link the wallet, atomically.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from eth_utils import to_checksum_address

from gaib_theme_sietch.verify.errors import VerificationError
from gaib_theme_sietch.verify.message import (
    FIELD_LABELS,
    MessageFormatError,
    SiweMessage,
    first_difference,
    parse_message,
)
from gaib_theme_sietch.verify.models import Link, Platform, VerifySession
from gaib_theme_sietch.verify.settings import VerifySettings
from gaib_theme_sietch.verify.signature import parse_signature, recover_signer
from gaib_theme_sietch.verify.store import SqlStore, check_open, unknown_session

_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_USER_ID = re.compile(r"^-?[0-9]{1,20}$")
# Sessions are deleted a day after they expired (kept a while for `whois` and support).
PURGE_AFTER = timedelta(days=1)


def utc_now() -> datetime:
    """The current time (UTC)."""
    return datetime.now(UTC)


def checksum(address: str) -> str:
    """``address`` EIP-55 checksummed; refuses anything but ``0x`` + 40 hex digits (any case)."""
    if not isinstance(address, str) or not _ADDRESS.match(address):
        raise VerificationError(
            "malformed_address", "the address is not 0x followed by 40 hex digits"
        )
    return to_checksum_address(address)


class Verifier:
    """Sessions and verification over a store, with the service's settings.

    :param clock: returns the current time (UTC); tests pass their own to reach an expiry.
    """

    def __init__(
        self,
        store: SqlStore,
        settings: VerifySettings,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock

    def start(self, platform: Platform, user_id: str) -> VerifySession:
        """Open a session for a platform user: new nonce, expiry ``VERIFY_SESSION_TTL`` away."""
        if not _USER_ID.match(user_id):
            raise VerificationError("malformed_user", f"{user_id!r} is not a {platform} user id")
        now = self.clock().replace(microsecond=0)
        session_id = secrets.token_urlsafe(24)
        base = self.settings.require_base_url()
        session = VerifySession(
            id=session_id,
            platform=platform,
            user_id=user_id,
            nonce=secrets.token_hex(16),
            domain=self.settings.domain,
            uri=f"{base}/verify/{session_id}",
            chain_id=self.settings.chain_id,
            statement=(
                f"Link this wallet to {platform.capitalize()} user {user_id} for the Sietch. "
                "Signing is free and sends no transaction."
            ),
            issued_at=now,
            expires_at=now + timedelta(seconds=self.settings.session_ttl),
        )
        self.store.purge_expired(now - PURGE_AFTER)
        self.store.create_session(session)
        return session

    def open_session(self, session_id: str) -> VerifySession:
        """The session, if it can still be signed (else the refusal)."""
        if not _SESSION_ID.match(session_id):
            raise unknown_session(session_id)
        session = self.store.get_session(session_id)
        if session is None:
            raise unknown_session(session_id)
        check_open(session, self.clock())
        return session

    def message_for(self, session_id: str, address: str) -> SiweMessage:
        """The message the wallet at ``address`` must sign for this session."""
        return self.open_session(session_id).message(checksum(address))

    def verify(self, session_id: str, address: str, message: str, signature: str) -> Link:
        """Check a signed message and link the wallet; raises ``VerificationError`` otherwise."""
        claimed = checksum(address)
        session = self.open_session(session_id)
        expected = session.message(claimed)
        _check_message(expected, message)
        signer = recover_signer(expected.text(), parse_signature(signature))
        if signer != claimed:
            raise VerificationError(
                "wrong_address",
                f"the signature was made by {signer}, not by the claimed wallet {claimed}",
                status=401,
            )
        return self.store.consume(session_id, claimed, self.clock())


def _check_message(expected: SiweMessage, text: str) -> None:
    """Refuse a message that is not exactly the session's, naming the first differing field."""
    if not isinstance(text, str):
        raise VerificationError("message_format", "the message must be text")
    if text == expected.text():
        return
    try:
        got = parse_message(text)
    except MessageFormatError as exc:
        raise VerificationError(
            "message_format", f"the signed message is not this service's: {exc}"
        ) from None
    field = first_difference(expected, got)
    if field is None:
        raise VerificationError(
            "message_mismatch", "the signed message differs from this session's (whitespace?)"
        )
    label = FIELD_LABELS[field]
    want, have = getattr(expected, field), getattr(got, field)
    hint = " (it was signed for another session)" if field == "nonce" else ""
    raise VerificationError(
        f"message_{field}",
        f"the signed message's {label} is {have!r}, this session's is {want!r}{hint}",
    )
