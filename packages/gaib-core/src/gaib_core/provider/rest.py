"""One Discord REST request, done right: rate limits, retries, backoff and error mapping.

``RestClient.request(route, ...)`` waits for the route's bucket and the global limit, sends,
learns from the ``X-RateLimit-*`` headers, and:

* on 429 waits ``retry_after`` (body, else the ``Retry-After`` header) and retries, pausing every
  request after a global 429; beyond ``max_wait`` it raises ``RateLimited`` instead of sleeping;
* on 500/502/503/504/524 and connection errors retries with exponential backoff;
* never repeats a POST whose outcome is unknown (sent, then no clean answer): it raises
  ``AmbiguousOutcome`` so the caller can look for the object first;
* after an ambiguous DELETE, a 404 on the retry means the first attempt worked.

Everything else becomes the exception ``gaib_core.provider.errors`` maps it to.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from gaib_core.errors import RateLimited
from gaib_core.provider.errors import (
    CHANNEL_WRITE_LIMIT,
    SERVER_WRITE_LIMIT,
    error_from_response,
    rate_limited,
    server_error,
)
from gaib_core.provider.http import DEFAULT_LIMITS
from gaib_core.provider.ratelimit import Bucket, RateLimiter, RateLimitHeaders, Route, WaitTooLong

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({500, 502, 503, 504, 524})
# Errors raised before a single byte of the request left: always safe to retry.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_MAX_REASON = 512
_MAX_BACKOFF = 10.0


@dataclass
class Response:
    """A successful answer: status and parsed JSON (``None`` for 204)."""

    status: int
    data: Any
    headers: httpx.Headers


@dataclass
class _Attempt:
    """One request across its attempts."""

    route: Route
    json: Any
    headers: dict[str, str]
    ticket: int
    subject: str | None
    failures: int = 0
    limited: int = 0
    ambiguous: bool = False


class AmbiguousOutcome(Exception):
    """A non-idempotent request was (maybe) performed but we did not get its answer."""

    def __init__(self, route: Route, cause: str, status: int = 0) -> None:
        self.route = route
        self.cause = cause
        self.status = status
        super().__init__(f"{route}: outcome unknown ({cause})")


def audit_reason(reason: str) -> str:
    """``X-Audit-Log-Reason``: URL-encoded as discord.py does, at most 512 characters."""
    encoded = quote(reason, safe="/ ")
    while len(encoded) > _MAX_REASON:
        reason = reason[:-1]
        encoded = quote(reason, safe="/ ")
    return encoded


class RestClient:
    """Sends requests through the rate limiter. Counts what it sends in ``request_count``."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        limiter: RateLimiter,
        *,
        max_retries: int = 5,
        retry_delay: float = 0.5,
        token_env: str = "DISCORD_TOKEN",
        redact: tuple[str, ...] = (),
        max_concurrency: int = DEFAULT_LIMITS.max_connections or 50,
    ) -> None:
        self.client = client
        self.limiter = limiter
        self.max_retries = max_retries
        self.retry_delay = retry_delay
        self.token_env = token_env
        self._redact = redact
        self.request_count = 0
        self._slots = asyncio.Semaphore(max_concurrency)
        self.rate_limited_count = 0
        # Discord bans IPs with 10,000 invalid (401/403/429) requests in 10 minutes.
        self.invalid_requests = 0

    def backoff(self, failures: int) -> float:
        """Exponential backoff with jitter for the ``failures``-th failure in a row."""
        base = min(self.retry_delay * (2 ** (failures - 1)), _MAX_BACKOFF)
        return base * random.uniform(0.8, 1.2)

    async def request(
        self,
        route: Route,
        *,
        json: Any = None,
        reason: str | None = None,
        subject: str | None = None,
    ) -> Response:
        """Send ``route`` and return its answer, or raise the mapped ``DiscordAPIError``."""
        headers = {"X-Audit-Log-Reason": audit_reason(reason)} if reason else {}
        # The ticket fixes this request's place in every queue, across all its retries.
        attempt = _Attempt(route, json, headers, self.limiter.ticket(), subject)
        while True:
            outcome = await self._try(attempt)
            if isinstance(outcome, Response):
                return outcome
            if outcome:
                await asyncio.sleep(outcome)

    async def _try(self, a: _Attempt) -> Response | float:
        """One attempt: the answer, or the delay before the next attempt."""
        route = a.route
        loop = asyncio.get_running_loop()
        max_wait = self.limiter.max_wait
        bucket = self.limiter.bucket_for(route, loop.time())
        try:
            await bucket.acquire(a.ticket, max_wait)
        except WaitTooLong as exc:
            raise rate_limited(route, exc.wait, exc.scope, max_wait) from None
        generation = bucket.generation
        sent = False
        try:
            # Never more requests in the air than connections: a request that passed the
            # global limit must not then queue for a connection and go out in a burst later.
            async with self._slots:
                try:
                    stamp = await self.limiter.global_limiter.acquire(a.ticket, max_wait)
                except WaitTooLong as exc:
                    raise rate_limited(route, exc.wait, exc.scope, max_wait) from None
                if bucket.generation != generation:
                    # The bucket hit a 429 meanwhile: queue again (by ticket) rather than
                    # run into the same limit.
                    self.limiter.global_limiter.refund(stamp)
                    return 0.0
                sent = True
                self.request_count += 1
                try:
                    resp = await self.client.request(
                        route.method,
                        route.path,
                        params=route.query or None,
                        json=a.json,
                        headers=a.headers,
                    )
                except httpx.TransportError as exc:
                    sent = not isinstance(exc, _NOT_SENT)
                    return self._transport_failure(a, exc, sent)
            return self._answer(a, resp, bucket, loop.time())
        finally:
            bucket.release(sent=sent)

    def _transport_failure(self, a: _Attempt, exc: httpx.TransportError, sent: bool) -> float:
        a.failures += 1
        cause = type(exc).__name__
        log.warning("%s: %s (attempt %d)", a.route, cause, a.failures)
        if sent and not a.route.is_idempotent:
            raise AmbiguousOutcome(a.route, cause) from None
        a.ambiguous = a.ambiguous or sent
        if a.failures >= self.max_retries:
            raise server_error(a.route, 0, a.failures, cause) from None
        return self.backoff(a.failures)

    def _answer(
        self, a: _Attempt, resp: httpx.Response, bucket: Bucket, now: float
    ) -> Response | float:
        route = a.route
        info = RateLimitHeaders.parse(resp.headers)
        if resp.status_code == 429:
            a.limited += 1
            self._on_429(route, resp, info, bucket, now, a.limited)
            return 0.0
        self.limiter.learn(route, bucket, info)
        bucket.update(info, now)
        if resp.status_code in RETRY_STATUSES:
            a.failures += 1
            log.warning("%s: %d (attempt %d)", route, resp.status_code, a.failures)
            if not route.is_idempotent:
                raise AmbiguousOutcome(route, f"HTTP {resp.status_code}", resp.status_code)
            if a.failures >= self.max_retries:
                raise server_error(route, resp.status_code, a.failures)
            return self.backoff(a.failures)
        if resp.is_success:
            return Response(resp.status_code, _json(resp), resp.headers)
        if a.ambiguous and route.method == "DELETE" and resp.status_code == 404:
            # The attempt whose answer we lost did delete it.
            return Response(204, None, resp.headers)
        if resp.status_code in (401, 403):
            self.invalid_requests += 1
        raise error_from_response(
            resp.status_code,
            _json(resp),
            route,
            subject=a.subject,
            token_env=self.token_env,
            redact=self._redact,
        )

    def _on_429(
        self,
        route: Route,
        resp: httpx.Response,
        info: RateLimitHeaders,
        bucket: Bucket,
        now: float,
        limited: int,
    ) -> None:
        """Account for a 429 and arrange the wait; raise when we should not wait."""
        self.rate_limited_count += 1
        if info.scope != "shared":
            self.invalid_requests += 1
        body = _json(resp)
        data = body if isinstance(body, dict) else {}
        retry_after = data.get("retry_after")
        if not isinstance(retry_after, int | float) or isinstance(retry_after, bool):
            retry_after = info.retry_after
        if retry_after is None:
            raise RateLimited(
                f"{route} answered 429 without retry_after (Cloudflare may be blocking this IP)",
                hint="wait a while before trying again; too many invalid requests get an IP banned",
                status=429,
                method=route.method,
                route=route.template,
            )
        is_global = bool(data.get("global")) or info.is_global
        scope = "global" if is_global else (info.scope or "route")
        if retry_after > self.limiter.max_wait:
            code = data.get("code")
            if code in (CHANNEL_WRITE_LIMIT, SERVER_WRITE_LIMIT):
                # Discord's write limits come as 429s with their own code: say which one.
                err = error_from_response(429, data, route, redact=self._redact)
                err.hint = f"it lifts in {retry_after:.0f}s; {err.hint}"
                err.args = (str(err),)
                raise err
            raise rate_limited(route, float(retry_after), scope, self.limiter.max_wait)
        if limited > self.max_retries:
            raise RateLimited(
                f"{route} was rate limited {limited} times in a row ({scope})",
                hint="another program may be using the same bot token; try again later",
                status=429,
                method=route.method,
                route=route.template,
            )
        if is_global:
            log.warning("global rate limit: everyone waits %.2fs", retry_after)
            self.limiter.global_limiter.pause(float(retry_after), now)
            # The bucket itself is fine; only make its granted requests queue again by ticket.
            bucket.bump()
            return
        if info.remaining:
            log.info(
                "%s: sub-ratelimit hit (remaining %s), waiting %.2fs",
                route,
                info.remaining,
                retry_after,
            )
        else:
            log.info("%s: rate limited (%s), waiting %.2fs", route, scope, retry_after)
        current = self.limiter.learn(route, bucket, info)
        # Hold the bucket back; the retry keeps its ticket, so it goes first afterwards.
        bucket.limited(float(retry_after), info, now)
        if current is not bucket:
            current.limited(float(retry_after), info, now)


def _json(resp: httpx.Response) -> Any:
    if resp.status_code == 204 or not resp.content:
        return None
    try:
        return resp.json()
    except ValueError:
        return None
