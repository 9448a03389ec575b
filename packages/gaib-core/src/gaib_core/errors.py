"""The ``GaibError`` hierarchy.

Every error gaib raises on purpose is a ``GaibError``. Its message is one line that names what is
wrong (file, line, field or id) and how to fix it. Only the CLI turns errors into exit codes, in
one place (``gaib_cli.errors``); library code raises, never exits.

Messages must never contain a token: build them from ids, names and file positions only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SourceLocation:
    """Where in a file something was written (1-based line and column)."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class GaibError(Exception):
    """Base of every error gaib raises on purpose. ``str(err)`` is the one-line message."""

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}; {self.hint}"
        return self.message


class ConfigError(GaibError):
    """A config, theme or variable file is invalid. Carries the location when known."""

    def __init__(
        self,
        message: str,
        *,
        location: SourceLocation | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.location = location
        self.field = field
        prefix = f"{location}: " if location else ""
        where = f"{field}: " if field else ""
        super().__init__(f"{prefix}{where}{message}", hint=hint)


@dataclass
class ConfigIssue:
    """One problem found while validating a config (used to report several at once)."""

    message: str
    location: SourceLocation | None = None
    field: str | None = None
    hint: str | None = None

    def to_error(self) -> ConfigError:
        """The issue as a raisable error."""
        return ConfigError(self.message, location=self.location, field=self.field, hint=self.hint)


class ConfigErrors(ConfigError):
    """Several config problems; ``str()`` is the first one, ``issues`` has them all."""

    def __init__(self, issues: list[ConfigIssue]) -> None:
        self.issues = issues
        first = issues[0]
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        super().__init__(
            first.message + more, location=first.location, field=first.field, hint=first.hint
        )


class ThemeError(ConfigError):
    """A theme cannot be found, loaded or rendered."""


class VariableError(ConfigError):
    """A theme variable is unknown, missing or of the wrong type."""


class PlanError(GaibError):
    """Plan-time preflight found something Discord would refuse, or a saved plan is stale."""


class StateError(GaibError):
    """State is missing, corrupt, of another lineage, or would move backwards."""


@dataclass
class LockInfo:
    """Who holds a state lock (Terraform's ``LockInfo``)."""

    id: str
    operation: str
    who: str
    created: str
    path: str = ""
    info: str = ""
    version: str = ""

    def describe(self) -> str:
        """One human-readable line about the holder."""
        return f"lock {self.id} held by {self.who} for '{self.operation}' since {self.created}"


class LockError(StateError):
    """The state is locked by someone else."""

    def __init__(self, holder: LockInfo | None, message: str | None = None) -> None:
        self.holder = holder
        if message is None:
            if holder is None:
                message = "state is locked"
            else:
                message = f"state is locked: {holder.describe()}"
        super().__init__(
            message,
            hint=(
                f"wait for it to finish, retry with --lock-timeout, or if it is stale run "
                f"`gaib server force-unlock {holder.id}`"
                if holder
                else "retry later"
            ),
        )


class ProviderError(GaibError):
    """A provider (Discord or the sandbox) refused or failed a request."""


@dataclass
class DiscordErrorDetail:
    """One leaf of Discord's 50035 ``errors`` tree: the field path and its message."""

    path: str
    code: str
    message: str


class DiscordAPIError(ProviderError):
    """Discord answered with an error. ``code`` is Discord's JSON error code (0 if none)."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: int = 0,
        method: str = "",
        route: str = "",
        details: list[DiscordErrorDetail] | None = None,
        hint: str | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.method = method
        self.route = route
        self.details = details or []
        self.body = body or {}
        super().__init__(message, hint=hint)


class MissingPermissions(DiscordAPIError):
    """50013: the bot lacks a permission or is below a role in the hierarchy."""


class MissingAccess(DiscordAPIError):
    """50001: the bot cannot see the channel or guild."""


class UnknownObject(DiscordAPIError):
    """10003 / 10004 / 10007 / 10011 / ...: the id does not exist (any more)."""


class InvalidFormBody(DiscordAPIError):
    """50035: Discord rejected a field; ``details`` lists each field and why."""


class LimitReached(DiscordAPIError):
    """30005 / 30013 / 30060: a guild limit (roles, channels, overwrites) is reached."""


class Unauthorized(DiscordAPIError):
    """401 / 40001: the token is wrong or missing."""


class RateLimited(DiscordAPIError):
    """A rate limit would make us wait longer than the configured maximum."""


class ServerError(DiscordAPIError):
    """Discord kept answering 5xx (or the connection kept dropping) after all retries."""


class AmbiguousWrite(ProviderError):
    """A write's outcome is unknown (timed out after sending) and could not be checked."""


@dataclass
class ErrorContext:
    """Extra data an error may carry for ``--json`` output."""

    data: dict[str, Any] = field(default_factory=dict)
