"""The app configuration store, on SQLite and on PostgreSQL: configurations and checkpoints."""

from __future__ import annotations

from pathlib import Path

import pytest
from gaib_core.errors import GaibError
from gaib_core.project import Project
from gaib_theme_sietch.appconfig.models import CHECKPOINT_ID, AppConfig, gates
from gaib_theme_sietch.appconfig.store import (
    CheckpointError,
    ConfigStore,
    ConflictError,
    default_path,
    open_config_store,
)
from gaib_theme_sietch.tiers.amounts import to_wei
from gaib_theme_sietch.tiers.thresholds import AmountThresholds, RankRanges, Thresholds
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

GUILD, OTHER = "1100000000000000001", "1100000000000000002"

role_names = st.text(
    st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]), min_size=1, max_size=100
).filter(lambda s: s == s.strip())
role_ids = st.integers(0, 2**64 - 1).map(str)


@st.composite
def configs(draw: st.DrawFn) -> AppConfig:
    """Any valid app configuration: increasing thresholds (down to the wei), any gates, any
    mappings."""
    amounts = sorted(draw(st.sets(st.integers(1, 10**24), min_size=7, max_size=7)))
    naib = draw(st.integers(1, 50))
    fedaykin = draw(st.integers(naib + 1, naib + 100))
    waitlist = draw(st.integers(fedaykin + 1, fedaykin + 100))
    tiers = ("hajra", "ichwan", "qanat", "sihaya", "mushtamal", "sayyadina", "usul")
    # AmountThresholds reads ints as whole BGT: hand it exact decimal strings of the wei
    from gaib_theme_sietch.tiers.amounts import format_bgt

    thresholds = Thresholds(
        amounts=AmountThresholds(**{t: format_bgt(w) for t, w in zip(tiers, amounts, strict=True)}),
        ranks=RankRanges(naib=naib, fedaykin=fedaykin, waitlist=waitlist),
    )
    return AppConfig(
        thresholds=thresholds,
        gates=draw(st.fixed_dictionaries({name: st.booleans() for name in gates()})),
        roles=draw(st.dictionaries(role_names, role_ids, max_size=5)),
    )


def test_an_unconfigured_guild_has_no_config_and_the_defaults_apply(store: ConfigStore) -> None:
    assert store.get(GUILD) is None
    defaults = store.effective(GUILD)
    assert defaults == AppConfig()
    assert defaults.thresholds.amounts.hajra == to_wei("6.9")
    assert all(defaults.gates.values())
    assert defaults.roles == {}


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(config=configs())
def test_a_config_reads_back_exactly(store: ConfigStore, config: AppConfig) -> None:
    store.put(GUILD, config)
    assert store.get(GUILD) == config
    assert store.get(OTHER) is None  # per guild


def test_checkpoints_are_listed_newest_first_per_guild(store: ConfigStore) -> None:
    first = store.create_checkpoint(GUILD, AppConfig(roles={"Naib": "1"}), "before teardown")
    other = store.create_checkpoint(OTHER, AppConfig(), "before teardown")
    second = store.create_checkpoint(GUILD, AppConfig(roles={"Naib": "2"}), "manual")
    listed = store.checkpoints(GUILD)
    # newest first (created in the same millisecond: ties fall back on the id, descending)
    assert {c.id for c in listed} == {first.id, second.id}
    assert listed[0].created_at >= listed[1].created_at
    assert {c.id for c in store.checkpoints()} == {first.id, second.id, other.id}
    loaded = store.checkpoint(second.id)
    assert loaded == second
    assert loaded.config.roles == {"Naib": "2"} and loaded.reason == "manual"


def test_checkpoint_ids_are_shell_safe_and_distinct(store: ConfigStore) -> None:
    ids = {store.create_checkpoint(GUILD, AppConfig(), "x").id for _ in range(30)}
    assert len(ids) == 30
    assert all(CHECKPOINT_ID.match(i) for i in ids)


def test_an_unknown_checkpoint_names_the_id_and_the_store(store: ConfigStore) -> None:
    with pytest.raises(CheckpointError) as caught:
        store.checkpoint("ckpt-20260101-000000-00000000")
    assert "no checkpoint ckpt-20260101-000000-00000000 in " + store.label in str(caught.value)
    assert "gaib restore list" in (caught.value.hint or "")


