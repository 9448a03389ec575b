"""gzip + SHA-256: how every stored file is packed, and checked before use.

Compression is deterministic (no timestamp or name in the gzip header), so the same document
always has the same checksum: that is how an unchanged state is recognised and not stored twice.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib

from gaib_backup.errors import IntegrityError


def pack(data: bytes) -> bytes:
    """Deterministic gzip of ``data``."""
    return gzip.compress(data, compresslevel=6, mtime=0)


def checksum(data: bytes) -> str:
    """SHA-256 of ``data``, hex."""
    return hashlib.sha256(data).hexdigest()


def verify(data: bytes, *, expected: str, size: int, where: str) -> None:
    """``IntegrityError`` naming ``where`` unless ``data`` has the recorded size and checksum."""
    if len(data) != size:
        raise IntegrityError(
            f"{where}: size is {len(data)} bytes, the record says {size}",
            hint="the object is truncated or was replaced; use another backup (or, on a "
            "versioned bucket, restore the object's previous version)",
        )
    actual = checksum(data)
    if actual != expected:
        raise IntegrityError(
            f"{where}: checksum mismatch (sha256 {actual[:12]}..., recorded {expected[:12]}...)",
            hint="the object was changed or damaged; use another backup (or, on a versioned "
            "bucket, restore the object's previous version)",
        )


def unpack(data: bytes, *, where: str) -> bytes:
    """gunzip ``data``; ``IntegrityError`` naming ``where`` if it is not complete gzip."""
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise IntegrityError(
            f"{where}: not a complete gzip file ({exc})",
            hint="the object is truncated or damaged; use another backup",
        ) from None
