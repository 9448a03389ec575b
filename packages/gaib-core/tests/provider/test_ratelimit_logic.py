"""The rate limiter's pure logic: routes, header parsing, bucket state, the global limit.

No network here: bucket state changes take ``now`` explicitly. The behaviour against a real
server (429s, storms, global pauses) is tested in ``test_ratelimits.py`` against the sandbox.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from gaib_core.provider.ratelimit import (
    Bucket,
    GlobalLimiter,
    RateLimiter,
    RateLimitHeaders,
    Route,
    WaitTooLong,
)
from hypothesis import given, settings
from hypothesis import strategies as st


def headers(
    limit: int, remaining: int, reset_after: float, bucket: str = "abc"
) -> RateLimitHeaders:
    return RateLimitHeaders(
        limit=limit, remaining=remaining, reset_after=reset_after, bucket=bucket
    )


def test_route_key_major_and_path() -> None:
    route = Route("patch", "/guilds/{guild_id}/roles/{role_id}", guild_id=1, role_id="22")
    assert route.key == "PATCH /guilds/{guild_id}/roles/{role_id}"
    assert route.major == "1"
    assert route.path == "/guilds/1/roles/22"
    assert str(route) == "PATCH /guilds/1/roles/22"
    assert Route("GET", "/users/@me").path == "/users/@me"
    assert Route("GET", "/users/@me").major == ""
    assert not Route("POST", "/x").is_idempotent
    assert Route("DELETE", "/x").is_idempotent


def test_route_quotes_parameters_so_an_id_cannot_change_the_path() -> None:
    assert (
        Route("GET", "/channels/{channel_id}", channel_id="1/../2").path == "/channels/1%2F..%2F2"
    )


def test_major_parameters_in_discord_order() -> None:
    route = Route("PUT", "/x/{channel_id}/{guild_id}", guild_id=2, channel_id=1)
    assert route.major == "1+2"


def test_headers_parse_is_case_insensitive_and_tolerant() -> None:
    raw = httpx.Headers(
        {
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "4",
            "X-RateLimit-Reset-After": "1.25",
            "X-RateLimit-Bucket": "abcd",
            "X-RateLimit-Global": "true",
            "X-RateLimit-Scope": "shared",
            "Retry-After": "2",
        }
    )
    info = RateLimitHeaders.parse(raw)
    assert info == RateLimitHeaders(5, 4, 1.25, "abcd", True, "shared", 2.0)
    assert RateLimitHeaders.parse(httpx.Headers({"X-RateLimit-Limit": "x"})).limit is None


def test_unknown_bucket_lets_one_request_through_until_the_first_answer() -> None:
    b = Bucket("k")
    assert b.wait_time(0.0) == 0.0
    b.take(0.0)
    assert b.wait_time(0.0) is None  # wait for the answer, not for a clock
    b.update(headers(5, 4, 1.0), 0.1)
    assert (b.limit, b.remaining, b.reset_at) == (5, 4, pytest.approx(1.1))
    b.release()
    assert b.wait_time(0.2) == 0.0


def test_bucket_waits_before_it_would_be_limited_and_resets_after_the_window() -> None:
    b = Bucket("k")
    b.take(0.0)
    b.update(headers(2, 1, 1.0), 0.0)
    b.release()
    b.take(0.1)
    b.update(headers(2, 0, 0.9), 0.2)
    b.release()
    assert b.wait_time(0.5) == pytest.approx(0.6)
    assert not b.can_take()
    assert b.wait_time(1.2) == 0.0
    assert b.remaining == 2


def test_out_of_order_answers_never_count_upwards() -> None:
    b = Bucket("k")
    b.take(0.0)
    b.update(headers(5, 4, 1.0), 0.0)
    b.release()
    for _ in range(3):
        b.take(0.1)
    assert b.remaining == 1
    # The answer to the first of the three arrives last, claiming more room than there is.
    b.update(headers(5, 1, 0.9), 0.2)
    b.release()
    b.update(headers(5, 3, 0.9), 0.3)
    b.release()
    assert b.remaining <= 1


def test_in_flight_requests_are_assumed_counted() -> None:
    b = Bucket("k")
    b.take(0.0)
    b.update(headers(10, 9, 5.0), 0.0)
    b.release()
    for _ in range(4):
        b.take(0.1)
    # Server saw only one of the four so far: 8 left server-side, 3 more are coming.
    b.update(headers(10, 8, 4.9), 0.2)
    assert b.remaining == 5


def test_a_429_holds_the_bucket_for_retry_after() -> None:
    b = Bucket("k")
    b.take(0.0)
    b.update(headers(5, 4, 1.0), 0.0)
    b.limited(3.0, RateLimitHeaders(limit=5, remaining=3), 0.5)  # sub-ratelimit: remaining > 0
    assert b.remaining == 0
    assert b.wait_time(0.5) == pytest.approx(3.0)
    b.release()
    assert b.wait_time(3.6) == 0.0


def test_an_answer_to_a_request_sent_before_a_429_does_not_end_its_hold_early() -> None:
    b = Bucket("k")
    b.take(0.0)
    b.update(headers(10, 9, 15.0), 0.0)
    b.release()
    b.take(0.1)
    b.take(0.1)  # two requests in flight on the bucket
    b.limited(0.3, RateLimitHeaders(), 0.2)  # the first is answered 429: retry after 0.3 s
    b.update(headers(10, 7, 0.05), 0.25)  # the second's answer: its window ends sooner
    b.release()
    b.release()
    assert b.wait_time(0.3) == pytest.approx(0.2)  # the 429's word holds: not before 0.5
    assert b.wait_time(0.5) == 0.0


def test_answers_without_headers_make_the_bucket_unlimited() -> None:
    b = Bucket("k")
    b.take(0.0)
    b.update(RateLimitHeaders(), 0.0)
    for _ in range(100):
        assert b.can_take()
        b.take(0.0)


def test_a_failed_request_without_answer_does_not_block_the_bucket_forever() -> None:
    b = Bucket("k")
    b.take(0.0)
    assert b.wait_time(0.0) is None
    b.release()  # connection error: no headers came back
    assert b.wait_time(0.0) == 0.0


def test_bucket_hashes_are_learnt_and_shared_across_routes() -> None:
    rl = RateLimiter()
    a = Route("PATCH", "/guilds/{guild_id}/roles/{role_id}", guild_id=1, role_id=2)
    b = Route("DELETE", "/guilds/{guild_id}/roles/{role_id}", guild_id=1, role_id=3)
    other_guild = Route("PATCH", "/guilds/{guild_id}/roles/{role_id}", guild_id=9, role_id=2)
    bucket_a = rl.bucket_for(a, 0.0)
    assert rl.bucket_key(a) == "PATCH /guilds/{guild_id}/roles/{role_id}:1"
    shared = rl.learn(a, bucket_a, headers(5, 4, 1.0, bucket="h1"))
    assert shared is bucket_a
    assert rl.bucket_key(a) == "h1:1"
    bucket_b = rl.bucket_for(b, 0.0)
    assert rl.learn(b, bucket_b, headers(5, 3, 1.0, bucket="h1")) is bucket_a
    assert rl.bucket_for(b, 0.0) is bucket_a
    # Same route, another guild: an independent bucket.
    assert rl.bucket_for(other_guild, 0.0) is not bucket_a


def test_global_limiter_allows_limit_per_period_then_waits() -> None:
    g = GlobalLimiter(limit=3, period=1.0, margin=0.0)
    for t in (0.0, 0.1, 0.2):
        assert g.delay(t) == 0.0
        g.record(t)
    assert g.delay(0.3) == pytest.approx(0.7)
    assert g.delay(1.0) == 0.0


def test_global_pause_wins_over_free_capacity() -> None:
    g = GlobalLimiter(limit=50)
    g.pause(2.0, 10.0)
    assert g.delay(10.5) == pytest.approx(1.5)
    g.pause(0.5, 10.5)  # a shorter pause never shortens a longer one
    assert g.delay(10.5) == pytest.approx(1.5)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=0.05), min_size=1, max_size=200))
def test_global_limiter_never_exceeds_its_limit_in_any_period(gaps: list[float]) -> None:
    g = GlobalLimiter(limit=5, period=1.0, margin=0.0)
    now = 0.0
    sent: list[float] = []
    for gap in gaps:
        now += gap
        now += g.delay(now)
        g.record(now)
        sent.append(now)
    for i, start in enumerate(sent):
        in_window = [t for t in sent[i:] if t < start + 1.0 - 1e-6]
        assert len(in_window) <= 5


@settings(max_examples=80, deadline=None)
@given(
    limit=st.integers(min_value=1, max_value=6),
    plan=st.lists(st.tuples(st.booleans(), st.integers(min_value=0, max_value=3)), max_size=60),
)
def test_bucket_never_sends_more_than_a_fixed_window_server_allows(
    limit: int, plan: list[tuple[bool, int]]
) -> None:
    """Model a fixed-window server; answers come back in any order; no request is refused."""
    window = 1.0
    b = Bucket("k")
    now = 0.0
    server_start: float | None = None
    server_used = 0
    in_flight: list[int] = []  # server's remaining at the time each request was processed
    for send, pick in plan:
        now += 0.05
        if server_start is not None and now >= server_start + window:
            server_start, server_used = None, 0
        if send and b.wait_time(now) == 0.0:
            b.take(now)
            if server_start is None:
                server_start = now
            server_used += 1
            assert server_used <= limit, "the client sent a request the server would refuse"
            in_flight.append(limit - server_used)
        elif in_flight:
            remaining = in_flight.pop(pick % len(in_flight))
            assert server_start is not None or remaining >= 0
            reset_after = max(0.0, (server_start or now) + window - now)
            b.update(headers(limit, remaining, reset_after), now)
            b.release()


async def _acquire_order(bucket: Bucket, tickets: list[int]) -> list[int]:
    order: list[int] = []

    async def one(ticket: int) -> None:
        await bucket.acquire(ticket, max_wait=5)
        order.append(ticket)
        bucket.release()

    tasks = [asyncio.create_task(one(t)) for t in tickets]
    await asyncio.sleep(0)
    bucket.limited(0.05, RateLimitHeaders(limit=1), asyncio.get_running_loop().time())
    bucket.release()
    await asyncio.gather(*tasks)
    return order


def test_waiters_are_served_by_ticket_so_retries_go_first() -> None:
    async def main() -> list[int]:
        bucket = Bucket("k")
        await bucket.acquire(0, max_wait=5)  # the in-flight request that gets the 429
        # Ticket 1 is a retried request re-entering after later ones queued up.
        return await _acquire_order(bucket, [5, 3, 4, 1, 2])

    assert asyncio.run(main()) == [1, 2, 3, 4, 5]


def test_acquire_refuses_to_wait_longer_than_max_wait() -> None:
    async def main() -> None:
        bucket = Bucket("k")
        await bucket.acquire(0, max_wait=5)
        bucket.limited(3600.0, RateLimitHeaders(), asyncio.get_running_loop().time())
        with pytest.raises(WaitTooLong) as info:
            await bucket.acquire(1, max_wait=60)
        assert info.value.wait == pytest.approx(3600, abs=1)

    asyncio.run(main())
