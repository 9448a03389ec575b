"""BGT amounts, exactly: decimal strings or integer wei in, integer wei inside.

BGT has 18 decimals. Every amount is held as an ``int`` number of wei, so comparisons with the
thresholds are exact (6.9 BGT is exactly 6_900_000_000_000_000_000 wei) and fast. A ``float``
is refused: binary floats hold most decimals only approximately (``6.8 + 0.1`` is
6.8999999999999995, one step short of Hajra).
"""

from __future__ import annotations

import re
from decimal import Decimal

from gaib_core.errors import GaibError

DECIMALS = 18
WEI_PER_BGT = 10**DECIMALS
# Plain decimal notation only: no exponent, sign, thousands separator, NaN or infinity.
_DECIMAL = re.compile(r"^(\d+)(?:\.(\d*))?$|^\.(\d+)$")


class AmountError(GaibError):
    """An amount that is not an exact, non-negative BGT value."""


def bgt_to_wei(text: str) -> int:
    """Parse a decimal BGT string (``"6.9"``, ``"1111"``, ``"0.000000000000000001"``) to wei.

    Raises ``AmountError`` (one line, with the fix) for anything else, including more than 18
    decimal places, which no balance can have.
    """
    raw = text.strip()
    match = _DECIMAL.match(raw)
    if match is None:
        raise AmountError(
            f"{text!r} is not a BGT amount",
            hint="write a plain decimal number with a dot, e.g. 6.9 or 1111",
        )
    whole = match.group(1) or "0"
    fraction = match.group(2) if match.group(1) is not None else match.group(3)
    fraction = (fraction or "").rstrip("0")
    if len(fraction) > DECIMALS:
        raise AmountError(
            f"{text!r} has {len(fraction)} decimal places; BGT has {DECIMALS}",
            hint="round the amount to 18 decimal places (1 wei)",
        )
    return int(whole) * WEI_PER_BGT + int(fraction.ljust(DECIMALS, "0") or "0")


def to_wei(value: object) -> int:
    """An amount given as a decimal string (BGT), a ``Decimal`` (BGT) or an ``int`` (wei).

    ``bool`` and ``float`` are refused: a float cannot hold most decimal amounts exactly.
    """
    if isinstance(value, bool):
        raise AmountError(f"{value!r} is not an amount", hint="give BGT as a decimal string")
    if isinstance(value, float):
        raise AmountError(
            f"the float {value!r} is refused: floats cannot hold BGT amounts exactly",
            hint=f'give the amount as a decimal string ("{value!r}") or as integer wei',
        )
    if isinstance(value, int):
        if value < 0:
            raise AmountError(f"{value} wei is negative", hint="amounts are 0 or more")
        return value
    if isinstance(value, Decimal):
        return _decimal_to_wei(value)
    if isinstance(value, str):
        return bgt_to_wei(value)
    raise AmountError(
        f"{type(value).__name__} {value!r} is not an amount",
        hint="give BGT as a decimal string or wei as an integer",
    )


def _decimal_to_wei(value: Decimal) -> int:
    if not value.is_finite() or value < 0:
        raise AmountError(f"{value} is not a BGT amount", hint="amounts are finite and 0 or more")
    # Through the exact fixed-point text: Decimal arithmetic would round past 28 digits.
    return bgt_to_wei(format(value, "f"))


def format_bgt(wei: int) -> str:
    """``6_900_000_000_000_000_000`` -> ``"6.9"`` (exact, no trailing zeros)."""
    whole, fraction = divmod(wei, WEI_PER_BGT)
    if not fraction:
        return str(whole)
    return f"{whole}.{str(fraction).rjust(DECIMALS, '0').rstrip('0')}"