@pytest.mark.parametrize(
    "bad", ["../../etc/passwd", "ckpt-1' OR '1'='1", "", "CKPT-20260101-000000-00000000"]
)
def test_malformed_checkpoint_ids_are_refused_before_any_query(
    store: ConfigStore, bad: str
) -> None:
    with pytest.raises(CheckpointError, match="is not a checkpoint id"):
        store.checkpoint(bad)


def test_replace_keeps_the_previous_config_as_a_checkpoint(store: ConfigStore) -> None:
    before = AppConfig(roles={"Naib": "1"})
    store.put(GUILD, before)
    after = AppConfig(roles={"Naib": "2"})
    backup = store.replace(GUILD, after, expected=before, reason="before restore of X")
    assert store.get(GUILD) == after
    assert store.checkpoint(backup.id).config == before
    assert backup.reason == "before restore of X"


def test_replace_refuses_a_config_that_changed_meanwhile(store: ConfigStore) -> None:
    store.put(GUILD, AppConfig(roles={"Naib": "1"}))
    with pytest.raises(ConflictError, match="changed while this command ran"):
        store.replace(GUILD, AppConfig(), expected=AppConfig(roles={"Naib": "9"}), reason="r")
    assert store.get(GUILD) == AppConfig(roles={"Naib": "1"})
    assert store.checkpoints() == []  # nothing written, not even the backup


def test_the_default_store_is_the_projects_sqlite_file(tmp_path: Path) -> None:
    project = Project(tmp_path)
    with open_config_store(project, None) as store:
        store.put(GUILD, AppConfig())
        assert store.label == f"sqlite:{default_path(project)}"
    assert (tmp_path / ".gaib" / "sietch.sqlite3").is_file()


def test_a_bad_database_url_names_the_app_configurations_own_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unsetting DATABASE_URL means .gaib/sietch.sqlite3 here, not verify's file."""
    from gaib_theme_sietch.appconfig.target import open_store

    monkeypatch.setenv("DATABASE_URL", "mysql://db/sietch")
    with pytest.raises(GaibError) as caught:
        open_store(Project(tmp_path))
    assert str(caught.value).endswith("or unset it for SQLite at .gaib/sietch.sqlite3")
    monkeypatch.delenv("DATABASE_URL")  # the advice, followed
    with open_store(Project(tmp_path)) as store:
        assert store.label == f"sqlite:{tmp_path / '.gaib' / 'sietch.sqlite3'}"


def test_an_unreachable_postgresql_is_one_line_without_the_password(tmp_path: Path) -> None:
    from gaib_core.testing.postgres import free_port

    url = f"postgresql://sietch:s3cret@127.0.0.1:{free_port()}/sietch"
    with pytest.raises(GaibError) as caught:
        open_config_store(Project(tmp_path), url)
    message = str(caught.value)
    assert "cannot use the PostgreSQL database postgresql://127.0.0.1:" in message
    assert "s3cret" not in message and "\n" not in message


WITHOUT_EXTRAS = """
import sys
for name in ("eth_utils", "eth_account", "psycopg", "psycopg_pool", "starlette", "uvicorn"):
    sys.modules[name] = None  # as if the verify and postgres extras were not installed
from pathlib import Path
from gaib_core.errors import GaibError
from gaib_core.project import Project
from gaib_theme_sietch.appconfig.models import AppConfig
from gaib_theme_sietch.appconfig.store import open_config_store
project = Project(Path(sys.argv[1]))
with open_config_store(project, None) as store:
    store.create_checkpoint("1", AppConfig(), "before teardown")
    print(len(store.checkpoints("1")))
try:
    open_config_store(project, "postgresql://db.example/sietch")
except GaibError as exc:
    print(exc.message, "|", exc.hint)
"""


def test_sqlite_needs_no_extra_and_postgresql_names_its_extra(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRAS, str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "1",
        "DATABASE_URL names PostgreSQL, but psycopg is not installed | "
        "pip install 'gaib-theme-sietch[postgres]'",
    ]
