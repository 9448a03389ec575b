"""Small, valid images for tests (a server icon, a theme's icon), made without any imaging library."""

from __future__ import annotations

import struct
import zlib


def png_bytes(color: tuple[int, int, int] = (255, 215, 0), size: int = 4) -> bytes:
    """A ``size`` x ``size`` PNG of one RGB ``color`` (a different color gives different bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    row = b"\x00" + bytes(color) * size
    pixels = zlib.compress(row * size)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
