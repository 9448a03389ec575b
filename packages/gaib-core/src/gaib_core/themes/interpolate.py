"""``${name}`` interpolation and ``when:`` flags in theme files.

- A string that is exactly ``${name}`` becomes the variable's typed value (bool, int or text).
- Otherwise each ``${name}`` is replaced by the value's text (``true``/``false`` for booleans).
- ``$${`` is a literal ``${`` (so ``$${name}`` is written out as ``${name}``).
- ``when: ${flag}`` or ``when: !${flag}`` (also a plain YAML boolean) decides whether a list item
  is kept.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from typing import Any

from gaib_core.errors import SourceLocation, VariableError
from gaib_core.themes.variables import NAME, VariableValue, format_value

_TOKEN = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")
_EXACT = re.compile(r"\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}")
_WHEN = re.compile(r"\s*(!?)\s*\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\s*")


def references(text: str) -> Iterator[tuple[str, bool]]:
    """Each ``${...}`` reference in ``text`` as (name, well-formed); escapes are skipped."""
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token == "$${":
            continue
        if match.group(1) is None:
            yield "", False
            continue
        name = match.group(1).strip()
        yield name, bool(NAME.match(name))


def interpolate(
    text: str,
    values: Mapping[str, VariableValue],
    *,
    location: SourceLocation | None = None,
    field: str | None = None,
) -> VariableValue:
    """``text`` with every ``${name}`` replaced (typed when it is the whole string)."""
    exact = _EXACT.fullmatch(text)
    if exact:
        return _value(exact.group(1), values, location, field)
    parts: list[str] = []
    last = 0
    for match in _TOKEN.finditer(text):
        parts.append(text[last : match.start()])
        last = match.end()
        token = match.group(0)
        if token == "$${":
            parts.append("${")
            continue
        if match.group(1) is None:
            raise VariableError(
                "'${' is not closed with '}'",
                location=location,
                field=field,
                hint="write ${name}, or $${ for a literal '${'",
            )
        name = match.group(1).strip()
        if not NAME.match(name):
            raise VariableError(
                f"'${{{_clip(name)}}}' is not a variable reference",
                location=location,
                field=field,
                hint="variable names are letters, digits and _; write $${ for a literal '${'",
            )
        parts.append(format_value(_value(name, values, location, field)))
    parts.append(text[last:])
    return "".join(parts)


def _value(
    name: str,
    values: Mapping[str, VariableValue],
    location: SourceLocation | None,
    field: str | None,
) -> VariableValue:
    if name not in values:
        guess = difflib.get_close_matches(name, list(values), n=1)
        hint = (
            f"did you mean '${{{guess[0]}}}'?"
            if guess
            else "declare it under `variables:` in theme.yaml"
        )
        raise VariableError(
            f"unknown variable '${{{_clip(name)}}}'", location=location, field=field, hint=hint
        )
    return values[name]


def evaluate_when(
    raw: Any,
    values: Mapping[str, VariableValue],
    *,
    location: SourceLocation | None = None,
    field: str | None = None,
) -> bool:
    """The truth of a ``when:`` value: a YAML boolean, ``${flag}`` or ``!${flag}``."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        match = _WHEN.fullmatch(raw)
        if match:
            value = _value(match.group(2), values, location, field)
            if not isinstance(value, bool):
                raise VariableError(
                    f"when: needs a boolean, but '{match.group(2)}' is {format_value(value)!r}",
                    location=location,
                    field=field,
                    hint="use a variable of type boolean",
                )
            return not value if match.group(1) else value
    raise VariableError(
        f"when: must be a boolean flag, got {_clip(format_value(raw))!r}",
        location=location,
        field=field,
        hint="write when: ${flag} or when: !${flag}",
    )


def _clip(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."
