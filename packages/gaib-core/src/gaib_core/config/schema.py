"""The JSON Schema of ``discord-server.yaml``, for editors and ``gaib server schema``.

It is generated from the pydantic models, then sharpened where the models accept more than the
canonical form: permission names become an enum (from ``data/permissions.json``), colors a
pattern, address keys a pattern, and every property gets a description.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from gaib_core import permissions as perms
from gaib_core.config.models import ServerConfig
from gaib_core.config.reference import ThemedFile

SCHEMA_ID = "https://gaib.dev/schema/discord-server.v1.json"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

_PERMISSION_FIELDS = {"allow", "deny", "permissions", "everyone_permissions"}
_KEY_PATTERN = "^[a-z][a-z0-9_]*$"
_ADDRESS_PATTERN = "^(role|category|channel)\\.[a-z][a-z0-9_]*$"
_COLOR = {
    "anyOf": [
        {"type": "string", "pattern": "^#?[0-9a-fA-F]{6}$"},
        {"type": "integer", "minimum": 0, "maximum": 0xFFFFFF},
    ],
    "default": "#000000",
    "description": "'#RRGGBB' (or an integer); '#000000' means no color.",
}
# Descriptions for properties whose model field has none (the schema is documentation too).
_DESCRIPTIONS = {
    "version": "Format version of this file; always 1.",
    "server": "Guild-level settings.",
    "theme": "In a full configuration: the theme and values it was rendered from (a record).",
    "roles": "Roles, top to bottom; all are placed below the bot's own role, in this order.",
    "categories": "Categories in display order, each with its channels.",
    "channels": "Channels outside any category.",
    "name": "Display name (1-100 characters).",
    "overwrites": "Permission overwrites by role name, '@everyone' or '@bot'. On a channel, "
    "leaving the key out syncs it with its category; `{}` means no overwrites.",
    "channels_in_category": "Channels of this category in display order (at most 50).",
    "lifecycle": "Safety switches: prevent_destroy, ignore_changes.",
    "type": "text, voice, announcement, stage or forum.",
    "topic": "Channel topic (1024 characters; 4096 for forums). Not for voice channels.",
    "nsfw": "Age-restricted channel.",
    "allow": "Permissions granted by this overwrite.",
    "deny": "Permissions denied by this overwrite.",
    "variables": "Variable values the theme was rendered with.",
}


def config_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``discord-server.yaml``.

    A file is either a full configuration (``ServerConfig``) or one that references a theme
    (``ThemedFile``: the theme, its variables, server settings, overrides and removals).
    """
    full = ServerConfig.model_json_schema()
    defs: dict[str, Any] = full.pop("$defs", {})
    defs["ServerConfig"] = full
    themed = ThemedFile.model_json_schema(ref_template="#/$defs/{model}")
    defs.update(themed.pop("$defs", {}))
    themed["properties"]["server"] = {
        "$ref": "#/$defs/ServerSettings",
        "description": "Server settings merged key by key over the theme's.",
    }
    themed["properties"]["overrides"]["propertyNames"] = {"pattern": _ADDRESS_PATTERN}
    themed["properties"]["remove"]["items"] = {"type": "string", "pattern": _ADDRESS_PATTERN}
    defs["ThemedFile"] = themed
    schema: dict[str, Any] = {
        "anyOf": [{"$ref": "#/$defs/ServerConfig"}, {"$ref": "#/$defs/ThemedFile"}],
        "$defs": defs,
    }
    names = [info.name for info in perms.all_permissions()]
    aliases = sorted(_aliases())
    defs["PermissionName"] = {
        "type": "string",
        "enum": names + aliases,
        "description": "A Discord permission name (bit order); a few aliases are accepted.",
    }
    _walk(schema, parent=None)
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": SCHEMA_ID,
        "title": "gaib discord-server.yaml",
        "description": "Roles, categories, channels and permission overwrites of one Discord "
        "server, written out in full or as a theme with the community's changes, applied by "
        "`gaib server apply`.",
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def _aliases() -> list[str]:
    raw = json.loads(resources.files("gaib_core").joinpath("data/permissions.json").read_text())
    return list(raw.get("aliases", {}))


def _walk(node: Any, parent: str | None) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, parent)
        return
    if not isinstance(node, dict):
        return
    properties = node.get("properties")
    if isinstance(properties, dict):
        for name, prop in list(properties.items()):
            properties[name] = _sharpen(name, prop, owner=node.get("title"))
    for key, value in node.items():
        if key != "properties":
            _walk(value, key)
    if isinstance(properties, dict):
        for prop in properties.values():
            _walk(prop, None)


def _sharpen(name: str, prop: dict[str, Any], owner: str | None) -> dict[str, Any]:
    if name in _PERMISSION_FIELDS:
        item = {"$ref": "#/$defs/PermissionName"}
        array: dict[str, Any] = {"type": "array", "items": item, "uniqueItems": True}
        out: dict[str, Any]
        if name == "everyone_permissions":
            out = {"anyOf": [array, {"type": "null"}], "default": None}
        else:
            out = {**array, "default": []}
        out["description"] = prop.get("description") or _DESCRIPTIONS.get(
            name, "Permissions by Discord name."
        )
        return out
    if name == "color":
        return dict(_COLOR)
    if name == "key" and owner in ("RoleConfig", "ChannelConfig", "CategoryConfig"):
        prop = {
            "anyOf": [{"type": "string", "pattern": _KEY_PATTERN}, {"type": "null"}],
            "default": None,
            "description": prop.get("description", "Address key."),
        }
    if "description" not in prop:
        lookup = "channels_in_category" if (name, owner) == ("channels", "CategoryConfig") else name
        if lookup in _DESCRIPTIONS:
            prop = {**prop, "description": _DESCRIPTIONS[lookup]}
    return prop


def config_json_schema_text() -> str:
    """The schema as pretty JSON text (what ``gaib server schema`` prints)."""
    return json.dumps(config_json_schema(), indent=2) + "\n"
