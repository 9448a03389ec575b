"""ThresholdService: the tier thresholds and rank ranges, as validated configuration.

Defaults are Sietch v3.0's (PRD 2.1.1): Hajra 6.9, Ichwan 69, Qanat 222, Sihaya 420,
Mushtamal 690, Sayyadina 888, Usul 1111 BGT; Naib ranks 1-7, Fedaykin 8-69, waitlist 70-100.
A community can change them in a YAML file (``gaib sietch tier --thresholds FILE``)::

    amounts:            # BGT, inclusive; strictly increasing from hajra to usul
      hajra: "6.9"
      ichwan: "69"
    ranks:              # the last rank of each range
      naib: 7
      fedaykin: 69
      waitlist: 100

Amounts are written as strings or integers; an unquoted ``6.9`` is a YAML float and is refused
(floats cannot hold BGT exactly).
"""

from __future__ import annotations

from bisect import bisect_right
from pathlib import Path
from typing import Annotated, Any, Literal

from gaib_core.config.source import load_yaml
from gaib_core.errors import ConfigError
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    model_validator,
)

from gaib_theme_sietch.tiers.amounts import AmountError, format_bgt, to_wei

AmountTier = Literal["usul", "sayyadina", "mushtamal", "sihaya", "qanat", "ichwan", "hajra"]
RankTier = Literal["naib", "fedaykin"]
Tier = Literal[
    "naib", "fedaykin", "usul", "sayyadina", "mushtamal", "sihaya", "qanat", "ichwan", "hajra"
]
# Highest first: the order the theme's roles.yaml lists the tier roles in.
TIERS: tuple[Tier, ...] = (
    "naib",
    "fedaykin",
    "usul",
    "sayyadina",
    "mushtamal",
    "sihaya",
    "qanat",
    "ichwan",
    "hajra",
)
AMOUNT_TIERS: tuple[AmountTier, ...] = (
    "usul",
    "sayyadina",
    "mushtamal",
    "sihaya",
    "qanat",
    "ichwan",
    "hajra",
)
SETTINGS = "amounts: (hajra, ichwan, qanat, sihaya, mushtamal, sayyadina, usul) and ranks: (naib, fedaykin, waitlist)"


def _wei(value: Any) -> int:
    """Config amounts: a decimal string or an integer, both in BGT (never a float)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # an integer in a YAML file means whole BGT, not wei
    try:
        return to_wei(value)
    except AmountError as exc:
        raise ValueError(str(exc)) from None


# In JSON an amount is written back as its exact decimal string: the form it is read from (an
# integer there would mean whole BGT, not wei), so a dump validates to the same thresholds.
Wei = Annotated[int, BeforeValidator(_wei), PlainSerializer(format_bgt, when_used="json")]


class AmountThresholds(BaseModel):
    """The lowest amount (inclusive, in wei) of each amount-based tier."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hajra: Wei = Field(default="6.9", validate_default=True)
    ichwan: Wei = Field(default="69", validate_default=True)
    qanat: Wei = Field(default="222", validate_default=True)
    sihaya: Wei = Field(default="420", validate_default=True)
    mushtamal: Wei = Field(default="690", validate_default=True)
    sayyadina: Wei = Field(default="888", validate_default=True)
    usul: Wei = Field(default="1111", validate_default=True)

    @model_validator(mode="after")
    def _increasing(self) -> AmountThresholds:
        previous: tuple[str, int] | None = None
        for tier in reversed(AMOUNT_TIERS):  # hajra upwards
            wei = getattr(self, tier)
            if wei <= 0:
                raise ValueError(f"{tier} is {format_bgt(wei)} BGT; thresholds must be positive")
            if previous is not None and wei <= previous[1]:
                raise ValueError(
                    f"{tier} ({format_bgt(wei)} BGT) must be above {previous[0]} "
                    f"({format_bgt(previous[1])} BGT); thresholds increase from hajra to usul"
                )
            previous = (tier, wei)
        return self


class RankRanges(BaseModel):
    """The last rank of each rank range: Naib 1..naib, Fedaykin naib+1..fedaykin, waitlist
    fedaykin+1..waitlist."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    naib: int = 7
    fedaykin: int = 69
    waitlist: int = 100

    @model_validator(mode="after")
    def _increasing(self) -> RankRanges:
        if self.naib < 1:
            raise ValueError(f"naib is {self.naib}; the Naib range needs at least rank 1")
        if not self.naib < self.fedaykin < self.waitlist:
            raise ValueError(
                f"naib ({self.naib}) < fedaykin ({self.fedaykin}) < waitlist ({self.waitlist}) "
                "must hold; each is the last rank of its range"
            )
        return self


class Thresholds(BaseModel):
    """All tier configuration: amount thresholds and rank ranges."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    amounts: AmountThresholds = AmountThresholds()
    ranks: RankRanges = RankRanges()


class ThresholdService:
    """Answers threshold questions for one validated ``Thresholds``."""

    def __init__(self, thresholds: Thresholds | None = None) -> None:
        self.thresholds = thresholds or Thresholds()
        amounts = self.thresholds.amounts
        # Highest first, so the first threshold an amount reaches is its tier.
        self.ladder: tuple[tuple[AmountTier, int], ...] = tuple(
            (tier, getattr(amounts, tier)) for tier in AMOUNT_TIERS
        )
        # Lowest first, for bisect: the thresholds an amount reaches are a prefix.
        self._floors = [wei for _, wei in reversed(self.ladder)]
        self._tiers = [tier for tier, _ in reversed(self.ladder)]

    @classmethod
    def from_yaml(cls, path: Path) -> ThresholdService:
        """Load and validate a thresholds file; errors name the file, line and field."""
        loaded = load_yaml(path)
        data = {} if loaded.data is None else loaded.data
        try:
            return cls(Thresholds.model_validate(data))
        except ValidationError as exc:
            error = exc.errors()[0]
            where = tuple(str(p) if isinstance(p, str) else p for p in error["loc"])
            field = ".".join(str(p) for p in where) or None
            if error["type"] == "extra_forbidden":
                raise ConfigError(
                    "unknown setting",
                    location=loaded.locate(where, key=True),
                    field=field,
                    hint=f"a thresholds file has {SETTINGS}",
                ) from None
            message = error["msg"].removeprefix("Value error, ")
            raise ConfigError(message, location=loaded.locate(where), field=field) from None

    def amount_tier(self, wei: int) -> AmountTier | None:
        """The highest amount tier ``wei`` reaches (thresholds are inclusive), or ``None``."""
        reached = bisect_right(self._floors, wei)  # thresholds <= wei
        return self._tiers[reached - 1] if reached else None

    def threshold(self, tier: AmountTier) -> int:
        """The lowest amount (wei) of ``tier``."""
        return int(getattr(self.thresholds.amounts, tier))

    def rank_tier(self, rank: int | None) -> RankTier | None:
        """Naib or Fedaykin when ``rank`` falls in their ranges, else ``None``."""
        if rank is None:
            return None
        ranks = self.thresholds.ranks
        if 1 <= rank <= ranks.naib:
            return "naib"
        if ranks.naib < rank <= ranks.fedaykin:
            return "fedaykin"
        return None

    def on_waitlist(self, rank: int | None) -> bool:
        """Whether ``rank`` is a waitlist position (after the last Fedaykin seat)."""
        ranks = self.thresholds.ranks
        return rank is not None and ranks.fedaykin < rank <= ranks.waitlist
