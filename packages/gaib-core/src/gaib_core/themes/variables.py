"""Typed theme variables: their spec, coercion of values, and resolution against a manifest.

Values given on the command line (``--var color_naib=#FFD700``) arrive as text and are coerced by
the variable's type; values given from Python may already be typed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gaib_core.config.models import normalize_color
from gaib_core.config.source import LoadedYaml, PathKey, format_path
from gaib_core.errors import SourceLocation, VariableError

VariableType = Literal["string", "color", "boolean", "integer", "enum"]
VariableValue = str | bool | int
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
_INT_TEXT = re.compile(r"[+-]?\d{1,30}")


class VariableSpec(BaseModel):
    """One variable of a theme manifest."""

    model_config = ConfigDict(extra="forbid")

    type: VariableType = Field(description="string, color, boolean, integer or enum.")
    default: VariableValue | None = Field(None, description="Value used when none is given.")
    description: str = Field("", description="What the variable changes.")
    values: list[VariableValue] | None = Field(None, description="Allowed values (enum only).")
    min: int | None = Field(
        None, description="Smallest allowed value (integer), or fewest characters (string)."
    )
    max: int | None = Field(
        None, description="Largest allowed value (integer), or most characters (string)."
    )
    required: bool | None = Field(
        None, description="Must be given on the command line; true when there is no default."
    )

    @model_validator(mode="after")
    def _consistent(self) -> VariableSpec:
        if self.type == "enum":
            if not self.values:
                raise ValueError("an enum variable needs `values: [...]`")
            if len({str(v) for v in self.values}) != len(self.values):
                raise ValueError("enum values must be unique")
        elif self.values is not None:
            raise ValueError("`values` only applies to enum variables")
        if self.type not in ("integer", "string") and (
            self.min is not None or self.max is not None
        ):
            raise ValueError("`min`/`max` only apply to integer and string variables")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is greater than max {self.max}")
        if self.default is not None:
            if self.required:
                raise ValueError("a required variable has no default; drop one of them")
            try:
                self.default = coerce_value(self, self.default)
            except ValueError as exc:
                raise ValueError(f"default {exc}") from None
        elif self.required is False:
            raise ValueError("an optional variable needs a `default`")
        return self

    @property
    def is_required(self) -> bool:
        """True when a value must be given (there is no default)."""
        return self.default is None

    def describe_type(self) -> str:
        """The type with its constraints, e.g. ``integer 1..10`` or ``enum small|large``."""
        if self.type == "enum" and self.values:
            return "enum " + "|".join(format_value(v) for v in self.values)
        if self.type in ("integer", "string") and (self.min is not None or self.max is not None):
            low = "" if self.min is None else str(self.min)
            high = "" if self.max is None else str(self.max)
            unit = " characters" if self.type == "string" else ""
            return f"{self.type} {low}..{high}{unit}"
        return self.type


def format_value(value: Any) -> str:
    """A value as it is written in YAML and on the command line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def coerce_value(spec: VariableSpec, raw: Any) -> VariableValue:
    """``raw`` as a value of ``spec``'s type; ``ValueError`` saying what is wrong otherwise."""
    kind = spec.type
    if kind == "string":
        if not isinstance(raw, str):
            raise ValueError(f"{format_value(raw)!r} is not text; quote it")
        if "${" in raw:
            raise ValueError("a value cannot contain '${'")
        if spec.min is not None and len(raw) < spec.min:
            raise ValueError(f"{_show(raw)} is shorter than {spec.min} characters")
        if spec.max is not None and len(raw) > spec.max:
            raise ValueError(f"{_show(raw)} is longer than {spec.max} characters")
        return raw
    if kind == "color":
        return normalize_color(raw)
    if kind == "boolean":
        return _boolean(raw)
    if kind == "integer":
        return _integer(spec, raw)
    return _enum(spec, raw)


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise ValueError(f"{_show(raw)} is not a boolean; use true or false")


