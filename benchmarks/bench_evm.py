"""The ``evm`` holder source (issue #12, item 4): reading the verified wallets' balances.

An ERC-20 (``TestToken.sol``, compiled in the sietch tests' data) on eth-tester (py-evm) served
over loopback HTTP by ``gaib_theme_sietch.tiers.testing.serve_evm``; ``--wallets`` wallets
verified in a SQLite store through real signed verifications. For each batch size, the median of
``--runs`` reads (``EvmHolderSource.read``: links, chain id and head, token checks, every
``balanceOf``): wall time, the process's CPU time (client and node share it, in one process) and
the HTTP requests sent (2 + ceil(wallets / batch size)).

Run: ``.tools/bin/uv run python benchmarks/bench_evm.py --runs 3`` (or ``nox -s bench``).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from gaib_theme_sietch.tiers.evm import EvmHolderSource
from gaib_theme_sietch.tiers.testing import serve_evm
from gaib_theme_sietch.verify.settings import VerifySettings
from gaib_theme_sietch.verify.store import open_store
from gaib_theme_sietch.verify.testing import link_wallet
from gaib_theme_sietch.verify.verifier import Verifier

CONTRACTS = (
    Path(__file__).resolve().parents[1]
    / "packages/gaib-theme-sietch/tests/tiers/evm/data/contracts.json"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--wallets", type=int, default=500)
    parser.add_argument("--batch-sizes", default="1,100,1000")
    args = parser.parse_args()
    sizes = [int(size) for size in args.batch_sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp, serve_evm(CONTRACTS) as node:
        url = f"sqlite:///{Path(tmp) / 'verify.sqlite3'}"
        settings = VerifySettings(base_url="https://verify.sietch.test", database_url=url)
        token = node.deploy("TestToken", 18)
        with open_store(url) as store:
            verifier = Verifier(store, settings)
            for n in range(args.wallets):
                account, _ = link_wallet(verifier, "discord", str(10**17 + n))
                if n % 100 == 0:
                    node.mint(token, account.address, 10**18 + n)
        print(f"{args.wallets} verified wallets, median of {args.runs} runs")
        print(f"{'batch size':>10}  {'requests':>8}  {'wall ms':>8}  {'CPU ms':>8}")
        for size in sizes:
            source = EvmHolderSource.from_options(
                {"rpc_url": node.url, "token": token.address, "database_url": url,
                 "batch_size": str(size)}
            )  # fmt: skip
            walls, cpus, requests = [], [], 0
            for _ in range(args.runs):
                node.posts.clear()
                wall, cpu = time.perf_counter(), time.process_time()
                held = source.read()
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
                requests = len(node.posts)
                assert len(held.holders) == args.wallets
            wall_ms = statistics.median(walls) * 1000
            cpu_ms = statistics.median(cpus) * 1000
            print(f"{size:>10}  {requests:>8}  {wall_ms:>8.0f}  {cpu_ms:>8.0f}")


if __name__ == "__main__":
    main()
