"""Holders and the snapshot-file source: who holds how much BGT, and who they are on Discord.

A snapshot is a CSV file with a header row, or a JSON file holding a list of objects, with
these fields (one holder per row/object):

==================  =========  ====================================================================
field               required   value
==================  =========  ====================================================================
``wallet``          yes        ``0x`` and 40 hex digits; each wallet once
``amount``          one of     BGT as a decimal string (``"6.9"``) or a whole number
``amount_wei``      these two  integer wei (18 decimals)
``discord_user_id`` no         the member's Discord id (a snowflake); empty = not linked
``badges``          no         badge names: a JSON list, or ``;``-separated in CSV
``joined_at``       no         ISO 8601 date or date-time; no time zone means UTC
==================  =========  ====================================================================

Which facts the file gives (``HolderList.provides``) follows from its columns: a CSV with a
``badges`` column (a JSON snapshot with a ``badges`` field in any object) gives badges, so a
holder without badges there has none; without the column nobody's badges are known, and a sync
leaves the roles badges decide (Water Sharer, Engaged) as they are. Likewise ``joined_at`` and
Veteran.

Every error names the file and line (``holders.csv:7: amount: ...``) and how to fix it. A JSON
number with a fraction (``6.9``) is refused: JSON readers turn it into a float, which cannot
hold BGT exactly; write ``"6.9"``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from gaib_core.errors import ConfigError, GaibError, SourceLocation

from gaib_theme_sietch.tiers.amounts import to_wei

Fact = Literal["badges", "joined_at"]
#: The facts about holders beyond wallet, amount and Discord id, which a source may not know.
FACTS: frozenset[Fact] = frozenset({"badges", "joined_at"})
FIELDS = ("wallet", "amount", "amount_wei", "discord_user_id", "badges", "joined_at")
_WALLET = re.compile(r"^0x[0-9a-fA-F]{40}$")
_SNOWFLAKE = re.compile(r"^[1-9]\d{0,19}$")
_WEI = re.compile(r"^\d+$")


@dataclass(frozen=True, slots=True)
class Holder:
    """One wallet's balance and the Discord member it is linked to (if any)."""

    wallet: str  # lower case, so the same wallet is the same key everywhere
    wei: int
    discord_user_id: str | None = None
    badges: tuple[str, ...] = ()
    joined_at: datetime | None = None
    source: SourceLocation | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class HolderList:
    """What a holder source read: the holders, where from (``origin``: for people, no secrets)
    and which facts it knows (``provides``).

    ``provides`` names the facts of ``FACTS`` the source knows for every holder: ``badges``
    (an empty ``Holder.badges`` then means "no badges") and ``joined_at`` (tenure). A fact left
    out is unknown, not empty: a sync neither gives nor takes the roles it decides (Water Sharer
    and Engaged for badges, Veteran for ``joined_at``). The default, every fact, is what a
    source that says nothing claims.
    """

    holders: list[Holder]
    origin: str
    provides: frozenset[Fact] = FACTS


@dataclass(frozen=True, slots=True)
class SnapshotSource:
    """The ``snapshot`` holder source: one CSV or JSON file (option ``path``)."""

    path: Path

    @classmethod
    def from_options(cls, options: Mapping[str, str]) -> SnapshotSource:
        """The source for ``options["path"]``."""
        path = options.get("path", "").strip()
        if not path:
            raise ConfigError(
                "the snapshot holder source needs a file",
                hint="give --holders FILE (or --source snapshot --source-option path=FILE)",
            )
        return cls(Path(path))

    @property
    def label(self) -> str:
        """The file."""
        return str(self.path)

    def read(self) -> HolderList:
        """The file's holders, and the facts its columns give."""
        return read_snapshot(self.path)


def load_snapshot(path: Path) -> list[Holder]:
    """Read a CSV (``.csv``) or JSON (any other name) holder snapshot's holders."""
    return read_snapshot(path).holders


