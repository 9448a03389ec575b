"""Helpers for tests of wallet verification (here and in the tier engine's tests).

- :func:`sign`: what a browser wallet's ``personal_sign`` returns, from a generated key;
- :func:`high_s`: the malleated twin of a signature (same signer, s -> n - s);
- :class:`Clock`: a settable clock to pass as ``Verifier(clock=...)``;
- :func:`link_wallet`: a complete, real verification (session, message, signature) that links a
  new or given wallet to a platform user, for tests that need linked members;
- :func:`spawn_service` / :func:`service_env`: the real ``gaib sietch serve`` in a subprocess;
- :func:`prepare_verifications` / :func:`post_verifications`: many signed verifications, posted
  concurrently (the load test and ``benchmarks/bench_verify.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount

from gaib_theme_sietch.verify.models import Link, Platform
from gaib_theme_sietch.verify.signature import SECP256K1_N
from gaib_theme_sietch.verify.verifier import Verifier


def sign(account: LocalAccount, text: str) -> str:
    """``personal_sign(text)`` with ``account``'s key: ``0x`` + 130 hex digits."""
    return "0x" + bytes(account.sign_message(encode_defunct(text=text)).signature).hex()


def high_s(signature: str) -> str:
    """The same signature with ``s`` replaced by ``n - s`` (and ``v`` flipped): still recovers to
    the same signer, which is why verifiers must refuse it (EIP-2)."""
    raw = bytes.fromhex(signature.removeprefix("0x"))
    s = SECP256K1_N - int.from_bytes(raw[32:64], "big")
    v = 55 - raw[64]  # 27 <-> 28
    return "0x" + (raw[:32] + s.to_bytes(32, "big") + bytes([v])).hex()


@dataclass
class Clock:
    """A clock that stands still until moved (UTC)."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move forward by ``seconds``."""
        self.now += timedelta(seconds=seconds)


def link_wallet(
    verifier: Verifier,
    platform: Platform,
    user_id: str,
    account: LocalAccount | None = None,
) -> tuple[LocalAccount, Link]:
    """Verify ``account`` (a new one by default) for the user, as the page would."""
    account = account or Account.create()
    session = verifier.start(platform, user_id)
    text = verifier.message_for(session.id, account.address).text()
    link = verifier.verify(session.id, account.address, text, sign(account, text))
    return account, link


@contextlib.contextmanager
def spawn_service(
    env: Mapping[str, str], *, host: str = "127.0.0.1", timeout: float = 60.0
) -> Iterator[str]:
    """Run ``gaib sietch serve`` in a subprocess on a free port; yields its base URL.

    ``env`` is the whole environment of the service (settings included). The service is stopped
    with SIGTERM (gracefully) at the end; its output is in the exception if it fails to start.
    """
    with socket.socket() as probe:
        probe.bind((host, 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "gaib_cli", "sietch", "serve", "--host", host]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--log-level", "warning"],
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://{host}:{port}"
    deadline = time.monotonic() + timeout
    try:
        while True:
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                raise RuntimeError(f"gaib sietch serve exited {process.returncode}: {output}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gaib sietch serve did not become healthy")
            time.sleep(0.1)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


def service_env(base: Mapping[str, str], **settings: str) -> dict[str, str]:
    """``base`` (e.g. ``os.environ``) without any verification or Discord setting, plus
    ``settings`` (``VERIFY_BASE_URL="..."``): what a subprocess of the service should see."""
    from gaib_theme_sietch.verify.settings import VARIABLES

    env = {k: v for k, v in base.items() if k not in VARIABLES and k != "DISCORD_API_BASE"}
    env.update(settings)
    return env


@dataclass(frozen=True)
class PreparedVerification:
    """A signed verification ready to post: the session and the JSON body."""

    session_id: str
    user_id: str
    address: str
    body: dict[str, str]


def prepare_verifications(
    verifier: Verifier, count: int, platform: Platform = "discord"
) -> list[PreparedVerification]:
    """``count`` sessions for distinct users, each signed by its own new wallet."""
    prepared = []
    for index in range(count):
        user_id = str(700_000_000_000_000_000 + index)
        account = Account.create()
        session = verifier.start(platform, user_id)
        text = session.message(account.address).text()
        body = {"address": account.address, "message": text, "signature": sign(account, text)}
        prepared.append(PreparedVerification(session.id, user_id, account.address, body))
    return prepared


@dataclass(frozen=True)
class Outcome:
    """One posted verification: HTTP status and latency in seconds."""

    status: int
    seconds: float


async def post_verifications(
    base_url: str, prepared: list[PreparedVerification], *, concurrency: int
) -> list[Outcome]:
    """POST every verification, at most ``concurrency`` in flight; one outcome each, in order.

    A connection error counts as status 0 (never raised), so callers see every request's fate.
    """
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=120.0) as client:

        async def one(item: PreparedVerification) -> Outcome:
            async with gate:
                started = time.perf_counter()
                try:
                    response = await client.post(f"/api/verify/{item.session_id}", json=item.body)
                    status = response.status_code
                except httpx.HTTPError:
                    status = 0
                return Outcome(status, time.perf_counter() - started)

        return list(await asyncio.gather(*(one(item) for item in prepared)))


def raise_open_file_limit(wanted: int = 8192) -> None:
    """Lift this process's soft limit on open files (children inherit it): a thousand
    concurrent connections need more than the common default of 1024."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
