"""A file's overrides, additions and removals on top of the tiny theme: the rules docs/themes.md
states, one by one, and the located error of each mistake."""

from __future__ import annotations

from pathlib import Path

import pytest
from gaib_core.config.loader import load_config, load_config_source
from gaib_core.config.models import ServerConfig
from gaib_core.errors import ConfigError, ConfigErrors
from gaib_core.plugins import Hooks, build_plugin_manager

HOOKS = Hooks(build_plugin_manager(load_entry_points=False))


def _write(tmp_path: Path, tiny: Path, changes: str, version: str = "~=1.2") -> Path:
    path = tmp_path / "discord-server.yaml"
    path.write_text(
        f"version: 1\ntheme:\n  name: {tiny}\n  version: '{version}'\n"
        "  variables:\n    community: Mesa\n" + changes
    )
    return path


def _load(tmp_path: Path, tiny: Path, changes: str = "") -> ServerConfig:
    return load_config(_write(tmp_path, tiny, changes), hooks=HOOKS)


def _error(tmp_path: Path, tiny: Path, changes: str) -> tuple[str, list[str]]:
    path = _write(tmp_path, tiny, changes)
    with pytest.raises(ConfigError) as caught:
        load_config(path, hooks=HOOKS)
    issues = caught.value.issues if isinstance(caught.value, ConfigErrors) else [caught.value]
    lines = path.read_text().splitlines()
    text = "\n".join(
        str(issue.to_error()) if hasattr(issue, "to_error") else str(issue) for issue in issues
    )
    return text, [
        lines[issue.location.line - 1].strip()  # type: ignore[union-attr,operator]
        for issue in issues
    ]


def _names(config: ServerConfig) -> list[str]:
    return [role.name for role in config.roles]


def _channels(config: ServerConfig) -> list[tuple[str | None, str]]:
    return [(cat.address if cat else None, ch.address) for cat, ch in config.all_channels()]


def test_no_changes_is_the_rendered_theme(tmp_path: Path, tiny: Path) -> None:
    config = _load(tmp_path, tiny)
    assert _names(config) == ["Mesa Lead", "Member"]
    assert config.theme is not None and config.theme.version == "1.2.0"
    assert config.theme.variables["community"] == "Mesa"


def test_overrides_merge_field_by_field(tmp_path: Path, tiny: Path) -> None:
    config = _load(
        tmp_path,
        tiny,
        "overrides:\n"
        "  role.member: {color: '#ABCDEF', mentionable: true}\n"
        "  channel.general:\n"
        "    topic: null\n"  # null deletes a field
        "    slowmode: 30\n",
    )
    member = config.roles[1]
    assert (member.name, member.color, member.mentionable) == ("Member", "#ABCDEF", True)
    general = config.categories[0].channels[0]
    assert general.topic is None and general.slowmode == 30


def test_an_overwrite_override_of_a_synced_channel_starts_from_its_category(
    tmp_path: Path, tiny: Path
) -> None:
    config = _load(
        tmp_path,
        tiny,
        "overrides:\n  channel.general:\n    overwrites:\n      Member: {allow: [VIEW_CHANNEL]}\n",
    )
    general = config.categories[0].channels[0]
    assert set(general.overwrites) == {"@everyone", "Mesa Lead", "Member"}
    assert general.overwrites["@everyone"].deny == ["VIEW_CHANNEL"]  # never dropped
    cleared = _load(tmp_path, tiny, "overrides:\n  category.hall: {overwrites: {}}\n")
    assert cleared.categories[0].overwrites == {}  # {} clears a mapping
    dropped = _load(
        tmp_path, tiny, "overrides:\n  category.hall:\n    overwrites: {Mesa Lead: null}\n"
    )
    assert set(dropped.categories[0].overwrites) == {"@everyone"}


def test_allowing_what_the_theme_denies_names_the_line_and_a_fix_that_works(
    tmp_path: Path, tiny: Path
) -> None:
    # The theme's hall denies @everyone VIEW_CHANNEL; overriding only `allow` keeps that deny.
    override = "overrides:\n  category.hall:\n    overwrites:\n      '@everyone': {allow: [VIEW_CHANNEL]}\n"
    message, lines = _error(tmp_path, tiny, override)
    assert lines == ["'@everyone': {allow: [VIEW_CHANNEL]}"]
    assert "VIEW_CHANNEL is both allowed and denied" in message
    assert "`allow: [VIEW_CHANNEL], deny: []`" in message
    fixed = _load(tmp_path, tiny, override.replace("[VIEW_CHANNEL]}", "[VIEW_CHANNEL], deny: []}"))
    everyone = fixed.categories[0].overwrites["@everyone"]
    assert (everyone.allow, everyone.deny) == (["VIEW_CHANNEL"], [])


def test_renaming_a_role_renames_the_theme_overwrites_and_keeps_the_address(
    tmp_path: Path, tiny: Path
) -> None:
    config = _load(tmp_path, tiny, "overrides:\n  role.lead: {name: Elder}\n")
    assert config.roles[0].address == "role.lead" and config.roles[0].name == "Elder"
    assert set(config.categories[0].overwrites) == {"@everyone", "Elder"}


