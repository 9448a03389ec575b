"""CLI manners as a user meets them in a shell (subprocesses): ``--quiet``, shell completion and
``gaib plugins`` naming each plugin's distribution and version. ``--no-color`` and ``NO_COLOR``
are covered in test_polish_cli.py."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from gaib_cli.testing import Gaib

from .test_convert_cli import server_template

PACKAGES = Path(__file__).resolve().parents[2]


def test_quiet_leaves_only_warnings_and_what_the_command_is_for(gaib: Gaib, tmp_path: Path) -> None:
    data = server_template(0)
    member = {"id": "132837293881950208", "type": 1, "allow": "1024", "deny": "0"}
    data["serialized_source_guild"]["channels"][1]["permission_overwrites"].append(member)
    (tmp_path / "old.json").write_text(json.dumps(data))
    # Global, and accepted anywhere on the line (like --no-color). Without it, convert says
    # "Wrote ..." and "Next: ..." on stderr (test_convert_cli.py).
    written = []
    for args in (["--quiet", "server", "convert"], ["server", "convert", "--quiet"]):
        output = tmp_path / f"{len(written)}.yaml"
        quiet = gaib(*args, "old.json", "-o", output.name, cwd=tmp_path)
        assert quiet.code == 0, quiet
        assert quiet.out == ""
        lines = quiet.err.splitlines()
        assert lines and all(line.startswith(("Warning: ", "Note: ")) for line in lines), lines
        assert "member 132837293881950208" in quiet.err
        written.append(output.read_text())
    assert written[0] == written[1]
    # Errors are never silenced.
    failed = gaib("--quiet", "server", "convert", "missing.json", cwd=tmp_path)
    assert failed.code == 1 and failed.err.startswith("Error: missing.json: no such file")


def test_shell_completion_completes_commands(gaib: Gaib, tmp_path: Path) -> None:
    """`gaib --install-completion` installs a script that runs this on <TAB>."""
    # What the installed script runs on <TAB> after `gaib server conv`.
    env = {"_GAIB_COMPLETE": "complete_bash", "COMP_WORDS": "gaib server conv", "COMP_CWORD": "2"}
    completed = gaib(cwd=tmp_path, env=env)
    assert completed.code == 0, completed
    assert completed.out.split() == ["convert"]


def test_plugins_name_the_distribution_and_version_of_each(gaib: Gaib, tmp_path: Path) -> None:
    listed = gaib("plugins", "--json", cwd=tmp_path)
    assert listed.code == 0, listed
    rows = {row["name"]: row for row in json.loads(listed.out)}
    versions = {
        path.parent.name: tomllib.loads(path.read_text())["project"]["version"]
        for path in PACKAGES.glob("*/pyproject.toml")
    }
    assert rows["gaib_core.builtins"]["version"] == versions["gaib-core"]
    assert rows["gaib_cli.plugin"]["origin"] == f"gaib-cli {versions['gaib-cli']} (built-in)"
    assert rows["backup"]["distribution"] == "gaib-backup"
    assert rows["backup"]["version"] == versions["gaib-backup"]
    # The table's "from" column prints `origin`.
    assert rows["gaib_core.builtins"]["origin"] == f"gaib-core {versions['gaib-core']} (built-in)"
