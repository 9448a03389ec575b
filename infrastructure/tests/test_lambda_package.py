"""The Lambda package builds from the repository (``nox -s lambda_package``) and its handler
imports in a clean virtualenv, the way Lambda loads it: the zip's root on ``sys.path``."""

from __future__ import annotations

import hashlib
import platform
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

from gaib_backup import names

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


def test_package_builds_reproducibly_and_its_handler_imports_in_a_clean_venv(
    tmp_path: Path, uv: str
) -> None:
    first = _build(tmp_path / "first.zip")
    second = _build(tmp_path / "second.zip")
    assert (
        hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(second.read_bytes()).digest()
    )

    with zipfile.ZipFile(first) as archive:
        members = archive.namelist()
        assert all(not m.startswith(("/", "..")) and "__pycache__" not in m for m in members)
        assert "gaib_backup/names.py" in members
        archive.extractall(tmp_path / "task")

    venv = tmp_path / "venv"
    module, function = names.LAMBDA_HANDLER.rsplit(".", 1)
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    probe = textwrap.dedent(
        f"""
        import importlib, importlib.metadata, sys
        sys.path.insert(0, {str(tmp_path / "task")!r})
        handler = getattr(importlib.import_module({module!r}), {function!r})
        assert callable(handler)
        plugins = {{e.name for e in importlib.metadata.entry_points(group="gaib")}}
        assert "backup" in plugins, plugins
        print(importlib.import_module("gaib_backup").__file__)
        """
    )
    # -I: no PYTHONPATH, no user site; the venv has nothing installed, so only the zip counts.
    done = subprocess.run([str(venv / "bin" / "python"), "-I", "-c", probe], capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().startswith(str(tmp_path / "task"))
