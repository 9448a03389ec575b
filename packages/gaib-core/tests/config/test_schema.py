"""The JSON Schema of discord-server.yaml is a valid 2020-12 schema that matches the models."""

from __future__ import annotations

import jsonschema
import pytest
from gaib_core import permissions as perms
from gaib_core.config.schema import SCHEMA_DIALECT, SCHEMA_ID, config_json_schema

GOOD = {
    "version": 1,
    "server": {
        "name": "Sietch",
        "everyone_permissions": ["VIEW_CHANNEL"],
        "verification_level": "medium",
        "afk_timeout": 900,
        "afk_channel": "channel.v",
        "description": "",
    },
    "roles": [{"name": "Naib", "key": "naib", "color": "#FFD700", "permissions": ["KICK_MEMBERS"]}],
    "categories": [
        {
            "name": "C",
            "overwrites": {"@everyone": {"deny": ["VIEW_CHANNEL"]}},
            "channels": [{"name": "v", "type": "voice", "bitrate": 64000}],
        }
    ],
}


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = config_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_schema_header() -> None:
    schema = config_json_schema()
    assert schema["$schema"] == SCHEMA_DIALECT
    assert schema["$id"] == SCHEMA_ID
    assert schema["title"] and schema["description"]


def test_permission_names_are_an_enum() -> None:
    enum = config_json_schema()["$defs"]["PermissionName"]["enum"]
    assert {info.name for info in perms.all_permissions()} <= set(enum)
    assert "READ_MESSAGES" in enum  # an accepted alias


def test_every_property_is_described() -> None:
    defs = config_json_schema()["$defs"]
    for name, definition in defs.items():
        for prop, body in definition.get("properties", {}).items():
            assert body.get("description"), f"{name}.{prop} has no description"


def test_good_config_passes(validator: jsonschema.Draft202012Validator) -> None:
    assert not list(validator.iter_errors(GOOD))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("roles", 0, "permissions"), ["VIEW_CHANEL"]),
        (("roles", 0, "color"), "gold"),
        (("roles", 0, "key"), "Not A Key"),
        (("categories", 0, "channels", 0, "type"), "video"),
        (("categories", 0, "overwrites", "@everyone", "deny"), ["NOPE"]),
        (("version",), 2),
        (("server", "name"), "S"),
        (("server", "afk_timeout"), 120),
        (("server", "verification_level"), "extreme"),
    ],
)
def test_bad_values_fail(
    validator: jsonschema.Draft202012Validator, path: tuple[object, ...], value: object
) -> None:
    import copy

    doc = copy.deepcopy(GOOD)
    node: object = doc
    for step in path[:-1]:
        node = node[step]  # type: ignore[index]
    node[path[-1]] = value  # type: ignore[index]
    assert list(validator.iter_errors(doc))


def test_unknown_field_fails(validator: jsonschema.Draft202012Validator) -> None:
    assert list(validator.iter_errors({**GOOD, "rolez": []}))


def test_a_file_referencing_a_theme_passes(validator: jsonschema.Draft202012Validator) -> None:
    themed = {
        "version": 1,
        "theme": {"name": "sietch", "version": "~=3.0", "variables": {"color_naib": "#FFAA00"}},
        "server": {"unmanaged": "report"},
        "overrides": {"role.naib": {"color": "#FFAA00"}, "role.mod": {"name": "Mod"}},
        "remove": ["channel.spice"],
    }
    assert not list(validator.iter_errors(themed))
    assert list(validator.iter_errors({**themed, "remove": ["spice"]}))
    assert list(validator.iter_errors({**themed, "overrides": {"Naib": {}}}))
    assert list(validator.iter_errors({**themed, "server": {"unmanaged": "sometimes"}}))
