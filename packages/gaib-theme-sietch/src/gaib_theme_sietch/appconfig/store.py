"""Where app configurations and checkpoints live: SQLite by default, PostgreSQL by URL.

The database is Sietch's own (the one wallet verification uses): ``DATABASE_URL`` names it
(``postgresql://...`` or ``sqlite:///PATH``); unset, it is the SQLite file
``.gaib/sietch.sqlite3`` of the gaib project. Connections, transactions and errors are
wallet verification's (:mod:`gaib_theme_sietch.verify.sqlite`, :mod:`~.verify.postgres`),
opened with this module's own tables (``data/schema.sql``).

Each guild has one configuration row; a checkpoint is an immutable copy of one, with an id of
the form ``ckpt-YYYYMMDD-HHMMSS-xxxxxxxx`` (time plus 32 random bits). Rows hold JSON
(``{"version": 1, "config": ...}``); amounts are decimal strings there, exact.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from gaib_core.errors import GaibError
from gaib_core.project import Project
from pydantic import ValidationError

from gaib_theme_sietch.appconfig.models import (
    CHECKPOINT_ID,
    CHECKPOINT_ID_FORM,
    AppConfig,
    Checkpoint,
)
from gaib_theme_sietch.verify.models import from_ms, to_ms
from gaib_theme_sietch.verify.store import Cursor, SqlStore

SCHEMA = resources.files("gaib_theme_sietch.appconfig").joinpath("data/schema.sql").read_text()
DEFAULT_FILE = "sietch.sqlite3"
BODY_VERSION = 1
_ID_ATTEMPTS = 5


class CheckpointError(GaibError):
    """A checkpoint id is malformed or names no checkpoint."""


class ConflictError(GaibError):
    """The configuration changed between reading it and writing it."""


def default_path(project: Project) -> Path:
    """``<project>/.gaib/sietch.sqlite3``: the store when ``DATABASE_URL`` is unset."""
    return project.gaib_dir / DEFAULT_FILE


def open_config_store(project: Project, database_url: str | None) -> ConfigStore:
    """The store ``database_url`` names, else the project's SQLite file (tables created).

    :raises StoreError: the database cannot be opened (one line, never the password).
    """
    scheme = (database_url or "").split(":", 1)[0]
    if scheme in ("postgresql", "postgres"):
        if find_spec("psycopg") is None or find_spec("psycopg_pool") is None:
            raise GaibError(
                "DATABASE_URL names PostgreSQL, but psycopg is not installed",
                hint="pip install 'gaib-theme-sietch[postgres]'",
            )
        from gaib_theme_sietch.verify.postgres import PostgresStore

        assert database_url is not None
        return ConfigStore(PostgresStore(database_url, max_connections=2, schema=SCHEMA))
    from gaib_theme_sietch.verify.settings import sqlite_path
    from gaib_theme_sietch.verify.sqlite import SqliteStore

    path = sqlite_path(database_url) if database_url else default_path(project)
    return ConfigStore(SqliteStore(path, schema=SCHEMA))


def new_checkpoint_id(now: datetime) -> str:
    """``ckpt-YYYYMMDD-HHMMSS-xxxxxxxx`` (UTC time, 8 random hex digits)."""
    return f"ckpt-{now.astimezone(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"


def check_checkpoint_id(checkpoint_id: str) -> str:
    """``checkpoint_id`` if well-formed, else ``CheckpointError`` saying what one looks like."""
    if not CHECKPOINT_ID.match(checkpoint_id):
        raise CheckpointError(
            f"{checkpoint_id[:80]!r} is not a checkpoint id ({CHECKPOINT_ID_FORM})",
            hint="copy an id from `gaib restore list`",
        )
    return checkpoint_id


@dataclass
class ConfigStore:
    """App configurations and checkpoints in one SQL database."""

    db: SqlStore

    @property
    def label(self) -> str:
        """Where the data is, without credentials (``sqlite:PATH``, ``postgresql://host/db``)."""
        return self.db.label

    def close(self) -> None:
        """Release the connections."""
        self.db.close()

    def __enter__(self) -> ConfigStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- configurations ---------------------------------------------------------------------

    def get(self, guild_id: str) -> AppConfig | None:
        """The stored configuration of ``guild_id``, or None (never configured)."""
        with self.db.reading() as cur:
            return self._get(cur, guild_id)

    def effective(self, guild_id: str) -> AppConfig:
        """The stored configuration, else the defaults."""
        return self.get(guild_id) or AppConfig()

    def put(self, guild_id: str, config: AppConfig, *, expected: AppConfig | None = None) -> None:
        """Store ``config`` for ``guild_id``.

        With ``expected``, only if the stored (or default) configuration still equals it:
        ``ConflictError`` otherwise, nothing written.
        """
        with self.db.transaction() as cur:
            self._check_expected(cur, guild_id, expected)
            self._write(cur, guild_id, config, datetime.now(UTC))

    def replace(
        self, guild_id: str, config: AppConfig, *, expected: AppConfig, reason: str
    ) -> Checkpoint:
        """Keep the current configuration as a checkpoint, then store ``config``: one
        transaction, and only if the current one still equals ``expected`` (else
        ``ConflictError``, nothing written). Returns the checkpoint of the previous one."""
        now = datetime.now(UTC)
        with self.db.transaction() as cur:
            self._check_expected(cur, guild_id, expected)
            backup = self._insert_checkpoint(cur, guild_id, expected, reason, now)
            self._write(cur, guild_id, config, now)
        return backup

    def _check_expected(self, cur: Cursor, guild_id: str, expected: AppConfig | None) -> None:
        if expected is None:
            return
        current = self._get(cur, guild_id, lock=True) or AppConfig()
        if current != expected:
            raise ConflictError(
                f"the app configuration of guild {guild_id} changed while this command ran",
                hint="run the command again",
            )

    def _get(self, cur: Cursor, guild_id: str, *, lock: bool = False) -> AppConfig | None:
        cur.execute(
            "SELECT body FROM sietch_app_config WHERE guild_id = ?"
            + (self.db.for_update if lock else ""),
            (guild_id,),
        )
        row = cur.fetchone()
        return (
            None if row is None else _decode(row[0], f"the app configuration of guild {guild_id}")
        )

    def _write(self, cur: Cursor, guild_id: str, config: AppConfig, now: datetime) -> None:
        cur.execute(
            "INSERT INTO sietch_app_config (guild_id, body, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET body = excluded.body, "
            "updated_at = excluded.updated_at",
            (guild_id, _encode(config), to_ms(now)),
        )

    # -- checkpoints ------------------------------------------------------------------------

    def create_checkpoint(self, guild_id: str, config: AppConfig, reason: str) -> Checkpoint:
        """Save ``config`` as a new checkpoint of ``guild_id``."""
        with self.db.transaction() as cur:
            return self._insert_checkpoint(cur, guild_id, config, reason, datetime.now(UTC))

    def _insert_checkpoint(
        self, cur: Cursor, guild_id: str, config: AppConfig, reason: str, now: datetime
    ) -> Checkpoint:
        body = _encode(config)
        for _ in range(_ID_ATTEMPTS):
            checkpoint_id = new_checkpoint_id(now)
            cur.execute("SELECT 1 FROM sietch_checkpoints WHERE id = ?", (checkpoint_id,))
            if cur.fetchone() is None:
                break
        else:  # 5 collisions of 32 random bits within one second: the generator is broken
            raise GaibError("could not pick a free checkpoint id", hint="run the command again")
        cur.execute(
            "INSERT INTO sietch_checkpoints (id, guild_id, created_at, reason, body) "
            "VALUES (?, ?, ?, ?, ?)",
            (checkpoint_id, guild_id, to_ms(now), reason, body),
        )
        # read back through from_ms, so the returned time is exactly what a listing shows
        return Checkpoint(checkpoint_id, guild_id, from_ms(to_ms(now)), reason, config)

    def checkpoints(self, guild_id: str | None = None) -> list[Checkpoint]:
        """Checkpoints (of one guild), newest first."""
        columns = "id, guild_id, created_at, reason, body"
        with self.db.reading() as cur:
            if guild_id is None:
                cur.execute(
                    f"SELECT {columns} FROM sietch_checkpoints ORDER BY created_at DESC, id DESC"
                )
            else:
                cur.execute(
                    f"SELECT {columns} FROM sietch_checkpoints WHERE guild_id = ? "
                    "ORDER BY created_at DESC, id DESC",
                    (guild_id,),
                )
            return [_checkpoint(row) for row in cur.fetchall()]

    def checkpoint(self, checkpoint_id: str) -> Checkpoint:
        """The checkpoint ``checkpoint_id``; ``CheckpointError`` if malformed or unknown."""
        check_checkpoint_id(checkpoint_id)
        with self.db.reading() as cur:
            cur.execute(
                "SELECT id, guild_id, created_at, reason, body FROM sietch_checkpoints "
                "WHERE id = ?",
                (checkpoint_id,),
            )
            row = cur.fetchone()
        if row is None:
            raise CheckpointError(
                f"no checkpoint {checkpoint_id} in {self.label}",
                hint="`gaib restore list` shows the checkpoints there (is DATABASE_URL the same "
                "as when it was made?)",
            )
        return _checkpoint(row)


def _encode(config: AppConfig) -> str:
    return json.dumps(
        {"version": BODY_VERSION, "config": config.model_dump(mode="json")}, sort_keys=True
    )


def _decode(body: str, what: str) -> AppConfig:
    try:
        data: Any = json.loads(body)
        if data.get("version") != BODY_VERSION:
            raise ValueError(f"format version {data.get('version')!r}, expected {BODY_VERSION}")
        return AppConfig.model_validate(data["config"])
    except (ValueError, TypeError, KeyError, AttributeError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        raise GaibError(
            f"{what} in the database cannot be read: {first}",
            hint="upgrade gaib-theme-sietch to the version that wrote it",
        ) from None


def _checkpoint(row: Any) -> Checkpoint:
    config = _decode(row[4], f"checkpoint {row[0]}")
    return Checkpoint(row[0], row[1], from_ms(row[2]), row[3], config)
