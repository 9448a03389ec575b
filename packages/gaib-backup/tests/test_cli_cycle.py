"""The PRD 19.2 command cycle, run as a user runs it: the real ``gaib`` in a subprocess on the
embedded sandbox, with the backup store on ``file://`` and on ``s3://`` (moto over real HTTP).
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from gaib_core.testing.moto import MotoS3

from .gaibrun import Result, gaib

ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SNAPSHOT_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{8}")


def ok(result: Result) -> Result:
    assert result.code == 0, result
    return result


def one_line_error(result: Result) -> str:
    assert result.code == 1, result
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.err, result
    return lines[0]


def add_channel(root: Path, name: str) -> None:
    """Add a channel; the file references the theme, so it goes under ``overrides:``."""
    path = root / "discord-server.yaml"
    config = yaml.safe_load(path.read_text())
    key = "channel." + name.replace("-", "_")
    config["overrides"] = config.get("overrides") or {}
    config["overrides"][key] = {"name": name, "topic": "added by the test"}
    path.write_text(yaml.safe_dump(config, sort_keys=False))


def addresses(root: Path, env: dict[str, str]) -> set[str]:
    return set(ok(gaib("server", "state", "ls", cwd=root, env=env)).out.split())


def cycle(root: Path, env: dict[str, str]) -> None:
    ok(gaib("server", "init", "--theme", "sietch", cwd=root, env=env))
    ok(gaib("server", "apply", "--auto-approve", cwd=root, env=env))
    before = addresses(root, env)

    # Backup cycle
    created = ok(gaib("server", "backup", "create", "--message", "Test backup", cwd=root, env=env))
    backup_id = ID.findall(created.out)[0]
    again = ok(gaib("server", "backup", "create", cwd=root, env=env))
    assert f"Unchanged since backup {backup_id}" in again.out  # not stored twice
    listed = ok(gaib("server", "backup", "list", cwd=root, env=env))
    assert backup_id in listed.out and "Test backup" in listed.out
    add_channel(root, "off-topic")
    ok(gaib("server", "apply", "--auto-approve", cwd=root, env=env))
    assert "channel.off_topic" in addresses(root, env)
    dry = ok(gaib("server", "backup", "restore", backup_id, "--dry-run", cwd=root, env=env))
    assert "- channel.off_topic" in dry.out and "Dry run" in dry.out
    assert "channel.off_topic" in addresses(root, env)  # the dry run wrote nothing
    restored = ok(gaib("server", "backup", "restore", backup_id, cwd=root, env=env, input="yes\n"))
    assert f"Restored backup {backup_id}" in restored.out
    assert addresses(root, env) == before
    # A state restore does not touch the guild: off-topic exists there, unmanaged now. The plan
    # says so in one line with the command that adopts it; that command works as printed.
    line = one_line_error(gaib("server", "plan", cwd=root, env=env))
    advice = re.search(r"`(gaib server import [^`]+)`", line)
    assert advice is not None, line
    ok(gaib(*shlex.split(advice.group(1))[1:], cwd=root, env=env))
    ok(gaib("server", "plan", "--detailed-exitcode", cwd=root, env=env))
    kinds = {b["kind"] for b in json.loads(
        ok(gaib("server", "backup", "list", "--json", cwd=root, env=env)).out)}  # fmt: skip
    assert {"on-demand", "safety"} <= kinds  # the state it replaced was backed up first
    ok(gaib("server", "backup", "delete", backup_id, cwd=root, env=env))
    assert backup_id not in ok(gaib("server", "backup", "list", cwd=root, env=env)).out

    # Snapshot cycle
    first = ok(
        gaib("server", "snapshot", "create", "--message", "Full snapshot", cwd=root, env=env)
    )
    first_id = SNAPSHOT_ID.findall(first.out)[0]
    add_channel(root, "lounge")
    ok(gaib("server", "apply", "--auto-approve", cwd=root, env=env))
    second = ok(gaib("server", "snapshot", "create", cwd=root, env=env))
    second_id = SNAPSHOT_ID.findall(second.out)[0]
    listed = ok(gaib("server", "snapshot", "list", cwd=root, env=env))
    assert first_id in listed.out and second_id in listed.out and "Full snapshot" in listed.out
    download = root / "test-backup"
    ok(gaib("server", "snapshot", "download", first_id, "-o", f"{download}/", cwd=root, env=env))
    assert sorted(p.name for p in download.iterdir()) == [
        "config.yaml.gz", "manifest.json", "state.json.gz", "theme-registry.json.gz"]  # fmt: skip
    compared = ok(gaib("server", "snapshot", "compare", first_id, second_id, cwd=root, env=env))
    assert "+ channel.lounge" in compared.out
    dry = ok(gaib("server", "snapshot", "restore", first_id, "--dry-run", cwd=root, env=env))
    assert "- channel.lounge" in dry.out and "channel.lounge" in addresses(root, env)
    state_file = root / ".gaib" / "workspaces" / "default" / "state.json"
    untouched = state_file.read_bytes() if state_file.exists() else None
    rehearsal = ok(gaib("server", "snapshot", "verify", first_id, "--rehearse", cwd=root, env=env))
    assert (
        "contents verified" in rehearsal.out and "Rehearsal in a scratch workspace" in rehearsal.out
    )
    if untouched is not None:
        assert state_file.read_bytes() == untouched  # the rehearsal wrote nothing of the project

    # Theme registry
    registry = ok(gaib("server", "theme", "registry", cwd=root, env=env))
    assert "sietch 3" in registry.out
    history = ok(gaib("server", "theme", "history", cwd=root, env=env))
    assert history.out.count("apply ") >= 3 and "restore" in history.out
    rollback = ok(
        gaib("server", "theme", "rollback", "--steps", "1", cwd=root, env=env, input="yes\n")
    )
    assert "channel.lounge" in rollback.out and "Rollback complete" in rollback.out
    assert "channel.lounge" not in addresses(root, env)
    ok(gaib("server", "plan", "--detailed-exitcode", cwd=root, env=env))  # guild matches
    latest = json.loads(ok(gaib("server", "theme", "history", "--json", cwd=root, env=env)).out)[0]
    assert (latest["action"], latest["outcome"]) == ("rollback", "succeeded")


# ~30 gaib processes each: minutes on a busy 2-core machine, so more than the default timeout
@pytest.mark.timeout(900)
def test_prd_cycle_on_a_file_store(tmp_path: Path) -> None:
    store = tmp_path / "elsewhere" / "backups"
    env = {"GAIB_BACKUP_STORE": store.as_uri()}
    project = tmp_path / "project"
    project.mkdir()
    cycle(project, env)
    assert (store / "state").is_dir() and (store / "snapshots").is_dir()
    assert (store / "themes").is_dir()


@pytest.mark.timeout(900)
def test_prd_cycle_on_s3(tmp_path: Path, moto_s3: MotoS3) -> None:
    (tmp_path / ".gaib").mkdir()
    settings = {"store": moto_s3.url("gaib-backups"),
                "storage_options": {"endpoint_url": moto_s3.endpoint_url}}  # fmt: skip
    (tmp_path / ".gaib" / "backup.yaml").write_text(yaml.safe_dump(settings))
    cycle(tmp_path, moto_s3.env())
    import s3fs

    fs = s3fs.S3FileSystem(**moto_s3.storage_options)
    keys = fs.find(f"{moto_s3.bucket}/gaib-backups")
    assert any(k.endswith(".json.gz") and "/state/" in k for k in keys)
    assert any(k.endswith("/manifest.json") for k in keys)


def test_advice_in_errors_works_when_followed(tmp_path: Path) -> None:
    ok(gaib("server", "init", "--theme", "sietch", cwd=tmp_path))
    ok(gaib("server", "apply", "--auto-approve", cwd=tmp_path))
    first = ok(gaib("server", "backup", "create", cwd=tmp_path))
    add_channel(tmp_path, "off-topic")
    ok(gaib("server", "apply", "--auto-approve", cwd=tmp_path))
    line = one_line_error(gaib("server", "backup", "create", cwd=tmp_path))
    assert "free service tier" in line and "next one is allowed at" in line
    advice = re.search(r"`(gaib [^`]+)`", line)
    assert advice is not None, line
    ok(gaib(*shlex.split(advice.group(1))[1:], cwd=tmp_path))  # tier set premium --guild ...
    ok(gaib("server", "backup", "create", cwd=tmp_path))

    # another lineage: refused, the advice (--force) works
    backup_id = ID.findall(first.out)[0]
    state = tmp_path / ".gaib" / "workspaces" / "default" / "state.json"
    doc = json.loads(state.read_text())
    doc["lineage"] = "00000000-0000-4000-8000-000000000000"
    state.write_text(json.dumps(doc))
    line = one_line_error(gaib("server", "backup", "restore", backup_id, cwd=tmp_path))
    assert "lineage" in line and "--force" in line
    assert json.loads(state.read_text())["lineage"] == doc["lineage"]  # nothing overwritten
    ok(gaib("server", "backup", "restore", backup_id, "--force", "--auto-approve", cwd=tmp_path))
    assert json.loads(state.read_text())["lineage"] != doc["lineage"]

    # a flipped byte: refused in one line, nothing overwritten
    objects = sorted((tmp_path / ".gaib" / "backups" / "state").rglob("*.json.gz"))
    target = objects[0]
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    listing = json.loads(ok(gaib("server", "backup", "list", "--json", cwd=tmp_path)).out)
    damaged = next(b["id"] for b in listing if target.name in b["key"])
    before = state.read_bytes()
    line = one_line_error(gaib("server", "backup", "restore", damaged, cwd=tmp_path))
    assert "checksum mismatch" in line
    assert state.read_bytes() == before
    bad = gaib("server", "backup", "verify", cwd=tmp_path)
    assert bad.code == 1 and f"FAILED {damaged}" in bad.err, bad
    line = one_line_error(
        gaib("server", "snapshot", "download", "../../etc", "-o", "x", cwd=tmp_path)
    )
    assert "invalid snapshot id" in line and not (tmp_path / "x").exists()
