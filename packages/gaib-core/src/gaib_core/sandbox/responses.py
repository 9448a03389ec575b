"""What a sandbox request produces: ``SandboxResponse``, and ``APIError`` for Discord's error bodies.

Route handlers raise ``APIError``; the core turns it into Discord's JSON error body
(``{"code", "message", "errors"?}``) with the right HTTP status.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

JSON_TYPE = "application/json"


@dataclass
class SandboxResponse:
    """One answer: status, headers, raw body, and whether to drop the connection instead."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    drop: bool = False

    def json(self) -> Any:
        """The body parsed as JSON (None when empty)."""
        return json.loads(self.body) if self.body else None


def json_response(
    status: int, payload: Any, headers: dict[str, str] | None = None
) -> SandboxResponse:
    """A JSON response."""
    out = {"Content-Type": JSON_TYPE}
    if headers:
        out.update(headers)
    return SandboxResponse(status, out, json.dumps(payload, separators=(",", ":")).encode())


def empty_response(status: int = 204) -> SandboxResponse:
    """A bodyless response (204 No Content)."""
    return SandboxResponse(status, {}, b"")


class APIError(Exception):
    """A Discord JSON error: HTTP ``status``, Discord ``code``, ``message`` and optional ``errors``."""

    def __init__(
        self, status: int, code: int, message: str, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def payload(self) -> dict[str, Any]:
        """The JSON body Discord sends for this error."""
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body

    def response(self) -> SandboxResponse:
        """The error as a response."""
        return json_response(self.status, self.payload())


def field_error(code: str, message: str) -> dict[str, Any]:
    """One leaf of a 50035 ``errors`` tree."""
    return {"_errors": [{"code": code, "message": message}]}


def nest(path: list[str | int], leaf: dict[str, Any]) -> dict[str, Any]:
    """Wrap ``leaf`` in the ``errors`` tree under ``path`` (list indexes become string keys)."""
    tree = leaf
    for key in reversed(path):
        tree = {str(key): tree}
    return tree


def merge_trees(into: dict[str, Any], tree: dict[str, Any]) -> dict[str, Any]:
    """Merge an errors tree into another (leaf lists are concatenated)."""
    for key, value in tree.items():
        if key == "_errors":
            into.setdefault("_errors", []).extend(value)
        else:
            merge_trees(into.setdefault(key, {}), value)
    return into


def invalid_form(errors: dict[str, Any]) -> APIError:
    """400 / 50035 Invalid Form Body with ``errors``."""
    return APIError(400, 50035, "Invalid Form Body", errors)


def invalid_field(path: list[str | int], code: str, message: str) -> APIError:
    """400 / 50035 with a single field error at ``path``."""
    return invalid_form(nest(path, field_error(code, message)))


def missing_permissions() -> APIError:
    """403 / 50013."""
    return APIError(403, 50013, "Missing Permissions")


def missing_access() -> APIError:
    """403 / 50001."""
    return APIError(403, 50001, "Missing Access")


def unknown(kind: str) -> APIError:
    """404 with Discord's 'Unknown X' code for ``kind`` (guild, channel, role, member, user...)."""
    codes = {
        "guild": (10004, "Unknown Guild"),
        "channel": (10003, "Unknown Channel"),
        "role": (10011, "Unknown Role"),
        "member": (10007, "Unknown Member"),
        "user": (10013, "Unknown User"),
        "overwrite": (10009, "Unknown Overwrite"),
    }
    code, message = codes[kind]
    return APIError(404, code, message)
