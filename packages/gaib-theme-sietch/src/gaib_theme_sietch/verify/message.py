"""The Sign-In with Ethereum message (EIP-4361) a member signs to prove they hold a wallet.

The service renders the message (``SiweMessage.text``) from the session and the address the
wallet reports; the wallet shows it and signs it with ``personal_sign`` (EIP-191). On the way
back the message is parsed (``parse_message``) and compared with the session's field by field
(``first_difference``), so a refusal names the field that differs (domain, nonce, chain id...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import UTC, datetime

_HEADER = " wants you to sign in with your Ethereum account:"
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
# EIP-4361: the nonce is at least 8 alphanumeric characters.
_NONCE = re.compile(r"^[A-Za-z0-9]{8,}$")
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# The tagged lines after the statement, in the order EIP-4361 fixes.
_TAGS = (
    ("uri", "URI"),
    ("version", "Version"),
    ("chain_id", "Chain ID"),
    ("nonce", "Nonce"),
    ("issued_at", "Issued At"),
    ("expiration_time", "Expiration Time"),
    ("request_id", "Request ID"),
)


class MessageFormatError(ValueError):
    """The text is not an EIP-4361 message of the shape the service issues."""


def format_time(moment: datetime) -> str:
    """An RFC 3339 UTC timestamp with second precision, as written in the message."""
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def parse_time(text: str) -> datetime:
    """The inverse of :func:`format_time`."""
    return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC)


@dataclass(frozen=True)
class SiweMessage:
    """The fields of an EIP-4361 message (the subset the service issues: no resources)."""

    domain: str
    address: str
    statement: str
    uri: str
    chain_id: int
    nonce: str
    issued_at: str
    expiration_time: str
    request_id: str
    version: str = "1"

    def text(self) -> str:
        """The message exactly as the wallet signs it."""
        lines = [
            f"{self.domain}{_HEADER}",
            self.address,
            "",
            self.statement,
            "",
        ]
        lines += [f"{label}: {getattr(self, name)}" for name, label in _TAGS]
        return "\n".join(lines)


def parse_message(text: str) -> SiweMessage:
    """Parse a message of the shape :meth:`SiweMessage.text` writes.

    :raises MessageFormatError: naming the first line that does not fit.
    """
    lines = text.split("\n")
    if len(lines) != 5 + len(_TAGS):
        raise MessageFormatError(
            f"expected {5 + len(_TAGS)} lines, got {len(lines)} (is this the service's message?)"
        )
    if not lines[0].endswith(_HEADER) or not lines[0][: -len(_HEADER)]:
        raise MessageFormatError(f"line 1 must be '<domain>{_HEADER}'")
    if not _ADDRESS.match(lines[1]):
        raise MessageFormatError("line 2 must be the 0x address (40 hex digits)")
    if lines[2] or lines[4]:
        raise MessageFormatError("lines 3 and 5 must be empty (around the statement)")
    values: dict[str, str] = {}
    for offset, (name, label) in enumerate(_TAGS):
        line = lines[5 + offset]
        prefix = f"{label}: "
        if not line.startswith(prefix):
            raise MessageFormatError(f"line {6 + offset} must start with '{prefix}'")
        values[name] = line[len(prefix) :]
    if not values["chain_id"].isdigit():
        raise MessageFormatError(f"Chain ID must be a number, not {values['chain_id']!r}")
    if not _NONCE.match(values["nonce"]):
        raise MessageFormatError("Nonce must be at least 8 letters or digits")
    for name in ("issued_at", "expiration_time"):
        try:
            parse_time(values[name])
        except ValueError:
            raise MessageFormatError(f"{name} is not a time like 2026-01-31T12:00:00Z") from None
    return SiweMessage(
        domain=lines[0][: -len(_HEADER)],
        address=lines[1],
        statement=lines[3],
        uri=values["uri"],
        version=values["version"],
        chain_id=int(values["chain_id"]),
        nonce=values["nonce"],
        issued_at=values["issued_at"],
        expiration_time=values["expiration_time"],
        request_id=values["request_id"],
    )


#: How each field is named in refusals.
FIELD_LABELS = {
    "domain": "domain",
    "address": "address",
    "statement": "statement",
    **{name: label.lower() for name, label in _TAGS},
}


def first_difference(expected: SiweMessage, got: SiweMessage) -> str | None:
    """The field where ``got`` differs from ``expected``, or None: the nonce first (a message
    of another session differs in several fields, and the nonce is what says so), then the
    others in message order. Addresses compare checksum-agnostically; everything else exactly.
    """
    order = ["nonce", "domain", "address", "statement", *(n for n, _ in _TAGS if n != "nonce")]
    known = {f.name for f in fields(SiweMessage)}
    for name in order:
        assert name in known
        want, have = getattr(expected, name), getattr(got, name)
        if name == "address":
            want, have = str(want).lower(), str(have).lower()
        if want != have:
            return name
    return None
