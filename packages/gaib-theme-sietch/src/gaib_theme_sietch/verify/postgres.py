"""The PostgreSQL store (``DATABASE_URL=postgresql://...``): a connection pool, row locks.

``consume`` locks the session row (``SELECT ... FOR UPDATE``), so concurrent verifications of
one session queue up and the second sees it used. The schema is created under an advisory lock,
so several service processes starting together do not race on ``CREATE TABLE``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from gaib_theme_sietch.verify.errors import StoreError
from gaib_theme_sietch.verify.store import SCHEMA, Cursor, SqlStore, iter_statements

# Any fixed number: the advisory lock that serialises schema creation.
_SCHEMA_LOCK = 0x6A1B_5E7C
CONNECT_TIMEOUT = 10.0


class _QmarkCursor:
    """A psycopg cursor that takes the ``?`` placeholders the shared SQL uses."""

    def __init__(self, cur: psycopg.Cursor[Any]) -> None:
        self._cur = cur

    @property
    def rowcount(self) -> int:
        return self._cur.rowcount

    def execute(self, sql: str, params: Any = ()) -> Any:
        return self._cur.execute(sql.replace("?", "%s"), params)

    def fetchone(self) -> Any:
        return self._cur.fetchone()

    def fetchall(self) -> list[Any]:
        return self._cur.fetchall()


class PostgresStore(SqlStore):
    """Sessions and links in PostgreSQL (``schema``: the tables to create, verification's by
    default; Sietch's app configuration opens its own through the same class)."""

    kind = "postgresql"
    for_update = " FOR UPDATE"

    def __init__(self, url: str, *, max_connections: int = 10, schema: str = SCHEMA) -> None:
        parts = urlsplit(url)
        self._label = (
            f"postgresql://{parts.hostname or 'localhost'}"
            + (f":{parts.port}" if parts.port else "")
            + parts.path
        )
        try:
            # One plain connection first: a bad URL or a server that is down fails at once, in
            # one error, instead of as the pool's background retries.
            with (
                psycopg.connect(url, connect_timeout=int(CONNECT_TIMEOUT)) as conn,
                conn.transaction(),
            ):
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                for statement in iter_statements(schema):
                    conn.execute(statement)
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError(
                f"cannot use the PostgreSQL database {self._label}: {first}",
                hint="check DATABASE_URL (user, password, host, port, database) and that the "
                "server is running",
            ) from None
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max_connections,
            open=False,
            timeout=CONNECT_TIMEOUT,
            # Autocommit: reads are one round trip; writes open transaction() explicitly.
            kwargs={"connect_timeout": int(CONNECT_TIMEOUT), "autocommit": True},
            name="gaib-verify",
        )
        try:
            self._pool.open(wait=True, timeout=CONNECT_TIMEOUT)
        except PoolTimeout:
            self._pool.close()
            raise StoreError(
                f"cannot use the PostgreSQL database {self._label}: no connection within "
                f"{CONNECT_TIMEOUT:.0f} s",
                hint="check that the server accepts connections",
            ) from None

    @property
    def label(self) -> str:
        """``postgresql://host:port/db`` (never the password)."""
        return self._label

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """A pooled connection in one transaction."""
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            yield _QmarkCursor(cur)

    @contextmanager
    def reading(self) -> Iterator[Cursor]:
        """A pooled autocommit connection: each read is its own statement."""
        with self._pool.connection() as conn, conn.cursor() as cur:
            yield _QmarkCursor(cur)

    def is_unique_violation(self, exc: BaseException) -> bool:
        """psycopg's ``UniqueViolation``."""
        return isinstance(exc, psycopg.errors.UniqueViolation)

    def close(self) -> None:
        """Close the pool."""
        self._pool.close()
