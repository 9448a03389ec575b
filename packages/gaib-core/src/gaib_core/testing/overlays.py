"""Hypothesis strategies for files that reference a theme: variables, overrides, additions, removals.

``reference_files(theme, rendered)`` draws whole ``discord-server.yaml`` documents (plain data)
that reference ``theme`` by its directory: some valid, some with mistakes a person makes (a typo
in an address, an unknown field, a color that is not one, removing a role still named by an
overwrite, an anchor that does not exist). ``own_value_overrides`` draws overrides that repeat
the theme's own values. Used by :class:`gaib_core.testing.themes.ThemeContract`.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from gaib_core.config.loader import config_document
from gaib_core.config.models import EVERYONE, ServerConfig
from gaib_core.themes.manifest import Theme
from gaib_core.themes.variables import VariableValue

_TEXT = st.text(
    st.characters(codec="utf-8", categories=["L", "N", "Zs", "Pd"], exclude_characters="$"),
    min_size=1,
    max_size=30,
).filter(lambda text: text.strip() == text)
_GOOD_COLORS = st.one_of(st.integers(0, 0xFFFFFF).map(lambda n: f"#{n:06X}"), st.just(0x00FF00))
_BAD_COLORS = st.sampled_from(["gold", "#12345"])
_GOOD_PERMISSIONS = ["VIEW_CHANNEL", "SEND_MESSAGES", "CONNECT", "SPEAK"]


def _permissions(mistakes: bool) -> st.SearchStrategy[list[str]]:
    names = [*_GOOD_PERMISSIONS, "VIEW_CHANEL"] if mistakes else _GOOD_PERMISSIONS
    return st.lists(st.sampled_from(names), max_size=3, unique=True)


def reference(theme: Theme, values: dict[str, VariableValue]) -> dict[str, Any]:
    """The ``theme:`` section referencing ``theme``'s directory with ``values``."""
    return {
        "name": str(theme.path),
        "version": f"=={theme.version}",
        "variables": dict(values),
    }


def items_of(config: ServerConfig) -> dict[str, dict[str, Any]]:
    """Address -> the item's own fields as a config file writes them (no nested channels)."""
    document = config_document(config)
    out: dict[str, dict[str, Any]] = {}
    for role, data in zip(config.roles, document.get("roles", []), strict=True):
        out[role.address] = data
    for category, data in zip(config.categories, document.get("categories", []), strict=True):
        out[category.address] = {k: v for k, v in data.items() if k != "channels"}
    channel_data = list(document.get("channels", []))
    for category in document.get("categories", []):
        channel_data.extend(category.get("channels", []))
    channels = [ch for ch in config.channels] + [
        ch for category in config.categories for ch in category.channels
    ]
    for channel, data in zip(channels, channel_data, strict=True):
        out[channel.address] = data
    return out


@st.composite
def own_value_overrides(draw: st.DrawFn, config: ServerConfig) -> dict[str, dict[str, Any]]:
    """Overrides of some items with exactly the values the theme gives them."""
    items = items_of(config)
    if not items:
        return {}
    chosen = draw(st.lists(st.sampled_from(sorted(items)), unique=True, max_size=8))
    out: dict[str, dict[str, Any]] = {}
    for address in chosen:
        fields = items[address]
        keep = draw(st.lists(st.sampled_from(sorted(fields)), unique=True, min_size=1))
        out[address] = {name: fields[name] for name in keep}
    return out


@st.composite
def reference_files(
    draw: st.DrawFn, theme: Theme, config: ServerConfig, values: dict[str, VariableValue]
) -> dict[str, Any]:
    """A whole referencing file: ``values``, and drawn overrides, additions and removals.

    Half the files may hold mistakes (typos, unknown fields, bad values, missing anchors); the
    others hold only what a careful person writes, which can still fail (a removed role that an
    overwrite names, a channel placed after one in another category).
    """
    mistakes = draw(st.booleans())
    roles = [role.address for role in config.roles]
    categories = [category.address for category in config.categories]
    channels = [channel.address for _, channel in config.all_channels()]
    role_names = [role.name for role in config.roles]
    overrides: dict[str, dict[str, Any]] = {}
    for address in draw(st.lists(st.sampled_from(roles or ["role.none"]), unique=True, max_size=4)):
        overrides[address] = draw(_role_patch(roles, mistakes))
    for address in draw(
        st.lists(st.sampled_from(channels or ["channel.none"]), unique=True, max_size=4)
    ):
        overrides[address] = draw(_channel_patch(channels, categories, role_names, mistakes))
    for index in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["role", "channel", "category"]))
        patch = draw(
            _role_patch(roles, mistakes)
            if kind == "role"
            else _channel_patch(channels, categories, role_names, mistakes)
            if kind == "channel"
            else st.fixed_dictionaries({}, optional={"name": _TEXT})
        )
        if not mistakes or draw(st.booleans()):
            patch["name"] = draw(_TEXT)
        overrides[f"{kind}.added_{index}"] = patch
    if mistakes and channels and draw(st.booleans()):
        overrides[channels[0] + "x"] = {"topic": "a typo in the address"}
    removable = roles + categories + channels
    remove = draw(st.lists(st.sampled_from(removable or ["role.none"]), unique=True, max_size=3))
    remove = [address for address in remove if address not in overrides]
    document: dict[str, Any] = {"version": 1, "theme": reference(theme, values)}
    if draw(st.booleans()):
        policies = ["keep", "report", "sometimes"] if mistakes else ["keep", "report"]
        document["server"] = {"unmanaged": draw(st.sampled_from(policies))}
    if overrides:
        document["overrides"] = overrides
    if remove:
        document["remove"] = remove
    return document


def _role_patch(roles: list[str], mistakes: bool) -> st.SearchStrategy[dict[str, Any]]:
    targets = [*roles, "role.nowhere"] if mistakes else roles
    anchors = st.sampled_from(targets) if targets else st.just("role.nowhere")
    colors = st.one_of(_GOOD_COLORS, _BAD_COLORS) if mistakes else _GOOD_COLORS
    return st.fixed_dictionaries(
        {},
        optional={
            "color": colors,
            "hoist": st.booleans(),
            "mentionable": st.booleans(),
            "permissions": _permissions(mistakes),
            "after": anchors,
            "lifecycle": st.fixed_dictionaries({"prevent_destroy": st.booleans()}),
        },
    )


def _channel_patch(
    channels: list[str], categories: list[str], role_names: list[str], mistakes: bool
) -> st.SearchStrategy[dict[str, Any]]:
    targets = [*channels, "channel.nowhere"] if mistakes else channels
    anchors = st.sampled_from(targets) if targets else st.none()
    parents = st.one_of(st.none(), st.sampled_from(categories)) if categories else st.none()
    allowed = _permissions(mistakes)
    overwrite = st.one_of(
        st.none(), st.fixed_dictionaries({"allow": allowed}, optional={"deny": allowed})
    )
    who = st.sampled_from([EVERYONE, *role_names, *(["Nobody"] if mistakes else [])])
    optional: dict[str, st.SearchStrategy[Any]] = {
        "topic": st.one_of(st.none(), _TEXT),
        "slowmode": st.integers(-5, 30000) if mistakes else st.integers(0, 21600),
        "nsfw": st.booleans(),
        "overwrites": st.dictionaries(who, overwrite, max_size=2),
        "before": anchors,
        "category": parents,
    }
    if mistakes:
        optional["bogus_field"] = st.just(1)
    return st.fixed_dictionaries({}, optional=optional)
