"""``gaib sietch sync --rpc``: members' roles from real balances, end to end. The verified
members' balances come from the ERC-20 on eth-tester over JSON-RPC, the roles go to a sandbox
guild over HTTP, through the real ``gaib`` in a subprocess."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gaib_cli.testing import run_gaib
from gaib_theme_sietch.tiers.amounts import bgt_to_wei

# Small seats, so four members fill them: rank 1 Naib, 2 Fedaykin, 3 the waitlist.
THRESHOLDS = "ranks:\n  naib: 1\n  fedaykin: 2\n  waitlist: 3\n"


def test_sync_gives_the_roles_the_chain_says(
    evm: Any, token: Any, links: Any, sietch_guild: Any, tmp_path: Path
) -> None:
    made = run_gaib("server", "init", "--guild", sietch_guild.guild_id, cwd=tmp_path)
    assert made.code == 0, made
    (tmp_path / "thresholds.yaml").write_text(THRESHOLDS)
    members = {
        name: sietch_guild.add_member(name, keys)
        for name, keys in (
            ("leto", []),
            ("jessica", []),
            ("alia", ["usul", "water_sharer", "engaged"]),  # badge roles the chain cannot see
            ("stilgar", []),
        )
    }
    for name, bgt in (("leto", "5000"), ("jessica", "3000"), ("alia", "420"), ("stilgar", "69")):
        evm.mint(token, links.link(members[name]), bgt_to_wei(bgt))
    evm.mint(token, links.link("999999999999999999"), bgt_to_wei("1"))  # verified, not a member
    env = {
        "DISCORD_API_BASE": sietch_guild.sandbox.base_url,
        "DISCORD_TOKEN": sietch_guild.sandbox.token,
        "DATABASE_URL": links.database_url,
        "SIETCH_TOKEN_ADDRESS": token.address,
    }

    done = run_gaib("sietch", "sync", "--rpc", evm.url, "--block", str(evm.head()),
                    "--thresholds", "thresholds.yaml", cwd=tmp_path, env=env)  # fmt: skip

    assert done.code == 0, done
    assert "Water Sharer, Engaged left as they are: the evm source has no badges." in done.out
    assert sietch_guild.held(members["leto"]) == {"naib"}
    assert sietch_guild.held(members["jessica"]) == {"fedaykin"}
    # waitlisted and verified; the badge roles stay as they were
    assert sietch_guild.held(members["alia"]) == {"sihaya", "taqwa", "water_sharer", "engaged"}
    assert sietch_guild.held(members["stilgar"]) == {"ichwan"}
