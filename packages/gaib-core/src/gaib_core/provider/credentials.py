"""The bot token and the API base, read from the environment and checked before any request.

A token pasted with a trailing newline works (surrounding whitespace is stripped); a token that
cannot be sent in an HTTP header, or an API base that is not an http(s) URL, is one clear error
at once instead of five retries blamed on a Discord outage. Messages name the variable, never
the token's value.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

from gaib_core.errors import ConfigError
from gaib_core.provider.http import API_BASE_ENV, DEFAULT_API_BASE

# What Discord tokens are made of (base64url segments joined by dots); anything else in a
# header is either refused by httpx (non-ASCII) or silently corrupts the request.
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/")


def read_token(environ: Mapping[str, str], name: str) -> str | None:
    """The token in ``$name`` with surrounding whitespace stripped; None when unset or blank.

    Raises ``ConfigError`` naming the variable and the offending character's position when the
    token holds a character a bot token never has (it could not be sent, or would be mangled).
    """
    raw = environ.get(name)
    if raw is None:
        return None
    token = raw.strip()
    if not token:
        return None
    for index, char in enumerate(token):
        if char not in _TOKEN_CHARS:
            what = "a non-ASCII character" if not char.isascii() else f"the character {char!r}"
            if char.isascii() and not char.isprintable():
                what = f"a control character (code {ord(char)})"
            raise ConfigError(
                f"${name} holds {what} at position {index + 1}, which a bot token never has",
                hint=f"copy the token again from the Discord developer portal (Bot > Reset "
                f"Token) and export {name}=<token>",
            )
    return token


def api_base(environ: Mapping[str, str]) -> str:
    """``$DISCORD_API_BASE`` (checked, without a trailing slash), else Discord's v10 URL."""
    raw = (environ.get(API_BASE_ENV) or "").strip()
    if not raw:
        return DEFAULT_API_BASE
    return check_api_base(raw, source=f"${API_BASE_ENV}")


def check_api_base(url: str, *, source: str = "the API base") -> str:
    """``url`` without a trailing slash if it is an absolute http(s) URL; else ``ConfigError``."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        parts, host = None, None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        shown = _without_credentials(url)
        raise ConfigError(
            f"{source} {shown!r} is not an http(s) URL",
            hint=f"use e.g. {DEFAULT_API_BASE} or http://127.0.0.1:8787/api/v10 "
            f"(`gaib sandbox serve` prints its own), or unset {API_BASE_ENV}",
        )
    return url.rstrip("/")


def _without_credentials(url: str) -> str:
    """``url`` with any ``user:password@`` removed (it must not end up in an error)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(unparseable URL)"
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]))
