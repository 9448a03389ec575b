"""Discord's rate limits, discord.py's design (``discord/http.py``) ported to asyncio and httpx.

* A ``Route`` is a method and a path template plus its parameters. Its ``key`` is
  ``"METHOD /template"``; its ``major`` parameters (guild, channel, webhook) split one route into
  independent buckets, as Discord does.
* Discord names shared buckets in ``X-RateLimit-Bucket``. We learn ``route key -> bucket hash``
  from responses and key bucket state by ``hash:major`` (``route key:major`` until the hash is
  known), so two routes sharing a limit share one ``Bucket``.
* A ``Bucket`` tracks ``limit``/``remaining``/reset from the headers and makes a request *wait
  before* it would be limited, so 429s are the exception. Waiters are served by ticket number:
  a request retried after a 429 keeps its ticket and goes before every request issued after it.
* ``GlobalLimiter`` keeps us under 50 requests per second (a sliding log, so no 1-second window
  ever holds more than 50) and pauses everyone after a 429 with ``global: true``.

The state changes are plain methods taking ``now`` (so the logic is testable without a clock);
only ``acquire`` and the timers touch the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

log = logging.getLogger(__name__)

# Top-level resources: the same route with another of these is limited independently.
MAJOR_PARAMETERS = ("channel_id", "guild_id", "webhook_id", "webhook_token")

# discord.py evicts idle buckets once the map grows past this.
_MAX_BUCKETS = 256
_IDLE_EVICT_SECONDS = 300.0


class Route:
    """One API call: ``Route("PATCH", "/guilds/{guild_id}/roles/{role_id}", guild_id=1, role_id=2)``."""

    __slots__ = ("method", "params", "path", "query", "template")

    def __init__(self, method: str, template: str, **params: str | int) -> None:
        self.method = method.upper()
        self.template = template
        self.params = {name: str(value) for name, value in params.items()}
        # Ids are digits, but quote anyway so a bad id cannot change the path.
        self.path = template.format_map({k: quote(v, safe="@") for k, v in self.params.items()})
        # The query string (``?limit=1000&after=...``): not part of the route's identity, so
        # every page of a listing shares the route's bucket, as on Discord.
        self.query: dict[str, str] = {}

    def with_query(self, **query: str | int) -> Route:
        """This route with a query string (``Route(...).with_query(limit=1000, after=0)``)."""
        route = Route(self.method, self.template, **self.params)
        route.query = {name: str(value) for name, value in query.items()}
        return route

    @property
    def key(self) -> str:
        """``"METHOD /template"``: what Discord's per-route limits are keyed by."""
        return f"{self.method} {self.template}"

    @property
    def major(self) -> str:
        """The major parameters joined with ``+`` (``""`` for routes without one)."""
        return "+".join(self.params[name] for name in MAJOR_PARAMETERS if name in self.params)

    @property
    def is_idempotent(self) -> bool:
        """True unless POST: repeating the request cannot create a second object."""
        return self.method != "POST"

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    def __repr__(self) -> str:
        return f"Route({self.method!r}, {self.template!r}, {self.params!r})"


@dataclass(frozen=True)
class RateLimitHeaders:
    """The ``X-RateLimit-*`` headers of one response (``None`` when absent)."""

    limit: int | None = None
    remaining: int | None = None
    reset_after: float | None = None
    bucket: str | None = None
    is_global: bool = False
    scope: str | None = None
    retry_after: float | None = None

    @classmethod
    def parse(cls, headers: Mapping[str, str]) -> RateLimitHeaders:
        """Read the headers Discord sends (case-insensitive mapping, e.g. ``httpx.Headers``)."""
        return cls(
            limit=_int(headers.get("x-ratelimit-limit")),
            remaining=_int(headers.get("x-ratelimit-remaining")),
            reset_after=_float(headers.get("x-ratelimit-reset-after")),
            bucket=headers.get("x-ratelimit-bucket") or None,
            is_global=(headers.get("x-ratelimit-global") or "").lower() == "true",
            scope=headers.get("x-ratelimit-scope") or None,
            retry_after=_float(headers.get("retry-after")),
        )


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def _float(raw: str | None) -> float | None:
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None


class WaitTooLong(Exception):
    """Raised by ``acquire`` when the wait would exceed ``max_wait`` (the caller names the route)."""

    def __init__(self, wait: float, scope: str) -> None:
        self.wait = wait
        self.scope = scope
        super().__init__(f"{scope} rate limit: would wait {wait:.1f}s")


