"""Shared fixtures for the CLI tests: the real ``gaib`` command in a subprocess, a project
directory and a sandbox server that checks the token (the session sandbox fixtures and ``base``,
the small config, come from ``gaib_core.testing.fixtures``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gaib_cli.testing import Gaib, run_gaib
from gaib_core.sandbox.server import SandboxServer

MINI_CONFIG = """\
server:
  name: Mini
roles:
  - name: Admin
    color: "#FF0000"
  - name: Member
categories:
  - name: Main
    channels:
      - name: general
      - name: talk
        type: voice
"""
# Resources MINI_CONFIG declares (2 roles, 1 category, 2 channels).
MINI_COUNT = 5
SERVER_TOKEN = "MTAx.sandbox-server.token"


@pytest.fixture
def gaib() -> Gaib:
    """The ``gaib`` command as a subprocess: ``gaib("server", "plan", cwd=DIR, env={...})``."""
    return run_gaib


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A directory holding MINI_CONFIG as discord-server.yaml (not yet a project)."""
    root = tmp_path / "community"
    root.mkdir()
    (root / "discord-server.yaml").write_text(MINI_CONFIG)
    return root


@pytest.fixture(scope="module")
def token_server() -> Iterator[SandboxServer]:
    """A sandbox server that accepts only ``Bot SERVER_TOKEN`` (others get Discord's 401)."""
    with SandboxServer(limits="relaxed", token=SERVER_TOKEN) as server:
        yield server
