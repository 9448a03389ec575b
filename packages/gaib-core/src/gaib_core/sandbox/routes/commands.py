"""Application commands, global and per guild, as Discord registers them.

``GET|POST|PUT /applications/{application_id}/commands``,
``GET|PATCH|DELETE /applications/{application_id}/commands/{command_id}`` and the same under
``/applications/{application_id}/guilds/{guild_id}/commands``. As on Discord:

- the application is the bot's own (its id is the bot user's id); another one is 403 / 20012;
- guild commands need the bot in the guild (403 / 50001 Missing Access otherwise);
- POST with the name (and type) of an existing command updates it (200), else creates (201);
- PUT replaces the whole set: commands matched by name and type keep their id, the rest are
  deleted; duplicate names in one PUT are refused;
- at most 100 chat-input commands per scope (30032); a CHAT_INPUT command needs a description.
"""

from __future__ import annotations

from typing import Any

from gaib_core.sandbox.bodies import CommandBody, CommandPatchBody, parse_body
from gaib_core.sandbox.responses import (
    APIError,
    SandboxResponse,
    empty_response,
    invalid_field,
    json_response,
    missing_access,
)
from gaib_core.sandbox.routes.common import snowflake_param
from gaib_core.sandbox.routing import Request, Router
from gaib_core.sandbox.store import StoredCommand

CHAT_INPUT = 1
MAX_COMMANDS = 100
GLOBAL = "/applications/{application_id}/commands"
GUILD = "/applications/{application_id}/guilds/{guild_id}/commands"


def command_json(cmd: StoredCommand) -> dict[str, Any]:
    """``ApplicationCommandResponse``."""
    data: dict[str, Any] = {
        "id": cmd.id,
        "application_id": cmd.application_id,
        "version": cmd.version,
        "default_member_permissions": cmd.default_member_permissions,
        "type": cmd.type,
        "name": cmd.name,
        "name_localizations": cmd.name_localizations,
        "description": cmd.description,
        "description_localizations": cmd.description_localizations,
        "contexts": cmd.contexts,
        "integration_types": cmd.integration_types,
        "nsfw": cmd.nsfw,
    }
    if cmd.options:
        data["options"] = cmd.options
    if cmd.guild_id is not None:
        data["guild_id"] = cmd.guild_id
    else:
        data["dm_permission"] = cmd.dm_permission
    return data


def _scope(req: Request) -> tuple[str, str | None]:
    """The application id (checked to be the bot's) and the guild id (None = global)."""
    app_id = snowflake_param(req, "application_id")
    if app_id != req.store.bot_user().id:
        raise APIError(
            403, 20012, "You are not authorized to perform this action on this application"
        )
    if "guild_id" not in req.params:
        return app_id, None
    guild = req.store.guild(snowflake_param(req, "guild_id"))
    if guild is None or req.actor_id not in guild.members:
        raise missing_access()
    return app_id, guild.id


def _commands(req: Request, app_id: str, guild_id: str | None) -> list[StoredCommand]:
    return sorted(
        (
            c
            for c in req.store.data.commands.values()
            if c.application_id == app_id and c.guild_id == guild_id
        ),
        key=lambda c: int(c.id),
    )


def _unknown_command() -> APIError:
    return APIError(404, 10063, "Unknown application command")


def _fields(body: CommandBody | CommandPatchBody, existing: StoredCommand | None) -> dict[str, Any]:
    """The stored fields a body sets (``None`` for unset ones is left out)."""
    values: dict[str, Any] = {}
    for name in body.model_fields_set:
        value = getattr(body, name)
        if name == "options":
            value = [o.model_dump(exclude_none=True) for o in value or []]
        elif name == "default_member_permissions":
            value = None if value is None else str(value)
        elif name in ("dm_permission", "nsfw") and value is None:
            continue
        elif name == "integration_types" and value is None:
            value = [0]
        values[name] = value
    if existing is None and "type" not in values:
        values["type"] = CHAT_INPUT
    values.pop("type", None) if existing is not None else None
    return values


def _check_description(
    name: str, kind: int, description: str | None, path: list[str | int]
) -> None:
    if kind == CHAT_INPUT and not description:
        raise invalid_field([*path, "description"], "BASE_TYPE_REQUIRED", "This field is required")


