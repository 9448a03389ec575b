"""The SQLite store: one file, one connection, writes serialised (the default store).

One connection behind a lock serves every thread of the service; WAL lets ``gaib sietch whois``
read from another process while the service writes, and ``BEGIN IMMEDIATE`` takes the write lock
up front so a transaction never fails half-way on a lock upgrade.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gaib_theme_sietch.verify.errors import StoreError
from gaib_theme_sietch.verify.store import SCHEMA, Cursor, SqlStore, iter_statements

BUSY_TIMEOUT_MS = 10_000


class SqliteStore(SqlStore):
    """Sessions and links in a SQLite file (created with its folder if missing).

    ``schema`` is the SQL creating the tables (verification's by default; Sietch's app
    configuration opens its own tables through the same class).
    """

    kind = "sqlite"

    def __init__(self, path: Path, *, schema: str = SCHEMA) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                str(path),
                check_same_thread=False,
                isolation_level=None,
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            with self.transaction() as cur:
                for statement in iter_statements(schema):
                    cur.execute(statement)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"cannot open the SQLite database {path}: {exc}",
                hint="check the path and its permissions, or set DATABASE_URL",
            ) from None

    @property
    def label(self) -> str:
        """``sqlite:PATH``."""
        return f"sqlite:{self.path}"

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on any exception)."""
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            else:
                cur.execute("COMMIT")
            finally:
                cur.close()

    def is_unique_violation(self, exc: BaseException) -> bool:
        """SQLite's ``IntegrityError``."""
        return isinstance(exc, sqlite3.IntegrityError)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()
