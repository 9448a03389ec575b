"""Image data as Discord takes it: PNG, JPEG or GIF bytes, sent as a ``data:`` URI.

Discord's Modify Guild takes the icon as "image data" (``data:image/png;base64,...``; FACTS.md
and the API reference's *Image Data*). gaib reads an icon file and sends it this way; the sandbox
decodes what it is sent the same way, so both sides agree on what a valid image is. The format
is told by the file's first bytes (its magic number), never by its name.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

# Discord refuses larger uploads for icons; gaib says so before sending anything.
MAX_IMAGE_BYTES = 10 * 1024 * 1024

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
_DATA_URI = re.compile(r"^data:(image/(?:png|jpeg|jpg|gif));base64,(.*)$", re.DOTALL)


class ImageError(ValueError):
    """Bytes or a data URI that are not an image Discord takes."""


@dataclass(frozen=True)
class ImageData:
    """An image's bytes and what they are."""

    content: bytes
    mime: str

    @property
    def sha256(self) -> str:
        """The hex SHA-256 of the bytes: how gaib tells icon files apart."""
        return hashlib.sha256(self.content).hexdigest()

    @property
    def md5(self) -> str:
        """The hex MD5 of the bytes (the sandbox's icon hash, shaped like Discord's)."""
        return hashlib.md5(self.content, usedforsecurity=False).hexdigest()

    @property
    def animated(self) -> bool:
        """True for a GIF (Discord animates it only with the ANIMATED_ICON feature)."""
        return self.mime == "image/gif"

    def data_uri(self) -> str:
        """``data:<mime>;base64,<bytes>``, the request form."""
        return f"data:{self.mime};base64,{base64.b64encode(self.content).decode('ascii')}"


def sniff(content: bytes) -> str | None:
    """The MIME type of PNG, JPEG or GIF bytes, else None."""
    for magic, mime in _MAGIC:
        if content.startswith(magic):
            return mime
    return None


def from_bytes(content: bytes) -> ImageData:
    """``ImageData`` for file bytes; ``ImageError`` saying what is wrong otherwise."""
    if not content:
        raise ImageError("the file is empty")
    if len(content) > MAX_IMAGE_BYTES:
        raise ImageError(
            f"the image is {len(content)} bytes; Discord takes at most {MAX_IMAGE_BYTES}"
        )
    mime = sniff(content)
    if mime is None:
        raise ImageError("it is not a PNG, JPEG or GIF image")
    return ImageData(content, mime)


def from_data_uri(value: str) -> ImageData:
    """Decode a ``data:image/...;base64,...`` URI; ``ImageError`` if it is not a valid image."""
    found = _DATA_URI.match(value)
    if found is None:
        raise ImageError("not a data:image/...;base64 URI")
    try:
        content = base64.b64decode(found.group(2), validate=True)
    except (binascii.Error, ValueError):
        raise ImageError("the base64 data is invalid") from None
    return from_bytes(content)