def test_additions_are_placed_as_the_file_says(tmp_path: Path, tiny: Path) -> None:
    config = _load(
        tmp_path,
        tiny,
        "overrides:\n"
        "  role.second: {name: Second, after: role.lead}\n"
        "  role.third: {name: Third, after: role.lead}\n"  # same anchor: file order kept
        "  role.top: {name: Top, before: role.lead}\n"
        "  role.bottom: {name: Bottom}\n"
        "  channel.rules: {name: rules, before: channel.general}\n"
        "  channel.lobby: {name: lobby, category: category.voice_cat}\n"
        "  channel.loose: {name: loose}\n"
        "  channel.after_loose: {name: after-loose, after: channel.loose}\n"
        "  category.archive:\n"
        "    name: Archive\n"
        "    after: category.hall\n"
        "    channels: [{name: old}]\n",
    )
    assert _names(config) == ["Top", "Mesa Lead", "Second", "Third", "Member", "Bottom"]
    assert [c.address for c in config.categories] == [
        "category.hall",
        "category.archive",
        "category.voice_cat",
    ]
    assert _channels(config) == [
        (None, "channel.loose"),
        (None, "channel.after_loose"),
        ("category.hall", "channel.rules"),
        ("category.hall", "channel.general"),
        ("category.hall", "channel.voice"),
        ("category.archive", "channel.old"),
        ("category.voice_cat", "channel.lounge"),
        ("category.voice_cat", "channel.lobby"),
    ]


def test_placement_keys_move_theme_items(tmp_path: Path, tiny: Path) -> None:
    config = _load(
        tmp_path,
        tiny,
        "overrides:\n"
        "  role.member: {before: role.lead}\n"
        "  channel.general: {category: null}\n"
        "  channel.lounge: {after: channel.voice}\n",
    )
    assert _names(config) == ["Member", "Mesa Lead"]
    assert _channels(config) == [
        (None, "channel.general"),
        ("category.hall", "channel.voice"),
        ("category.hall", "channel.lounge"),
    ]


def test_removals(tmp_path: Path, tiny: Path) -> None:
    config = _load(
        tmp_path, tiny, "remove: [channel.lounge, category.voice_cat, role.member, channel.voice]\n"
    )
    assert _names(config) == ["Mesa Lead"]
    assert _channels(config) == [("category.hall", "channel.general")]


def test_every_problem_is_reported_at_its_line(tmp_path: Path, tiny: Path) -> None:
    message, lines = _error(
        tmp_path,
        tiny,
        "overrides:\n"
        "  role.laed: {color: '#000001'}\n"
        "  Role.Bad: {name: x}\n"
        "  channel.general: {after: channel.nowhere}\n"
        "  role.lead: {key: boss}\n"
        "  category.hall: {channels: []}\n"
        "  channel.lounge: {before: channel.voice, category: category.voice_cat}\n"
        "remove:\n"
        "  - role.lead\n"
        "  - category.voice_cat\n"
        "  - channel.nope\n",
    )
    assert sorted(lines) == sorted(
        [
            "role.laed: {color: '#000001'}",  # unknown address, no name: did-you-mean
            "Role.Bad: {name: x}",  # not an address
            "channel.general: {after: channel.nowhere}",  # anchor nowhere
            "role.lead: {key: boss}",  # a key that is not the address's
            "category.hall: {channels: []}",  # channels are overridden by their own address
            "channel.lounge: {before: channel.voice, category: category.voice_cat}",  # mismatch
            "- role.lead",  # still named by an overwrite
            "- category.voice_cat",  # still holds channel.lounge
            "- channel.nope",  # not in the theme
        ]
    ), message
    assert "theme tiny has no role.laed; did you mean role.lead?" in message


def test_removing_a_role_an_overwrite_names_is_an_error_naming_it(
    tmp_path: Path, tiny: Path
) -> None:
    message, lines = _error(tmp_path, tiny, "remove: [role.lead]\n")
    assert lines == ["remove: [role.lead]"]
    assert "the overwrite 'Mesa Lead' of category.hall (" in message
    assert "channels.yaml:" in message
    assert "`overwrites: {Mesa Lead: null}`" in message
    # following the advice works
    config = _load(
        tmp_path,
        tiny,
        "overrides:\n  category.hall:\n    overwrites: {Mesa Lead: null}\nremove: [role.lead]\n",
    )
    assert _names(config) == ["Member"]


def test_an_item_both_overridden_and_removed(tmp_path: Path, tiny: Path) -> None:
    message, lines = _error(
        tmp_path, tiny, "overrides:\n  role.member: {color: '#000001'}\nremove: [role.member]\n"
    )
    assert "role.member is both overridden and removed" in message
    assert lines == ["role.member: {color: '#000001'}"]


def test_a_bad_value_in_an_override_names_the_users_line(tmp_path: Path, tiny: Path) -> None:
    path = _write(tmp_path, tiny, "overrides:\n  role.member:\n    color: gold\n")
    with pytest.raises(ConfigError) as caught:
        load_config_source(path, hooks=HOOKS)
    assert str(caught.value).startswith(f"{path}:9:12: ")
    assert "'gold' is not a color" in str(caught.value)


def test_item_lists_in_a_referencing_file_are_refused(tmp_path: Path, tiny: Path) -> None:
    path = _write(tmp_path, tiny, "overrides: {}\nroles: []\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, hooks=HOOKS)
    assert str(caught.value).startswith(f"{path}:8:1: roles: a file that references a theme")


def test_an_unknown_theme_and_a_bad_constraint(tmp_path: Path, tiny: Path) -> None:
    path = _write(tmp_path, tiny, "", version="three")
    with pytest.raises(ConfigError, match=r":4:12: theme.version: 'three' is not a version"):
        load_config(path, hooks=HOOKS)
    path.write_text(path.read_text().replace(str(tiny), "no-such-theme").replace("three", "1"))
    with pytest.raises(ConfigError, match=r":3:9: theme.name: theme 'no-such-theme' is not"):
        load_config(path, hooks=HOOKS)
