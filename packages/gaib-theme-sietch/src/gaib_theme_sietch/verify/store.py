"""Where sessions and links live: SQLite by default, PostgreSQL when ``DATABASE_URL`` says so.

Both stores share :class:`SqlStore`; they differ only in how a connection and a transaction are
had (and the parameter style). The one write that matters, :meth:`SqlStore.consume`, marks the
session used and writes the link in ONE transaction, with the session row locked first, so two
requests with the same session never both link, and a refusal writes nothing.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from importlib import resources
from typing import Any, Protocol

from gaib_theme_sietch.verify.errors import VerificationError
from gaib_theme_sietch.verify.models import Link, Platform, VerifySession, from_ms, to_ms

SCHEMA = resources.files("gaib_theme_sietch.verify").joinpath("data/schema.sql").read_text()

_SESSION_COLUMNS = (
    "id, platform, user_id, nonce, domain, uri, chain_id, statement, issued_at, expires_at, "
    "used_at, address"
)
_LINK_COLUMNS = "platform, user_id, address, session_id, linked_at"


class Cursor(Protocol):
    """The DB-API cursor subset the stores use."""

    @property
    def rowcount(self) -> int:
        """Rows the last statement changed."""
        ...

    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any:
        """Run one statement."""
        ...

    def fetchone(self) -> Any:
        """The next row or None."""
        ...

    def fetchall(self) -> list[Any]:
        """The remaining rows."""
        ...


class SqlStore(abc.ABC):
    """Sessions and links in a SQL database (subclasses provide connections)."""

    #: The engine, for messages: ``sqlite`` or ``postgresql``.
    kind: str = ""

    @abc.abstractmethod
    def transaction(self) -> AbstractContextManager[Cursor]:
        """A cursor in one transaction: committed on success, rolled back on any exception.

        Statements use ``?`` placeholders (PostgreSQL's store translates them).
        """

    def reading(self) -> AbstractContextManager[Cursor]:
        """A cursor for reads only (by default a transaction; PostgreSQL reads in autocommit,
        one round trip per query instead of three)."""
        return self.transaction()

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections."""

    @property
    @abc.abstractmethod
    def label(self) -> str:
        """Where the data is, without credentials."""

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    #: ``FOR UPDATE`` where the engine locks rows (PostgreSQL); SQLite locks the database.
    for_update: str = ""

    # -- sessions ---------------------------------------------------------------------------

    def create_session(self, session: VerifySession) -> None:
        """Store a new session."""
        with self.transaction() as cur:
            cur.execute(
                f"INSERT INTO verify_sessions ({_SESSION_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                (
                    session.id,
                    session.platform,
                    session.user_id,
                    session.nonce,
                    session.domain,
                    session.uri,
                    session.chain_id,
                    session.statement,
                    to_ms(session.issued_at),
                    to_ms(session.expires_at),
                ),
            )

    def get_session(self, session_id: str) -> VerifySession | None:
        """The session with this id, or None."""
        with self.reading() as cur:
            cur.execute(
                f"SELECT {_SESSION_COLUMNS} FROM verify_sessions WHERE id = ?", (session_id,)
            )
            row = cur.fetchone()
        return _session(row) if row is not None else None

    def purge_expired(self, before: datetime) -> int:
        """Delete sessions that expired before ``before``; returns how many."""
        with self.transaction() as cur:
            cur.execute("DELETE FROM verify_sessions WHERE expires_at < ?", (to_ms(before),))
            return int(cur.rowcount or 0)

    def consume(self, session_id: str, address: str, now: datetime) -> Link:
        """Mark the session used by ``address`` and link the wallet to its user, atomically.

        :raises VerificationError: ``unknown_session`` (404), ``session_used`` (409),
            ``session_expired`` (410) or ``wallet_in_use`` (409); nothing is written then.
        """
        stamp = to_ms(now)
        with self.transaction() as cur:
            cur.execute(
                f"SELECT {_SESSION_COLUMNS} FROM verify_sessions WHERE id = ?{self.for_update}",
                (session_id,),
            )
            row = cur.fetchone()
            if row is None:
                raise unknown_session(session_id)
            session = _session(row)
            check_open(session, now)
            holder = self._holder(cur, session.platform, address)
            if holder is not None and holder.user_id != session.user_id:
                raise wallet_in_use(session.platform, address)
            cur.execute(
                "UPDATE verify_sessions SET used_at = ?, address = ? "
                "WHERE id = ? AND used_at IS NULL",
                (stamp, address, session_id),
            )
            if cur.rowcount != 1:  # cannot happen under the row lock; never link twice anyway
                raise session_used()
            try:
                cur.execute(
                    f"INSERT INTO verify_links ({_LINK_COLUMNS}) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (platform, user_id) DO UPDATE SET address = excluded.address, "
                    "session_id = excluded.session_id, linked_at = excluded.linked_at",
                    (session.platform, session.user_id, address, session_id, stamp),
                )
            except Exception as exc:
                if self.is_unique_violation(exc):  # another user linked it meanwhile
                    raise wallet_in_use(session.platform, address) from None
                raise
        return Link(session.platform, session.user_id, address, session_id, now)

    @abc.abstractmethod
    def is_unique_violation(self, exc: BaseException) -> bool:
        """True if ``exc`` is the engine's unique-constraint error."""

    # -- links ------------------------------------------------------------------------------

    def link_for(self, platform: Platform, user_id: str) -> Link | None:
        """The wallet linked to this platform user, or None."""
        with self.reading() as cur:
            cur.execute(
                f"SELECT {_LINK_COLUMNS} FROM verify_links WHERE platform = ? AND user_id = ?",
                (platform, user_id),
            )
            row = cur.fetchone()
        return _link(row) if row is not None else None

    def link_for_address(self, platform: Platform, address: str) -> Link | None:
        """The platform user this wallet is linked to, or None (``address`` checksummed)."""
        with self.reading() as cur:
            return self._holder(cur, platform, address)

    def links(self, platform: Platform | None = None) -> list[Link]:
        """Every link (of one platform), oldest first."""
        with self.reading() as cur:
            if platform is None:
                cur.execute(f"SELECT {_LINK_COLUMNS} FROM verify_links ORDER BY linked_at")
            else:
                cur.execute(
                    f"SELECT {_LINK_COLUMNS} FROM verify_links WHERE platform = ? "
                    "ORDER BY linked_at",
                    (platform,),
                )
            return [_link(row) for row in cur.fetchall()]

    def sessions(self, platform: Platform, user_id: str) -> list[VerifySession]:
        """The sessions of one platform user, newest first."""
        with self.reading() as cur:
            cur.execute(
                f"SELECT {_SESSION_COLUMNS} FROM verify_sessions "
                "WHERE platform = ? AND user_id = ? ORDER BY issued_at DESC",
                (platform, user_id),
            )
            return [_session(row) for row in cur.fetchall()]

    def _holder(self, cur: Cursor, platform: str, address: str) -> Link | None:
        cur.execute(
            f"SELECT {_LINK_COLUMNS} FROM verify_links WHERE platform = ? AND address = ?",
            (platform, address),
        )
        row = cur.fetchone()
        return _link(row) if row is not None else None


