"""Errors a Python caller (or the admin API) gets from the sandbox itself.

Discord's own error bodies, which API routes answer with, are ``responses.APIError``. These are
for asking the sandbox for something impossible; each carries the HTTP status the admin API
answers it with, so no status is ever chosen by reading a message.
"""

from __future__ import annotations

from gaib_core.errors import GaibError


class SandboxError(GaibError):
    """A Python caller asked the sandbox for something impossible (unknown guild, bad input)."""

    status: int = 400


class UnknownSandboxGuild(SandboxError):
    """The sandbox has no guild with that id (the admin API answers 404)."""

    status = 404


class SandboxBusy(SandboxError):
    """Another process held the sandbox's data file too long (the admin API answers 503)."""

    status = 503
