"""Load: 1,000 concurrent verifications against the running service (``gaib sietch serve`` in a
subprocess, on loopback), on SQLite and PostgreSQL: every one linked exactly once, none lost,
no 5xx. Speed is measured in benchmarks/bench_verify.py, not asserted here."""

from __future__ import annotations

import asyncio
import os
from collections import Counter

from gaib_theme_sietch.verify.settings import VerifySettings
from gaib_theme_sietch.verify.store import SqlStore
from gaib_theme_sietch.verify.testing import (
    post_verifications,
    prepare_verifications,
    raise_open_file_limit,
    service_env,
    spawn_service,
)
from gaib_theme_sietch.verify.verifier import Verifier
from nacl.signing import SigningKey

COUNT = 1000
BASE_URL = "https://verify.sietch.test"


def test_thousand_concurrent_verifications(store: SqlStore, database_url: str) -> None:
    raise_open_file_limit()
    settings = VerifySettings(base_url=BASE_URL, database_url=database_url)
    prepared = prepare_verifications(Verifier(store, settings), COUNT)
    env = service_env(
        os.environ,
        VERIFY_BASE_URL=BASE_URL,
        DATABASE_URL=database_url,
        DISCORD_PUBLIC_KEY=SigningKey.generate().verify_key.encode().hex(),
    )
    with spawn_service(env) as url:
        outcomes = asyncio.run(post_verifications(url, prepared, concurrency=COUNT))
        # Every session spent: replaying the whole batch links nothing more.
        replay = asyncio.run(post_verifications(url, prepared[:50], concurrency=50))

    assert Counter(o.status for o in outcomes) == {200: COUNT}
    assert Counter(o.status for o in replay) == {409: 50}
    links = store.links("discord")
    assert len(links) == COUNT
    assert {(link.user_id, link.address) for link in links} == {
        (item.user_id, item.address) for item in prepared
    }
    assert {link.session_id for link in links} == {item.session_id for item in prepared}
