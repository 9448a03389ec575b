"""Every way discord-server.yaml can be wrong gives one ConfigError line with file:line:col and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from gaib_core.config.loader import load_config, parse_yaml
from gaib_core.errors import ConfigError, ConfigErrors, GaibError


def write(tmp_path: Path, text: str, name: str = "discord-server.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    err = info.value
    assert "\n" not in str(err), "an error is one line"
    return err


def all_lines(err: ConfigError) -> list[str]:
    if isinstance(err, ConfigErrors):
        return [str(issue.to_error()) for issue in err.issues]
    return [str(err)]


GOOD = """\
version: 1
roles:
  - name: Naib
    color: "#FFD700"
  - name: Fedaykin
categories:
  - name: STILLSUIT
    channels:
      - name: general
        overwrites:
          Naib: {allow: [VIEW_CHANNEL]}
"""


def test_a_good_file_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert [role.name for role in config.roles] == ["Naib", "Fedaykin"]
    assert config.roles[0].color == "#FFD700"


def test_wrong_color_names_line_column_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('"#FFD700"', "gold"))
    err = error_of(path)
    assert str(err).startswith(f"{path}:4:12: roles[0].color: 'gold' is not a color")
    assert err.location is not None and (err.location.line, err.location.column) == (4, 12)
    assert err.field == "roles[0].color"


def test_unknown_field_points_at_the_key_with_did_you_mean(tmp_path: Path) -> None:
    path = write(
        tmp_path, GOOD.replace("  - name: Fedaykin\n", "  - name: Fedaykin\n    colour: red\n")
    )
    err = error_of(path)
    assert f"{path}:6:5: roles[1].colour: unknown field 'colour'" in str(err)
    assert "did you mean 'color'?" in str(err)


def test_missing_required_field(tmp_path: Path) -> None:
    path = write(tmp_path, "roles:\n  - color: '#FFFFFF'\n")
    err = error_of(path)
    assert f"{path}:2:5: roles[0].name: 'name' is required" in str(err)


def test_unknown_permission_points_at_the_list_item(tmp_path: Path) -> None:
    text = GOOD.replace("allow: [VIEW_CHANNEL]", "allow: [VIEW_CHANNEL, SEND_MESAGES]")
    path = write(tmp_path, text)
    err = error_of(path)
    assert str(err).startswith(
        f"{path}:11:40: categories[0].channels[0].overwrites.Naib.allow[1]: "
        "unknown permission 'SEND_MESAGES'; did you mean SEND_MESSAGES?"
    )


def test_field_that_does_not_fit_the_channel_type(tmp_path: Path) -> None:
    text = GOOD.replace(
        "      - name: general\n", "      - name: general\n        bitrate: 64000\n"
    )
    err = error_of(write(tmp_path, text))
    assert ":10:18: categories[0].channels[0].bitrate: bitrate only applies to voice" in str(err)


def test_number_out_of_range_says_what_was_given(tmp_path: Path) -> None:
    text = GOOD.replace(
        "      - name: general\n", "      - name: general\n        slowmode: 99999\n"
    )
    err = error_of(write(tmp_path, text))
    assert "categories[0].channels[0].slowmode: input should be less than or equal to 21600" in str(
        err
    )
    assert "got 99999" in str(err)


def test_several_problems_are_all_reported(tmp_path: Path) -> None:
    text = GOOD.replace('"#FFD700"', "gold").replace("- name: Fedaykin", "- name: ''")
    err = error_of(write(tmp_path, text))
    assert isinstance(err, ConfigErrors)
    lines = all_lines(err)
    assert len(lines) == 2
    assert "roles[0].color" in lines[0] and "roles[1].name" in lines[1]
    assert "(and 1 more)" in str(err)


def test_tabs_are_a_yaml_error_with_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "roles:\n\t- name: Naib\n")
    err = error_of(path)
    assert str(err).startswith(f"{path}:2:1: invalid YAML")
    assert "tab" in str(err)


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "roles:\n  - name: A\n    name: B\n")
    err = error_of(path)
    assert f"{path}:3:5: roles[0].name: duplicate key 'name' (first at line 2)" in str(err)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- a\n- b\n", "the top level must be a mapping"),
        ("just text\n", "the top level must be a mapping"),
        ("", "the file is empty"),
        ("# only a comment\n", "the file is empty"),
        ("a: 1\n---\nb: 2\n", "invalid YAML"),
        ("roles: !!python/object:os.system {}\n", "YAML tag"),
        ("roles:\n  - name: !!binary aGVsbG8=\n", "YAML tag"),
        ("version: " + "9" * 5000 + "\n", "more than 100 digits"),
        ("roles: &a [*a]\n", "an alias refers to a value that contains it"),
        ("roles: [*nope]\n", "invalid YAML"),
        ("? [a, b]\n: 1\n", "a mapping key must be text"),
        ("roles:\n  - name: x\n    1: 2\n", "key '1' is read as int, not text"),
        ("[" * 200 + "]" * 200 + "\n", "nesting is deeper"),
        ("roles: {a: 'unterminated\n", "invalid YAML"),
    ],
)
def test_bad_yaml_is_one_config_error(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    err = error_of(path)
    assert expected in str(err)
    assert str(err).startswith(str(path))


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    err = error_of(write(tmp_path, "\n".join(lines) + "\n"))
    assert "expands to more than" in str(err)


def test_binary_junk_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "discord-server.yaml"
    path.write_bytes(b"roles:\n  - name: \xff\xfe\x00\x01\n")
    err = error_of(path)
    assert "not valid UTF-8" in str(err)
    assert str(err).startswith(f"{path}:2")
    path.write_bytes(b"roles:\n  - name: a\x00b\n")
    assert "is not allowed in YAML" in str(error_of(path))


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert "file not found" in str(error_of(tmp_path / "nope.yaml"))
    assert "is a directory" in str(error_of(tmp_path))


def test_unquoted_dates_are_text_and_merge_keys_work(tmp_path: Path) -> None:
    text = """\
roles:
  - &base
    name: 2024-01-01
    hoist: true
  - <<: *base
    name: Other
"""
    config = load_config(write(tmp_path, text))
    assert config.roles[0].name == "2024-01-01"
    assert config.roles[1].name == "Other" and config.roles[1].hoist


def test_parse_positions_for_keys_and_values() -> None:
    loaded = parse_yaml("a:\n  b: [1, {c: x}]\n", "f.yaml")
    assert str(loaded.locate(("a", "b", 1, "c"))) == "f.yaml:2:14"
    assert str(loaded.locate(("a", "b", 1, "c"), key=True)) == "f.yaml:2:11"
    assert str(loaded.locate(("a", "missing", "deeper"))) == "f.yaml:2:3"
    assert loaded.get(("a", "b", 0)) == 1


def test_every_error_is_a_gaib_error() -> None:
    assert issubclass(ConfigErrors, GaibError)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("hoist", "maybe", "roles[0].hoist: input should be a valid boolean"),
        ("name", "5", "roles[0].name: input should be a valid string, got 5; write text"),
        ("permissions", "VIEW_CHANNEL", "roles[0].permissions: input should be a valid list"),
    ],
)
def test_type_errors_say_what_was_given_and_how_to_fix(
    tmp_path: Path, field: str, value: str, expected: str
) -> None:
    path = write(
        tmp_path,
        f"roles:\n  - name: R\n    {field}: {value}\n".replace("name: R\n    name", "name"),
    )
    err = error_of(path)
    assert expected in str(err)
    assert err.hint, "a type error says how to fix it"
