"""dump_config -> load_config gives back an equal config; the JSON Schema accepts what we write."""

from __future__ import annotations

from typing import Any

import jsonschema
import yaml
from gaib_core import permissions as perms
from gaib_core.config.loader import config_from_document, dump_config, parse_yaml
from gaib_core.config.models import BOT, EVERYONE, ChannelType, ServerConfig
from gaib_core.config.schema import config_json_schema
from gaib_core.config.validate import config_issues
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

SCHEMA = jsonschema.Draft202012Validator(config_json_schema())
ALL = [info.name for info in perms.all_permissions()]
CLASS = {
    ChannelType.TEXT: "T",
    ChannelType.ANNOUNCEMENT: "T",
    ChannelType.FORUM: "T",
    ChannelType.VOICE: "V",
    ChannelType.STAGE: "S",
}
# Control characters and bidirectional overrides are refused in names and topics (tested in
# test_validate); everything else round-trips.
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Text that may span lines (topics, the server's description).
TEXT = st.characters(
    blacklist_categories=("Cs", "Cc"), blacklist_characters=BIDI, whitelist_characters="\n\t"
)
# Names people write, plus the awkward ones YAML must quote (leading '@', '#', ':', 'yes', digits).
names = st.one_of(
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters=BIDI
        ),
        min_size=1,
        max_size=24,
    ),
    st.sampled_from(["yes", "no", "on", "null", "123", "1e3", "@here", "#tag", "a: b", "- x", "~"]),
).filter(lambda s: s.strip() == s and s != "")
colors = st.integers(0, 0xFFFFFF).map(lambda n: f"#{n:06X}")


def perm_lists(kind: str | None) -> st.SearchStrategy[list[str]]:
    pool = [info.name for info in perms.all_permissions() if kind is None or kind in info.channel]
    if kind == "any":
        pool = [info.name for info in perms.all_permissions() if info.channel]
    return st.lists(st.sampled_from(pool), max_size=4, unique=True)


@st.composite
def overwrite_maps(draw: st.DrawFn, roles: list[str], kind: str) -> dict[str, Any]:
    targets = draw(st.lists(st.sampled_from([*roles, EVERYONE, BOT]), max_size=4, unique=True))
    out: dict[str, Any] = {}
    for target in targets:
        allow = draw(perm_lists(kind))
        deny = [p for p in draw(perm_lists(kind)) if p not in allow]
        entry: dict[str, Any] = {}
        if allow:
            entry["allow"] = allow
        if deny:
            entry["deny"] = deny
        out[target] = entry
    return out


@st.composite
def channels(draw: st.DrawFn, roles: list[str], key: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(list(ChannelType)))
    channel: dict[str, Any] = {"name": draw(names), "key": key, "type": kind.value}
    if kind is not ChannelType.VOICE and draw(st.booleans()):
        channel["topic"] = draw(st.text(alphabet=TEXT, max_size=80))
    if kind.is_voice_like and draw(st.booleans()):
        channel["bitrate"] = draw(st.integers(8000, 64000))
        channel["user_limit"] = draw(st.integers(0, 99))
    channel["nsfw"] = draw(st.booleans())
    channel["slowmode"] = draw(st.integers(0, 21600))
    presence = draw(st.sampled_from(["absent", "empty", "some"]))
    if presence == "empty":
        channel["overwrites"] = {}
    elif presence == "some":
        channel["overwrites"] = draw(overwrite_maps(roles, CLASS[kind]))
    if draw(st.booleans()):
        channel["lifecycle"] = {"prevent_destroy": True, "ignore_changes": ["topic"]}
    return channel


@st.composite
def configs(draw: st.DrawFn) -> ServerConfig:
    role_names = draw(st.lists(names, max_size=5, unique=True))
    roles = [
        {
            "name": name,
            "key": f"role_{i}",
            "color": draw(colors),
            "hoist": draw(st.booleans()),
            "mentionable": draw(st.booleans()),
            "permissions": draw(perm_lists(None)),
        }
        for i, name in enumerate(role_names)
    ]
    counter = iter(range(1000))
    categories = [
        {
            "name": draw(names),
            "key": f"cat_{c}",
            "overwrites": draw(overwrite_maps(role_names, "any")),
            "channels": [
                draw(channels(role_names, f"ch_{next(counter)}"))
                for _ in range(draw(st.integers(0, 3)))
            ],
        }
        for c in range(draw(st.integers(0, 3)))
    ]
    top = [
        draw(channels(role_names, f"ch_{next(counter)}")) for _ in range(draw(st.integers(0, 2)))
    ]
    data: dict[str, Any] = {"version": 1, "roles": roles, "categories": categories, "channels": top}
    if draw(st.booleans()):
        data["server"] = {
            "name": draw(names.filter(lambda s: 2 <= len(s) <= 100)),
            "description": draw(st.text(alphabet=TEXT, max_size=300)),
            "verification_level": draw(
                st.sampled_from(["none", "low", "medium", "high", "very_high"])
            ),
            "default_notifications": draw(st.sampled_from(["all_messages", "only_mentions"])),
            "explicit_content_filter": draw(
                st.sampled_from(["disabled", "members_without_roles", "all_members"])
            ),
            "afk_timeout": draw(st.sampled_from([60, 300, 900, 1800, 3600])),
            "system_channel": "",
            "guild_id": str(draw(st.integers(10**16, 10**19))),
            "unmanaged": draw(st.sampled_from(["keep", "report", "remove"])),
            "everyone_permissions": draw(st.one_of(st.none(), perm_lists(None))),
        }
    if draw(st.booleans()):
        data["theme"] = {
            "name": "t",
            "version": "1.0",
            "variables": draw(
                st.dictionaries(
                    st.from_regex(r"[a-z_]{1,8}", fullmatch=True),
                    st.one_of(st.booleans(), st.integers(-1000, 1000), st.text(max_size=10)),
                    max_size=4,
                )
            ),
        }
    config = ServerConfig.model_validate(data)
    assume(not config_issues(config))
    return config


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_dump_then_load_gives_an_equal_config(config: ServerConfig) -> None:
    text = dump_config(config, header="generated\nby a test")
    loaded = config_from_document(parse_yaml(text, "roundtrip.yaml"))
    assert loaded == config
    # "no overwrites key" (synced with the category) and "overwrites: {}" survive the trip.
    for (_, before), (_, after) in zip(config.all_channels(), loaded.all_channels(), strict=True):
        assert ("overwrites" in before.model_fields_set) == ("overwrites" in after.model_fields_set)
    assert dump_config(loaded, header="generated\nby a test") == text
    assert not list(SCHEMA.iter_errors(yaml.safe_load(text)))


def test_dump_is_stable_and_omits_defaults() -> None:
    config = ServerConfig.model_validate(
        {
            "roles": [{"name": "Naib", "color": "#ffd700"}],
            "categories": [
                {
                    "name": "C",
                    "channels": [{"name": "synced"}, {"name": "private", "overwrites": {}}],
                }
            ],
        }
    )
    assert dump_config(config) == (
        "version: 1\n"
        "roles:\n"
        "  - name: Naib\n"
        "    color: '#FFD700'\n"
        "categories:\n"
        "  - name: C\n"
        "    channels:\n"
        "      - name: synced\n"
        "      - name: private\n"
        "        overwrites: {}\n"
    )


def test_header_becomes_comments() -> None:
    text = dump_config(ServerConfig(), header="line one\n\nline three")
    assert text.startswith("# line one\n#\n# line three\nversion: 1\n")