def _upsert(
    req: Request, app_id: str, guild_id: str | None, body: CommandBody, path: list[str | int]
) -> tuple[StoredCommand, bool]:
    """Create the command, or update the one with its name and type; True if created."""
    kind = body.type or CHAT_INPUT
    _check_description(body.name, kind, body.description, path)
    existing = next(
        (c for c in _commands(req, app_id, guild_id) if c.name == body.name and c.type == kind),
        None,
    )
    values = _fields(body, existing)
    if existing is None:
        count = sum(1 for c in _commands(req, app_id, guild_id) if c.type == kind)
        if count >= MAX_COMMANDS:
            raise APIError(
                400, 30032, f"Maximum number of application commands reached ({MAX_COMMANDS})"
            )
        snowflake = req.store.snowflake()
        command = StoredCommand(
            id=snowflake, application_id=app_id, guild_id=guild_id, version=snowflake, **values
        )
        req.store.data.commands[command.id] = command
        return command, True
    changed = {k: v for k, v in values.items() if getattr(existing, k) != v}
    if changed:
        for key, value in changed.items():
            setattr(existing, key, value)
        existing.version = req.store.snowflake()
    return existing, False


def list_commands(req: Request) -> SandboxResponse:
    """Every command of the scope."""
    app_id, guild_id = _scope(req)
    return json_response(200, [command_json(c) for c in _commands(req, app_id, guild_id)])


def create_command(req: Request) -> SandboxResponse:
    """Create (201) or update by name and type (200)."""
    app_id, guild_id = _scope(req)
    body = parse_body(CommandBody, req.json(default={}))
    command, created = _upsert(req, app_id, guild_id, body, [])
    return json_response(201 if created else 200, command_json(command))


def overwrite_commands(req: Request) -> SandboxResponse:
    """Replace the scope's commands with the list sent; returns the new set."""
    app_id, guild_id = _scope(req)
    bodies = parse_body(list[CommandBody], req.json(default=[]))
    seen: set[tuple[str, int]] = set()
    for index, body in enumerate(bodies):
        key = (body.name, body.type or CHAT_INPUT)
        if key in seen:
            raise invalid_field(
                [index, "name"],
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                f"Application command names must be unique: {body.name}",
            )
        seen.add(key)
        _check_description(body.name, key[1], body.description, [index])
    kept: set[str] = set()
    for index, body in enumerate(bodies):
        command, _ = _upsert(req, app_id, guild_id, body, [index])
        kept.add(command.id)
    for command in _commands(req, app_id, guild_id):
        if command.id not in kept:
            del req.store.data.commands[command.id]
    return json_response(200, [command_json(c) for c in _commands(req, app_id, guild_id)])


def _command_of(req: Request, app_id: str, guild_id: str | None) -> StoredCommand:
    command = req.store.data.commands.get(snowflake_param(req, "command_id"))
    if command is None or command.application_id != app_id or command.guild_id != guild_id:
        raise _unknown_command()
    return command


def get_command(req: Request) -> SandboxResponse:
    """One command."""
    app_id, guild_id = _scope(req)
    return json_response(200, command_json(_command_of(req, app_id, guild_id)))


def modify_command(req: Request) -> SandboxResponse:
    """Change the fields sent."""
    app_id, guild_id = _scope(req)
    command = _command_of(req, app_id, guild_id)
    body = parse_body(CommandPatchBody, req.json(default={}))
    values = _fields(body, command)
    if "name" in values and values["name"] is None:
        raise invalid_field(["name"], "BASE_TYPE_REQUIRED", "This field is required")
    clash = next(
        (
            c
            for c in _commands(req, app_id, guild_id)
            if c.name == values.get("name") and c.type == command.type and c.id != command.id
        ),
        None,
    )
    if clash is not None:
        raise invalid_field(
            ["name"],
            "APPLICATION_COMMANDS_DUPLICATE_NAME",
            f"Application command names must be unique: {clash.name}",
        )
    changed = {k: v for k, v in values.items() if getattr(command, k) != v}
    if changed:
        for key, value in changed.items():
            setattr(command, key, value)
        command.version = req.store.snowflake()
    return json_response(200, command_json(command))


def delete_command(req: Request) -> SandboxResponse:
    """Delete one command (204)."""
    app_id, guild_id = _scope(req)
    command = _command_of(req, app_id, guild_id)
    del req.store.data.commands[command.id]
    return empty_response()


def register(router: Router) -> None:
    """Add the routes of this module."""
    for base in (GLOBAL, GUILD):
        router.add("GET", base, list_commands)
        router.add("POST", base, create_command)
        router.add("PUT", base, overwrite_commands)
        router.add("GET", base + "/{command_id}", get_command)
        router.add("PATCH", base + "/{command_id}", modify_command)
        router.add("DELETE", base + "/{command_id}", delete_command)
