"""Verification sessions and wallet links: what the store keeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from gaib_theme_sietch.verify.message import SiweMessage, format_time

Platform = Literal["discord", "telegram"]
PLATFORMS: tuple[Platform, ...] = ("discord", "telegram")


def to_ms(moment: datetime) -> int:
    """Milliseconds since the epoch (how the store keeps times)."""
    return int(moment.timestamp() * 1000)


def from_ms(value: int) -> datetime:
    """The inverse of :func:`to_ms` (UTC)."""
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def short_address(address: str) -> str:
    """``0x1234…abcd``: how a wallet is shown in replies and profiles."""
    return f"{address[:6]}…{address[-4:]}"


@dataclass(frozen=True)
class VerifySession:
    """One request of one platform user to link a wallet: single use, expires.

    ``domain``, ``uri`` and ``chain_id`` are fixed when the session opens, so the message a
    member signs stays the one they were shown even if the service's settings change meanwhile.
    """

    id: str
    platform: Platform
    user_id: str
    nonce: str
    domain: str
    uri: str
    chain_id: int
    statement: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    address: str | None = None

    def message(self, address: str) -> SiweMessage:
        """The EIP-4361 message this session asks ``address`` to sign."""
        # eth_utils (the verify extra) only here: the stores import this module, and Sietch's
        # app configuration uses them without the extra.
        from eth_utils import to_checksum_address

        return SiweMessage(
            domain=self.domain,
            address=to_checksum_address(address),
            statement=self.statement,
            uri=self.uri,
            chain_id=self.chain_id,
            nonce=self.nonce,
            issued_at=format_time(self.issued_at),
            expiration_time=format_time(self.expires_at),
            request_id=self.id,
        )

    def expired(self, now: datetime) -> bool:
        """True from the expiry on."""
        return now >= self.expires_at


@dataclass(frozen=True)
class Link:
    """A wallet linked to a platform user (one wallet per user and platform, and vice versa)."""

    platform: Platform
    user_id: str
    address: str
    session_id: str
    linked_at: datetime

    @property
    def short(self) -> str:
        """The wallet, shortened (``0x1234…abcd``)."""
        return short_address(self.address)
