"""Each way a theme or its variables can be wrong: one line naming the file, line and field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from gaib_core.errors import ConfigError, ThemeError, VariableError
from gaib_core.themes import load_theme, render_theme

ThemeFactory = Callable[..., Path]


def render_error(path: Path, values: dict[str, str] | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        render_theme(load_theme(path), values or {})
    assert "\n" not in str(info.value)
    return info.value


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"comunity": "x"},
            "--var comunity: unknown variable 'comunity'; did you mean 'community'?",
        ),
        ({"zzz": "x"}, "unknown variable 'zzz'; this theme's variables: community, accent,"),
        ({"accent": "gold"}, "--var accent: variable 'accent' (color): 'gold' is not a color"),
        (
            {"slowmode": "601"},
            "variable 'slowmode' (integer 0..600): '601' is above the maximum 600",
        ),
        ({"slowmode": "-1"}, "'-1' is below the minimum 0"),
        ({"slowmode": "ten"}, "'ten' is not an integer; write a whole number (integer 0..600)"),
        ({"slowmode": "9" * 200}, "is not an integer"),
        ({"size": "medium"}, "'medium' is not one of: small, large; choose one of small|large"),
        ({"enable_voice": "maybe"}, "'maybe' is not a boolean; use true or false"),
        ({"community": "a ${b}"}, "a value cannot contain '${'"),
        (
            {"community": "X"},
            "variable 'community' (string 2..40 characters): 'X' is shorter than 2 characters",
        ),
        ({"community": "x" * 41}, "is longer than 40 characters"),
    ],
)
def test_bad_variable_values(tiny: Path, values: dict[str, str], expected: str) -> None:
    err = render_error(tiny, values)
    assert isinstance(err, VariableError)
    assert expected in str(err)


def test_missing_required_variable(make_theme: ThemeFactory, tiny_files: dict[str, str]) -> None:
    manifest = tiny_files["theme.yaml"] + "  owner:\n    type: string\n    required: true\n"
    path = make_theme({"theme.yaml": manifest})
    err = render_error(path)
    assert str(err) == (
        "--var owner: variable 'owner' is required and has no default; "
        "pass --var owner=VALUE (string)"
    )
    config = render_theme(load_theme(path), {"owner": "me"})
    assert config.theme is not None and config.theme.variables["owner"] == "me"


def test_unknown_variable_in_a_template_names_file_and_line(
    make_theme: ThemeFactory, tiny_files: dict[str, str]
) -> None:
    roles = tiny_files["roles.yaml"].replace('color: "${accent}"', 'color: "${acent}"')
    path = make_theme({"roles.yaml": roles})
    err = render_error(path)
    assert isinstance(err, VariableError)
    assert str(err) == (
        f"{path / 'roles.yaml'}:4:12: roles[0].color: unknown variable '${{acent}}'; "
        "did you mean '${accent}'?"
    )


def test_unknown_variable_inside_a_switched_off_item_is_still_found(
    make_theme: ThemeFactory, tiny_files: dict[str, str]
) -> None:
    channels = tiny_files["channels.yaml"].replace(
        "      - name: text-only\n", "      - name: text-only\n        topic: ${nope}\n"
    )
    err = render_error(make_theme({"channels.yaml": channels}))
    assert (
        "channels.yaml:15:16: categories[0].channels[2].topic: unknown variable '${nope}'"
        in str(err)
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${", "'${' is not closed with '}'"),
        ("${not valid}", "'${not valid}' is not a variable reference"),
    ],
)
def test_malformed_references(
    make_theme: ThemeFactory, tiny_files: dict[str, str], text: str, expected: str
) -> None:
    roles = tiny_files["roles.yaml"].replace("name: Member", f'name: "Member {text}"')
    err = render_error(make_theme({"roles.yaml": roles}))
    assert "roles.yaml:6:11: roles[1].name: " + expected in str(err)


def test_when_must_be_a_boolean(make_theme: ThemeFactory, tiny_files: dict[str, str]) -> None:
    channels = tiny_files["channels.yaml"].replace("when: ${enable_voice}\n", "when: ${size}\n", 1)
    err = render_error(make_theme({"channels.yaml": channels}))
    assert "channels.yaml:13:15: categories[0].channels[1].when: when: needs a boolean" in str(err)
    channels = tiny_files["channels.yaml"].replace(
        "when: ${enable_voice}\n", "when: sometimes\n", 1
    )
    err = render_error(make_theme({"channels.yaml": channels}))
    assert "when: must be a boolean flag, got 'sometimes'" in str(err)


def test_rendered_problem_is_reported_in_the_theme_file(
    make_theme: ThemeFactory, tiny_files: dict[str, str]
) -> None:
    channels = tiny_files["channels.yaml"].replace(
        '"@everyone": {deny: [VIEW_CHANNEL]}', '"@everyone": {deny: [VIEW_CHANEL]}'
    )
    path = make_theme({"channels.yaml": channels})
    err = render_error(path)
    assert str(err).startswith(
        f"{path / 'channels.yaml'}:5:28: categories[0].overwrites.@everyone.deny[0]: "
        "unknown permission 'VIEW_CHANEL'"
    )


def test_cross_file_rule_is_reported_in_the_theme_file(
    make_theme: ThemeFactory, tiny_files: dict[str, str]
) -> None:
    roles = tiny_files["roles.yaml"].replace("name: Member", "name: ${community} Lead")
    path = make_theme({"roles.yaml": roles})
    err = render_error(path)
    assert f"{path / 'roles.yaml'}:6:11: roles[1].name: duplicate role name 'Tiny Lead'" in str(err)


def test_theme_file_missing(make_theme: ThemeFactory) -> None:
    path = make_theme(drop=("roles.yaml",))
    err = render_error(path)
    assert isinstance(err, ThemeError)
    assert str(err).startswith(
        f"{path / 'theme.yaml'}:6:5: files: theme 'tiny' lists roles.yaml but "
        f"{path / 'roles.yaml'} does not exist"
    )


def test_no_manifest(tmp_path: Path) -> None:
    with pytest.raises(ThemeError, match=r"has no theme\.yaml"):
        load_theme(tmp_path)
    with pytest.raises(ThemeError, match="does not exist"):
        load_theme(tmp_path / "nothing")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'default: "#112233"',
            "default: gold",
            "17:14: variables.accent.default: default 'gold' is not a color",
        ),
        (
            "type: boolean",
            "type: bool",
            "variables.enable_voice.type: input should be 'string', 'color'",
        ),
        (
            "    min: 0\n",
            "    min: 0\n    values: [a]\n",
            "variables.slowmode: `values` only applies to enum",
        ),
        ("values: [small, large]", "values: []", "variables.size: an enum variable needs `values"),
        ("name: tiny", "name: Tiny Theme", "1:7: name: string should match pattern"),
        ("description: A tiny theme for tests.", "descripton: x", "unknown field 'descripton'"),
        (
            "  - server.yaml",
            "  - ../server.yaml",
            "5:5: files[0]: '../server.yaml' must be a .yaml file inside",
        ),
        ("  community:", "  bad-name:", "variables: variable name 'bad-name' must be letters"),
        (
            "    default: 5\n",
            "    default: 5\n    required: true\n",
            "a required variable has no default",
        ),
    ],
)
def test_bad_manifest(
    make_theme: ThemeFactory, tiny_files: dict[str, str], old: str, new: str, expected: str
) -> None:
    assert old in tiny_files["theme.yaml"]
    path = make_theme({"theme.yaml": tiny_files["theme.yaml"].replace(old, new, 1)})
    with pytest.raises(ConfigError) as info:
        load_theme(path)
    assert expected in str(info.value)
    assert str(info.value).startswith(str(path / "theme.yaml"))


def test_unknown_section_in_a_theme_file(
    make_theme: ThemeFactory, tiny_files: dict[str, str]
) -> None:
    path = make_theme({"roles.yaml": tiny_files["roles.yaml"] + "rolez: []\n"})
    err = render_error(path)
    assert str(err).startswith(f"{path / 'roles.yaml'}:8:1: rolez: unknown section 'rolez'")


def test_section_of_the_wrong_shape(make_theme: ThemeFactory) -> None:
    err = render_error(make_theme({"roles.yaml": "roles: {name: x}\n"}))
    assert "roles: 'roles' must be a list, got a mapping" in str(err)
    err = render_error(make_theme({"server.yaml": "server: [x]\n"}))
    assert "server: expected a mapping" in str(err) or "'server' must be a mapping" in str(err)


def test_key_clash_after_interpolation(
    make_theme: ThemeFactory, tiny_files: dict[str, str]
) -> None:
    channels = tiny_files["channels.yaml"].replace(
        '      "@everyone": {deny: [VIEW_CHANNEL]}\n',
        '      "@everyone": {deny: [VIEW_CHANNEL]}\n      "Tiny Lead": {}\n',
    )
    err = render_error(make_theme({"channels.yaml": channels}))
    assert "key 'Tiny Lead' appears twice once variables are filled in" in str(err)
