"""Discord permission names and bits, loaded from ``data/permissions.json``.

Permissions travel as decimal strings on the wire and as ``int`` inside gaib; configs name them
(``VIEW_CHANNEL``). This module converts between the three and suggests the closest name for a
typo.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from gaib_core.errors import ConfigError


@dataclass(frozen=True)
class PermissionInfo:
    """One Discord permission: its name, bit, and the channel kinds it applies to (T, V, S)."""

    name: str
    bit: int
    channel: frozenset[str]
    two_factor: bool

    @property
    def value(self) -> int:
        """The permission's flag value (``1 << bit``)."""
        return 1 << self.bit


@cache
def _raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("gaib_core").joinpath("data/permissions.json").read_text()
    )
    return data


@cache
def _table() -> tuple[dict[str, PermissionInfo], dict[str, str]]:
    raw = _raw()
    by_name = {
        row["name"]: PermissionInfo(
            name=row["name"],
            bit=row["bit"],
            channel=frozenset(row["channel"]),
            two_factor=row["two_factor"],
        )
        for row in raw["permissions"]
    }
    return by_name, dict(raw["aliases"])


@cache
def _defaults() -> dict[str, tuple[str, ...]]:
    return {key: tuple(names) for key, names in _raw()["defaults"].items() if key != "_doc"}


def default_everyone() -> tuple[str, ...]:
    """Discord's permissions of @everyone in a newly created guild."""
    return _defaults()["everyone"]


def default_bot() -> tuple[str, ...]:
    """The permissions gaib documents for the bot's role (what the sandbox gives it)."""
    return _defaults()["bot"]


def all_permissions() -> list[PermissionInfo]:
    """Every documented permission, in bit order."""
    return sorted(_table()[0].values(), key=lambda p: p.bit)


def all_bits() -> int:
    """The OR of every documented permission bit."""
    mask = 0
    for info in all_permissions():
        mask |= info.value
    return mask


def lookup(name: str) -> PermissionInfo | None:
    """The permission called ``name`` (case-insensitive, aliases allowed), or None."""
    by_name, aliases = _table()
    key = name.strip().upper().replace(" ", "_").replace("-", "_")
    key = aliases.get(key, key)
    return by_name.get(key)


def flag(name: str) -> int:
    """The flag value of the permission ``name`` as the table spells it (``MANAGE_ROLES``).

    For code that needs one permission's bit: the bits live only in ``data/permissions.json``.
    ``KeyError`` for a name the table does not have (a typo in gaib's own code).
    """
    by_name, _ = _table()
    return by_name[name].value


def suggest(name: str) -> str | None:
    """The closest known permission name to ``name``, for 'did you mean' hints."""
    by_name, aliases = _table()
    matches = difflib.get_close_matches(name.strip().upper(), [*by_name, *aliases], n=1, cutoff=0.6)
    if not matches:
        return None
    return aliases.get(matches[0], matches[0])


def parse_name(name: str, *, field: str | None = None) -> PermissionInfo:
    """The permission called ``name``; ``ConfigError`` with a suggestion if there is none."""
    info = lookup(name)
    if info is None:
        guess = suggest(name)
        hint = f"did you mean {guess}?" if guess else "see `gaib server schema` for the names"
        raise ConfigError(f"unknown permission '{name}'", field=field, hint=hint)
    return info


def to_bits(names: Iterable[str]) -> int:
    """The bitfield for ``names`` (raises ``ConfigError`` for an unknown name)."""
    bits = 0
    for name in names:
        bits |= parse_name(name).value
    return bits


@cache
def _channel_letters() -> dict[int, str]:
    raw = _raw()["channel_types"]
    return {
        number: letter for letter, numbers in raw.items() if letter != "_doc" for number in numbers
    }


@cache
def channel_bits(channel_type: int) -> int:
    """The permissions that mean something in a channel of ``channel_type`` (a Discord number).

    A category (4) carries overwrites for the channels of every kind under it, so all channel
    permissions apply to it; an unknown type gets the same.
    """
    letter = _channel_letters().get(channel_type)
    bits = 0
    for info in all_permissions():
        if info.channel and (letter is None or letter in info.channel):
            bits |= info.value
    return bits


def is_voice_type(channel_type: int) -> bool:
    """True for voice and stage channels (where CONNECT gates the rest)."""
    return _channel_letters().get(channel_type) in ("V", "S")


@cache
def implicit_denies() -> tuple[int, int]:
    """(lost without SEND_MESSAGES, lost without CONNECT in a voice-like channel), as bits."""
    raw = _raw()["implicit"]
    return to_bits(raw["without_send_messages"]), to_bits(raw["without_connect_in_voice"])


def label(name: str) -> str:
    """How Discord's client names the permission ``name`` (``VIEW_CHANNEL`` -> ``View Channel``)."""
    labels: dict[str, str] = _raw()["labels"]
    return labels.get(name) or name.replace("_", " ").title()


def to_names(bits: int) -> list[str]:
    """The names of the permissions set in ``bits``, in bit order. Unknown bits are named ``BIT_n``."""
    names = [info.name for info in all_permissions() if bits & info.value]
    known = all_bits()
    extra = bits & ~known
    bit = 0
    while extra:
        if extra & 1:
            names.append(f"BIT_{bit}")
        extra >>= 1
        bit += 1
    return names


def parse_wire(value: str | int | None) -> int:
    """A permission bitfield as Discord sends it (decimal string, or int in the spec) to int."""
    if value is None or value == "":
        return 0
    return int(value)


def to_wire(bits: int) -> str:
    """A bitfield as Discord expects it on the wire: a decimal string."""
    return str(bits)
