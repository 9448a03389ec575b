"""Server-side rate limits: per-route buckets keyed by major parameter, plus a global limit.

Every limited response carries Discord's headers (``X-RateLimit-Limit``, ``-Remaining``,
``-Reset``, ``-Reset-After``, ``-Bucket``); a 429 has the body ``{message, retry_after, global}``
plus ``Retry-After`` and ``X-RateLimit-Scope`` (and ``X-RateLimit-Global`` for the global limit).
Windows are fixed: they open at a bucket's first request and close ``window`` seconds later.

Profiles (numbers from FACTS.md 3.3 and 3.6; Discord does not publish the others, so the
"typical" values below are the ones libraries observe):

========================================  ==================  ===============  ===========
bucket                                    strict              relaxed          off
========================================  ==================  ===============  ===========
global (per bot)                          50 / 1 s            2000 / 1 s       none
POST /guilds/{guild_id}/roles             250 / 48 h          1000 / 1 s       none
PATCH /channels/{channel_id}              10 / 15 s           1000 / 1 s       none
  ... when the body has name or topic     + 2 / 10 min        (no sub-limit)   none
member role add/remove (shared bucket)    10 / 10 s           1000 / 1 s       none
every other write route                   5 / 5 s             1000 / 1 s       none
every read route                          5 / 1 s             1000 / 1 s       none
========================================  ==================  ===============  ===========

Buckets are keyed ``bucket:major`` where major is the route's ``channel_id`` or ``guild_id``, so
the same route on another guild or channel has its own budget, as on Discord. ``off`` sends no
rate-limit headers at all.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from gaib_core.sandbox.responses import SandboxResponse, json_response

PROFILES = ("strict", "relaxed", "off")

# Routes that share one Discord bucket (the rest have one bucket per route).
_SHARED = {
    "PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}": "member-roles",
    "DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}": "member-roles",
    "PUT /channels/{channel_id}/permissions/{overwrite_id}": "channel-permissions",
    "DELETE /channels/{channel_id}/permissions/{overwrite_id}": "channel-permissions",
}
NAME_TOPIC = "channel-name-topic"


@dataclass(frozen=True)
class Limit:
    """``limit`` requests per ``window`` seconds."""

    limit: int
    window: float


@dataclass(frozen=True)
class Profile:
    """The limits of one profile."""

    name: str
    global_limit: Limit | None
    reads: Limit | None
    writes: Limit | None
    special: Mapping[str, Limit] = field(default_factory=dict)

    def limit_for(self, bucket: str, method: str) -> Limit | None:
        """The limit of ``bucket`` (a route key or a shared bucket name)."""
        if bucket in self.special:
            return self.special[bucket]
        return self.reads if method == "GET" else self.writes


def profile(name: str) -> Profile:
    """The named profile (``ValueError`` for an unknown name)."""
    if name == "off":
        return Profile("off", None, None, None)
    if name == "relaxed":
        generous = Limit(1000, 1.0)
        return Profile("relaxed", Limit(2000, 1.0), generous, generous)
    if name == "strict":
        return Profile(
            "strict",
            Limit(50, 1.0),
            reads=Limit(5, 1.0),
            writes=Limit(5, 5.0),
            special={
                "POST /guilds/{guild_id}/roles": Limit(250, 48 * 3600.0),
                "PATCH /channels/{channel_id}": Limit(10, 15.0),
                NAME_TOPIC: Limit(2, 600.0),
                "member-roles": Limit(10, 10.0),
            },
        )
    raise ValueError(f"unknown rate-limit profile {name!r}; use one of {', '.join(PROFILES)}")


def bucket_hash(bucket: str) -> str:
    """The opaque ``X-RateLimit-Bucket`` of a bucket name (stable across restarts)."""
    return hashlib.sha1(bucket.encode()).hexdigest()[:32]


@dataclass
class _Window:
    limit: int
    window: float
    opened: float
    used: int = 0

    def expired(self, now: float) -> bool:
        """True once the window has closed."""
        return now >= self.opened + self.window

    def reset_after(self, now: float) -> float:
        """Seconds until the window closes."""
        return max(0.0, self.opened + self.window - now)


@dataclass
class Decision:
    """The limiter's verdict: headers for the answer, or the 429 to send instead."""

    headers: dict[str, str]
    rejected: SandboxResponse | None = None
    global_hit: bool = False


class RateLimiter:
    """Per-route and global fixed windows for one profile. Callers serialise access."""

    def __init__(self, name: str = "relaxed", clock: Callable[[], float] = time.monotonic) -> None:
        self.profile = profile(name)
        self._clock = clock
        self._windows: dict[str, _Window] = {}

    def set_profile(self, name: str) -> None:
        """Switch profile and forget every window."""
        self.profile = profile(name)
        self._windows.clear()

    def _window(self, key: str, limit: Limit, now: float) -> _Window:
        win = self._windows.get(key)
        if win is None or win.expired(now) or win.limit != limit.limit:
            win = _Window(limit.limit, limit.window, now)
            self._windows[key] = win
        return win

    def check(
        self, method: str, route_key: str, params: Mapping[str, str], *, name_or_topic: bool = False
    ) -> Decision:
        """Count one request; return its headers or the 429 it gets instead."""
        prof = self.profile
        now = self._clock()
        if prof.global_limit is not None:
            gwin = self._window("global", prof.global_limit, now)
            if gwin.used >= gwin.limit:
                return Decision({}, _too_many(gwin.reset_after(now), {}, scope="global"), True)
            gwin.used += 1
        bucket = _SHARED.get(route_key, route_key)
        limit = prof.limit_for(bucket, method)
        if limit is None:
            return Decision({})
        major = params.get("channel_id") or params.get("guild_id") or ""
        win = self._window(f"{bucket}:{major}", limit, now)
        reset_after = win.reset_after(now)
        if win.used >= win.limit:
            headers = _headers(win, bucket, reset_after)
            return Decision(headers, _too_many(reset_after, headers, scope="user"))
        sub = prof.special.get(NAME_TOPIC) if name_or_topic else None
        if sub is not None:
            swin = self._window(f"{NAME_TOPIC}:{major}", sub, now)
            if swin.used >= swin.limit:
                # A hidden sub-limit: the route's own headers still show budget left.
                headers = _headers(win, bucket, reset_after)
                return Decision(headers, _too_many(swin.reset_after(now), headers, scope="user"))
            swin.used += 1
        win.used += 1
        return Decision(_headers(win, bucket, reset_after))


def _headers(win: _Window, bucket: str, reset_after: float) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(win.limit),
        "X-RateLimit-Remaining": str(max(0, win.limit - win.used)),
        "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": bucket_hash(bucket),
    }


def _too_many(retry_after: float, headers: dict[str, str], *, scope: str) -> SandboxResponse:
    retry_after = max(round(retry_after, 3), 0.001)
    is_global = scope == "global"
    out = dict(headers)
    out["Retry-After"] = str(math.ceil(retry_after))
    out["X-RateLimit-Scope"] = scope
    if is_global:
        out["X-RateLimit-Global"] = "true"
    body = {
        "message": "You are being rate limited.",
        "retry_after": retry_after,
        "global": is_global,
        "code": 0,
    }
    return json_response(429, body, out)