def check_open(session: VerifySession, now: datetime) -> None:
    """Refuse a used or expired session."""
    if session.used_at is not None:
        raise session_used()
    if session.expired(now):
        raise VerificationError(
            "session_expired",
            "this verification link has expired: run /verify again for a new one",
            status=410,
        )


def unknown_session(session_id: str) -> VerificationError:
    """404: no such session."""
    return VerificationError(
        "unknown_session",
        f"no verification session {session_id[:64]!r}: run /verify for a new link",
        status=404,
    )


def session_used() -> VerificationError:
    """409: the nonce was spent already."""
    return VerificationError(
        "session_used",
        "this verification link was already used (its nonce is single-use): run /verify again",
        status=409,
    )


def wallet_in_use(platform: str, address: str) -> VerificationError:
    """409: the wallet belongs to another user of the platform."""
    return VerificationError(
        "wallet_in_use",
        f"wallet {address} is already linked to another {platform.capitalize()} user",
        status=409,
    )


def _session(row: Sequence[Any]) -> VerifySession:
    return VerifySession(
        id=row[0],
        platform=row[1],
        user_id=row[2],
        nonce=row[3],
        domain=row[4],
        uri=row[5],
        chain_id=int(row[6]),
        statement=row[7],
        issued_at=from_ms(row[8]),
        expires_at=from_ms(row[9]),
        used_at=from_ms(row[10]) if row[10] is not None else None,
        address=row[11],
    )


def _link(row: Sequence[Any]) -> Link:
    return Link(
        platform=row[0],
        user_id=row[1],
        address=row[2],
        session_id=row[3],
        linked_at=from_ms(row[4]),
    )


def open_store(database_url: str | None) -> SqlStore:
    """The store ``DATABASE_URL`` names: PostgreSQL for ``postgresql://``, else SQLite
    (``sqlite:///PATH``, or ``.gaib/verify.sqlite3`` when unset). Creates the tables if needed.

    :raises StoreError: the database cannot be reached or opened (one line, no password).
    """
    if database_url is not None and database_url.split(":", 1)[0] in ("postgresql", "postgres"):
        from gaib_theme_sietch.verify.postgres import PostgresStore

        return PostgresStore(database_url)
    from gaib_theme_sietch.verify.settings import sqlite_path
    from gaib_theme_sietch.verify.sqlite import SqliteStore

    return SqliteStore(sqlite_path(database_url))


def iter_statements(schema: str) -> Iterator[str]:
    """The statements of a schema file, comments dropped."""
    body = "\n".join(line for line in schema.splitlines() if not line.lstrip().startswith("--"))
    for statement in body.split(";"):
        if statement.strip():
            yield statement.strip()
