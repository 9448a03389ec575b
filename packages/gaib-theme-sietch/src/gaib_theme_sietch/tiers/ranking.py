"""Ranks: every holder's position by amount, with ties broken deterministically.

The rule: rank 1 is the largest amount. Equal amounts are ordered by wallet address, ascending,
compared in lower case (``0x0a...`` before ``0x0b...``), so the same holders always give the
same ranks whatever order a source lists them in. Holders with no BGT at all (0 wei) are not
ranked: an empty wallet never takes a Naib or Fedaykin seat.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import groupby


def rank_key(wallet: str, wei: int) -> tuple[int, str]:
    """The sort key of the ranking: amount descending, then wallet address ascending."""
    return (-wei, wallet.lower())


def rank_order(amounts: Sequence[tuple[str, int]]) -> list[int]:
    """The indexes into ``amounts`` (``(wallet, wei)`` pairs) of the ranked holders, rank 1
    first: every holder with a positive amount, in ``rank_key`` order."""
    weis = [wei for _, wei in amounts]
    positive = [index for index, wei in enumerate(weis) if wei > 0]
    # 100,000 holders is the everyday size: sort by amount alone (a C comparison of ints per
    # step, the sort stable), then order the runs of equal amounts by wallet, if any.
    order = sorted(positive, key=weis.__getitem__, reverse=True)
    if len({weis[index] for index in positive}) == len(positive):
        return order
    ranked: list[int] = []
    for _, run in groupby(order, key=weis.__getitem__):
        tied = list(run)
        if len(tied) > 1:
            tied.sort(key=lambda index: amounts[index][0].lower())
        ranked += tied
    return ranked


def rank_holders(amounts: Mapping[str, int] | Iterable[tuple[str, int]]) -> dict[str, int]:
    """``{wallet: rank}`` (1-based) for every holder with a positive amount, in rank order.

    ``amounts`` maps wallet addresses to wei (or is a sequence of such pairs); wallets must be
    distinct once lower-cased.
    """
    pairs = list(amounts.items() if isinstance(amounts, Mapping) else amounts)
    return {pairs[index][0]: rank for rank, index in enumerate(rank_order(pairs), start=1)}
