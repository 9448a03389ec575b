"""Wallet verification benchmark: verifications per second and latency of the running service.

Run with ``uv run python benchmarks/bench_verify.py [--runs N] [--requests M] [--concurrency C]``
(``nox -s bench`` runs it). For SQLite and for PostgreSQL (a throwaway cluster from Debian's
``postgresql``, default durable settings: fsync and synchronous commit on), ``gaib sietch serve``
runs in a subprocess on loopback; this process opens M sessions in the same database, signs each
message with its own new key (before timing), then POSTs the M verifications to
``/api/verify/{session}`` keeping C requests in flight. Each request is a full verification:
message check, signature recovery, atomic session-use + link. Prints a markdown table of medians
over the runs; every response must be a 200 (else the run fails).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gaib_core.testing.postgres import PostgresCluster
from gaib_theme_sietch.verify.settings import VerifySettings
from gaib_theme_sietch.verify.store import open_store
from gaib_theme_sietch.verify.testing import (
    Outcome,
    PreparedVerification,
    prepare_verifications,
    raise_open_file_limit,
    service_env,
    spawn_service,
)
from gaib_theme_sietch.verify.verifier import Verifier
from nacl.signing import SigningKey

BASE_URL = "https://verify.sietch.test"
WARM_UP = 100


async def lean_post(
    base_url: str, prepared: list[PreparedVerification], concurrency: int
) -> list[Outcome]:
    """POST the verifications over ``concurrency`` keep-alive connections with a minimal
    HTTP/1.1 client: the load generator shares the machine's 2 cores with the service, and
    httpx spends more CPU per request than the service does (4 ms vs 2 ms, measured)."""
    host, port = base_url.removeprefix("http://").split(":")
    requests = [
        (
            f"POST /api/verify/{item.session_id} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body
        for item in prepared
        for body in [json.dumps(item.body).encode()]
    ]
    outcomes: list[Outcome | None] = [None] * len(requests)
    queue = iter(range(len(requests)))

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            for index in queue:
                started = time.perf_counter()
                writer.write(requests[index])
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
                outcomes[index] = Outcome(status, time.perf_counter() - started)
        finally:
            writer.close()
            await writer.wait_closed()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return [o if o is not None else Outcome(0, 0.0) for o in outcomes]


@contextmanager
def database(kind: str) -> Iterator[str]:
    """A fresh database URL of ``kind`` (``sqlite`` or ``postgres``)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="gaib-bench-") as folder:
            yield f"sqlite:///{Path(folder) / 'verify.sqlite3'}"
        return
    with PostgresCluster(settings={"max_connections": "100"}) as cluster:
        yield cluster.create_database("bench")


def one_run(url: str, requests: int, concurrency: int) -> tuple[float, float, float]:
    """(verifications/s, p50 ms, p99 ms) of one run against a fresh service."""
    settings = VerifySettings(base_url=BASE_URL, database_url=url)
    with open_store(url) as store:
        prepared = prepare_verifications(Verifier(store, settings), requests + WARM_UP)
    env = service_env(
        os.environ,
        VERIFY_BASE_URL=BASE_URL,
        DATABASE_URL=url,
        DISCORD_PUBLIC_KEY=SigningKey.generate().verify_key.encode().hex(),
    )
    with spawn_service(env) as base:
        warm = asyncio.run(lean_post(base, prepared[:WARM_UP], concurrency))
        started = time.perf_counter()
        outcomes = asyncio.run(lean_post(base, prepared[WARM_UP:], concurrency))
        elapsed = time.perf_counter() - started
    statuses = Counter(o.status for o in [*warm, *outcomes])
    if statuses != {200: requests + WARM_UP}:
        sys.exit(f"bench_verify: not every verification succeeded: {dict(statuses)}")
    latencies = sorted(o.seconds * 1000 for o in outcomes)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return requests / elapsed, statistics.median(latencies), p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    raise_open_file_limit()
    kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    print(
        f"\n### Wallet verification: {args.requests} verifications, {args.concurrency} in "
        f"flight, median of {args.runs} runs\n"
    )
    print("| database | verifications/s | p50 latency | p99 latency | target |")
    print("|---|---|---|---|---|")
    for kind in kinds:
        runs = []
        for _ in range(args.runs):
            with database(kind) as url:
                runs.append(one_run(url, args.requests, args.concurrency))
        rate = statistics.median(r[0] for r in runs)
        p50 = statistics.median(r[1] for r in runs)
        p99 = statistics.median(r[2] for r in runs)
        print(
            f"| {kind} | {rate:.0f} | {p50:.1f} ms | {p99:.1f} ms | >= 300/s, p99 < 50 ms |",
            flush=True,
        )


if __name__ == "__main__":
    main()
