"""The ``evm`` holder source: an ERC-20's ``balanceOf`` for every verified wallet, over JSON-RPC.

Wallets come from wallet verification's store (wallet -> Discord user id, platform ``discord``);
a wallet nobody verified is never read. A holder's ``joined_at`` is when they verified (their
tenure as a verified holder, for Veteran); the chain knows no badges, so the source does not
provide them (``HolderList.provides`` is ``{"joined_at"}``) and a sync leaves the badge roles,
Water Sharer and Engaged, as they are. For each wallet the source calls the token's
``balanceOf(address)`` with ``eth_call``, in JSON-RPC batches, all at ONE block: ``latest`` is
resolved to a block number first (``eth_blockNumber``), so a sync never mixes balances of
different blocks, and a fixed ``block`` makes a sync reproducible. Amounts are the raw uint256,
exact integer wei. Requests: one for the chain id and head, one for the token's code and
``decimals()``, then one per batch of ``batch_size`` wallets.

The token must have 18 decimals like BGT (checked when it implements the optional
``decimals()``), because the tier thresholds are in 18-decimal BGT.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType

from gaib_core.errors import GaibError

from gaib_theme_sietch.tiers.amounts import DECIMALS
from gaib_theme_sietch.tiers.holders import Holder, HolderList
from gaib_theme_sietch.tiers.rpc import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_TIMEOUT,
    MAX_BATCH_SIZE,
    Call,
    JsonRpcClient,
    RpcError,
    check_url,
    redact_url,
)

RPC_URL_ENV = "SIETCH_RPC_URL"
TOKEN_ENV = "SIETCH_TOKEN_ADDRESS"
# ERC-20 function selectors: the first 4 bytes of keccak256 of the signature.
BALANCE_OF = "0x70a08231"  # balanceOf(address)
DECIMALS_OF = "0x313ce567"  # decimals()
_HEX_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_UINT256 = re.compile(r"^0x[0-9a-fA-F]{64}$")
_QUANTITY = re.compile(r"^0x[0-9a-fA-F]+$")
EXTRA_HINT = "pip install 'gaib-theme-sietch[verify]'"


class EvmSourceError(GaibError):
    """The ``evm`` source's options are wrong, or the chain does not answer as a token would."""


@dataclass(frozen=True)
class EvmSettings:
    """Where and what the ``evm`` source reads (``repr`` hides the RPC URL's secrets).

    :param rpc_url: the node's JSON-RPC URL (may carry an API key).
    :param token: the ERC-20 token's address, EIP-55 checksummed.
    :param block: the block to read at; ``None`` = the latest, resolved once.
    :param batch_size: ``eth_call``s per JSON-RPC batch (1 sends single requests).
    :param timeout: seconds to wait for each HTTP answer.
    :param database_url: the wallet-verification store (``None``: its default).
    """

    rpc_url: str
    token: str
    block: int | None = None
    batch_size: int = DEFAULT_BATCH_SIZE
    timeout: float = DEFAULT_TIMEOUT
    database_url: str | None = None

    def __repr__(self) -> str:
        block = "latest" if self.block is None else self.block
        return (
            f"EvmSettings(rpc_url={redact_url(self.rpc_url)!r}, token={self.token!r}, "
            f"block={block!r}, batch_size={self.batch_size})"
        )

    @classmethod
    def from_options(
        cls, options: Mapping[str, str], environ: Mapping[str, str] | None = None
    ) -> EvmSettings:
        """Settings from the source's string options, ``SIETCH_RPC_URL`` /
        ``SIETCH_TOKEN_ADDRESS`` / ``DATABASE_URL`` filling what is not given."""
        env = os.environ if environ is None else environ
        rpc_url = options.get("rpc_url") or env.get(RPC_URL_ENV, "")
        if not rpc_url.strip():
            raise EvmSourceError(
                "the EVM holder source needs the node's JSON-RPC URL",
                hint=f"give --rpc URL or set {RPC_URL_ENV}",
            )
        token = options.get("token") or env.get(TOKEN_ENV, "")
        if not token.strip():
            raise EvmSourceError(
                "the EVM holder source needs the token's address",
                hint=f"give --token 0x... (the ERC-20 contract) or set {TOKEN_ENV}",
            )
        return cls(
            rpc_url=check_url(rpc_url),
            token=checksum_address(token, "--token"),
            block=parse_block(options.get("block", "latest")),
            batch_size=_bounded(
                "--rpc-batch-size",
                options.get("batch_size"),
                (1, MAX_BATCH_SIZE),
                DEFAULT_BATCH_SIZE,
            ),
            timeout=_bounded("--rpc-timeout", options.get("timeout"), (1, 600), DEFAULT_TIMEOUT),
            database_url=options.get("database_url") or env.get("DATABASE_URL") or None,
        )


