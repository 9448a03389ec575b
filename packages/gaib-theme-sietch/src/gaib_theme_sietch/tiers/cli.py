"""``gaib sietch tier`` and ``gaib sietch sources``: tiers from the command line.

``tier --bgt/--wei`` decides one amount; with a holder source (``--holders FILE``, ``--rpc URL``,
``--source NAME``) it ranks every holder the source reads and prints each one's tier (or one
holder's, with ``--wallet`` or ``--member``). The tier engine and the sources are imported when
the command runs, so building the CLI (``gaib --help``) stays cheap.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from gaib_core.errors import GaibError

from gaib_theme_sietch.tiers.source_options import (
    BATCH_SIZE,
    BLOCK,
    HOLDERS,
    RPC,
    SOURCE,
    SOURCE_OPTION,
    TIMEOUT,
    TOKEN,
    source_request,
)

if TYPE_CHECKING:
    from gaib_theme_sietch.tiers.holders import Holder, HolderList
    from gaib_theme_sietch.tiers.tier import TierDecision, TierService

_DIGITS = re.compile(r"^\d+$")


def tier(
    bgt: str | None = typer.Option(
        None, "--bgt", help="The amount held, in BGT as a decimal (e.g. 6.9)."
    ),
    wei: str | None = typer.Option(None, "--wei", help="The amount held, in integer wei."),
    rank: int | None = typer.Option(
        None, "--rank", min=1, help="The holder's rank by amount (1 = largest)."
    ),
    thresholds: Path | None = typer.Option(
        None, "--thresholds", help="A thresholds YAML file (default: Sietch v3.0's)."
    ),
    as_json: bool = typer.Option(False, "--json", help='Print {"tier", "rank", "bgt", "reason"}.'),
    holders: Path | None = HOLDERS,
    rpc: str | None = RPC,
    token: str | None = TOKEN,
    block: str = BLOCK,
    batch_size: int | None = BATCH_SIZE,
    timeout: int | None = TIMEOUT,
    source: str | None = SOURCE,
    source_option: list[str] | None = SOURCE_OPTION,
    wallet: str | None = typer.Option(
        None, "--wallet", help="With a holder source: only this wallet's tier."
    ),
    member: str | None = typer.Option(
        None, "--member", help="With a holder source: only this Discord member's tier."
    ),
) -> None:
    """The tier of a holder of --bgt AMOUNT (or --wei) at --rank N (ranks 1-7 Naib, 8-69
    Fedaykin, else by amount), or of every holder a source reads (--holders FILE, --rpc URL,
    --source NAME)."""
    from gaib_theme_sietch.tiers.thresholds import ThresholdService
    from gaib_theme_sietch.tiers.tier import TierService

    if wallet is not None and member is not None:
        raise GaibError("--wallet and --member each pick one holder", hint="give only one of them")
    service = TierService(ThresholdService.from_yaml(thresholds) if thresholds else None)
    if bgt is None and wei is None:
        request = source_request(
            holders=holders,
            rpc=rpc,
            token=token,
            block=block,
            batch_size=batch_size,
            timeout=timeout,
            source=source,
            source_options=source_option,
        )
        if request is not None:
            if rank is not None:
                raise GaibError("--rank is computed from the holders", hint="leave --rank out")
            from gaib_theme_sietch.hooks import hooks
            from gaib_theme_sietch.tiers.sources import load_holders

            _print_holders(load_holders(request, hooks()), service, wallet, member, as_json)
            return
    else:
        given = {"--holders": holders, "--rpc": rpc, "--source": source}
        given |= {"--wallet": wallet, "--member": member}
        extra = [name for name, value in given.items() if value is not None]
        if extra:
            # Name the options to drop, so the advice can be followed as it stands.
            raise GaibError(
                f"--bgt/--wei decide one amount without any holders, so {', '.join(extra)} "
                "cannot be used with them",
                hint=f"leave out {' and '.join(extra)}, or leave out --bgt/--wei to read the "
                "holders (--holders FILE, --rpc URL, --source NAME)",
            )
    decision = service.decide(_amount(bgt, wei), rank)
    if as_json:
        typer.echo(json.dumps(decision.as_json()))
        return
    typer.echo(_line(decision))


def _line(decision: TierDecision) -> str:
    from gaib_theme_sietch.tiers.tier import TIER_NAMES

    name = TIER_NAMES[decision.tier] if decision.tier else "no tier"
    return f"{name}: {decision.reason}"


def _print_holders(
    held: HolderList, service: TierService, wallet: str | None, member: str | None, as_json: bool
) -> None:
    from gaib_theme_sietch.tiers.amounts import format_bgt
    from gaib_theme_sietch.tiers.ranking import rank_holders
    from gaib_theme_sietch.tiers.tier import TIER_NAMES

    ranks = rank_holders((h.wallet, h.wei) for h in held.holders)
    rows = sorted(held.holders, key=lambda h: (ranks.get(h.wallet, len(ranks) + 1), h.wallet))
    one = wallet is not None or member is not None
    if one:
        rows = [h for h in rows if _is(h, wallet, member)]
        if not rows:
            who = f"wallet {wallet}" if wallet is not None else f"member {member}"
            raise GaibError(
                f"{who} is not among the holders of {held.origin}",
                hint="check the id, or that the member verified a wallet",
            )
    decisions = [(h, service.decide(h.wei, ranks.get(h.wallet))) for h in rows]
    if as_json:
        entries = [
            {"wallet": h.wallet, "discord_user_id": h.discord_user_id, **d.as_json()}
            for h, d in decisions
        ]
        data = entries[0] if one else {"source": held.origin, "holders": entries}
        typer.echo(json.dumps(data, indent=None if one else 2))
        return
    if one:
        typer.echo(_line(decisions[0][1]))
        return
    typer.echo(f"{len(rows)} holders from {held.origin}")
    typer.echo(f"{'rank':>5}  {'tier':<9}  {'BGT':>28}  {'wallet':<42}  member")
    for holder, decision in decisions:
        name = TIER_NAMES[decision.tier] if decision.tier else "-"
        rank = str(decision.rank) if decision.rank is not None else "-"
        amount = format_bgt(holder.wei)
        user = holder.discord_user_id or "-"
        typer.echo(f"{rank:>5}  {name:<9}  {amount:>28}  {holder.wallet}  {user}")


def _is(holder: Holder, wallet: str | None, member: str | None) -> bool:
    """True for the holder ``--wallet`` or ``--member`` names."""
    if wallet is not None:
        return holder.wallet == wallet.strip().lower()
    return member is not None and holder.discord_user_id == member.strip()


def _amount(bgt: str | None, wei: str | None) -> int:
    from gaib_theme_sietch.tiers.amounts import AmountError, bgt_to_wei, to_wei

    if (bgt is None) == (wei is None):
        raise AmountError(
            "give the amount with exactly one of --bgt and --wei",
            hint="e.g. --bgt 6.9, or read holders with --holders FILE or --rpc URL",
        )
    if bgt is not None:
        return bgt_to_wei(bgt)
    assert wei is not None
    if not _DIGITS.match(wei.strip()):
        raise AmountError(f"--wei {wei!r} is not a whole number of wei", hint="write digits only")
    return to_wei(int(wei))


def sources(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The holder sources installed (built-in and from plugins), with their options."""
    from gaib_theme_sietch.hooks import hooks
    from gaib_theme_sietch.tiers.sources import holder_sources

    found = holder_sources(hooks())
    if as_json:
        data = {
            name: {"summary": info.summary, "options": dict(info.options)}
            for name, info in found.items()
        }
        typer.echo(json.dumps(data, indent=2))
        return
    for name, info in found.items():
        typer.echo(f"{name}: {info.summary}")
        for key, text in info.options.items():
            typer.echo(f"    {key}: {text}")


def register(app: typer.Typer) -> None:
    """Add the tier commands to the ``sietch`` group."""
    app.command("tier")(tier)
    app.command("sources")(sources)
