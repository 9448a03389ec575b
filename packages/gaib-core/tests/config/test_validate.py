"""Cross-file rules: what Discord (or gaib's addressing) would refuse, located in the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from gaib_core.config.loader import config_from_document, load_config, parse_yaml
from gaib_core.config.models import ChannelType, ServerConfig
from gaib_core.config.validate import (
    config_issues,
    config_warnings,
    normalize_channel_name,
    validate_config,
)
from gaib_core.errors import ConfigErrors
from hypothesis import given
from hypothesis import strategies as st


def issues_of(text: str) -> list[str]:
    source = parse_yaml(text, "srv.yaml")
    config = config_from_document(source, check=False)
    return [str(issue.to_error()) for issue in config_issues(config, source)]


def only(lines: list[str]) -> str:
    assert len(lines) == 1, lines
    return lines[0]


def test_duplicate_role_names() -> None:
    line = only(issues_of("roles:\n  - name: Naib\n  - name: Naib\n"))
    assert line.startswith(
        "srv.yaml:3:11: roles[1].name: duplicate role name 'Naib' (also roles[0])"
    )


def test_duplicate_role_keys() -> None:
    line = only(issues_of("roles:\n  - name: A\n    key: same\n  - name: B\n    key: same\n"))
    assert line.startswith("srv.yaml:5:10: roles[1].key: address role.same is used twice")


def test_derived_keys_that_clash_point_at_the_name() -> None:
    line = only(issues_of("roles:\n  - name: Former Naib\n  - name: former-naib\n"))
    assert "srv.yaml:3:11: roles[1].name: address role.former_naib is used twice" in line


def test_reserved_role_names() -> None:
    line = only(issues_of("roles:\n  - name: '@everyone'\n"))
    assert "roles[0].name: '@everyone' is reserved" in line
    text = "server: {bot_role: Shai-Hulud}\nroles:\n  - name: Shai-Hulud\n"
    assert "is the bot's own role" in only(issues_of(text))


def test_duplicate_channel_names_after_normalisation() -> None:
    text = """\
categories:
  - name: C
    channels:
      - name: General Chat
      - name: general-chat
        key: other
      - name: general-chat
        key: voice
        type: voice
"""
    line = only(issues_of(text))
    assert line.startswith(
        "srv.yaml:5:15: categories[0].channels[1].name: two text channels named 'general-chat' "
        "in category 'C' (also categories[0].channels[0])"
    )


def test_same_name_in_different_categories_is_fine() -> None:
    text = """\
categories:
  - name: A
    channels: [{name: general, key: a_general}]
  - name: B
    channels: [{name: general, key: b_general}]
"""
    assert issues_of(text) == []


def test_duplicate_channel_keys_across_categories() -> None:
    text = """\
categories:
  - name: A
    channels: [{name: general}]
  - name: B
    channels: [{name: general}]
"""
    line = only(issues_of(text))
    assert "categories[1].channels[0].name: address channel.general is used twice" in line


def test_unknown_role_in_overwrite_with_did_you_mean() -> None:
    text = """\
roles: [{name: Naib}]
channels:
  - name: general
    overwrites:
      Niab: {allow: [VIEW_CHANNEL]}
      "@bot": {allow: [VIEW_CHANNEL]}
      "@everyone": {deny: [VIEW_CHANNEL]}
"""
    line = only(issues_of(text))
    assert line == (
        "srv.yaml:5:7: channels[0].overwrites.Niab: unknown role 'Niab' in overwrites; "
        "did you mean 'Naib'?"
    )


def test_bot_role_name_in_overwrites_hints_at_at_bot() -> None:
    text = """\
server: {bot_role: Shai-Hulud}
channels:
  - name: general
    overwrites: {Shai-Hulud: {allow: [VIEW_CHANNEL]}}
"""
    assert "the bot's own role is written '@bot'" in only(issues_of(text))


def test_permission_that_does_not_apply_to_the_channel_type() -> None:
    text = """\
roles: [{name: Naib}]
categories:
  - name: C
    overwrites:
      Naib: {allow: [VIEW_CHANNEL, CONNECT]}
    channels:
      - name: general
      - name: voice
        type: voice
        overwrites:
          Naib: {allow: [CONNECT, CREATE_PUBLIC_THREADS]}
