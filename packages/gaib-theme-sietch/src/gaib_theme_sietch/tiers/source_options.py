"""The command-line options that choose a holder source, shared by every command that reads
holders (``gaib sietch tier``, ``gaib sietch sync``).

Use the option objects as parameter defaults and pass the values to :func:`source_request`::

    def sync(holders: Path | None = HOLDERS, rpc: str | None = RPC, token: str | None = TOKEN,
             block: str = BLOCK, batch_size: int | None = BATCH_SIZE,
             timeout: int | None = TIMEOUT, source: str | None = SOURCE,
             source_option: list[str] | None = SOURCE_OPTION) -> None:
        request = source_request(holders=holders, rpc=rpc, token=token, block=block,
                                 batch_size=batch_size, timeout=timeout, source=source,
                                 source_options=source_option)
        held = load_holders(request, hooks())   # gaib_theme_sietch.tiers.sources

``--holders FILE`` picks the ``snapshot`` source, ``--rpc URL`` the ``evm`` source (or
``SIETCH_RPC_URL`` when no source is named), ``--source NAME`` any registered source, with
``--source-option KEY=VALUE`` for its options. Nothing here imports a source.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from gaib_core.errors import GaibError

if TYPE_CHECKING:
    from gaib_theme_sietch.tiers.sources import SourceRequest

RPC_URL_ENV = "SIETCH_RPC_URL"
PANEL = "Holder source"

HOLDERS = typer.Option(
    None,
    "--holders",
    help="Read holders from a CSV or JSON snapshot FILE.",
    metavar="FILE",
    rich_help_panel=PANEL,
)
RPC = typer.Option(
    None,
    "--rpc",
    help="Read the verified wallets' balances from this JSON-RPC URL (default "
    f"${RPC_URL_ENV}; prefer the variable for a URL with an API key).",
    metavar="URL",
    show_default=False,
    rich_help_panel=PANEL,
)
TOKEN = typer.Option(
    None,
    "--token",
    help="With --rpc: the ERC-20 token's address (default $SIETCH_TOKEN_ADDRESS).",
    metavar="ADDRESS",
    rich_help_panel=PANEL,
)
BLOCK = typer.Option(
    "latest",
    "--block",
    help="With --rpc: read balances at this block number (reproducible) or latest.",
    metavar="N|latest",
    rich_help_panel=PANEL,
)
BATCH_SIZE = typer.Option(
    None,
    "--rpc-batch-size",
    help="With --rpc: eth_calls per JSON-RPC batch, 1-1000 (default 100; 1 sends no batches).",
    metavar="N",
    rich_help_panel=PANEL,
)
TIMEOUT = typer.Option(
    None,
    "--rpc-timeout",
    help="With --rpc: seconds to wait for each answer (default 30).",
    metavar="SECONDS",
    rich_help_panel=PANEL,
)
SOURCE = typer.Option(
    None,
    "--source",
    help="Read holders from a source a plugin registered (see `gaib sietch sources`).",
    metavar="NAME",
    rich_help_panel=PANEL,
)
SOURCE_OPTION = typer.Option(
    None,
    "--source-option",
    help="An option of --source's source, KEY=VALUE (repeatable).",
    metavar="KEY=VALUE",
    rich_help_panel=PANEL,
)


def source_request(
    *,
    holders: Path | None = None,
    rpc: str | None = None,
    token: str | None = None,
    block: str = "latest",
    batch_size: int | None = None,
    timeout: int | None = None,
    source: str | None = None,
    source_options: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> SourceRequest | None:
    """The source the options choose; ``None`` when they choose none.

    :raises GaibError: more than one source, a ``--source-option`` that is not ``KEY=VALUE``,
        or an ``--rpc`` option without ``--rpc``.
    """
    from gaib_theme_sietch.tiers.sources import SourceRequest

    named = (("--holders", holders), ("--rpc", rpc), ("--source", source))
    given = [name for name, value in named if value is not None]
    if len(given) > 1:
        raise GaibError(
            f"{' and '.join(given)} name different holder sources", hint="give only one of them"
        )
    if source_options and source is None:
        raise GaibError("--source-option needs --source NAME", hint="name the source it is for")
    if source is not None:
        return SourceRequest(source, _key_values(source_options or ()))
    if holders is not None:
        return SourceRequest("snapshot", {"path": str(holders)})
    env = os.environ if environ is None else environ
    rpc = rpc if rpc is not None else env.get(RPC_URL_ENV) or None
    if rpc is None:
        rpc_options = (
            ("--token", token),
            ("--rpc-batch-size", batch_size),
            ("--rpc-timeout", timeout),
        )
        for name, value in rpc_options:
            if value is not None:
                raise GaibError(f"{name} is an option of --rpc", hint="give --rpc URL too")
        if block != "latest":
            raise GaibError("--block is an option of --rpc", hint="give --rpc URL too")
        return None
    options = {"rpc_url": rpc, "block": block}
    for key, value in (("token", token), ("batch_size", batch_size), ("timeout", timeout)):
        if value is not None:
            options[key] = str(value)
    return SourceRequest("evm", options)


def _key_values(items: Sequence[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise GaibError(
                f"--source-option {item!r} is not KEY=VALUE", hint="e.g. --source-option path=x"
            )
        options[key.strip()] = value
    return options
