"""Fixtures for wallet verification: the same tests on SQLite and on PostgreSQL, wallets with
keys generated here, a settable clock."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from gaib_theme_sietch.verify.app import create_app
from gaib_theme_sietch.verify.server import serve_in_thread
from gaib_theme_sietch.verify.settings import VerifySettings
from gaib_theme_sietch.verify.store import SqlStore, open_store
from gaib_theme_sietch.verify.testing import Clock
from gaib_theme_sietch.verify.verifier import Verifier
from nacl.signing import SigningKey

BASE_URL = "https://verify.sietch.test"


@pytest.fixture(scope="session")
def verify_database(postgres_cluster: Any) -> str:
    """One PostgreSQL database for these tests (emptied before each: cheaper than a new one)."""
    url: str = postgres_cluster.create_database("gaib_verify_tests")
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A SQLite file in tmp_path, then the PostgreSQL database, emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'verify.sqlite3'}"
    url: str = request.getfixturevalue("verify_database")
    with open_store(url) as store, store.transaction() as cur:
        cur.execute("TRUNCATE verify_sessions, verify_links")
    return url


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStore]:
    """The store ``DATABASE_URL`` names, closed after the test."""
    with open_store(database_url) as opened:
        yield opened


@pytest.fixture
def settings(database_url: str) -> VerifySettings:
    """Service settings for verify.sietch.test on Berachain."""
    return VerifySettings(base_url=BASE_URL, database_url=database_url, chain_id=80094)


@pytest.fixture
def clock() -> Clock:
    """Starts now; tests move it forward."""
    return Clock(datetime.now(UTC))


@pytest.fixture
def verifier(store: SqlStore, settings: VerifySettings, clock: Clock) -> Verifier:
    """A verifier over the parametrised store with the test clock."""
    return Verifier(store, settings, clock=clock)


@pytest.fixture
def wallet() -> LocalAccount:
    """A wallet with a key generated for this test."""
    return Account.create()


@pytest.fixture
def other_wallet() -> LocalAccount:
    """A second, unrelated wallet."""
    return Account.create()


# -- the running service --------------------------------------------------------------------


@dataclass
class BotAPIReceiver:
    """A local HTTP server standing in for Telegram's Bot API: records every request."""

    base_url: str
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[tuple[str, dict[str, Any]]]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return list(self.requests)


@pytest.fixture
def bot_api() -> Iterator[BotAPIReceiver]:
    """Answers ``POST /bot<token>/<method>`` like the Bot API (``{"ok": true, ...}``)."""
    receiver = BotAPIReceiver("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            receiver.requests.append((self.path, body))
            payload = json.dumps({"ok": True, "result": {"message_id": len(receiver.requests)}})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload.encode())

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


TELEGRAM_TOKEN = "123456:" + "A" * 35
TELEGRAM_SECRET = "webhook-secret_123"


@pytest.fixture
def discord_key() -> SigningKey:
    """The Discord application's Ed25519 key, generated for this test."""
    return SigningKey.generate()


@pytest.fixture
def service_settings(
    database_url: str, discord_key: SigningKey, bot_api: BotAPIReceiver
) -> VerifySettings:
    """Discord and Telegram both configured; the Bot API is the local receiver."""
    return VerifySettings(
        base_url=BASE_URL,
        database_url=database_url,
        discord_public_key=discord_key.verify_key.encode().hex(),
        telegram_bot_token=TELEGRAM_TOKEN,
        telegram_webhook_secret=TELEGRAM_SECRET,
        telegram_api_base=bot_api.base_url,
    )


@dataclass
class RunningService:
    """The service on loopback, its store and an HTTP client for it."""

    url: str
    store: SqlStore
    verifier: Verifier
    http: httpx.Client


@pytest.fixture
def service(
    store: SqlStore, service_settings: VerifySettings, clock: Clock
) -> Iterator[RunningService]:
    """The ASGI app on uvicorn on a free loopback port (real HTTP)."""
    app = create_app(service_settings, store, clock=clock)
    with serve_in_thread(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        yield RunningService(url, store, Verifier(store, service_settings, clock=clock), http)