"""
    line = only(issues_of(text))
    assert line.startswith(
        "srv.yaml:11:35: categories[0].channels[1].overwrites.Naib.allow[1]: "
        "CREATE_PUBLIC_THREADS does not apply to voice channel 'voice'"
    )


def test_server_wide_permission_in_a_category_overwrite() -> None:
    text = "categories:\n  - name: C\n    overwrites:\n      '@everyone': {deny: [kick members]}\n"
    line = only(issues_of(text))
    assert line.startswith(
        "srv.yaml:4:28: categories[0].overwrites.@everyone.deny[0]: KICK_MEMBERS"
    )
    assert "server-wide permission" in line


def test_too_many_overwrites_on_a_channel() -> None:
    roles = [{"name": f"R{i}"} for i in range(101)]
    overwrites = {f"R{i}": {"allow": ["VIEW_CHANNEL"]} for i in range(101)}
    doc = {"roles": roles, "channels": [{"name": "big", "overwrites": overwrites}]}
    line = only(issues_of(yaml.safe_dump(doc)))
    assert (
        "channels[0]: channel 'big' has 101 permission overwrites; Discord takes at most 100"
        in line
    )


def test_too_many_channels_in_a_category() -> None:
    doc = {"categories": [{"name": "C", "channels": [{"name": f"c{i}"} for i in range(51)]}]}
    with pytest.raises(ConfigErrors) as info:
        config_from_document(parse_yaml(yaml.safe_dump(doc), "srv.yaml"))
    assert "categories[0].channels: list should have at most 50 items" in str(info.value)


def test_too_many_channels_in_total() -> None:
    categories = [
        {"name": f"C{c}", "channels": [{"name": f"c{c}-{i}"} for i in range(40)]} for c in range(13)
    ]
    line = only(issues_of(yaml.safe_dump({"categories": categories})))
    assert "533 channels and categories; Discord allows 500 per server" in line


def test_too_many_roles_counts_everyone_and_the_bot() -> None:
    assert issues_of(yaml.safe_dump({"roles": [{"name": f"R{i}"} for i in range(248)]})) == []
    line = only(issues_of(yaml.safe_dump({"roles": [{"name": f"R{i}"} for i in range(249)]})))
    assert "249 roles plus @everyone and the bot's role make 251; Discord allows 250" in line


def test_empty_text_channel_name_after_normalisation() -> None:
    line = only(issues_of("channels:\n  - name: '!!!'\n"))
    assert line.startswith("srv.yaml:2:11: channels[0].name: channel name '!!!' is empty once")


def test_inherited_overwrites_are_not_checked_per_channel() -> None:
    text = """\
roles: [{name: Naib}]
categories:
  - name: C
    overwrites: {Naib: {allow: [CONNECT, SEND_MESSAGES]}}
    channels: [{name: text}, {name: voice, type: voice}]
"""
    assert issues_of(text) == []


def test_validate_config_raises_all_issues_and_works_without_source() -> None:
    config = ServerConfig.model_validate(
        {
            "roles": [{"name": "A"}, {"name": "A"}],
            "channels": [{"name": "x", "overwrites": {"B": {}}}],
        }
    )
    with pytest.raises(ConfigErrors) as info:
        validate_config(config)
    assert [issue.field for issue in info.value.issues] == [
        "roles[1].name",
        "channels[0].overwrites.B",
    ]
    assert all(issue.location is None for issue in info.value.issues)


def test_load_config_runs_the_cross_file_rules(tmp_path: Path) -> None:
    path = tmp_path / "discord-server.yaml"
    path.write_text("roles:\n  - name: A\n  - name: A\n")
    with pytest.raises(ConfigErrors, match=r"discord-server.yaml:3:11: roles\[1\].name"):
        load_config(path)


def test_normalisation_warnings_are_not_errors() -> None:
    source = parse_yaml(
        "channels:\n  - name: General Chat\n  - name: Voice Room\n    type: voice\n", "s.yaml"
    )
    config = config_from_document(source)
    warnings = [str(w.to_error()) for w in config_warnings(config, source)]
    assert warnings == [
        "s.yaml:2:11: channels[0].name: Discord will name this text channel 'general-chat', not "
        "'General Chat'; write `name: general-chat` to match"
    ]


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("General Chat", ChannelType.TEXT, "general-chat"),
        ("  Hello   World  ", "text", "hello-world"),
        ("a--b---c", ChannelType.ANNOUNCEMENT, "a-b-c"),
        ("Rules & Info!", ChannelType.FORUM, "rules-info"),
        ("snake_case-ok", ChannelType.TEXT, "snake_case-ok"),
        ("-edge-", ChannelType.TEXT, "edge"),
        ("Café Ünïcode", ChannelType.TEXT, "café-ünïcode"),
        ("Voice Room", ChannelType.VOICE, "Voice Room"),
        ("Stage  Name", ChannelType.STAGE, "Stage  Name"),
        ("CATEGORY NAME", None, "CATEGORY NAME"),
        ("CATEGORY NAME", "category", "CATEGORY NAME"),
        ("Discord Numbers", 0, "discord-numbers"),
        ("Discord Numbers", 15, "discord-numbers"),
        ("Discord Numbers", 2, "Discord Numbers"),
        ("Discord Numbers", 4, "Discord Numbers"),
    ],
)
def test_normalize_channel_name(name: str, kind: Any, expected: str) -> None:
    assert normalize_channel_name(name, kind) == expected


@given(st.text(max_size=60), st.sampled_from(list(ChannelType)))
def test_normalisation_is_idempotent_and_clean(name: str, kind: ChannelType) -> None:
    once = normalize_channel_name(name, kind)
    assert normalize_channel_name(once, kind) == once
    if kind in (ChannelType.VOICE, ChannelType.STAGE):
        assert once == name
    else:
        assert not any(char.isspace() for char in once) and "--" not in once
        assert not once.startswith("-") and not once.endswith("-")
