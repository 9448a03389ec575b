"""The Lambda package builds from the repository (``nox -s lambda_package``), reproducibly, and
its handler imports and runs in a clean virtualenv the way Lambda loads it: the zip's root on
``sys.path``, nothing else installed."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
import textwrap
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from gaib_backup import names, scheduled
from gaib_backup.aws_lambda import settings_from_env
from gaib_backup.backups import list_backups
from gaib_backup.context import BackupContext
from gaib_core.state.backend import encode_state
from gaib_core.state.backends import FsspecBackend
from gaib_core.state.models import State
from gaib_core.testing.moto import REGION, MotoDynamo, MotoS3

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURES = {"x86_64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}


def _build(output: Path) -> Path:
    # For this interpreter and machine, so the compiled wheels (pydantic-core) load here.
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    command = [sys.executable, "-m", "nox", "-s", "lambda_package", "--",
               "--python-version", version, "--architecture", ARCHITECTURES[platform.machine()],
               "--output", str(output)]  # fmt: skip
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return output


@dataclass
class Package:
    """The built zip, extracted as Lambda's /var/task, and a clean virtualenv's python."""

    zip: Path
    task: Path
    python: Path

    def run(self, code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Run ``code`` the way Lambda imports the handler; -I: no PYTHONPATH, no user site."""
        prelude = f"import sys; sys.path.insert(0, {str(self.task)!r})\n"
        return subprocess.run([str(self.python), "-I", "-c", prelude + textwrap.dedent(code)],
                              capture_output=True, text=True, env=env, timeout=300, check=False)  # fmt: skip


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory, uv: str) -> Package:
    tmp = tmp_path_factory.mktemp("lambda")
    built = _build(tmp / "gaib-backup-lambda.zip")
    with zipfile.ZipFile(built) as archive:
        archive.extractall(tmp / "task")
    subprocess.run(
        [uv, "venv", "--quiet", "--python", sys.executable, str(tmp / "venv")], check=True
    )
    return Package(built, tmp / "task", tmp / "venv" / "bin" / "python")


def test_package_is_reproducible_and_holds_only_the_code(package: Package, tmp_path: Path) -> None:
    again = _build(tmp_path / "again.zip")
    assert (
        hashlib.sha256(package.zip.read_bytes()).digest()
        == hashlib.sha256(again.read_bytes()).digest()
    )
    with zipfile.ZipFile(package.zip) as archive:
        members = archive.namelist()
    assert all(not m.startswith(("/", "..")) and "__pycache__" not in m for m in members)
    assert {
        "gaib_backup/aws_lambda.py",
        "gaib_core/plugins.py",
        "s3fs/core.py",
        "boto3/session.py",
    } <= set(members)


def test_handler_imports_in_a_clean_venv(package: Package) -> None:
    module, function = names.LAMBDA_HANDLER.rsplit(".", 1)
    done = package.run(
        f"""
        import importlib, importlib.metadata
        handler = getattr(importlib.import_module({module!r}), {function!r})
        assert callable(handler)
        plugins = {{e.name for e in importlib.metadata.entry_points(group="gaib")}}
        assert "backup" in plugins, plugins
        print(importlib.import_module("gaib_backup").__file__)
        """
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().startswith(str(package.task))


def test_packaged_handler_backs_up_on_moto(
    package: Package,
    moto_s3: MotoS3,
    moto_dynamodb: MotoDynamo,
    moto_kms_key: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        **moto_s3.env(),
        "GAIB_BACKUP_STORE": moto_s3.url("backups"),
        "GAIB_BACKUP_KMS_KEY": moto_kms_key,
        "GAIB_BACKUP_METADATA": "dynamodb",
        "GAIB_BACKUP_METADATA_TABLE": moto_dynamodb.metadata_table,
        "GAIB_BACKUP_SERVER_TIERS_TABLE": moto_dynamodb.tiers_table,
    }
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_s3.endpoint_url)  # this process sets things up
    server = "777777777777777777"
    state_url = moto_s3.url(f"tfstate/{server}")
    state = State(workspace="default", lineage=str(uuid.uuid4()), serial=1, guild_id=server)
    FsspecBackend(state_url, moto_s3.storage_options).write_bytes("default", encode_state(state))
    ctx = BackupContext.from_settings(settings_from_env(env))
    ctx.set_service_tier(server, "premium")
    scheduled.enrol(ctx, server, "default", state_url)
    event = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
             "source": "aws.events", "account": "123456789012", "time": "2026-11-29T04:00:00Z",
             "region": REGION, "detail": {},
             "resources": [f"arn:aws:events:{REGION}:123456789012:rule/gaib-backup-hourly"]}  # fmt: skip
    module, function = names.LAMBDA_HANDLER.rsplit(".", 1)
    done = package.run(
        f"""
        import importlib, json
        handler = getattr(importlib.import_module({module!r}), {function!r})
        print(json.dumps(handler(json.loads({json.dumps(event)!r}), None)))
        """,
        env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert [(o["server_id"], o["status"]) for o in result["outcomes"]] == [(server, "backed-up")]
    (backup,) = list_backups(ctx, server)
    assert (backup.kind, backup.service_tier) == ("scheduled", "premium")
