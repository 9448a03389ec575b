"""``gaib sietch config`` and ``gaib restore`` as subprocesses: one-line errors with exit 1,
nothing stored on a bad value, the advice in an error works as written."""

from __future__ import annotations

from pathlib import Path

import pytest
from gaib_cli.testing import run_gaib
from gaib_core.project import Project
from gaib_theme_sietch.appconfig.models import AppConfig
from gaib_theme_sietch.appconfig.store import open_config_store

GUILD = "1100000000000000001"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project whose default guild is GUILD (nothing else is needed to configure it)."""
    (tmp_path / ".gaib").mkdir()
    (tmp_path / ".gaib" / "config.yaml").write_text(f'guild_id: "{GUILD}"\n')
    return tmp_path


def stored_config(project: Path) -> AppConfig | None:
    with open_config_store(Project(project), None) as store:
        return store.get(GUILD)


def test_set_stores_every_change(project: Path) -> None:
    done = run_gaib(
        "sietch", "config", "set", "thresholds.amounts.hajra=7", "gates.veteran=off",
        "roles.Former Naib=1100000000000000009", cwd=project,
    )  # fmt: skip
    assert done.code == 0, done
    assert "~ thresholds.amounts.hajra: 6.9 -> 7" in done.out
    assert "+ roles.Former Naib: 1100000000000000009" in done.out
    assert "Stored the app configuration of guild" in done.out
    stored = stored_config(project)
    assert stored is not None
    assert stored.flat()["thresholds.amounts.hajra"] == "7"
    assert stored.gates["veteran"] is False
    assert stored.roles == {"Former Naib": "1100000000000000009"}


def test_a_bad_value_is_one_line_exit_1_and_stores_nothing(project: Path) -> None:
    done = run_gaib(
        "sietch", "config", "set", "gates.veteran=off", "thresholds.amounts.ichwan=5", cwd=project
    )
    assert done.code == 1, done
    assert done.err.strip() == (
        "Error: thresholds.amounts.ichwan: ichwan (5 BGT) must be above hajra (6.9 BGT); "
        "thresholds increase from hajra to usul"
    )
    assert done.out == ""
    assert stored_config(project) is None  # not even the valid gates.veteran=off


def test_an_unknown_checkpoint_is_one_line_and_its_advice_works(project: Path) -> None:
    done = run_gaib("restore", "exec", "--checkpoint", "ckpt-20260101-000000-00000000", cwd=project)
    assert done.code == 1, done
    lines = done.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.err
    assert lines[0].startswith("Error: no checkpoint ckpt-20260101-000000-00000000 in sqlite:")
    assert "`gaib restore list` shows the checkpoints there" in lines[0]
    # (the drill in tests/e2e runs `gaib restore list` and restores the id it shows)
