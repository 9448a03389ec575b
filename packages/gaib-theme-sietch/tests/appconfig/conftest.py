"""Fixtures for the app configuration: the same tests on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gaib_core.project import Project
from gaib_theme_sietch.appconfig.store import ConfigStore, open_config_store


@pytest.fixture(scope="session")
def appconfig_database(postgres_cluster: Any) -> str:
    """One PostgreSQL database for these tests (emptied before each: cheaper than a new one)."""
    url: str = postgres_cluster.create_database("gaib_appconfig_tests")
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A SQLite file in tmp_path, then the PostgreSQL database, emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sietch.sqlite3'}"
    url: str = request.getfixturevalue("appconfig_database")
    with open_config_store(Project(tmp_path), url) as store, store.db.transaction() as cur:
        cur.execute("TRUNCATE sietch_app_config, sietch_checkpoints")
    return url


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> Iterator[ConfigStore]:
    """The store ``DATABASE_URL`` names, closed after the test."""
    with open_config_store(Project(tmp_path), database_url) as opened:
        yield opened
