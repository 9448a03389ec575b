"""The checkpoint before a teardown, through gaib-core's change lifecycle and a fresh plugin
manager holding the Sietch plugin."""

from __future__ import annotations

from pathlib import Path

import pytest
from gaib_core.config.models import ThemeRef
from gaib_core.errors import GaibError
from gaib_core.lifecycle import change_event, change_lifecycle
from gaib_core.plugins import Hooks, build_plugin_manager
from gaib_core.project import Project
from gaib_core.state.models import State
from gaib_core.testing.postgres import free_port
from gaib_theme_sietch import plugin
from gaib_theme_sietch.appconfig.models import AppConfig
from gaib_theme_sietch.appconfig.store import default_path, open_config_store

GUILD = "1100000000000000001"


@pytest.fixture
def hooks() -> Hooks:
    return Hooks(build_plugin_manager(load_entry_points=False, extra=[plugin]))


def teardown_in(
    project: Path, hooks: Hooks, theme: str | None, operation: str = "teardown"
) -> bool:
    """Run an empty change through the lifecycle; True if its body ran."""
    state = State(theme=ThemeRef(name=theme, version="3.0.0") if theme else None)
    url = f"file://{project}/.gaib/workspaces/default/state.json"
    event = change_event(
        operation, workspace="default", guild_id=GUILD, state_before=state, state_url=url
    )  # type: ignore[arg-type]
    with change_lifecycle(hooks, event, state):
        return True


def test_teardown_of_a_sietch_guild_checkpoints_its_config(
    tmp_path: Path,
    hooks: Hooks,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    project = Project(tmp_path)
    with open_config_store(project, None) as store:
        store.put(GUILD, AppConfig(roles={"Naib": "11"}, gates={"veteran": False}))
    assert teardown_in(tmp_path, hooks, "sietch")
    with open_config_store(project, None) as store:
        (saved,) = store.checkpoints(GUILD)
    assert saved.config == AppConfig(roles={"Naib": "11"}, gates={"veteran": False})
    assert saved.reason == "before teardown"
    err = capsys.readouterr().err
    assert (
        f"as checkpoint {saved.id}; once its roles are re-created (gaib server apply), "
        f"restore it with: gaib restore exec --checkpoint {saved.id}" in err
    )


def test_a_sietch_guild_never_configured_gets_the_defaults(
    tmp_path: Path, hooks: Hooks, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert teardown_in(tmp_path, hooks, "sietch")
    with open_config_store(Project(tmp_path), None) as store:
        (saved,) = store.checkpoints(GUILD)
    assert saved.config == AppConfig()


def test_other_projects_and_operations_are_left_alone(
    tmp_path: Path, hooks: Hooks, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert teardown_in(tmp_path, hooks, None)  # no Sietch theme, nothing stored
    assert teardown_in(tmp_path, hooks, "sietch", operation="apply")
    assert not default_path(Project(tmp_path)).exists()


def test_a_checkpoint_that_cannot_be_written_aborts_the_teardown(
    tmp_path: Path, hooks: Hooks, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgresql://sietch@127.0.0.1:{free_port()}/sietch")
    ran = False
    with pytest.raises(GaibError) as caught:
        ran = teardown_in(tmp_path, hooks, "sietch")
    assert not ran
    message = str(caught.value)
    assert message.startswith(
        "the Sietch checkpoint before teardown failed: cannot use the PostgreSQL"
    )
    assert "unset it to keep checkpoints in .gaib/sietch.sqlite3" in (caught.value.hint or "")
