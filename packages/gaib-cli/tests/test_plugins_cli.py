"""``gaib plugins`` names gaib's optional packages that are not loaded, and what that leaves out.

The wheel-installed case (gaib-backup not installed at all) is tests/packaging/test_wheels.py.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from gaib_cli.companions import companions
from gaib_cli.testing import Gaib


def test_every_companion_loaded_means_no_note(gaib: Gaib, tmp_path: Path) -> None:
    result = gaib("plugins", cwd=tmp_path)
    assert result.code == 0, result
    assert "backup" in result.out and "sietch" in result.out
    assert "absent" not in result.out


def test_a_disabled_companion_is_named_with_what_is_absent(gaib: Gaib, tmp_path: Path) -> None:
    result = gaib("plugins", cwd=tmp_path, env={"GAIB_DISABLE_PLUGINS": "backup"})
    assert result.code == 0, result
    (note,) = [line for line in result.out.splitlines() if "absent" in line]
    version = importlib.metadata.version("gaib-backup")
    assert note.startswith(f"gaib-backup {version} is installed but not loaded")
    assert "GAIB_DISABLE_PLUGINS=backup" in note and "gaib server backup" in note
    # What the note promises is absent really is.
    missing = gaib("server", "backup", "list", cwd=tmp_path, env={"GAIB_DISABLE_PLUGINS": "backup"})
    assert missing.code == 2 and "No such command 'backup'" in missing.err


def test_companions_are_gaibs_own_packages() -> None:
    names = [companion.package for companion in companions()]
    assert names == ["gaib-backup", "gaib-theme-sietch"]
