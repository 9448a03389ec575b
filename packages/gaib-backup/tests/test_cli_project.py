"""gaib-backup's commands in process (typer's runner on the real ``gaib`` app) against a sandbox
guild over loopback HTTP: run from a subdirectory of the project they use the project's
discord-server.yaml; ``export --backup`` keeps what ``export`` prints; the commands that open a
record by id share one path (found, dry run, refused id)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
import yaml
from gaib_backup import lifecycle
from gaib_backup.context import BackupContext
from gaib_backup.errors import UnsafePath
from gaib_backup.snapshots import list_snapshots, load_snapshot
from gaib_cli.app import build_app
from gaib_core.config.loader import load_config
from gaib_core.lifecycle import ChangeOutcome, change_event
from gaib_core.project import Project
from gaib_core.state.models import State
from gaib_core.testing.fixtures import SandboxGuild
from typer.testing import CliRunner

# Keys that differ from what an export would derive from the names: only the state knows them.
CONFIG = {
    "version": 1,
    "roles": [{"key": "crew", "name": "Ship Crew", "color": "#112233"}],
    "channels": [{"key": "deck", "name": "general", "topic": "the deck"}],
}


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    return build_app()


@pytest.fixture
def root(tmp_path: Path, sandbox: SandboxGuild, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project on the sandbox guild; the current directory is its subdirectory ``docs/``."""
    for name in ("GAIB_BACKUP_STORE", "GAIB_BACKUP_METADATA", "GAIB_BACKUP_KMS_KEY", "GAIB_WORKSPACE"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DISCORD_API_BASE", sandbox.base_url)
    monkeypatch.setenv("DISCORD_TOKEN", sandbox.token)
    root = tmp_path / "project"
    (root / ".gaib").mkdir(parents=True)
    settings = {"provider": "discord", "guild_id": sandbox.guild_id}
    (root / ".gaib" / "config.yaml").write_text(yaml.safe_dump(settings))
    (root / "discord-server.yaml").write_text(yaml.safe_dump(CONFIG, sort_keys=False))
    (root / "docs").mkdir()
    monkeypatch.chdir(root / "docs")
    return root


def gaib(app: typer.Typer, *args: str) -> str:
    """``gaib server ARGS``: the output, or raise the error the command raised."""
    result = CliRunner().invoke(app, ["server", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.output


def store(root: Path) -> BackupContext:
    return BackupContext.from_url((root / ".gaib" / "backups").as_uri())


def test_from_a_subdirectory_snapshots_and_restores_use_the_projects_config(
    app: typer.Typer, root: Path, sandbox: SandboxGuild
) -> None:
    project_config = root / "discord-server.yaml"
    text = project_config.read_text()
    gaib(app, "apply", "--auto-approve")
    # the deployment snapshot the plugin took after the apply
    [deployed] = list_snapshots(store(root), sandbox.guild_id)
    assert load_snapshot(store(root), sandbox.guild_id, deployed.id).config_text == text

    made = json.loads(gaib(app, "snapshot", "create", "--json", "-m", "from docs/"))
    assert load_snapshot(store(root), sandbox.guild_id, made["id"]).config_text == text

    project_config.write_text(text.replace("the deck", "the lower deck"))
    dry = gaib(app, "snapshot", "restore", made["id"], "--dry-run")
    assert "../discord-server.yaml: replaced by the snapshot's" in dry
    assert "Dry run: nothing was changed." in dry
    assert "the lower deck" in project_config.read_text()

    gaib(app, "snapshot", "restore", made["id"], "--auto-approve")
    assert project_config.read_text() == text
    assert "the lower deck" in (root / "discord-server.yaml.backup").read_text()

    project_config.write_text(text.replace("the deck", "the upper deck"))
    gaib(app, "apply", "--auto-approve")
    rolled = gaib(app, "theme", "rollback", "--steps", "1", "--auto-approve")
    assert "../discord-server.yaml is the rolled-back config now" in rolled
    assert project_config.read_text() == text
    assert not (root / "docs" / "discord-server.yaml").exists()  # nothing written where we are


def test_the_registry_reads_no_config_outside_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a remote state changed with --config from a directory that is no project but holds a
    # discord-server.yaml of its own: that file is not what was deployed
    monkeypatch.chdir(tmp_path)
    (tmp_path / "discord-server.yaml").write_text("version: 1\nroles: [{name: Decoy}]\n")
    state = State(serial=2, guild_id="1")
    applied = tmp_path / "applied.yaml"
    applied.write_text(yaml.safe_dump(CONFIG, sort_keys=False))
    config = load_config(applied)
    outcome = ChangeOutcome("succeeded", None, [], 2, state)
    for given, expected in ((config, "Ship Crew"), (None, "")):
        event = change_event(
            "rollback", workspace="default", guild_id="1", state_before=state,
            config=given, state_url="s3://bucket/state",
        )  # fmt: skip
        assert lifecycle.project_of(event) is None
        text = lifecycle.config_text(event, outcome)
        assert "Decoy" not in text and expected in text
        if given is not None:
            assert load_config_text(tmp_path, text) == config


def load_config_text(directory: Path, text: str):  # type: ignore[no-untyped-def]
    path = directory / "written.yaml"
    path.write_text(text)
    return load_config(path)


def test_export_backup_keeps_exactly_what_export_prints(
    app: typer.Typer, root: Path, sandbox: SandboxGuild
) -> None:
    gaib(app, "apply", "--auto-approve")
    printed = gaib(app, "export")
    assert "key: crew" in printed and "key: deck" in printed  # the state's keys
    out = root / "docs" / "exported.yaml"
    said = gaib(app, "export", "-o", str(out), "--backup")
    assert "Kept the export in" in said and "Backed the state up as" in said
    exports = root / ".gaib" / "backups" / "exports" / sandbox.guild_id
    assert len(list(exports.glob("*.yaml"))) == 2  # the timestamped export and the latest
    assert (exports / "config.latest.yaml").read_text() == printed == out.read_text()
    kinds = [b["kind"] for b in json.loads(gaib(app, "backup", "list", "--json"))]
    assert kinds == ["export"]


def test_backup_and_snapshot_records_by_id_dry_run_and_refuse_bad_ids(
    app: typer.Typer, root: Path, sandbox: SandboxGuild
) -> None:
    gaib(app, "apply", "--auto-approve")
    gaib(app, "tier", "set", "premium")
    backup = json.loads(gaib(app, "backup", "create", "--json"))["id"]
    snapshot = json.loads(gaib(app, "snapshot", "create", "--json"))["id"]
    ctx = store(root)

    assert f"Would delete backup {backup}" in gaib(app, "backup", "delete", backup[:8], "--dry-run")
    assert "Would delete snapshot" in gaib(app, "snapshot", "delete", snapshot, "--dry-run")
    assert "Dry run: nothing was changed." in gaib(app, "backup", "restore", backup, "--dry-run")
    assert "verified" in gaib(app, "snapshot", "verify", snapshot)
    for command in (("backup", "restore"), ("backup", "delete"), ("snapshot", "verify"),
                    ("snapshot", "restore"), ("snapshot", "delete")):  # fmt: skip
        with pytest.raises(UnsafePath, match="invalid"):
            gaib(app, *command, "../../etc")

    assert f"Deleted backup {backup}." in gaib(app, "backup", "delete", backup)
    assert f"Deleted snapshot {snapshot}." in gaib(app, "snapshot", "delete", snapshot)
    assert all(m.id != snapshot for m in list_snapshots(ctx, sandbox.guild_id))
    assert Project(root).exists


def test_another_guilds_id_never_labels_this_workspaces_state(
    app: typer.Typer, root: Path, sandbox: SandboxGuild
) -> None:
    from gaib_backup.backups import list_backups
    from gaib_backup.errors import BackupError

    gaib(app, "apply", "--auto-approve")
    other = "999999999999999999"
    for command in (["backup", "create"], ["snapshot", "create"]):
        with pytest.raises(BackupError, match=f"state of guild {sandbox.guild_id}, not of guild {other}") as refused:  # fmt: skip
            gaib(app, *command, "--guild", other)
        assert "drop --guild" in (refused.value.hint or "")
    assert list_backups(store(root), other) == [] and list_snapshots(store(root), other) == []
    # the advice, followed: without --guild the state is kept as its own guild's
    made = json.loads(gaib(app, "backup", "create", "--json"))
    assert made["serverId"] == sandbox.guild_id


def test_snapshot_restore_apply_with_a_rejected_token_restores_nothing(
    app: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gaib_core.errors import GaibError
    from gaib_core.sandbox.server import SandboxServer

    with SandboxServer(token="the-bot-token") as server:
        guild = server.sandbox.create_guild()
        monkeypatch.setenv("DISCORD_API_BASE", server.base_url)
        monkeypatch.setenv("DISCORD_TOKEN", "the-bot-token")
        for name in ("GAIB_BACKUP_STORE", "GAIB_BACKUP_METADATA", "GAIB_WORKSPACE"):
            monkeypatch.delenv(name, raising=False)
        (tmp_path / ".gaib").mkdir()
        settings = {"provider": "discord", "guild_id": guild.guild_id}
        (tmp_path / ".gaib" / "config.yaml").write_text(yaml.safe_dump(settings))
        config = tmp_path / "discord-server.yaml"
        config.write_text(yaml.safe_dump(CONFIG, sort_keys=False))
        monkeypatch.chdir(tmp_path)
        gaib(app, "apply", "--auto-approve")
        made = json.loads(gaib(app, "snapshot", "create", "--json"))
        config.write_text(yaml.safe_dump({**CONFIG, "roles": []}, sort_keys=False))
        state_file = tmp_path / ".gaib" / "workspaces" / "default" / "state.json"
        before = state_file.read_bytes(), config.read_bytes()

        monkeypatch.setenv("DISCORD_TOKEN", "a-wrong-token")
        with pytest.raises(GaibError, match="401"):
            gaib(app, "snapshot", "restore", made["id"], "--apply", "--auto-approve")
        assert (state_file.read_bytes(), config.read_bytes()) == before
        # the free tier's one snapshot restore a day is still there for the retry
        monkeypatch.setenv("DISCORD_TOKEN", "the-bot-token")
        gaib(app, "snapshot", "restore", made["id"], "--apply", "--auto-approve")
        assert gaib(app, "plan").strip().endswith("matches the configuration.")


@pytest.mark.parametrize("command", [["backup", "create"], ["snapshot", "create"]])
@pytest.mark.parametrize("message", ["evil\x1b[2J", "two\nlines", "bell\x07", "bidi\u202eexe"])
def test_a_message_with_control_characters_is_refused_before_anything_runs(
    app: typer.Typer,
    command: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # no project: the option is refused before one is looked for
    result = CliRunner().invoke(app, ["server", *command, "-m", message])
    assert result.exit_code == 2
    assert "Invalid value for '--message'" in result.output and "remove it" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_stored_message_with_escapes_is_listed_inert(
    app: typer.Typer, root: Path, sandbox: SandboxGuild
) -> None:
    from gaib_backup.backups import create_backup
    from gaib_backup.snapshots import create_snapshot
    from gaib_backup.theme_registry import read_registry

    # written by something other than this CLI (a shared bucket, an older gaib): no validation
    gaib(app, "apply", "--auto-approve")
    state = State.model_validate_json((root / ".gaib/workspaces/default/state.json").read_text())
    evil = "x\x1b[2J\x1b]0;owned\x07\nfake row\u202e"
    create_backup(store(root), state, server_id=sandbox.guild_id, message=evil, kind="scheduled")
    registry = read_registry(store(root), sandbox.guild_id)
    create_snapshot(store(root), state, "", registry, server_id=sandbox.guild_id, message=evil)
    for listing in ("backup", "snapshot"):
        out = gaib(app, listing, "list")
        assert not any(c in out for c in "\x1b\x07\u202e"), out
        assert "x\\x1b[2J\\x1b]0;owned\\x07\\nfake row\\u202e" in out


def test_a_corrupt_state_is_restored_from_a_backup_as_the_error_advises(
    app: typer.Typer, root: Path
) -> None:
    from gaib_core.errors import StateError

    gaib(app, "apply", "--auto-approve")
    made = json.loads(gaib(app, "backup", "create", "--json"))
    state_file = root / ".gaib" / "workspaces" / "default" / "state.json"
    good = State.model_validate_json(state_file.read_text())
    corrupt = b'{"version": 1, "serial": '
    state_file.write_bytes(corrupt)
    with pytest.raises(StateError, match="state file is corrupt") as refused:
        gaib(app, "backup", "restore", made["id"], "--auto-approve")
    assert state_file.read_bytes() == corrupt
    assert f"add --force to put backup {made['id']} in its place" in (refused.value.hint or "")

    gaib(app, "backup", "restore", made["id"], "--force", "--auto-approve")
    restored = State.model_validate_json(state_file.read_text())
    assert (restored.lineage, restored.resources) == (good.lineage, good.resources)
    assert restored.serial > good.serial
    assert (state_file.parent / "state.json.backup").read_bytes() == corrupt  # kept, not lost
    assert gaib(app, "plan").strip().endswith("matches the configuration.")


def test_a_memory_store_says_it_keeps_nothing_and_a_file_store_says_nothing(
    app: typer.Typer, root: Path, sandbox: SandboxGuild
) -> None:
    import fsspec

    gaib(app, "apply", "--auto-approve")
    kept = gaib(app, "backup", "list", "--store", (root / "kept").as_uri())
    assert "Warning" not in kept
    memory = fsspec.filesystem("memory")
    try:
        out = gaib(app, "backup", "create", "--store", "memory://", "-m", "gone")
    finally:  # this process's memory filesystem is shared by every test
        for part in ("state", "usage"):
            if memory.exists(f"/{part}/{sandbox.guild_id}"):
                memory.rm(f"/{part}/{sandbox.guild_id}", recursive=True)
    assert "Warning: memory:// lives only as long as this command" in out
    assert "Created backup" in out
    assert not (root / "docs" / "memory:").exists()


@pytest.mark.parametrize(
    "command", [["backup", "list"], ["snapshot", "list"], ["theme", "history"]]
)
@pytest.mark.parametrize("limit", ["0", "-1"])
def test_a_limit_below_one_is_refused_not_answered_with_an_empty_list(
    app: typer.Typer,
    command: list[str],
    limit: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # it said "No backups of server ..." / "No deployments recorded yet." of a server that had some
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["server", *command, "--limit", limit])
    assert result.exit_code == 2
    assert "Invalid value for '--limit'" in result.output


def test_commands_that_do_not_talk_to_the_guild_need_no_token(
    app: typer.Typer, root: Path, sandbox: SandboxGuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cron job or CI step backs up the state without the bot's token (PRD 19.2's cycle)."""
    from gaib_core.errors import GaibError

    gaib(app, "apply", "--auto-approve")
    monkeypatch.delenv("DISCORD_TOKEN")
    made = json.loads(gaib(app, "backup", "create", "--json"))
    assert made["serverId"] == sandbox.guild_id
    gaib(app, "backup", "verify", made["id"])
    snapshot = json.loads(gaib(app, "snapshot", "create", "--json"))
    assert snapshot["id"] in gaib(app, "snapshot", "list")
    assert made["id"][:8] in gaib(app, "backup", "list")
    # a command that talks to the guild still says what is missing, before anything changes
    with pytest.raises(GaibError, match="DISCORD_TOKEN"):
        gaib(app, "plan")
