"""Injected faults: the next N matching API requests answer 429, 5xx, drop, or are delayed.

A fault is queued through ``POST /_sandbox/faults`` (or ``Sandbox.faults.add``) and matches
``route`` = ``"<METHOD> <path regex>"``: the method (or ``*``) must be equal and the regex must
match the whole path, either relative to ``/api/v10`` (``/guilds/\\d+/roles``) or in full.
Faults fire in the order they were added; each fires ``count`` times, then is gone. ``after``
lets that many matching requests through first (to hit exactly the k-th request of a run).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gaib_core.sandbox.responses import SandboxResponse, json_response

FaultKind = Literal["429", "5xx", "drop", "drop_after", "delay"]


class FaultSpec(BaseModel):
    """One fault as the admin API accepts it."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    kind: FaultKind
    count: int = Field(1, ge=1)
    route: str | None = None
    retry_after: float = Field(1.0, ge=0)
    global_: bool = Field(False, alias="global")
    status: int = Field(500, ge=500, le=599)
    delay: float = Field(0.5, ge=0)
    after: int = Field(0, ge=0, description="Matching requests to let through before firing.")

    @field_validator("route")
    @classmethod
    def _route(cls, value: str | None) -> str | None:
        if value is None:
            return value
        method, sep, pattern = value.strip().partition(" ")
        if not sep or not pattern.strip():
            raise ValueError(
                "route must be '<METHOD> <path regex>', e.g. 'POST /guilds/\\d+/roles'"
            )
        try:
            re.compile(pattern.strip())
        except re.error as exc:
            raise ValueError(f"route regex does not compile: {exc}") from None
        return f"{method.upper()} {pattern.strip()}"


@dataclass
class Fault:
    """A queued fault and how many times it still fires."""

    spec: FaultSpec
    remaining: int
    skip: int = 0

    def matches(self, method: str, path: str, api_path: str) -> bool:
        """True when this fault applies to ``METHOD path``."""
        if self.spec.route is None:
            return True
        want, _, pattern = self.spec.route.partition(" ")
        if want not in ("*", method):
            return False
        regex = re.compile(pattern)
        return bool(regex.fullmatch(api_path) or regex.fullmatch(path))


class FaultQueue:
    """The queued faults. Callers serialise access."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self.fired = 0

    def add(self, spec: FaultSpec) -> None:
        """Queue a fault."""
        self._faults.append(Fault(spec, spec.count, spec.after))

    def clear(self) -> None:
        """Drop every queued fault."""
        self._faults.clear()

    def take(self, method: str, path: str, api_path: str) -> FaultSpec | None:
        """The first fault matching this request (consuming one of its shots), or None."""
        for fault in self._faults:
            if fault.matches(method, path, api_path):
                if fault.skip > 0:
                    fault.skip -= 1
                    continue
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                self.fired += 1
                return fault.spec
        return None

    def pending(self) -> list[dict[str, object]]:
        """The queued faults as JSON (for ``GET /_sandbox/faults``)."""
        return [
            {**f.spec.model_dump(by_alias=True), "remaining": f.remaining} for f in self._faults
        ]


def fault_response(spec: FaultSpec) -> SandboxResponse | None:
    """The answer an injected fault gives instead of the route (None: delay, then proceed)."""
    if spec.kind == "429":
        retry = spec.retry_after
        headers = {
            "Retry-After": str(max(1, math.ceil(retry))),
            "X-RateLimit-Scope": "global" if spec.global_ else "user",
        }
        if spec.global_:
            headers["X-RateLimit-Global"] = "true"
        body = {
            "message": "You are being rate limited.",
            "retry_after": retry,
            "global": spec.global_,
            "code": 0,
        }
        return json_response(429, body, headers)
    if spec.kind == "5xx":
        return json_response(spec.status, {"message": f"{spec.status}: Server Error", "code": 0})
    if spec.kind == "drop":
        return SandboxResponse(0, {}, b"", drop=True)
    return None
