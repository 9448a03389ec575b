"""Fixtures for wallet verification: the same tests on SQLite and on PostgreSQL, wallets with
keys generated here, a settable clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from gaib_theme_sietch.verify.settings import VerifySettings
from gaib_theme_sietch.verify.store import SqlStore, open_store
from gaib_theme_sietch.verify.testing import Clock
from gaib_theme_sietch.verify.verifier import Verifier

BASE_URL = "https://verify.sietch.test"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A SQLite file in tmp_path, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'verify.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
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
