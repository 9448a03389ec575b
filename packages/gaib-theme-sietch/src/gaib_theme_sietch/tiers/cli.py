"""``gaib sietch tier``: a holder's tier from the command line.

The tier engine is imported when the command runs, so building the CLI (``gaib --help``) stays
cheap.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import typer

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
) -> None:
    """The tier of a holder of AMOUNT at RANK: ranks 1-7 Naib, 8-69 Fedaykin, else by amount."""
    from gaib_theme_sietch.tiers.thresholds import ThresholdService
    from gaib_theme_sietch.tiers.tier import TIER_NAMES, TierService

    amount = _amount(bgt, wei)
    service = ThresholdService.from_yaml(thresholds) if thresholds else ThresholdService()
    decision = TierService(service).decide(amount, rank)
    if as_json:
        typer.echo(json.dumps(decision.as_json()))
        return
    name = TIER_NAMES[decision.tier] if decision.tier else "no tier"
    typer.echo(f"{name}: {decision.reason}")


def _amount(bgt: str | None, wei: str | None) -> int:
    from gaib_theme_sietch.tiers.amounts import AmountError, bgt_to_wei, to_wei

    if (bgt is None) == (wei is None):
        raise AmountError(
            "give the amount with exactly one of --bgt and --wei", hint="e.g. --bgt 6.9"
        )
    if bgt is not None:
        return bgt_to_wei(bgt)
    assert wei is not None
    if not _DIGITS.match(wei.strip()):
        raise AmountError(f"--wei {wei!r} is not a whole number of wei", hint="write digits only")
    return to_wei(int(wei))


def register(app: typer.Typer) -> None:
    """Add the tier commands to the ``sietch`` group."""
    app.command("tier")(tier)