def read_snapshot(path: Path) -> HolderList:
    """Read a CSV (``.csv``) or JSON (any other name) holder snapshot: its holders, and the
    facts (``badges``, ``joined_at``) it gives, from its columns (JSON: the fields used)."""
    where = SourceLocation(str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError("file not found", location=where, hint="check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the snapshot: {exc}", location=where) from None
    fields: set[str] = set()  # the columns (CSV) or fields (JSON) the file has, as read
    rows = (
        _csv_rows(text, str(path), fields)
        if path.suffix.lower() == ".csv"
        else _json_rows(text, str(path), fields)
    )
    holders = _holders(rows)
    return HolderList(holders, str(path), frozenset(f for f in FACTS if f in fields))


def _csv_rows(
    text: str, file: str, fields: set[str]
) -> Iterator[tuple[SourceLocation, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise ConfigError(
            "the CSV file is empty",
            location=SourceLocation(file, 1),
            hint=f"start with a header row: {','.join(FIELDS[:2])},...",
        )
    columns = [name.strip() for name in header]
    for name in columns:
        if name not in FIELDS:
            raise ConfigError(
                f"unknown column {name!r}",
                location=SourceLocation(file, 1),
                hint=f"columns are {', '.join(FIELDS)}",
            )
    fields.update(columns)
    for values in reader:
        at = SourceLocation(file, reader.line_num)
        if not any(v.strip() for v in values):
            continue  # blank line
        if len(values) != len(columns):
            raise ConfigError(
                f"{len(values)} values for {len(columns)} columns",
                location=at,
                hint="quote values that contain commas",
            )
        row: dict[str, Any] = {}
        for name, value in zip(columns, values, strict=True):
            value = value.strip()
            if value == "":
                continue
            row[name] = (
                [b.strip() for b in value.split(";") if b.strip()] if name == "badges" else value
            )
        yield at, row


def _json_rows(
    text: str, file: str, fields: set[str]
) -> Iterator[tuple[SourceLocation, dict[str, Any]]]:
    """Objects of a top-level JSON list, each with the line it starts on."""
    decoder = json.JSONDecoder(parse_float=_refuse_float, parse_constant=_refuse_constant)
    index = _skip(text, 0)
    if index >= len(text) or text[index] != "[":
        raise ConfigError(
            "a JSON snapshot is a list of holder objects",
            location=_at(file, text, index),
            hint='write [{"wallet": ..., "amount": "6.9"}, ...]',
        )
    index = _skip(text, index + 1)
    first = True
    counted, line = 0, 1  # newlines are counted once, as the reader moves on (not from 0)
    while index < len(text) and text[index] != "]":
        if not first:
            if text[index] != ",":
                raise ConfigError("expected ',' or ']'", location=_at(file, text, index))
            index = _skip(text, index + 1)
        first = False
        line += text.count("\n", counted, index)
        counted = index
        at = SourceLocation(file, line)
        try:
            value, index = decoder.raw_decode(text, index)
        except _FloatError as exc:
            raise ConfigError(
                f"the JSON number {exc.text} would be read as a float",
                location=at,
                hint=f'write amounts as strings: "{exc.text}"',
            ) from None
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"invalid JSON: {exc.msg}",
                location=SourceLocation(file, exc.lineno, exc.colno),
                hint="fix the JSON at that line and column (a missing value, comma or quote); "
                '[{"wallet": "0x...", "amount": "6.9"}, ...]',
            ) from None
        if not isinstance(value, dict):
            raise ConfigError(
                "each holder is a JSON object",
                location=at,
                hint='write {"wallet": "0x...", "amount": "6.9"}',
            )
        for name in value:
            if name not in FIELDS:
                raise ConfigError(
                    f"unknown field {name!r}", location=at, hint=f"fields are {', '.join(FIELDS)}"
                )
        fields.update(value)
        yield at, value
        index = _skip(text, index)
    if index >= len(text):
        raise ConfigError("the list is not closed with ']'", location=_at(file, text, index))
    if _skip(text, index + 1) < len(text):
        raise ConfigError(
            "text after the holder list", location=_at(file, text, _skip(text, index + 1))
        )


class _FloatError(ValueError):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _refuse_float(text: str) -> Any:
    raise _FloatError(text)


def _refuse_constant(text: str) -> Any:
    raise _FloatError(text)


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def _at(file: str, text: str, index: int) -> SourceLocation:
    return SourceLocation(file, text.count("\n", 0, index) + 1)


def _holders(rows: Iterator[tuple[SourceLocation, dict[str, Any]]]) -> list[Holder]:
    holders: list[Holder] = []
    wallets: dict[str, SourceLocation] = {}
    members: dict[str, SourceLocation] = {}
    for at, row in rows:
        holder = _holder(at, row)
        if holder.wallet in wallets:
            raise ConfigError(
                f"wallet {holder.wallet} is already on line {wallets[holder.wallet].line}",
                location=at,
                field="wallet",
                hint="list each wallet once",
            )
        wallets[holder.wallet] = at
        user = holder.discord_user_id
        if user is not None:
            if user in members:
                raise ConfigError(
                    f"Discord user {user} is already on line {members[user].line}",
                    location=at,
                    field="discord_user_id",
                    hint="one row per member: add the balances of their wallets into one row",
                )
            members[user] = at
        holders.append(holder)
    return holders


def _holder(at: SourceLocation, row: dict[str, Any]) -> Holder:
    wallet = row.get("wallet")
    if not isinstance(wallet, str) or not _WALLET.match(wallet):
        raise ConfigError(
            f"{wallet!r} is not a wallet address",
            location=at,
            field="wallet",
            hint="write 0x and 40 hex digits",
        )
    return Holder(
        wallet=wallet.lower(),
        wei=_amount(at, row),
        discord_user_id=_user(at, row.get("discord_user_id")),
        badges=_badges(at, row.get("badges")),
        joined_at=_joined(at, row.get("joined_at")),
        source=at,
    )


def _one_amount_hint(at: SourceLocation) -> str:
    # CSV leaves the other column's cell empty; a JSON object leaves the other field out.
    if str(at.file).lower().endswith(".csv"):
        return (
            "fill in the amount cell (e.g. 6.9) or the amount_wei cell, and leave the other empty"
        )
    return 'e.g. "amount": "6.9", without "amount_wei"'


def _amount(at: SourceLocation, row: dict[str, Any]) -> int:
    if ("amount" in row) == ("amount_wei" in row):
        raise ConfigError(
            "give exactly one of amount (BGT) and amount_wei",
            location=at,
            field="amount",
            hint=_one_amount_hint(at),
        )
    try:
        if "amount" in row:
            value = row["amount"]
            # An integer in a file is whole BGT (like "69"); wei has its own field.
            return to_wei(
                str(value) if isinstance(value, int) and not isinstance(value, bool) else value
            )
        value = row["amount_wei"]
        if isinstance(value, str) and _WEI.match(value):
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(
                f"{value!r} is not a whole number of wei",
                location=at,
                field="amount_wei",
                hint="write digits only, e.g. 6900000000000000000",
            )
        return to_wei(value)
    except GaibError as exc:
        if isinstance(exc, ConfigError):
            raise
        name = "amount" if "amount" in row else "amount_wei"
        raise ConfigError(exc.message, location=at, field=name, hint=exc.hint) from None


def _user(at: SourceLocation, value: Any) -> str | None:
    if value is None or value == "":
        return None
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not _SNOWFLAKE.match(text):
        raise ConfigError(
            f"{value!r} is not a Discord user id",
            location=at,
            field="discord_user_id",
            hint="write the member's numeric id (Developer Mode: Copy User ID)",
        )
    return text


def _badges(at: SourceLocation, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(b, str) and b.strip() for b in value):
        raise ConfigError(
            "badges is a list of badge names",
            location=at,
            field="badges",
            hint='write ["water-sharer", ...] (CSV: water-sharer;other)',
        )
    return tuple(sorted({b.strip() for b in value}))


def _joined(at: SourceLocation, value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        moment = datetime.fromisoformat(value) if "T" in value or " " in value else None
        if moment is None:
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day)
    except ValueError:
        raise ConfigError(
            f"{value!r} is not an ISO 8601 date",
            location=at,
            field="joined_at",
            hint="write e.g. 2026-08-01 or 2026-08-01T12:00:00Z",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
