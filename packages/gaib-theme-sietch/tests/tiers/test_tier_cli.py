"""``gaib sietch tier`` as a subprocess: JSON output, one-line errors with exit code 1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def gaib(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gaib_cli", "sietch", "tier", *args],
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "tier", "rank"),
    [
        (["--bgt", "6.9"], "hajra", None),
        (["--bgt", "6.899999999999999999"], "none", None),
        (["--bgt", "1", "--rank", "8"], "fedaykin", 8),
        (["--wei", "69000000000000000000"], "ichwan", None),
    ],
)
def test_json_output(tmp_path: Path, args: list[str], tier: str, rank: int | None) -> None:
    done = gaib(*args, "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["tier"] == tier
    assert data["rank"] == rank
    assert data["reason"]


def test_human_output(tmp_path: Path) -> None:
    done = gaib("--bgt", "420", "--rank", "80", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "Sihaya: rank 80 is on the waitlist (ranks 70-100); 420 BGT reaches Sihaya (420 BGT or more)"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bgt", "6,9"], "Error: '6,9' is not a BGT amount; write a plain decimal number"),
        (["--bgt", "1e3"], "Error: '1e3' is not a BGT amount"),
        (["--wei", "6.9"], "Error: --wei '6.9' is not a whole number of wei"),
        ([], "Error: give the amount with exactly one of --bgt and --wei"),
    ],
)
def test_bad_amount_is_one_line_exit_1(tmp_path: Path, args: list[str], message: str) -> None:
    done = gaib(*args, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert message in lines[0]
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_bad_amount_under_json_is_an_error_object(tmp_path: Path) -> None:
    done = gaib("--bgt", "6,9", "--json", cwd=tmp_path)
    assert done.returncode == 1
    error = json.loads(done.stdout)
    assert error["code"] == "amount_error"
    assert error["message"] == "'6,9' is not a BGT amount"


def test_thresholds_file(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text('amounts:\n  hajra: "10"\n')
    done = gaib("--bgt", "9.99", "--thresholds", "t.yaml", "--json", cwd=tmp_path)
    assert json.loads(done.stdout)["tier"] == "none"
    (tmp_path / "bad.yaml").write_text("amounts:\n  hajra: 6.9\n")
    done = gaib("--bgt", "9", "--thresholds", "bad.yaml", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip().startswith("Error: bad.yaml:2:10: amounts.hajra: the float 6.9")


def test_the_group_keeps_the_verification_commands(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gaib_cli", "sietch", "--help"],
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0
    for command in ("tier", "serve", "register-commands", "whois"):
        assert f" {command} " in done.stdout
