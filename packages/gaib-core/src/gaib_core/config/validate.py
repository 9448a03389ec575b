"""Rules that span the whole ``discord-server.yaml``: what Discord (or gaib's addressing) would refuse.

Field-level rules live in the models; these need the whole file: duplicate names and addresses,
overwrites naming unknown roles, permissions that do not apply to a channel's type, and Discord's
limits (250 roles, 500 channels, 50 per category, 100 overwrites per channel). Each problem is a
``ConfigIssue`` located in the source file when one is given.

``normalize_channel_name`` is the single definition of how Discord renames text-like channels;
the sandbox and the engine import it so that a plan never shows a perpetual rename.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Sequence

from gaib_core import permissions as perms
from gaib_core.config.models import (
    BOT,
    CHANNEL_ATTRIBUTES,
    EVERYONE,
    ROLE_ATTRIBUTES,
    CategoryConfig,
    ChannelConfig,
    ChannelType,
    Overwrite,
    ServerConfig,
)
from gaib_core.config.source import LoadedYaml, PathKey, format_path
from gaib_core.errors import ConfigErrors, ConfigIssue, SourceLocation

MAX_ROLES = 250  # including @everyone and the bot's managed role
MAX_CHANNELS = 500  # categories count, threads do not
MAX_CHANNELS_PER_CATEGORY = 50
MAX_OVERWRITES = 100  # per create/modify request
MAX_NAME = 100

# ASCII punctuation Discord drops from text-channel names; '-' and '_' survive.
_DROPPED = re.compile(
    "[" + re.escape("".join(c for c in string.punctuation if c not in "-_")) + "]"
)
_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"-{2,}")
_TEXT_LIKE = {ChannelType.TEXT, ChannelType.ANNOUNCEMENT, ChannelType.FORUM}
_TEXT_LIKE_NUMBERS = {0, 5, 15, 16}  # text, announcement, forum, media
# Which letter of permissions.json's `channel` list a channel type needs.
_PERMISSION_CLASS = {
    ChannelType.TEXT: "T",
    ChannelType.ANNOUNCEMENT: "T",
    ChannelType.FORUM: "T",
    ChannelType.VOICE: "V",
    ChannelType.STAGE: "S",
}


def normalize_channel_name(name: str, channel_type: ChannelType | str | int | None) -> str:
    """The name Discord gives a channel called ``name`` of ``channel_type``.

    ``channel_type`` is a config kind (``"text"``), a ``ChannelType`` or Discord's type number.
    Text-like channels (text, announcement, forum, media) are lowercased, whitespace becomes
    ``-``, ASCII punctuation other than ``-``/``_`` is dropped, runs of dashes collapse and
    leading or trailing dashes go. Voice, stage and categories (``None``, ``"category"``, 4)
    keep the name. Idempotent: normalising a normalised name changes nothing.
    """
    if isinstance(channel_type, str):
        text_like = channel_type in {kind.value for kind in _TEXT_LIKE}
    else:
        text_like = channel_type in _TEXT_LIKE_NUMBERS
    if not text_like:
        return name
    text = _DROPPED.sub("", name.lower())
    text = _SPACES.sub("-", text.strip())
    text = _DASHES.sub("-", text)
    return text.strip("-")


def validate_config(config: ServerConfig, source: LoadedYaml | None = None) -> None:
    """Raise ``ConfigErrors`` listing every cross-file problem of ``config`` (None if clean)."""
    issues = config_issues(config, source)
    if issues:
        raise ConfigErrors(issues)


def config_issues(config: ServerConfig, source: LoadedYaml | None = None) -> list[ConfigIssue]:
    """Every cross-file problem of ``config``, in file order."""
    checker = _Checker(config, source)
    checker.roles()
    checker.channels()
    checker.lifecycles()
    checker.server()
    checker.limits()
    return checker.issues


def config_warnings(config: ServerConfig, source: LoadedYaml | None = None) -> list[ConfigIssue]:
    """Things that are allowed but worth knowing (Discord renaming text channels)."""
    out: list[ConfigIssue] = []
    for path, _, channel in _channels_with_paths(config):
        normal = normalize_channel_name(channel.name, channel.type)
        if normal and normal != channel.name:
            out.append(
                ConfigIssue(
                    f"Discord will name this {channel.type.value} channel '{normal}', "
                    f"not '{channel.name}'",
                    location=_locate(source, (*path, "name")),
                    field=_field((*path, "name")),
                    hint=f"write `name: {normal}` to match",
                )
            )
    return out


def _locate(
    source: LoadedYaml | None, path: PathKey, *, key: bool = False
) -> SourceLocation | None:
    return source.locate(path, key=key) if source is not None else None


def _field(path: Sequence[str | int]) -> str:
    return format_path(path)


def _channels_with_paths(
    config: ServerConfig,
) -> list[tuple[PathKey, CategoryConfig | None, ChannelConfig]]:
    out: list[tuple[PathKey, CategoryConfig | None, ChannelConfig]] = [
        (("channels", i), None, channel) for i, channel in enumerate(config.channels)
    ]
    for c, category in enumerate(config.categories):
        out.extend(
            (("categories", c, "channels", i), category, channel)
            for i, channel in enumerate(category.channels)
        )
    return out


class _Checker:
    """Collects issues; one method per family of rules."""

    def __init__(self, config: ServerConfig, source: LoadedYaml | None) -> None:
        self.config = config
        self.source = source
        self.issues: list[ConfigIssue] = []
        self.role_names = {role.name for role in config.roles}

    def add(
        self, path: PathKey, message: str, hint: str | None = None, *, key: bool = False
    ) -> None:
        """Record an issue at ``path`` (the key's position when ``key``)."""
        self.issues.append(
            ConfigIssue(
                message,
                location=_locate(self.source, path, key=key),
                field=_field(path) or None,
                hint=hint,
            )
        )

    def roles(self) -> None:
        """Role names and keys: unique, not reserved, not the bot's own role."""
        names: dict[str, int] = {}
        keys: dict[str, int] = {}
        bot_role = self.config.server.bot_role
        for i, role in enumerate(self.config.roles):
            path: PathKey = ("roles", i)
            if role.name in (EVERYONE, BOT):
                self.add(
                    (*path, "name"),
                    f"'{role.name}' is reserved",
                    "it is managed by Discord; give your role another name",
                )
            elif bot_role is not None and role.name == bot_role:
                self.add(
                    (*path, "name"),
                    f"'{role.name}' is the bot's own role (server.bot_role)",
                    "Discord creates it with the bot; remove it from roles and use '@bot' in "
                    "overwrites",
                )
            if role.name in names:
                self.add(
                    (*path, "name"),
                    f"duplicate role name '{role.name}' (also roles[{names[role.name]}])",
                    "overwrites refer to roles by name; rename one of them",
                )
                if role.key is None:
                    continue  # its derived key clashes too; one message is enough
            names.setdefault(role.name, i)
            self._unique_key(keys, role.address_key, path, "roles", "role")

    def _unique_key(
        self, seen: dict[str, int], key: str, path: PathKey, listing: str, kind: str
    ) -> None:
        if key in seen:
            written = self.source is not None and self.source.get((*path, "key")) is not None
            self.add(
                (*path, "key" if written else "name"),
                f"address {kind}.{key} is used twice (also {listing}[{seen[key]}])",
                "give one of them a distinct `key:`",
            )
        seen.setdefault(key, path[-1] if isinstance(path[-1], int) else 0)

    def channels(self) -> None:
        """Categories and channels: keys, names after normalisation, overwrites."""
        category_keys: dict[str, int] = {}
        category_names: dict[str, int] = {}
        for c, category in enumerate(self.config.categories):
            path: PathKey = ("categories", c)
            self._unique_key(category_keys, category.address_key, path, "categories", "category")
            if category.name in category_names:
                self.add(
                    (*path, "name"),
                    f"duplicate category name '{category.name}' "
                    f"(also categories[{category_names[category.name]}])",
                    "rename one of them",
                )
            category_names.setdefault(category.name, c)
            self._overwrites(path, category.name, category.overwrites, None)
            if len(category.overwrites) > MAX_OVERWRITES:
                self.add(
                    (*path, "overwrites"),
                    f"category '{category.name}' has {len(category.overwrites)} permission "
                    f"overwrites; Discord takes at most {MAX_OVERWRITES}",
                    "grant access through fewer roles",
                )
        channel_keys: dict[str, str] = {}
        groups: dict[tuple[int | None, str, ChannelType], str] = {}
        for path, parent, channel in _channels_with_paths(self.config):
            where = _field(path)
            key = channel.address_key
            if key in channel_keys:
                self.add(
                    (*path, "key" if channel.key else "name"),
                    f"address channel.{key} is used twice (also {channel_keys[key]})",
                    "give one of them a distinct `key:`",
                )
            channel_keys.setdefault(key, where)
            normal = normalize_channel_name(channel.name, channel.type)
            if not normal:
                self.add(
                    (*path, "name"),
                    f"channel name '{channel.name}' is empty once Discord normalises it",
                    "use letters or digits in text channel names",
                )
            elif len(normal) > MAX_NAME:
                self.add((*path, "name"), f"channel name is longer than {MAX_NAME} characters")
            group = (id(parent) if parent else None, normal, channel.type)
            if normal and group in groups:
                self.add(
                    (*path, "name"),
                    f"two {channel.type.value} channels named '{normal}' in "
                    f"{_in(parent)} (also {groups[group]})",
                    "Discord would show them as the same channel; rename one",
                )
            groups.setdefault(group, where)
            if "overwrites" in channel.model_fields_set or parent is None:
                self._overwrites(path, channel.name, channel.overwrites, channel.type)
            effective = ServerConfig.effective_overwrites(parent, channel)
            if len(effective) > MAX_OVERWRITES:
                self.add(
                    path,
                    f"channel '{channel.name}' has {len(effective)} permission overwrites; "
                    f"Discord takes at most {MAX_OVERWRITES}",
                    "grant access through fewer roles",
                )

    def _overwrites(
        self,
        path: PathKey,
        owner: str,
        overwrites: dict[str, Overwrite],
        channel_type: ChannelType | None,
    ) -> None:
        for target, overwrite in overwrites.items():
            opath: PathKey = (*path, "overwrites", target)
            if target not in (EVERYONE, BOT) and target not in self.role_names:
                self.add(
                    opath,
                    f"unknown role '{target}' in overwrites",
                    self._role_hint(target),
                    key=True,
                )
            for column in ("allow", "deny"):
                for name in getattr(overwrite, column):
                    self._applies((*opath, column), owner, name, channel_type)

    def _applies(
        self, path: PathKey, owner: str, name: str, channel_type: ChannelType | None
    ) -> None:
        info = perms.lookup(name)
        if info is None:  # already reported by the model
            return
        if channel_type is None:
            if not info.channel:
                self.add(
                    self._item(path, info.name),
                    f"{info.name} is a server-wide permission; it cannot be set on category "
                    f"'{owner}'",
                    "grant it through a role's `permissions:` instead",
                )
            return
        if _PERMISSION_CLASS[channel_type] not in info.channel:
            self.add(
                self._item(path, info.name),
                f"{info.name} does not apply to {channel_type.value} channel '{owner}'",
                "remove it from this channel's overwrites",
            )

    def _item(self, path: PathKey, canonical: str) -> PathKey:
        """The path of the list item naming ``canonical`` as written (aliases, any case)."""
        written = self.source.get(path) if self.source is not None else None
        if isinstance(written, list):
            for index, item in enumerate(written):
                info = perms.lookup(item) if isinstance(item, str) else None
                if info is not None and info.name == canonical:
                    return (*path, index)
        return path

    def _role_hint(self, target: str) -> str:
        bot_role = self.config.server.bot_role
        if bot_role is not None and target == bot_role:
            return "the bot's own role is written '@bot'"
        candidates = [*self.role_names, EVERYONE, BOT]
        guess = difflib.get_close_matches(target, candidates, n=1, cutoff=0.6)
        if not guess:
            lowered = {name.lower(): name for name in candidates}
            if target.lower() in lowered:
                guess = [lowered[target.lower()]]
        if guess:
            return f"did you mean '{guess[0]}'?"
        return "name a role listed under `roles:`, '@everyone' or '@bot'"

    def lifecycles(self) -> None:
        """``lifecycle.ignore_changes`` names attributes of the resource's kind (or ``all``)."""
        for i, role in enumerate(self.config.roles):
            self._ignore_changes(("roles", i), role.lifecycle.ignore_changes, "role")
        for c, category in enumerate(self.config.categories):
            self._ignore_changes(("categories", c), category.lifecycle.ignore_changes, "category")
        for path, _, channel in _channels_with_paths(self.config):
            self._ignore_changes(path, channel.lifecycle.ignore_changes, "channel")

    def _ignore_changes(self, path: PathKey, names: list[str], kind: str) -> None:
        allowed = ROLE_ATTRIBUTES if kind == "role" else CHANNEL_ATTRIBUTES
        for j, name in enumerate(names):
            base = name if kind == "role" else name.split("[", 1)[0]  # overwrites[Naib]
            if name == "all" or base in allowed:
                continue
            guess = difflib.get_close_matches(name, [*allowed, "all"], n=1, cutoff=0.6)
            listed = ", ".join([*allowed, "all"])
            self.add(
                (*path, "lifecycle", "ignore_changes", j),
                f"lifecycle.ignore_changes names '{name}', which is not a {kind} attribute",
                f"did you mean '{guess[0]}'? ({kind} attributes: {listed})"
                if guess
                else f"use one of: {listed}",
            )

    def server(self) -> None:
        """``afk_channel`` and ``system_channel`` name a channel of the file of the right type."""
        wanted = (
            ("afk_channel", (ChannelType.VOICE,), "voice"),
            ("system_channel", (ChannelType.TEXT,), "text"),
        )
        channels = {channel.address: channel for _, channel in self.config.all_channels()}
        for field, kinds, what in wanted:
            address = getattr(self.config.server, field)
            if not address:
                continue
            path: PathKey = ("server", field)
            channel = channels.get(address)
            if channel is None:
                self.add(
                    path,
                    f"{address} is not a channel of this file",
                    self._channel_hint(address, kinds, what),
                )
            elif channel.type not in kinds:
                self.add(
                    path,
                    f"{address} is a {channel.type.value} channel; the {field.replace('_', ' ')} "
                    f"must be a {what} channel",
                    self._channel_hint(address, kinds, what),
                )

    def _channel_hint(self, address: str, kinds: tuple[ChannelType, ...], what: str) -> str:
        fitting = [c for _, c in self.config.all_channels() if c.type in kinds]
        written = address.removeprefix("channel.")
        by_name = {c.name.lower(): c.address for c in fitting}
        guess = by_name.get(written.lower()) or next(
            iter(difflib.get_close_matches(address, [c.address for c in fitting], n=1)), None
        )
        if guess:
            return f"did you mean {guess}?"
        if fitting:
            listed = ", ".join(c.address for c in fitting[:5])
            return f"name one of the {what} channels: {listed}"
        return f"add a {what} channel to the file, or remove this setting"

    def limits(self) -> None:
        """Discord's guild limits: roles, channels per category, channels in total."""
        total_roles = len(self.config.roles) + 2
        if total_roles > MAX_ROLES:
            self.add(
                ("roles",),
                f"{len(self.config.roles)} roles plus @everyone and the bot's role make "
                f"{total_roles}; Discord allows {MAX_ROLES}",
                f"remove {total_roles - MAX_ROLES} roles",
            )
        for c, category in enumerate(self.config.categories):
            if len(category.channels) > MAX_CHANNELS_PER_CATEGORY:
                self.add(
                    ("categories", c, "channels"),
                    f"category '{category.name}' has {len(category.channels)} channels; "
                    f"Discord allows {MAX_CHANNELS_PER_CATEGORY}",
                    "split it into two categories",
                )
        total = len(self.config.categories) + len(self.config.all_channels())
        if total > MAX_CHANNELS:
            self.add(
                (),
                f"{total} channels and categories; Discord allows {MAX_CHANNELS} per server",
                f"remove {total - MAX_CHANNELS}",
            )


def _in(category: CategoryConfig | None) -> str:
    return f"category '{category.name}'" if category else "the top level"
