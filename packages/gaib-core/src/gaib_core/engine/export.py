"""``gaib server export``: a ``discord-server.yaml`` that describes a live guild.

What is exported: the roles the bot can manage (below its highest role; not @everyone, not
integration roles), every category and configurable channel in display order, and overwrites by
role name (``@everyone``, ``@bot`` for the bot's role). A channel whose overwrites equal its
category's is written without ``overwrites`` (it stays synced). Anything the config format
cannot express (member overwrites, overwrites for roles outside the export, other channel
types, duplicate names) is left out with a warning.

Every object's ``key`` is written out. With the workspace's state, an object gaib manages keeps
the key of its state address (``role.naib`` stays ``naib`` after the role was renamed "Naib
Council"), so a config exported, torn down and applied again lines up with the original config's
addresses; other objects get a key derived from the name (made unique).

Planning this config against the same guild right after adopting it (``adopt``: every exported
object recorded in state under its address) is empty: the values are the guild's own, in
Discord's encoding.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from gaib_core.config.models import (
    BOT,
    CATEGORY_TYPE,
    EVERYONE,
    CategoryConfig,
    ChannelConfig,
    ChannelType,
    Overwrite,
    RoleConfig,
    ServerConfig,
    ServerSettings,
    normalize_color,
    slug,
)
from gaib_core.engine.order import movable_roles
from gaib_core.errors import StateError
from gaib_core.permissions import all_bits, to_names
from gaib_core.provider.models import VOICE_LIKE, Channel, Guild, PermissionOverwrite
from gaib_core.state.models import ResourceState, State


@dataclass
class Export:
    """The exported config, the Discord id behind each address, and what was left out."""

    config: ServerConfig
    ids: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def yaml(self) -> str:
        """The config as ``discord-server.yaml`` text."""
        from gaib_core.config.loader import dump_config

        return dump_config(
            self.config,
            header=f"Exported by `gaib server export` from guild {self.config.server.guild_id}",
        )


def export_guild(guild: Guild, state: State | None = None) -> Export:
    """Describe ``guild`` as a config; ``state`` supplies the keys of managed objects."""
    return _Exporter(guild, state).run()


def adopt(export: Export, state: State) -> list[str]:
    """Record every exported object in ``state`` under its address; returns the addresses added.

    Objects or addresses already in state are left as they are. A state that belongs to
    another guild is refused (``StateError``): adopting would retarget it.
    """
    guild_id = export.config.server.guild_id
    if state.guild_id and guild_id and state.guild_id != guild_id:
        raise StateError(
            f"cannot adopt guild {guild_id} into workspace '{state.workspace}': its state "
            f"belongs to guild {state.guild_id}",
            hint="give it its own workspace: "
            f"`gaib server workspace new guild-{guild_id} --guild {guild_id}`",
        )
    managed = {res.id for res in state.resources.values()}
    added = []
    kinds = {"role": "role", "category": "category", "channel": "channel"}
    names = _names(export.config)
    for address, object_id in export.ids.items():
        if address in state.resources or object_id in managed:
            continue
        state.resources[address] = ResourceState(
            type=kinds[address.split(".", 1)[0]],
            id=object_id,
            name=names.get(address, address),
        )
        added.append(address)
    if export.config.server.guild_id:
        state.guild_id = export.config.server.guild_id
    return added


def _names(config: ServerConfig) -> dict[str, str]:
    out = {role.address: role.name for role in config.roles}
    out.update({c.address: c.name for c in config.categories})
    out.update({ch.address: ch.name for _, ch in config.all_channels()})
    return out


class _Exporter:
    def __init__(self, guild: Guild, state: State | None) -> None:
        self.guild = guild
        self.out = Export(config=ServerConfig())
        self.role_names: dict[str, str] = {}
        # (kind, id) -> the key of the object's state address; those keys are reserved up front
        # so that a key derived from another object's name never takes one.
        self.state_keys: dict[tuple[str, str], str] = {}
        for address, resource in (state.resources if state is not None else {}).items():
            kind, _, key = address.partition(".")
            if kind == resource.type and key:
                self.state_keys[(kind, resource.id)] = key
        self.keys: dict[str, set[str]] = {"role": set(), "category": set(), "channel": set()}
        for (kind, _), key in self.state_keys.items():
            self.keys[kind].add(key)

    def run(self) -> Export:
        guild = self.guild
        managed = guild.bot_managed_role
        self.out.config.server = ServerSettings(
            name=guild.name, guild_id=guild.id, bot_role=managed.name if managed else None
        )
        self._roles()
        channels = sorted(guild.channels, key=lambda c: (c.position, int(c.id)))
        categories = [c for c in channels if c.type == CATEGORY_TYPE]
        category_names: set[str] = set()
        for cat in categories:
            if cat.name in category_names:
                self.out.warnings.append(
                    f"category '{cat.name}' ({cat.id}): duplicate name, skipped"
                )
                continue
            category_names.add(cat.name)
            config = CategoryConfig(
                name=cat.name,
                key=self._key("category", cat.name, cat.id),
                overwrites=self._overwrites(cat),
            )
            config.channels = self._children(channels, cat, config.overwrites)
            self.out.config.categories.append(config)
            self.out.ids[config.address] = cat.id
        self.out.config.channels = self._children(channels, None, None)
        return self.out

    def _roles(self) -> None:
        bot = self.guild.bot_managed_role
        for role in movable_roles(self.guild):
            if role.managed or (bot is not None and role.id == bot.id):
                continue
            if role.name in self.role_names.values() or role.name in (EVERYONE, BOT):
                self.out.warnings.append(f"role '{role.name}' ({role.id}): duplicate name, skipped")
                continue
            extra = role.permissions & ~all_bits()
            if extra:
                self.out.warnings.append(
                    f"role '{role.name}': unknown permission bits {extra} dropped"
                )
            config = RoleConfig(
                name=role.name,
                key=self._key("role", role.name, role.id),
                color=normalize_color(role.color),
                hoist=role.hoist,
                mentionable=role.mentionable,
                permissions=to_names(role.permissions & all_bits()),
            )
            self.out.config.roles.append(config)
            self.out.ids[config.address] = role.id
            self.role_names[role.id] = role.name

    def _key(self, kind: str, name: str, object_id: str) -> str:
        """The state's key for the object, else one derived from ``name`` (unique per kind)."""
        if (kind, object_id) in self.state_keys:
            return self.state_keys[(kind, object_id)]
        base = slug(name)
        key, n = base, 2
        while key in self.keys[kind]:
            key, n = f"{base}_{n}", n + 1
        self.keys[kind].add(key)
        return key

    def _overwrites(self, channel: Channel) -> dict[str, Overwrite]:
        out: dict[str, Overwrite] = {}
        bot = self.guild.bot_managed_role
        for ow in channel.permission_overwrites:
            name = self._target(ow, bot.id if bot else None)
            if name is None:
                self.out.warnings.append(
                    f"'{channel.name}': overwrite for {'member' if ow.type else 'role'} {ow.id} "
                    f"cannot be expressed in the config, left out"
                )
                continue
            out[name] = Overwrite(
                allow=to_names(ow.allow & all_bits()), deny=to_names(ow.deny & all_bits())
            )
        return out

    def _target(self, ow: PermissionOverwrite, bot_role: str | None) -> str | None:
        if ow.type == 1:
            return None
        if ow.id == self.guild.id:
            return EVERYONE
        if ow.id == bot_role:
            return BOT
        return self.role_names.get(ow.id)

    def _children(
        self,
        channels: list[Channel],
        parent: Channel | None,
        inherited: dict[str, Overwrite] | None,
    ) -> list[ChannelConfig]:
        mine = [
            c
            for c in channels
            if c.type != CATEGORY_TYPE and c.parent_id == (parent.id if parent else None)
        ]
        # Display order: text-like first, then voice-like (each by position, then id).
        mine.sort(key=lambda c: c.type in VOICE_LIKE)
        out: list[ChannelConfig] = []
        seen: set[tuple[str, int]] = set()
        for ch in mine:
            try:
                kind = ChannelType.from_discord(ch.type)
            except ValueError:
                self.out.warnings.append(
                    f"channel '{ch.name}' ({ch.id}): type {ch.type} is not exported"
                )
                continue
            if (ch.name, ch.type) in seen:
                self.out.warnings.append(f"channel '{ch.name}' ({ch.id}): duplicate name, skipped")
                continue
            seen.add((ch.name, ch.type))
            fields: dict[str, object] = {
                "name": ch.name,
                "key": self._key("channel", ch.name, ch.id),
                "type": kind,
                "nsfw": ch.nsfw,
                "slowmode": ch.rate_limit_per_user,
            }
            if ch.topic and ch.type != 2:
                fields["topic"] = ch.topic
            if kind.is_voice_like:
                if ch.bitrate:
                    fields["bitrate"] = ch.bitrate
                if ch.user_limit is not None:
                    fields["user_limit"] = ch.user_limit
            overwrites = self._overwrites(ch)
            if inherited is None or overwrites != inherited:
                fields["overwrites"] = overwrites
            try:
                config = ChannelConfig.model_validate(fields)
            except ValidationError as exc:
                first = str(exc).splitlines()[-1].strip()
                self.out.warnings.append(f"channel '{ch.name}' ({ch.id}): {first}; skipped")
                continue
            out.append(config)
            self.out.ids[config.address] = ch.id
        return out