class Bucket:
    """The state of one rate-limit bucket and the requests waiting for it."""

    def __init__(self, key: str) -> None:
        self.key = key
        # Until the first response tells us the real limit, one request at a time.
        self.limit = 1
        self.remaining = 1
        self.reset_at: float | None = None
        self.outgoing = 0
        self.known = False
        self.unlimited = False
        self.last_used = 0.0
        # Bumped by every 429: a request granted a slot before it must queue again.
        self.generation = 0
        self.probe = False
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._timer: asyncio.TimerHandle | None = None

    # -- pure state logic (``now`` is the event loop's clock) -------------------------------

    def refresh(self, now: float) -> None:
        """Start a new window once the old one has expired."""
        if self.reset_at is not None and now >= self.reset_at:
            # After a 429 we know only that one request may go: it probes the real window.
            budget = 1 if self.probe else self.limit
            self.remaining = max(0, budget - self.outgoing)
            self.reset_at = None
            self.probe = False

    def can_take(self) -> bool:
        """True if a request may be sent now (call ``refresh`` first)."""
        return self.unlimited or self.remaining > 0

    def take(self, now: float) -> None:
        """Count a request as sent."""
        if not self.unlimited:
            self.remaining -= 1
        self.outgoing += 1
        self.last_used = now

    def wait_time(self, now: float) -> float | None:
        """Seconds until a request may go; ``None`` = until an in-flight response tells us."""
        self.refresh(now)
        if self.can_take():
            return 0.0
        if self.reset_at is None:
            return None
        return max(0.0, self.reset_at - now)

    def update(self, info: RateLimitHeaders, now: float) -> None:
        """Learn from a non-429 response of a request counted in ``outgoing``."""
        fresh = not self.known or self.unlimited or self.reset_at is None
        self.known = True
        if info.limit is None or info.remaining is None:
            # This route reports no limit (or the server has them off).
            self.unlimited = True
            return
        self.unlimited = False
        self.limit = info.limit
        # The server may not have seen the other requests still in flight: assume it will.
        others = max(0, self.outgoing - 1)
        server_side = max(0, info.remaining - others)
        if fresh:
            # First news of this window (first response, or right after a reset): trust it.
            self.remaining = server_side
        else:
            # Same window: responses may arrive out of order, so never count upwards.
            self.remaining = min(self.remaining, server_side)
        if info.reset_after is not None:
            reset_at = now + info.reset_after
            if self.probe and self.reset_at is not None:
                # A 429 holds the bucket until its retry_after: the answer to a request that
                # was already in flight then must not end the hold early.
                reset_at = max(reset_at, self.reset_at)
            self.reset_at = reset_at

    def limited(self, retry_after: float, info: RateLimitHeaders, now: float) -> None:
        """A 429 for this bucket: nothing more goes until ``retry_after`` has passed."""
        self.known = True
        self.unlimited = False
        self.bump()
        if info.limit is not None:
            self.limit = info.limit
        self.remaining = 0
        # ``retry_after`` is Discord's word on when a request may go again (it may be sooner
        # than the reset we computed, e.g. for sliding windows); after it, one request probes.
        self.reset_at = now + retry_after
        self.probe = True

    def bump(self) -> None:
        """Make requests granted a slot but not yet sent queue again (by ticket)."""
        self.generation += 1

    def release(self, *, sent: bool = True) -> None:
        """A request finished (whatever the outcome); ``sent=False`` gives its slot back."""
        self.outgoing = max(0, self.outgoing - 1)
        if not sent and not self.unlimited:
            self.remaining += 1
        if self.reset_at is None and self.remaining <= 0 and self.outgoing == 0:
            # No response told us about the window (connection errors): probe with one.
            self.remaining = 1
        self._pump()

    def is_idle(self, now: float) -> bool:
        """True when nothing waits or flies and it was last used long ago."""
        return (
            not self._waiters and self.outgoing == 0 and now - self.last_used >= _IDLE_EVICT_SECONDS
        )

    # -- waiting ----------------------------------------------------------------------------

    async def acquire(self, ticket: int, max_wait: float) -> None:
        """Wait (in ticket order) until a request may be sent, then count it as sent."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        self.refresh(now)
        if not self._waiters and self.can_take():
            self.take(now)
            return
        wait = self.wait_time(now)
        if wait is not None and wait > max_wait:
            raise WaitTooLong(wait, "route")
        future: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._waiters, (ticket, next(self._seq), future))
        self._pump()
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                # We were granted a slot but will not use it: hand it back.
                self.outgoing -= 1
                self.remaining += 1
                self._pump()
            raise

    def _pump(self) -> None:
        """Grant slots to waiters in ticket order; arm a timer for the window's reset."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._waiters:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        self.refresh(now)
        while self._waiters and self.can_take():
            _, _, future = heapq.heappop(self._waiters)
            if future.done():
                continue
            self.take(now)
            future.set_result(None)
        if self._waiters and self.reset_at is not None:
            self._timer = loop.call_at(self.reset_at, self._pump)