def checksum_address(text: str, option: str) -> str:
    """``text`` as an EIP-55 checksummed address.

    All-lower-case (or all-upper-case) hex is accepted as is; mixed case must be a valid
    checksum, which catches a mistyped character.
    """
    raw = text.strip()
    if not _HEX_ADDRESS.match(raw):
        raise EvmSourceError(
            f"{option} {raw!r} is not an address",
            hint="write 0x and 40 hex digits, e.g. copied from a block explorer",
        )
    to_checksum = _eth_utils().to_checksum_address
    digits = raw[2:]
    if digits not in (digits.lower(), digits.upper()) and to_checksum(raw) != raw:
        raise EvmSourceError(
            f"{option} {raw} fails its EIP-55 checksum (a mistyped character?)",
            hint="copy the address again, or write it in lower case to skip the check",
        )
    return str(to_checksum(raw))


def parse_block(text: str) -> int | None:
    """``latest`` -> ``None``; a block number (decimal, or ``0x`` hex) -> ``int``."""
    value = text.strip().lower()
    if value in ("", "latest"):
        return None
    try:
        number = int(value, 16) if value.startswith("0x") else int(value, 10)
    except ValueError:
        number = -1
    if number < 0 or not (value.isdigit() or _QUANTITY.match(value)):
        raise EvmSourceError(
            f"--block {text!r} is not a block",
            hint="give a block number (e.g. 4200000) or latest",
        )
    return number


def _bounded(option: str, value: str | None, limits: tuple[int, int], default: int) -> int:
    """A whole number within ``limits`` (``default`` when not given)."""
    if value is None or value == "":
        return default
    low, high = limits
    text = str(value).strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise EvmSourceError(
            f"{option} must be a whole number from {low} to {high}, not {value!r}",
            hint=f"e.g. {option} {default}",
        )
    return int(text)


def _eth_utils() -> ModuleType:
    """``eth_utils`` (of the ``verify`` extra), or one line saying how to install it."""
    try:
        import eth_utils
    except ImportError:
        raise EvmSourceError(
            "the EVM holder source needs the 'verify' extra (eth-utils is missing)",
            hint=EXTRA_HINT,
        ) from None
    return eth_utils


@dataclass(frozen=True)
class Balances:
    """Balances read at one block: wallet (as given) -> wei."""

    chain_id: int
    block: int
    wei: dict[str, int]


def read_balances(
    rpc: JsonRpcClient, token: str, wallets: Sequence[str], block: int | None = None
) -> Balances:
    """``token.balanceOf(wallet)`` for every wallet, at ``block`` (``None``: the latest)."""
    chain, latest = rpc.batch([Call("eth_chainId", ()), Call("eth_blockNumber", ())])
    chain_id = _quantity(chain, "eth_chainId", rpc)
    head = _quantity(latest, "eth_blockNumber", rpc)
    if block is not None and block > head:
        raise EvmSourceError(
            f"--block {block} is after the chain's latest block ({head}) at {rpc.label}",
            hint=f"give a block number up to {head}, or latest",
        )
    number = head if block is None else block
    tag = hex(number)
    _check_token(rpc, token, tag, number, chain_id)
    calls = [
        Call(
            "eth_call",
            ({"to": token, "data": BALANCE_OF + wallet[2:].lower().rjust(64, "0")}, tag),
            purpose=f"balanceOf({wallet}) at block {number}",
            hint="check that --token is an ERC-20 token; an old --block needs an archive node",
        )
        for wallet in wallets
    ]
    results = rpc.batch(calls)
    wei = {
        wallet: _uint256(result, call.purpose, token)
        for wallet, call, result in zip(wallets, calls, results, strict=True)
    }
    return Balances(chain_id, number, wei)


