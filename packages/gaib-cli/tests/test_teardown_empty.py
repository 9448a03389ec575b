"""`gaib server teardown` of a guild with nothing left to remove (a second teardown): no export
of an empty guild, no "Restore with" pointing at one, no lifecycle hooks; in process."""

from __future__ import annotations

from pathlib import Path

import pytest
from gaib_cli.app import build_app
from typer.testing import CliRunner


def test_a_teardown_with_nothing_to_remove_writes_and_advises_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("GAIB_WORKSPACE", "DISCORD_API_BASE", "DISCORD_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    app = build_app()
    runner = CliRunner()
    made = runner.invoke(app, ["server", "init"])
    assert made.exit_code == 0, made.output
    shown = runner.invoke(app, ["server", "workspace", "show", "--json"])
    guild = shown.output.split('"guild_id": "')[1].split('"')[0]
    before = sorted(p.name for p in tmp_path.iterdir())
    # A fresh embedded sandbox guild holds only @everyone and the bot's role.
    done = runner.invoke(app, ["server", "teardown", "--guild", guild, "--confirm-teardown"])
    assert done.exit_code == 0, done.output
    assert f"Teardown of guild {guild}: nothing to remove" in done.output
    assert "Restore with" not in done.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no teardown-export-*.yaml
    asked = runner.invoke(
        app, ["server", "teardown", "--guild", guild, "--confirm-teardown", "-o", "x.yaml"]
    )
    assert asked.exit_code == 0, asked.output
    assert (tmp_path / "x.yaml").exists() and "Restore with" not in asked.output
