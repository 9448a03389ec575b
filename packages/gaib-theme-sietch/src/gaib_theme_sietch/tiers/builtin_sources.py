"""The built-in holder sources, registered through gaib-theme-sietch's own hook like any
plugin's: ``snapshot`` (a CSV or JSON file) and ``evm`` (an ERC-20's balances over JSON-RPC).

Each factory imports its source when called, so loading the plugin stays cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from gaib_core import hookimpl

if TYPE_CHECKING:
    from gaib_theme_sietch.tiers.sources import HolderSource, HolderSourceRegistrar

SNAPSHOT_OPTIONS = {"path": "the CSV or JSON snapshot file (required)"}
EVM_OPTIONS = {
    "rpc_url": "the node's JSON-RPC URL (required; default $SIETCH_RPC_URL)",
    "token": "the ERC-20 token's address, EIP-55 checksummed or lower case "
    "(required; default $SIETCH_TOKEN_ADDRESS)",
    "block": "a block number, or latest (the default; read once, so every balance is of the "
    "same block)",
    "batch_size": "eth_calls per JSON-RPC batch, 1-1000 (default 100; 1 sends no batches)",
    "timeout": "seconds to wait for each HTTP answer (default 30)",
    "database_url": "the wallet-verification store with the links (default $DATABASE_URL, "
    "else .gaib/verify.sqlite3)",
}


def snapshot_source(options: Mapping[str, str]) -> HolderSource:
    """The ``snapshot`` source: ``options["path"]`` read with ``load_snapshot``."""
    from gaib_theme_sietch.tiers.holders import SnapshotSource

    return SnapshotSource.from_options(options)


def evm_source(options: Mapping[str, str]) -> HolderSource:
    """The ``evm`` source: balances of the verified wallets, read over JSON-RPC."""
    from gaib_theme_sietch.tiers.evm import EvmHolderSource

    return EvmHolderSource.from_options(options)


@hookimpl
def gaib_sietch_register_holder_sources(register: HolderSourceRegistrar) -> None:
    """``snapshot`` and ``evm``."""
    register(
        "snapshot",
        snapshot_source,
        summary="a CSV or JSON holder snapshot file (--holders FILE)",
        options=SNAPSHOT_OPTIONS,
    )
    register(
        "evm",
        evm_source,
        summary="an ERC-20's balanceOf over JSON-RPC for every verified wallet (--rpc URL)",
        options=EVM_OPTIONS,
    )
