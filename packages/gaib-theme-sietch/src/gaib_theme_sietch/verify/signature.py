"""EIP-191 ``personal_sign`` signatures: parse them strictly and recover the signer.

The curve arithmetic is eth-account's (with coincurve, libsecp256k1). What is added here is the
strictness a verifier owes its users: only ``0x`` + 130 hex digits, ``v`` in {27, 28} (or the
0/1 some wallets send), ``r`` and ``s`` in range and ``s`` in the lower half of the curve order
(EIP-2: a high-s signature is a malleated copy of another one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gaib_theme_sietch.verify.errors import VerificationError

#: The order of secp256k1's group.
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
SIGNATURE_BYTES = 65
_HEX = re.compile(r"^(0x)?[0-9a-fA-F]*$")


@dataclass(frozen=True)
class Signature:
    """A recoverable ECDSA signature ``(r, s, v)`` with ``v`` normalised to 27/28."""

    r: int
    s: int
    v: int

    def to_bytes(self) -> bytes:
        """The 65 bytes ``r || s || v``."""
        return self.r.to_bytes(32, "big") + self.s.to_bytes(32, "big") + bytes([self.v])


def parse_signature(text: str) -> Signature:
    """Parse a hex signature as wallets return it.

    :raises VerificationError: ``malformed_signature``, ``signature_length``, ``signature_v``,
        ``signature_range`` or ``signature_high_s``.
    """
    if not isinstance(text, str) or not _HEX.match(text) or len(text.removeprefix("0x")) % 2:
        raise VerificationError(
            "malformed_signature",
            "the signature is not hex: expected 0x followed by 130 hex digits",
        )
    raw = bytes.fromhex(text.removeprefix("0x"))
    if len(raw) != SIGNATURE_BYTES:
        raise VerificationError(
            "signature_length",
            f"the signature has {len(raw)} bytes, expected {SIGNATURE_BYTES} (r, s and v)",
        )
    r = int.from_bytes(raw[:32], "big")
    s = int.from_bytes(raw[32:64], "big")
    v = raw[64] + 27 if raw[64] in (0, 1) else raw[64]
    if v not in (27, 28):
        raise VerificationError(
            "signature_v", f"the signature's recovery byte v is {raw[64]}, expected 27 or 28"
        )
    if not (0 < r < SECP256K1_N and 0 < s < SECP256K1_N):
        raise VerificationError("signature_range", "the signature's r or s is out of range")
    if s > SECP256K1_N // 2:
        raise VerificationError(
            "signature_high_s",
            "the signature's s is in the upper half of the curve order (a malleated signature, "
            "refused per EIP-2): sign again with a standard wallet",
        )
    return Signature(r, s, v)


def recover_signer(message: str, signature: Signature) -> str:
    """The checksummed address whose key signed ``message`` with EIP-191 ``personal_sign``.

    :raises VerificationError: ``signature_invalid`` if no key can have made it.
    """
    # Imported here: eth-account takes seconds to import, which `gaib sietch whois` never needs.
    from eth_account import Account
    from eth_account.messages import encode_defunct

    try:
        address: str = Account.recover_message(
            encode_defunct(text=message), signature=signature.to_bytes()
        )
    except Exception as exc:  # eth-keys raises BadSignature, ValidationError or ValueError
        raise VerificationError(
            "signature_invalid", f"the signature does not verify: {type(exc).__name__}"
        ) from None
    return address
