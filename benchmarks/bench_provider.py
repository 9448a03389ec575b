"""Provider benchmark: requests to read a big guild, and the provider's overhead per request.

Run with ``uv run python benchmarks/bench_provider.py [--runs N] [--requests M]`` (``nox -s bench``
runs it). Everything is in-process: the provider reaches the sandbox through ``SandboxTransport``,
the sandbox's rate limits are off and the provider's global limit is lifted, so only code is
timed. Prints a markdown table (medians over ``--runs`` runs).

* **read_guild requests**: HTTP requests ``DiscordProvider.read_guild`` sends for a guild of 250
  roles and 500 channels (first read, and every read after it: ``GET /users/@me`` is cached).
* **per request**: ``Sandbox.handle`` called directly (the server's own cost), the same request
  through a plain ``httpx.AsyncClient`` on the same transport, and through the provider (rate
  limiter, retries bookkeeping, error mapping, model parsing). The provider's overhead is the
  difference to plain httpx.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

from gaib_core.provider.discord import DiscordProvider
from gaib_core.provider.http import build_client
from gaib_core.provider.models import CATEGORY, TEXT, ChannelWrite, RoleWrite
from gaib_core.sandbox.core import GuildInfo, Sandbox
from gaib_core.sandbox.transport import SandboxTransport

BASE = "http://sandbox.invalid/api/v10"
UNLIMITED = 1_000_000


def provider_for(sandbox: Sandbox, info: GuildInfo) -> DiscordProvider:
    """A provider on the in-process sandbox with the global limit lifted."""
    return DiscordProvider(
        token=info.token,
        base_url=BASE,
        transport=SandboxTransport(sandbox),
        global_limit=UNLIMITED,
    )


async def build_big_guild(sandbox: Sandbox, info: GuildInfo) -> None:
    """250 roles and 500 channels (10 categories of 49 channels), through the provider."""
    async with provider_for(sandbox, info) as p:
        gid = info.guild_id
        await asyncio.gather(
            *(p.create_role(gid, RoleWrite(name=f"role-{i}"), reason="bench") for i in range(248))
        )
        categories = await asyncio.gather(
            *(
                p.create_channel(gid, ChannelWrite(name=f"cat-{i}", type=CATEGORY), reason="bench")
                for i in range(10)
            )
        )
        await asyncio.gather(
            *(
                p.create_channel(
                    gid,
                    ChannelWrite(name=f"ch-{i}", type=TEXT, parent_id=categories[i % 10].id),
                    reason="bench",
                )
                for i in range(490)
            )
        )


async def read_counts(sandbox: Sandbox, info: GuildInfo) -> tuple[int, int, int, int, float]:
    """(first read requests, later read requests, roles, channels, seconds per later read)."""
    async with provider_for(sandbox, info) as p:
        await p.read_guild(info.guild_id)
        first = p.request_count
        start = time.perf_counter()
        guild = await p.read_guild(info.guild_id)
        elapsed = time.perf_counter() - start
        return first, p.request_count - first, len(guild.roles), len(guild.channels), elapsed


def time_direct(sandbox: Sandbox, path: str, token: str, n: int) -> float:
    """Seconds per ``Sandbox.handle`` call."""
    headers = {"Authorization": f"Bot {token}"}
    start = time.perf_counter()
    for _ in range(n):
        sandbox.handle("GET", path, headers, b"")
    return (time.perf_counter() - start) / n


async def time_httpx(sandbox: Sandbox, path: str, token: str, n: int) -> float:
    """Seconds per request through a plain httpx client on the same transport."""
    async with build_client(token, BASE, transport=SandboxTransport(sandbox)) as client:
        start = time.perf_counter()
        for _ in range(n):
            (await client.get(path.removeprefix("/api/v10"))).json()
        return (time.perf_counter() - start) / n


async def time_provider(
    sandbox: Sandbox, info: GuildInfo, call: Callable[[DiscordProvider], Awaitable[object]], n: int
) -> float:
    """Seconds per request through the provider."""
    async with provider_for(sandbox, info) as p:
        start = time.perf_counter()
        for _ in range(n):
            await call(p)
        return (time.perf_counter() - start) / n


def main() -> None:
    """Build the guild, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--requests", type=int, default=300, help="requests per run")
    args = parser.parse_args()

    sandbox = Sandbox(limits="off")
    info = sandbox.create_guild(name="Bench", bot_role_name="Shai-Hulud")
    member = sandbox.add_member(info.guild_id, "bench-member")
    asyncio.run(build_big_guild(sandbox, info))

    reads = [asyncio.run(read_counts(sandbox, info)) for _ in range(args.runs)]
    first, later, roles, channels, _ = reads[0]
    read_ms = statistics.median(r[4] for r in reads) * 1000

    path = f"/api/v10/guilds/{info.guild_id}/members/{member}"
    n = args.requests
    direct = statistics.median(time_direct(sandbox, path, info.token, n) for _ in range(args.runs))
    plain = statistics.median(
        asyncio.run(time_httpx(sandbox, path, info.token, n)) for _ in range(args.runs)
    )
    via = statistics.median(
        asyncio.run(time_provider(sandbox, info, lambda p: p.get_member(info.guild_id, member), n))
        for _ in range(args.runs)
    )

    us = 1e6
    print(f"### Provider (in-process sandbox, median of {args.runs} runs)\n")
    print("| measure | value |")
    print("|---|---|")
    print(f"| guild size | {roles} roles, {channels} channels |")
    print(f"| requests for the first `read_guild` | {first} |")
    print(f"| requests for each later `read_guild` | {later} |")
    print(f"| time of one later `read_guild` (parse included) | {read_ms:.1f} ms |")
    print(f"| `Sandbox.handle` alone, per request | {direct * us:.0f} µs |")
    print(f"| plain httpx + SandboxTransport, per request | {plain * us:.0f} µs |")
    print(f"| DiscordProvider.get_member, per request | {via * us:.0f} µs |")
    print(f"| provider overhead over plain httpx, per request | {(via - plain) * us:.0f} µs |")


if __name__ == "__main__":
    main()
