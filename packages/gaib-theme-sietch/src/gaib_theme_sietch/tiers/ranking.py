"""Ranks: every holder's position by amount, with ties broken deterministically.

The rule: rank 1 is the largest amount. Equal amounts are ordered by wallet address, ascending,
compared in lower case (``0x0a...`` before ``0x0b...``), so the same holders always give the
same ranks whatever order a source lists them in. Holders with no BGT at all (0 wei) are not
ranked: an empty wallet never takes a Naib or Fedaykin seat.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def rank_key(wallet: str, wei: int) -> tuple[int, str]:
    """The sort key of the ranking: amount descending, then wallet address ascending."""
    return (-wei, wallet.lower())


def rank_holders(amounts: Mapping[str, int] | Iterable[tuple[str, int]]) -> dict[str, int]:
    """``{wallet: rank}`` (1-based) for every holder with a positive amount.

    ``amounts`` maps wallet addresses to wei (or is a sequence of such pairs); wallets must be
    distinct once lower-cased.
    """
    pairs = amounts.items() if isinstance(amounts, Mapping) else amounts
    # rank_key's order, flattened into one tuple (no call per holder: 100,000 holders is the
    # everyday size).
    ranked = sorted([(-wei, wallet.lower(), wallet) for wallet, wei in pairs if wei > 0])
    return {wallet: position for position, (_, _, wallet) in enumerate(ranked, start=1)}