def _integer(spec: VariableSpec, raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError(f"{_show(raw)} is not an integer")
    if isinstance(raw, str):
        text = raw.strip()
        if not _INT_TEXT.fullmatch(text):
            raise ValueError(f"{_show(raw)} is not an integer")
        raw = int(text)
    if not isinstance(raw, int):
        raise ValueError(f"{_show(raw)} is not an integer")
    if spec.min is not None and raw < spec.min:
        raise ValueError(f"{_show(raw)} is below the minimum {spec.min}")
    if spec.max is not None and raw > spec.max:
        raise ValueError(f"{_show(raw)} is above the maximum {spec.max}")
    return raw


def _enum(spec: VariableSpec, raw: Any) -> VariableValue:
    allowed = spec.values or []
    for value in allowed:
        if value == raw and type(value) is type(raw):
            return value
    for value in allowed:
        if isinstance(raw, str) and format_value(value) == raw.strip():
            return value
    choices = ", ".join(format_value(v) for v in allowed)
    raise ValueError(f"{_show(raw)} is not one of: {choices}")


def _show(raw: Any) -> str:
    if isinstance(raw, int) and not isinstance(raw, bool) and raw.bit_length() > 64:
        return "a very large number"
    text = format_value(raw)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def resolve_values(
    variables: Mapping[str, VariableSpec],
    values: Mapping[str, Any],
    *,
    source: LoadedYaml | None = None,
    path: PathKey = (),
) -> dict[str, VariableValue]:
    """Every variable's value: given ones coerced, defaults for the rest.

    ``VariableError`` for an unknown name (with a did-you-mean), a value of the wrong type, or a
    required variable that was not given. Values come from ``--var`` options, or from the
    mapping at ``path`` of ``source`` (a file's ``theme.variables``): errors then name its line.
    """
    where = _Where(source, path)
    for name in values:
        if name not in variables:
            raise VariableError(
                f"unknown variable '{name}'",
                location=where.key(name),
                field=where.field(name),
                hint=_unknown_hint(name, variables),
            )
    out: dict[str, VariableValue] = {}
    for name, spec in variables.items():
        if name in values:
            try:
                out[name] = coerce_value(spec, values[name])
            except ValueError as exc:
                raise VariableError(
                    f"variable '{name}' ({spec.describe_type()}): {exc}",
                    location=where.value(name),
                    field=where.field(name),
                    hint=None if "e.g." in str(exc) else _type_hint(spec),
                ) from None
        elif spec.default is not None:
            out[name] = spec.default
        else:
            raise VariableError(
                f"variable '{name}' is required and has no default",
                location=where.value(None),
                field=where.field(None) if source is not None else f"--var {name}",
                hint=where.missing(name, spec),
            )
    return out


class _Where:
    """Where a variable value was given: a file's mapping, or a ``--var`` option."""

    def __init__(self, source: LoadedYaml | None, path: PathKey) -> None:
        self.source = source
        self.path = path

    def key(self, name: str) -> SourceLocation | None:
        return self.source.locate((*self.path, name), key=True) if self.source else None

    def value(self, name: str | None) -> SourceLocation | None:
        if self.source is None:
            return None
        return self.source.locate((*self.path, name) if name else self.path)

    def field(self, name: str | None) -> str:
        if self.source is None:
            return f"--var {name}"
        return format_path((*self.path, name) if name else self.path)

    def missing(self, name: str, spec: VariableSpec) -> str:
        if self.source is None:
            return f"pass --var {name}=VALUE ({spec.describe_type()})"
        return f"add `{name}: VALUE` ({spec.describe_type()}) under {format_path(self.path)}"


def _unknown_hint(name: str, variables: Mapping[str, VariableSpec]) -> str:
    guess = difflib.get_close_matches(name, list(variables), n=1)
    if guess:
        return f"did you mean '{guess[0]}'?"
    if variables:
        return f"this theme's variables: {', '.join(variables)}"
    return "this theme has no variables"


def _type_hint(spec: VariableSpec) -> str:
    return {
        "string": "give any text",
        "color": "write a color as '#RRGGBB', e.g. '#FFD700'",
        "boolean": "write true or false",
        "integer": f"write a whole number ({spec.describe_type()})",
        "enum": f"choose one of {spec.describe_type().removeprefix('enum ')}",
    }[spec.type]


def parse_assignments(items: list[str]) -> dict[str, str]:
    """``["a=1", "b=x=y"]`` -> ``{"a": "1", "b": "x=y"}``; ``ValueError`` for a bad item."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not NAME.match(name):
            raise ValueError(f"'{item}' is not NAME=VALUE")
        if name in out:
            raise ValueError(f"'{name}' is given twice")
        out[name] = value
    return out
