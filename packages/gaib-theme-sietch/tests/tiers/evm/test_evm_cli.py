"""``gaib sietch tier`` with the ``evm`` source as a subprocess (the node's URL from
``SIETCH_RPC_URL``): the verified members' tiers from the chain. An unreachable node's one-line
error is in test_evm_source.py; gaib's one-line, exit-1 rendering of errors in test_tier_cli.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from gaib_theme_sietch.tiers.amounts import bgt_to_wei


def gaib(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SIETCH_")}
    return subprocess.run(
        [sys.executable, "-m", "gaib_cli", "sietch", "tier", *args],
        env={**base, "NO_COLOR": "1", "COLUMNS": "200", **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_tiers_of_the_verified_members(evm: Any, links: Any, token: Any, tmp_path: Path) -> None:
    naib, hajra = "500000000000000001", "500000000000000002"
    evm.mint(token, links.link(naib), bgt_to_wei("2000"))
    evm.mint(token, links.link(hajra), bgt_to_wei("6.9"))
    links.link("500000000000000003")  # verified, holds nothing
    block = str(evm.head())

    done = gaib("--token", token.address, "--block", block, "--json", cwd=tmp_path,
                DATABASE_URL=links.database_url, SIETCH_RPC_URL=evm.url)  # fmt: skip

    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert f"at block {block}" in data["source"]
    tiers = {h["discord_user_id"]: (h["rank"], h["tier"], h["bgt"]) for h in data["holders"]}
    assert tiers == {
        naib: (1, "naib", "2000"),
        hajra: (2, "naib", "6.9"),
        "500000000000000003": (None, "none", "0"),
    }
