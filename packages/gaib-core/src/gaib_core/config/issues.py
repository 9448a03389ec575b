"""From pydantic ``ValidationError`` to one-line, located ``ConfigIssue``s.

Each error's ``loc`` is a data path; the ``LoadedYaml`` it was validated from says where that
path was written, so the message reads ``file:line:column: roles[3].color: ...; how to fix``.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from gaib_core.config.source import LoadedYaml, PathKey, clip, describe_value, format_path
from gaib_core.errors import ConfigError, ConfigErrors, ConfigIssue


def _strip_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def model_at(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The pydantic model describing the mapping at ``loc`` (None if it is not a model)."""
    current: Any = model
    steps = list(loc)
    index = 0
    while index < len(steps):
        step = steps[index]
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        if not isinstance(step, str) or step not in current.model_fields:
            return None
        annotation = _strip_optional(current.model_fields[step].annotation)
        index += 1
        if typing.get_origin(annotation) in (list, dict):
            if index >= len(steps):
                return None
            index += 1  # the list index or dict key
            annotation = _strip_optional(typing.get_args(annotation)[-1])
        current = annotation
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def issues_from_validation(
    exc: ValidationError,
    model: type[BaseModel],
    source: LoadedYaml,
    prefix: PathKey = (),
) -> list[ConfigIssue]:
    """One ``ConfigIssue`` per pydantic error, located in ``source``."""
    issues: list[ConfigIssue] = []
    for error in exc.errors(include_url=False, include_context=False):
        loc: PathKey = (*prefix, *(step for step in error["loc"] if isinstance(step, str | int)))
        issues.append(_issue(error, loc, model, source, prefix))
    return issues


def _issue(
    error: Any, loc: PathKey, model: type[BaseModel], source: LoadedYaml, prefix: PathKey
) -> ConfigIssue:
    kind = error["type"]
    message = str(error["msg"]).removeprefix("Value error, ")
    hint: str | None = None
    key_position = False
    model_loc = loc[len(prefix) :]
    if kind == "missing":
        name = loc[-1] if loc else "value"
        message = f"'{name}' is required"
        hint = f"add `{name}:`"
    elif kind == "extra_forbidden":
        name = str(loc[-1])
        owner = model_at(model, model_loc[:-1])
        allowed = list(owner.model_fields) if owner else []
        guess = difflib.get_close_matches(name, allowed, n=1)
        message = f"unknown field '{clip(name, 60)}'"
        hint = f"did you mean '{guess[0]}'?" if guess else None
        if allowed and not guess:
            hint = f"remove it; allowed here: {', '.join(allowed)}"
        key_position = True
    elif kind not in ("value_error", "assertion_error"):
        message = f"{message[:1].lower()}{message[1:]}, got {describe_value(source.get(loc))}"
        hint = _type_hint(kind)
    elif kind == "value_error":
        loc = _refine(loc, message, source)
    message = clip(message)
    return ConfigIssue(
        message=message,
        location=source.locate(loc, key=key_position),
        field=format_path(loc) or None,
        hint=hint,
    )


# How to fix the common pydantic error kinds (by prefix of the error type).
_TYPE_HINTS = (
    ("int_", "write a whole number"),
    ("bool_", "write true or false"),
    ("string_type", "write text; quote it if YAML reads it as a number or boolean"),
    ("list_type", "write a list: [a, b] or one '- item' per line"),
    ("dict_type", "write a mapping: one 'key: value' per line"),
    ("model_", "write a mapping: one 'field: value' per line"),
    ("literal_error", "use one of the values listed"),
    ("enum", "use one of the values listed"),
    ("too_long", "remove some items"),
    ("string_too_long", "shorten it"),
    ("string_too_short", "it cannot be empty"),
)


def _type_hint(kind: str) -> str | None:
    return next((hint for prefix, hint in _TYPE_HINTS if kind.startswith(prefix)), None)


def _refine(loc: PathKey, message: str, source: LoadedYaml) -> PathKey:
    """Point a model-level error at the field or list item it is about, when it says which."""
    value = source.get(loc)
    quoted = re.search(r"'([^']*)'", message)
    if isinstance(value, list) and quoted:
        for index, item in enumerate(value):
            if isinstance(item, str) and item == quoted.group(1):
                return (*loc, index)
    if isinstance(value, dict):
        first_word = message.split(" ", 1)[0]
        if first_word in value:
            return (*loc, first_word)
    return loc


def validate_document(
    model: type[BaseModel], data: Any, source: LoadedYaml, prefix: PathKey = ()
) -> Any:
    """``model.model_validate(data)``, turning every error into one located ``ConfigErrors``."""
    if not isinstance(data, dict):
        raise ConfigError(
            f"expected a mapping of fields, got {describe_value(data)}",
            location=source.locate(prefix),
            field=format_path(prefix) or None,
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigErrors(issues_from_validation(exc, model, source, prefix)) from None
    except (ValueError, TypeError, RecursionError) as exc:  # defensive: never a traceback
        raise ConfigError(
            f"invalid value: {clip(str(exc))}", location=source.locate(prefix)
        ) from None
