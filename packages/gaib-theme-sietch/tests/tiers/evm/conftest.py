"""Fixtures for the ``evm`` holder source: the in-process EVM of
``gaib_theme_sietch.tiers.testing`` served over loopback HTTP, the ERC-20 compiled from
``data/TestToken.sol``, and wallet-verification stores with real verified links.

One node and one token per test session (py-evm takes a quarter of a second to deploy); tests
mint to wallets they create, so they never see each other's balances.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from gaib_theme_sietch.tiers.testing import EvmNode, serve_evm
from gaib_theme_sietch.verify.settings import VerifySettings
from gaib_theme_sietch.verify.store import open_store
from gaib_theme_sietch.verify.testing import link_wallet
from gaib_theme_sietch.verify.verifier import Verifier

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def evm_session() -> Iterator[EvmNode]:
    """The session's node."""
    with serve_evm(DATA / "contracts.json") as node:
        yield node


@pytest.fixture(scope="session")
def token(evm_session: EvmNode) -> Any:
    """The session's 18-decimal ERC-20 (web3 contract object). Tests mint to wallets they
    create, so no test sees another's balances."""
    return evm_session.deploy("TestToken", 18)


@pytest.fixture
def evm(evm_session: EvmNode) -> Iterator[EvmNode]:
    """The session's node with a clean request log and no batch limit."""
    evm_session.posts.clear()
    evm_session.batch_limit = None
    yield evm_session
    evm_session.batch_limit = None


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Links:
    """A wallet-verification store with real verified links."""

    database_url: str
    verifier: Verifier

    def link(self, user_id: str) -> str:
        """Verify a new wallet for Discord user ``user_id``; its checksummed address."""
        account, _ = link_wallet(self.verifier, "discord", user_id)
        return str(account.address)

    def link_telegram(self, user_id: str) -> str:
        """Verify a new wallet for a Telegram user."""
        account, _ = link_wallet(self.verifier, "telegram", user_id)
        return str(account.address)


def _links(url: str) -> Iterator[Links]:
    settings = VerifySettings(base_url="https://verify.sietch.test", database_url=url)
    with open_store(url) as store:
        yield Links(url, Verifier(store, settings))


@pytest.fixture
def links(tmp_path: Path) -> Iterator[Links]:
    """An empty SQLite store in ``tmp_path``; wallets are linked through real verifications."""
    yield from _links(f"sqlite:///{tmp_path / 'verify.sqlite3'}")


@pytest.fixture
def postgres_links(postgres_url: str) -> Iterator[Links]:
    """The same on a fresh PostgreSQL database (``DATABASE_URL=postgresql://...``)."""
    yield from _links(postgres_url)
