"""Request bodies of the sandbox's routes, validated like Discord does (400 / 50035 ``errors`` tree).

pydantic does the validation; ``parse_body`` turns its errors into Discord's nested
``{"field": {"_errors": [{"code", "message"}]}}`` tree with Discord's error code names.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from gaib_core.sandbox.responses import field_error, invalid_form, merge_trees, nest

T = TypeVar("T")

GUILD_CHANNEL_TYPES = (0, 2, 4, 5, 13, 14, 15, 16)


def _snowflake(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str) and value.isdigit():
        return value
    raise PydanticCustomError(
        "NUMBER_TYPE_COERCE", 'Value "{value}" is not snowflake.', {"value": value}
    )


def _bitfield(value: Any) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise PydanticCustomError("NUMBER_TYPE_COERCE", 'Value "{value}" is not int.', {"value": value})


def _enum(*allowed: int) -> Any:
    """A validator for an integer enum: Discord's ENUM_TYPE_COERCE for anything else."""

    def check(value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and value in allowed:
            return value
        raise PydanticCustomError(
            "ENUM_TYPE_COERCE", 'Value "{value}" is not a valid enum value.', {"value": value}
        )

    return BeforeValidator(check)


def _guild_name(value: Any) -> Any:
    if isinstance(value, str) and not 2 <= len(value) <= 100:
        raise PydanticCustomError("BASE_TYPE_BAD_LENGTH", "Must be between 2 and 100 in length.")
    return value


Snowflake = Annotated[str, BeforeValidator(_snowflake)]
Bitfield = Annotated[int, BeforeValidator(_bitfield)]
Color = Annotated[int, Field(ge=0, le=0xFFFFFF)]


class _Body(BaseModel):
    # Discord ignores fields it does not know; so do we.
    model_config = ConfigDict(extra="ignore")


class RoleBody(_Body):
    """``CreateRoleRequest`` / ``UpdateRoleRequestPartial``."""

    name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    permissions: Bitfield | None = None
    color: Color | None = None
    colors: dict[str, Color | None] | None = None
    hoist: bool | None = None
    mentionable: bool | None = None
    icon: str | None = None
    unicode_emoji: Annotated[str, Field(max_length=100)] | None = None


class RolePositionBody(_Body):
    """One entry of ``PATCH /guilds/{id}/roles``."""

    id: Snowflake
    position: int | None = None


class OverwriteBody(_Body):
    """A permission overwrite inside a channel create/modify body (``type`` absent/null = role)."""

    id: Snowflake
    type: Annotated[int, Field(ge=0, le=1)] | None = None
    allow: Bitfield | None = None
    deny: Bitfield | None = None


class OverwritePutBody(_Body):
    """``PUT /channels/{cid}/permissions/{oid}``."""

    type: Annotated[int, Field(ge=0, le=1)]
    allow: Bitfield | None = None
    deny: Bitfield | None = None


class _ChannelFields(_Body):
    topic: Annotated[str, Field(max_length=4096)] | None = None
    bitrate: Annotated[int, Field(ge=8000, le=384000)] | None = None
    user_limit: Annotated[int, Field(ge=0, le=10000)] | None = None
    rate_limit_per_user: Annotated[int, Field(ge=0, le=21600)] | None = None
    position: Annotated[int, Field(ge=0)] | None = None
    permission_overwrites: Annotated[list[OverwriteBody], Field(max_length=100)] | None = None
    parent_id: Snowflake | None = None
    nsfw: bool | None = None
    rtc_region: str | None = None
    video_quality_mode: Annotated[int, Field(ge=1, le=2)] | None = None
    default_auto_archive_duration: int | None = None
    flags: int | None = None


class ChannelCreateBody(_ChannelFields):
    """``CreateGuildChannelRequest``."""

    name: Annotated[str, Field(min_length=1, max_length=100)]
    type: int | None = None


class ChannelModifyBody(_ChannelFields):
    """``UpdateGuildChannelRequestPartial`` (guild channel variant)."""

    name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    type: int | None = None


class ChannelPositionBody(_Body):
    """One entry of ``PATCH /guilds/{id}/channels``."""

    id: Snowflake
    position: Annotated[int, Field(ge=0)] | None = None
    parent_id: Snowflake | None = None
    lock_permissions: bool | None = None


# Discord's enums for Modify Guild (openapi.json: VerificationLevels, UserNotificationSettings,
# GuildExplicitContentFilterTypes, AfkTimeouts).
VERIFICATION_LEVELS = (0, 1, 2, 3, 4)
NOTIFICATION_LEVELS = (0, 1)
CONTENT_FILTERS = (0, 1, 2)
AFK_TIMEOUTS = (60, 300, 900, 1800, 3600)


class GuildBody(_Body):
    """``GuildPatchRequestPartial`` (the fields the sandbox keeps; null clears the nullable ones).

    Which fields were sent at all is ``model_fields_set``: an absent field is left as it is.
    """

    name: Annotated[str, BeforeValidator(_guild_name)] | None = None
    description: Annotated[str, Field(max_length=300)] | None = None
    icon: str | None = None
    verification_level: Annotated[int, _enum(*VERIFICATION_LEVELS)] | None = None
    default_message_notifications: Annotated[int, _enum(*NOTIFICATION_LEVELS)] | None = None
    explicit_content_filter: Annotated[int, _enum(*CONTENT_FILTERS)] | None = None
    afk_timeout: Annotated[int, _enum(*AFK_TIMEOUTS)] | None = None
    afk_channel_id: Snowflake | None = None
    system_channel_id: Snowflake | None = None


class MemberBody(_Body):
    """``PATCH /guilds/{gid}/members/{uid}`` (the fields the sandbox supports)."""

    roles: Annotated[list[Snowflake], Field(max_length=350)] | None = None
    nick: Annotated[str, Field(max_length=32)] | None = None


# Discord's rule for command and option names (CHAT_INPUT): 1-32 letters, digits, - and _ of any
# script, lowercase where the script has case.
COMMAND_NAME = r"^[-_'\w]{1,32}$"


def _command_name(value: Any) -> str:
    if not isinstance(value, str) or not re.match(COMMAND_NAME, value) or value != value.lower():
        raise PydanticCustomError(
            "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid", {"value": value}
        )
    return value


CommandName = Annotated[str, BeforeValidator(_command_name)]


class CommandOptionBody(_Body):
    """One option of a command (``ApplicationCommand*Option``); sub-options kept as sent."""

    type: Annotated[int, Field(ge=1, le=11)]
    name: CommandName
    description: Annotated[str, Field(min_length=1, max_length=100)]
    required: bool | None = None
    choices: Annotated[list[dict[str, Any]], Field(max_length=25)] | None = None
    options: Annotated[list[dict[str, Any]], Field(max_length=25)] | None = None
    channel_types: list[int] | None = None
    min_value: float | None = None
    max_value: float | None = None
    min_length: Annotated[int, Field(ge=0, le=6000)] | None = None
    max_length: Annotated[int, Field(ge=1, le=6000)] | None = None
    autocomplete: bool | None = None


class CommandBody(_Body):
    """``ApplicationCommandCreateRequest`` (and each item of a bulk overwrite)."""

    name: CommandName
    description: Annotated[str, Field(max_length=100)] | None = None
    type: Annotated[int, Field(ge=1, le=4)] | None = None
    options: Annotated[list[CommandOptionBody], Field(max_length=25)] | None = None
    default_member_permissions: Bitfield | None = None
    dm_permission: bool | None = None
    contexts: list[Annotated[int, Field(ge=0, le=2)]] | None = None
    integration_types: list[Annotated[int, Field(ge=0, le=1)]] | None = None
    nsfw: bool | None = None
    name_localizations: dict[str, str] | None = None
    description_localizations: dict[str, str] | None = None


class CommandPatchBody(_Body):
    """``ApplicationCommandUpdateRequest`` for PATCH (every field optional)."""

    name: CommandName | None = None
    description: Annotated[str, Field(max_length=100)] | None = None
    options: Annotated[list[CommandOptionBody], Field(max_length=25)] | None = None
    default_member_permissions: Bitfield | None = None
    dm_permission: bool | None = None
    contexts: list[Annotated[int, Field(ge=0, le=2)]] | None = None
    integration_types: list[Annotated[int, Field(ge=0, le=1)]] | None = None
    nsfw: bool | None = None


_CODES = {
    "missing": ("BASE_TYPE_REQUIRED", "This field is required"),
    "string_too_long": ("BASE_TYPE_MAX_LENGTH", "Must be {max_length} or fewer in length."),
    "string_too_short": ("BASE_TYPE_MIN_LENGTH", "Must be {min_length} or more in length."),
    "too_long": ("BASE_TYPE_MAX_LENGTH", "Must be {max_length} or fewer in length."),
    "less_than_equal": ("NUMBER_TYPE_MAX", "int value should be less than or equal to {le}."),
    "greater_than_equal": ("NUMBER_TYPE_MIN", "int value should be greater than or equal to {ge}."),
    "int_parsing": ("NUMBER_TYPE_COERCE", "Value is not int."),
    "int_type": ("NUMBER_TYPE_COERCE", "Value is not int."),
    "int_from_float": ("NUMBER_TYPE_COERCE", "Value is not int."),
    "bool_parsing": ("BOOLEAN_TYPE_COERCE", "Value must be one of (False, True)."),
    "bool_type": ("BOOLEAN_TYPE_COERCE", "Value must be one of (False, True)."),
    "string_type": ("BASE_TYPE_STRING", "Could not interpret value as string."),
    "list_type": ("BASE_TYPE_ARRAY", "Must be an array."),
    "model_type": ("DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType"),
    "dict_type": ("DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType"),
}


def errors_tree(exc: ValidationError) -> dict[str, Any]:
    """pydantic's errors as Discord's 50035 ``errors`` tree."""
    tree: dict[str, Any] = {}
    for err in exc.errors():
        code, template = _CODES.get(err["type"], (err["type"], err["msg"]))
        if err["type"].isupper():
            code, message = err["type"], err["msg"]
        else:
            message = template.format(**(err.get("ctx") or {}))
        path = [p for p in err["loc"] if not (isinstance(p, str) and "[" in p)]
        leaf = field_error(code, message)
        merge_trees(tree, nest(list(path), leaf) if path else leaf)
    return tree


@cache
def _adapter(model: Any) -> TypeAdapter[Any]:
    return TypeAdapter(model)


def parse_body(model: type[T], data: Any) -> T:
    """Validate ``data`` as ``model`` (a body model or a list of them) or raise 400 / 50035."""
    try:
        adapter: TypeAdapter[T] = _adapter(model)  # type: ignore[arg-type]
        return adapter.validate_python(data)
    except ValidationError as exc:
        raise invalid_form(errors_tree(exc)) from None
