"""Helpers for tests of wallet verification (here and in the tier engine's tests).

- :func:`sign`: what a browser wallet's ``personal_sign`` returns, from a generated key;
- :func:`high_s`: the malleated twin of a signature (same signer, s -> n - s);
- :class:`Clock`: a settable clock to pass as ``Verifier(clock=...)``;
- :func:`link_wallet`: a complete, real verification (session, message, signature) that links a
  new or given wallet to a platform user, for tests that need linked members.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount

from gaib_theme_sietch.verify.models import Link, Platform
from gaib_theme_sietch.verify.signature import SECP256K1_N
from gaib_theme_sietch.verify.verifier import Verifier


def sign(account: LocalAccount, text: str) -> str:
    """``personal_sign(text)`` with ``account``'s key: ``0x`` + 130 hex digits."""
    return "0x" + bytes(account.sign_message(encode_defunct(text=text)).signature).hex()


def high_s(signature: str) -> str:
    """The same signature with ``s`` replaced by ``n - s`` (and ``v`` flipped): still recovers to
    the same signer, which is why verifiers must refuse it (EIP-2)."""
    raw = bytes.fromhex(signature.removeprefix("0x"))
    s = SECP256K1_N - int.from_bytes(raw[32:64], "big")
    v = 55 - raw[64]  # 27 <-> 28
    return "0x" + (raw[:32] + s.to_bytes(32, "big") + bytes([v])).hex()


@dataclass
class Clock:
    """A clock that stands still until moved (UTC)."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move forward by ``seconds``."""
        self.now += timedelta(seconds=seconds)


def link_wallet(
    verifier: Verifier,
    platform: Platform,
    user_id: str,
    account: LocalAccount | None = None,
) -> tuple[LocalAccount, Link]:
    """Verify ``account`` (a new one by default) for the user, as the page would."""
    account = account or Account.create()
    session = verifier.start(platform, user_id)
    text = verifier.message_for(session.id, account.address).text()
    link = verifier.verify(session.id, account.address, text, sign(account, text))
    return account, link