class GlobalLimiter:
    """At most ``limit`` requests in any ``period`` seconds, plus pauses after a global 429.

    Waiters are served by ticket, like a bucket's, so a retried request is not overtaken.
    """

    def __init__(self, limit: int = 50, period: float = 1.0, margin: float = 0.1) -> None:
        self.limit = limit
        # A margin: requests sent ``period`` apart may arrive closer together (network and
        # server jitter), and a global 429 costs far more than 10% of the throughput.
        self.period = period + margin
        self.paused_until = 0.0
        self._sent: deque[float] = deque()
        self._waiters: list[tuple[int, int, asyncio.Future[float]]] = []
        self._seq = itertools.count()
        self._timer: asyncio.TimerHandle | None = None

    def delay(self, now: float) -> float:
        """Seconds until the next request may go (0 = now)."""
        pause = self.paused_until - now
        # The epsilon keeps float rounding from turning "exactly one period later" into a wait.
        while self._sent and now - self._sent[0] >= self.period - 1e-9:
            self._sent.popleft()
        window = 0.0
        if len(self._sent) >= self.limit:
            window = self._sent[0] + self.period - now
        return max(pause, window, 0.0)

    def record(self, now: float) -> None:
        """Count a request as sent at ``now``."""
        self._sent.append(now)

    def refund(self, stamp: float) -> None:
        """Forget a request counted at ``stamp`` that was not sent after all."""
        with contextlib.suppress(ValueError):
            self._sent.remove(stamp)

    def pause(self, seconds: float, now: float) -> None:
        """Nobody sends anything for ``seconds`` (a 429 with ``global: true``)."""
        self.paused_until = max(self.paused_until, now + seconds)

    async def acquire(self, ticket: int, max_wait: float) -> float:
        """Wait (in ticket order) until a request may go; count it and return its stamp."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        wait = self.delay(now)
        if not self._waiters and wait <= 0:
            self.record(now)
            return now
        if wait > max_wait:
            raise WaitTooLong(wait, "global")
        future: asyncio.Future[float] = loop.create_future()
        heapq.heappush(self._waiters, (ticket, next(self._seq), future))
        self._pump()
        try:
            return await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.refund(future.result())
            raise

    def _pump(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        wait = 0.0
        while self._waiters:
            wait = self.delay(now)
            if wait > 0:
                break
            _, _, future = heapq.heappop(self._waiters)
            if future.done():
                continue
            self.record(now)
            future.set_result(now)
        if self._waiters:
            self._timer = loop.call_at(now + wait, self._pump)


class RateLimiter:
    """All of a client's rate-limit state: the learnt bucket hashes, the buckets, the global limit."""

    def __init__(
        self, *, max_wait: float = 60.0, global_limit: int = 50, global_period: float = 1.0
    ) -> None:
        self.max_wait = max_wait
        self.global_limiter = GlobalLimiter(global_limit, global_period)
        self.bucket_hashes: dict[str, str] = {}
        self.buckets: dict[str, Bucket] = {}
        self._tickets = itertools.count()

    def ticket(self) -> int:
        """A number fixing a request's place in line (kept across its retries)."""
        return next(self._tickets)

    def bucket_key(self, route: Route) -> str:
        """``hash:major`` once Discord told us the hash, ``METHOD /template:major`` before."""
        return f"{self.bucket_hashes.get(route.key, route.key)}:{route.major}"

    def bucket_for(self, route: Route, now: float) -> Bucket:
        """The bucket a request on ``route`` must acquire."""
        key = self.bucket_key(route)
        bucket = self.buckets.get(key)
        if bucket is None:
            self._evict(now)
            bucket = self.buckets[key] = Bucket(key)
        return bucket

    def learn(self, route: Route, bucket: Bucket, info: RateLimitHeaders) -> Bucket:
        """Record the route's bucket hash; returns the bucket future requests will use."""
        if info.bucket is None:
            return bucket
        previous = self.bucket_hashes.get(route.key)
        if previous == info.bucket:
            return bucket
        if previous is not None:
            log.debug("bucket of %s changed from %s to %s", route.key, previous, info.bucket)
        self.bucket_hashes[route.key] = info.bucket
        # Buckets of this route for other majors (requests in flight or waiting) move with it,
        # so that one channel never has two bucket objects.
        old_prefix = f"{previous or route.key}:"
        for key, other in list(self.buckets.items()):
            if key.startswith(old_prefix):
                self.buckets.setdefault(f"{info.bucket}:{key[len(old_prefix) :]}", other)
        # Another route may already share this hash: then its bucket is the one to use.
        return self.buckets.setdefault(f"{info.bucket}:{route.major}", bucket)

    def _evict(self, now: float) -> None:
        if len(self.buckets) < _MAX_BUCKETS:
            return
        for key in [k for k, b in self.buckets.items() if b.is_idle(now)]:
            del self.buckets[key]
