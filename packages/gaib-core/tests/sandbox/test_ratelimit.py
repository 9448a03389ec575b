"""Server-side rate limits: real X-RateLimit-* headers, per-bucket and global 429s, profiles.

These tests run on their own server (module fixture) so that switching to the strict profile
never touches the session's shared sandbox.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

import httpx
import pytest
from gaib_core.sandbox.server import SandboxServer
from openapi_core import OpenAPI

from .conftest import spec_request, spec_response

HEADERS = ("limit", "remaining", "reset", "reset-after", "bucket")


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(limits="strict") as srv:
        yield srv


@pytest.fixture
def strict(server: SandboxServer) -> Iterator[tuple[httpx.Client, str]]:
    """A client and a fresh guild on the strict server (windows reset)."""
    server.sandbox.set_limits("strict")
    gid = server.sandbox.create_guild().guild_id
    with httpx.Client(base_url=server.base_url, headers={"Authorization": "Bot x"}) as client:
        yield client, gid


def set_profile(server: SandboxServer, name: str) -> None:
    answer = httpx.post(f"{server.admin_url}/limits", json={"profile": name})
    assert answer.json() == {"profile": name}


def test_success_headers(strict: tuple[httpx.Client, str]) -> None:
    api, gid = strict
    first = api.get(f"/guilds/{gid}/roles")
    second = api.get(f"/guilds/{gid}/roles")
    for answer in (first, second):
        for name in HEADERS:
            assert f"x-ratelimit-{name}" in answer.headers
    assert first.headers["x-ratelimit-limit"] == "5"
    assert int(first.headers["x-ratelimit-remaining"]) == 4
    assert int(second.headers["x-ratelimit-remaining"]) == 3
    reset_after = float(first.headers["x-ratelimit-reset-after"])
    assert 0 < reset_after <= 1.0
    assert abs(float(first.headers["x-ratelimit-reset"]) - (time.time() + reset_after)) < 1.0
    channels = api.get(f"/guilds/{gid}/channels")
    assert channels.headers["x-ratelimit-bucket"] != first.headers["x-ratelimit-bucket"]
    assert second.headers["x-ratelimit-bucket"] == first.headers["x-ratelimit-bucket"]


def test_shared_bucket_for_member_role_add_and_remove(
    strict: tuple[httpx.Client, str], server: SandboxServer
) -> None:
    api, gid = strict
    rid = api.post(f"/guilds/{gid}/roles", json={"name": "r"}).json()["id"]
    uid = server.sandbox.add_member(gid, "alice")
    add = api.put(f"/guilds/{gid}/members/{uid}/roles/{rid}")
    remove = api.delete(f"/guilds/{gid}/members/{uid}/roles/{rid}")
    assert add.headers["x-ratelimit-bucket"] == remove.headers["x-ratelimit-bucket"]
    assert add.headers["x-ratelimit-limit"] == "10"
    assert (
        int(remove.headers["x-ratelimit-remaining"])
        == int(add.headers["x-ratelimit-remaining"]) - 1
    )


def test_role_create_bucket_is_250_per_48h(strict: tuple[httpx.Client, str]) -> None:
    api, gid = strict
    answer = api.post(f"/guilds/{gid}/roles", json={"name": "r"})
    assert answer.headers["x-ratelimit-limit"] == "250"
    assert float(answer.headers["x-ratelimit-reset-after"]) > 47 * 3600


def test_route_bucket_429_and_major_parameter(
    strict: tuple[httpx.Client, str], server: SandboxServer, openapi: OpenAPI
) -> None:
    api, gid = strict
    before = server.sandbox.stats()["rate_limited"]
    for i in range(5):  # writes: 5 per 5 s per guild
        assert api.post(f"/guilds/{gid}/channels", json={"name": f"c{i}"}).status_code == 201
    limited = api.post(f"/guilds/{gid}/channels", json={"name": "c5"})
    assert limited.status_code == 429
    body = limited.json()
    assert body["global"] is False and body["message"] == "You are being rate limited."
    assert 0 < body["retry_after"] <= 5.0
    assert limited.headers["retry-after"] == str(math.ceil(body["retry_after"]))
    assert limited.headers["x-ratelimit-scope"] == "user"
    assert limited.headers["via"] == "1.1 google"  # a real 429, not a Cloudflare ban
    assert limited.headers["x-ratelimit-remaining"] == "0"
    assert "x-ratelimit-global" not in limited.headers
    openapi.validate_response(spec_request(limited.request), spec_response(limited))
    assert len(api.get(f"/guilds/{gid}/channels").json()) == 5  # the limited request did nothing
    # the same route on another guild (another major parameter) has its own budget
    other = server.sandbox.create_guild().guild_id
    assert api.post(f"/guilds/{other}/channels", json={"name": "x"}).status_code == 201
    assert server.sandbox.stats()["rate_limited"] == before + 1


def test_waiting_retry_after_recovers(strict: tuple[httpx.Client, str]) -> None:
    api, gid = strict
    answers = [api.get(f"/guilds/{gid}") for _ in range(6)]  # reads: 5 per second
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    time.sleep(answers[-1].json()["retry_after"] + 0.05)
    assert api.get(f"/guilds/{gid}").status_code == 200


def test_name_and_topic_sub_limit(strict: tuple[httpx.Client, str]) -> None:
    api, gid = strict
    cid = api.post(f"/guilds/{gid}/channels", json={"name": "c"}).json()["id"]
    assert api.patch(f"/channels/{cid}", json={"name": "one"}).status_code == 200
    assert api.patch(f"/channels/{cid}", json={"topic": "two"}).status_code == 200
    third = api.patch(f"/channels/{cid}", json={"name": "three"})
    assert third.status_code == 429
    assert third.json()["retry_after"] > 500  # 2 per 10 minutes
    assert int(third.headers["x-ratelimit-remaining"]) > 0  # a hidden sub-limit, as on Discord
    assert api.patch(f"/channels/{cid}", json={"nsfw": True}).status_code == 200


def test_global_limit_trips(server: SandboxServer, openapi: OpenAPI) -> None:
    set_profile(server, "relaxed")
    gid = server.sandbox.create_guild().guild_id
    with httpx.Client(base_url=server.base_url, headers={"Authorization": "Bot x"}) as api:
        cids = [
            api.post(f"/guilds/{gid}/channels", json={"name": f"c{i}"}).json()["id"]
            for i in range(40)
        ]
        set_profile(server, "strict")  # fresh windows: 50 per second globally, 5 per channel
        started = time.monotonic()
        first_429 = None
        for n in range(120):
            answer = api.get(f"/channels/{cids[n % len(cids)]}")
            if answer.status_code == 429:
                first_429 = (n, answer)
                break
        elapsed = time.monotonic() - started
    assert first_429 is not None
    n, answer = first_429
    body = answer.json()
    assert body["global"] is True
    assert answer.headers["x-ratelimit-global"] == "true"
    assert answer.headers["x-ratelimit-scope"] == "global"
    assert answer.headers["retry-after"] == "1"
    openapi.validate_response(spec_request(answer.request), spec_response(answer))
    if elapsed < 0.9:  # all inside one window: exactly 50 went through
        assert n == 50


def test_off_profile_sends_no_headers_and_never_429(server: SandboxServer) -> None:
    set_profile(server, "off")
    gid = server.sandbox.create_guild().guild_id
    with httpx.Client(base_url=server.base_url, headers={"Authorization": "Bot x"}) as api:
        answers = [api.get(f"/guilds/{gid}/roles") for _ in range(80)]
    assert {a.status_code for a in answers} == {200}
    assert not any(k.startswith("x-ratelimit") for k in answers[0].headers)


def test_relaxed_profile_is_generous_but_has_headers(server: SandboxServer) -> None:
    set_profile(server, "relaxed")
    gid = server.sandbox.create_guild().guild_id
    with httpx.Client(base_url=server.base_url, headers={"Authorization": "Bot x"}) as api:
        answers = [api.post(f"/guilds/{gid}/roles", json={"name": f"r{i}"}) for i in range(30)]
    assert {a.status_code for a in answers} == {200}
    assert answers[-1].headers["x-ratelimit-limit"] == "1000"


def test_unknown_profile_is_refused(server: SandboxServer) -> None:
    answer = httpx.post(f"{server.admin_url}/limits", json={"profile": "lenient"})
    assert answer.status_code == 400
    assert "strict" in answer.json()["message"]
