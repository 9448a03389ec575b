"""Errors of wallet verification: why a signature or a setting was refused.

``VerificationError`` carries a stable ``code`` (what API clients and tests match on), the HTTP
status the service answers with, and a one-line message a person can act on.
"""

from __future__ import annotations

from gaib_core.errors import ConfigError, GaibError


class SettingsError(ConfigError):
    """A setting of the verification service is missing or malformed (one line, names it)."""


class VerificationError(GaibError):
    """A verification was refused; nothing was linked."""

    def __init__(self, code: str, message: str, *, status: int = 400) -> None:
        self.code = code
        self.status = status
        super().__init__(message)


class StoreError(GaibError):
    """The session store cannot be opened or used (bad URL, database unreachable)."""
