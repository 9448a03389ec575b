"""Changing an app configuration by dotted key: ``gaib sietch config set KEY=VALUE ...``.

Keys: ``thresholds.amounts.<tier>`` (BGT, a decimal such as ``6.9``), ``thresholds.ranks.<range>``
(a whole number), ``gates.<gate>`` (``on``/``off``, ``true``/``false``), ``roles.<role name>``
(a Discord role id). All edits of one command are applied together and validated as a whole
(thresholds must stay strictly increasing), so moving two thresholds past each other is one
command. Any error names the key, says what is wrong and how to fix it, and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gaib_core.errors import ConfigError
from pydantic import ValidationError

from gaib_theme_sietch.appconfig.models import ROLE_ID_HINT, AppConfig, gates
from gaib_theme_sietch.tiers.thresholds import AMOUNT_TIERS

RANKS = ("naib", "fedaykin", "waitlist")
_ON = {"on": True, "true": True, "yes": True, "off": False, "false": False, "no": False}


def keys_help() -> str:
    """The settable keys, for error hints."""
    amounts = ", ".join(reversed(AMOUNT_TIERS))
    return (
        f"keys are thresholds.amounts.({amounts}), thresholds.ranks.({', '.join(RANKS)}), "
        f"gates.({', '.join(gates())}) and roles.<role name>"
    )


def parse_assignment(text: str) -> tuple[str, str]:
    """``"KEY=VALUE"`` -> ``(KEY, VALUE)``."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(
            f"{text!r} is not KEY=VALUE",
            hint="e.g. gaib sietch config set thresholds.amounts.hajra=6.9 gates.veteran=off",
        )
    return key.strip(), value.strip()


def apply_edits(
    config: AppConfig, sets: Sequence[tuple[str, str]], unsets: Sequence[str] = ()
) -> AppConfig:
    """``config`` with ``sets`` applied and ``unsets`` back at their defaults (a role mapping
    unset is removed); ``ConfigError`` naming the first bad key."""
    _once([key for key, _ in sets] + list(unsets))
    data: dict[str, Any] = config.model_dump(mode="json")
    for key in unsets:
        _unset(data, key)
    for key, value in sets:
        _set(data, key, value)
    try:
        return AppConfig.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "config"
        message = error["msg"].removeprefix("Value error, ")
        if where == "thresholds.amounts" or where == "thresholds.ranks":
            where = _first_key(sets, where)
        raise ConfigError(f"{where}: {message}", hint=_hint(where)) from None


def _once(keys: Sequence[str]) -> None:
    # The same key twice in one command is a slip (the last value would win unseen).
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ConfigError(f"{key} is given twice", hint="give each setting once")
        seen.add(key)


def _first_key(sets: Sequence[tuple[str, str]], prefix: str) -> str:
    """For an error about the thresholds as a whole: the first key the command set there."""
    return next((key for key, _ in sets if key.startswith(prefix + ".")), prefix)


def _hint(where: str) -> str | None:
    if where.startswith("thresholds"):
        return None  # the thresholds' own messages say what must hold
    if where.startswith("roles"):
        return ROLE_ID_HINT
    return keys_help()


def _path(key: str) -> tuple[str, str, str | None]:
    """``(section, name, sub)``: ``thresholds.amounts.hajra`` -> ``("thresholds", "amounts",
    "hajra")``; ``roles.Former Naib`` -> ``("roles", "Former Naib", None)``."""
    section, _, rest = key.partition(".")
    if section == "roles" and rest:
        return section, rest, None  # a role name may itself hold dots
    if section == "gates" and rest in gates():
        return section, rest, None
    if section == "thresholds":
        group, _, name = rest.partition(".")
        if (group == "amounts" and name in AMOUNT_TIERS) or (group == "ranks" and name in RANKS):
            return section, group, name
    raise ConfigError(f"unknown setting {key!r}", hint=keys_help())


def _set(data: dict[str, Any], key: str, value: str) -> None:
    section, name, sub = _path(key)
    if section == "thresholds":
        assert sub is not None
        data["thresholds"][name][sub] = value if name == "amounts" else _rank(key, value)
    elif section == "gates":
        if value.lower() not in _ON:
            raise ConfigError(f"{key}: {value!r} is not on or off", hint="use on or off")
        data["gates"][name] = _ON[value.lower()]
    else:
        data["roles"][name] = value


def _unset(data: dict[str, Any], key: str) -> None:
    section, name, sub = _path(key)
    defaults = AppConfig().model_dump(mode="json")
    if section == "thresholds":
        assert sub is not None
        data["thresholds"][name][sub] = defaults["thresholds"][name][sub]
    elif section == "gates":
        data["gates"][name] = defaults["gates"][name]
    elif name not in data["roles"]:
        raise ConfigError(
            f"{key}: no role mapping {name!r}", hint="`gaib sietch config show` lists them"
        )
    else:
        del data["roles"][name]


def _rank(key: str, value: str) -> int:
    if not value.isdigit():
        raise ConfigError(
            f"{key}: {value!r} is not a whole number", hint="naib < fedaykin < waitlist"
        )
    return int(value)