def _check_token(rpc: JsonRpcClient, token: str, tag: str, number: int, chain_id: int) -> None:
    code, decimals = rpc.batch(
        [
            Call(
                "eth_getCode",
                (token, tag),
                purpose=f"eth_getCode({token}) at block {number}",
                hint="an old --block needs an archive node; check --block",
            ),
            Call("eth_call", ({"to": token, "data": DECIMALS_OF}, tag), optional=True),
        ]
    )
    if not isinstance(code, str) or code.lower() in ("0x", "0x0", ""):
        raise EvmSourceError(
            f"no contract at --token {token} on chain {chain_id} at block {number}",
            hint="check the token address, and that --rpc is a node of the token's chain "
            "(and --block after the token was deployed)",
        )
    if isinstance(decimals, str) and _UINT256.match(decimals) and int(decimals, 16) != DECIMALS:
        raise EvmSourceError(
            f"--token {token} has {int(decimals, 16)} decimals; Sietch's tiers count "
            f"{DECIMALS}-decimal BGT",
            hint="point --token at the BGT token",
        )


def _quantity(value: object, method: str, rpc: JsonRpcClient) -> int:
    if isinstance(value, str) and _QUANTITY.match(value):
        return int(value, 16)
    raise RpcError(
        f"the RPC endpoint {rpc.label} answered {method} with {str(value)[:40]!r}, "
        "not a hex number",
        hint="check that --rpc is an Ethereum JSON-RPC endpoint",
    )


def _uint256(value: object, purpose: str, token: str) -> int:
    if isinstance(value, str) and _UINT256.match(value):
        return int(value, 16)
    shown = "no data" if value in ("0x", "", None) else f"{str(value)[:24]!r}"
    raise EvmSourceError(
        f"--token {token} answered {purpose} with {shown}, not a uint256",
        hint="check that --token is an ERC-20 token",
    )


@dataclass(frozen=True, slots=True)
class LinkedWallet:
    """A wallet a Discord member verified, and when."""

    user_id: str
    linked_at: datetime


def linked_wallets(database_url: str | None) -> dict[str, LinkedWallet]:
    """Every wallet linked to a Discord member by wallet verification (address, checksummed)."""
    _eth_utils()
    from gaib_theme_sietch.verify.settings import sqlite_path
    from gaib_theme_sietch.verify.store import open_store

    kind = (database_url or "sqlite").split(":", 1)[0]
    if kind == "sqlite" and not sqlite_path(database_url).is_file():
        raise EvmSourceError(
            f"no wallet-verification database at {sqlite_path(database_url)}",
            hint="run the EVM source where `gaib sietch serve` keeps it, or set DATABASE_URL",
        )
    with open_store(database_url) as store:
        return {
            link.address: LinkedWallet(link.user_id, link.linked_at)
            for link in store.links("discord")
        }


@dataclass(frozen=True)
class EvmHolderSource:
    """The ``evm`` holder source (see the module docstring)."""

    settings: EvmSettings

    @classmethod
    def from_options(cls, options: Mapping[str, str]) -> EvmHolderSource:
        """The source for the ``evm`` options (checked here: URL, address, block, sizes)."""
        return cls(EvmSettings.from_options(options))

    @property
    def label(self) -> str:
        """``token 0x... via https://host/…`` (the URL redacted)."""
        return f"token {self.settings.token} via {redact_url(self.settings.rpc_url)}"

    def read(self) -> HolderList:
        """The balance of every verified wallet, at one block."""
        links = linked_wallets(self.settings.database_url)
        s = self.settings
        with JsonRpcClient(s.rpc_url, batch_size=s.batch_size, timeout=s.timeout) as rpc:
            balances = read_balances(rpc, s.token, list(links), s.block)
        holders = [
            Holder(
                wallet=address.lower(),
                wei=balances.wei[address],
                discord_user_id=linked.user_id,
                joined_at=linked.linked_at,
            )
            for address, linked in links.items()
        ]
        origin = (
            f"{len(holders)} verified wallets: token {s.token} on chain {balances.chain_id} "
            f"at block {balances.block} via {redact_url(s.rpc_url)}"
        )
        # The chain has balances, and the verification store the tenure; badges it has not.
        return HolderList(holders, origin, provides=frozenset({"joined_at"}))
