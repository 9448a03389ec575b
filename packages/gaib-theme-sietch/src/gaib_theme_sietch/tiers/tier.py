"""TierService: a holder's tier from their amount and rank.

Rank overrides amount: ranks 1-7 are Naib and 8-69 Fedaykin whatever the amount; everyone else
(the waitlist 70-100 included) gets the highest amount tier they reach, thresholds inclusive.
Below the lowest threshold (6.9 BGT) and outside the rank seats the tier is ``None`` ("none").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gaib_theme_sietch.tiers.amounts import format_bgt
from gaib_theme_sietch.tiers.thresholds import ThresholdService, Tier

TIER_NAMES: dict[str, str] = {
    "naib": "Naib",
    "fedaykin": "Fedaykin",
    "usul": "Usul",
    "sayyadina": "Sayyadina",
    "mushtamal": "Mushtamal",
    "sihaya": "Sihaya",
    "qanat": "Qanat",
    "ichwan": "Ichwan",
    "hajra": "Hajra",
}


@dataclass(frozen=True, slots=True)
class TierDecision:
    """A tier (``None`` = no tier role) and why it was given."""

    tier: Tier | None
    rank: int | None
    wei: int
    reason: str

    def as_json(self) -> dict[str, object]:
        """``{"tier", "rank", "bgt", "reason"}`` with ``"none"`` for no tier."""
        return {
            "tier": self.tier or "none",
            "rank": self.rank,
            "bgt": format_bgt(self.wei),
            "reason": self.reason,
        }


class TierService:
    """Decides tiers with one ``ThresholdService``."""

    def __init__(self, thresholds: ThresholdService | None = None) -> None:
        self.thresholds = thresholds or ThresholdService()

    def tier(self, wei: int, rank: int | None = None) -> Tier | None:
        """The tier alone (the fast path used for whole holder lists)."""
        return self.thresholds.rank_tier(rank) or self.thresholds.amount_tier(wei)

    def tiers(self, holders: Iterable[tuple[int, int | None]]) -> list[Tier | None]:
        """``tier(wei, rank)`` of each ``(wei, rank)`` pair: the same answers, with one call
        per holder instead of three (whole holder lists: 100,000 is an everyday size)."""
        ranks = self.thresholds.thresholds.ranks
        naib, fedaykin = ranks.naib, ranks.fedaykin
        amount_tier = self.thresholds.amount_tier
        return [
            ("naib" if rank <= naib else "fedaykin")
            if rank is not None and 1 <= rank <= fedaykin
            else amount_tier(wei)
            for wei, rank in holders
        ]

    def decide(self, wei: int, rank: int | None = None) -> TierDecision:
        """The tier of a holder of ``wei`` at ``rank`` (``None`` = unranked), with the reason."""
        if rank is not None and rank < 1:
            raise ValueError(f"rank {rank} is not a position; ranks start at 1")
        ranks = self.thresholds.thresholds.ranks
        by_rank = self.thresholds.rank_tier(rank)
        if by_rank == "naib":
            reason = (
                f"rank {rank} is in the Naib seats (ranks 1-{ranks.naib}); rank overrides amount"
            )
            return TierDecision("naib", rank, wei, reason)
        if by_rank == "fedaykin":
            reason = (
                f"rank {rank} is in the Fedaykin seats (ranks {ranks.naib + 1}-{ranks.fedaykin}); "
                "rank overrides amount"
            )
            return TierDecision("fedaykin", rank, wei, reason)
        tier = self.thresholds.amount_tier(wei)
        where = self._position(rank)
        amount = format_bgt(wei)
        if tier is None:
            lowest = format_bgt(self.thresholds.threshold("hajra"))
            reason = f"{where}; {amount} BGT is below the lowest threshold (Hajra, {lowest} BGT)"
        else:
            threshold = format_bgt(self.thresholds.threshold(tier))
            reason = f"{where}; {amount} BGT reaches {TIER_NAMES[tier]} ({threshold} BGT or more)"
        return TierDecision(tier, rank, wei, reason)

    def _position(self, rank: int | None) -> str:
        ranks = self.thresholds.thresholds.ranks
        if rank is None:
            return "unranked"
        if self.thresholds.on_waitlist(rank):
            return f"rank {rank} is on the waitlist (ranks {ranks.fedaykin + 1}-{ranks.waitlist})"
        return f"rank {rank} is outside the seats (ranks 1-{ranks.fedaykin})"
