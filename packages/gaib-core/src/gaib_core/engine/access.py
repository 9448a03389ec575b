"""Who can do what where: a guild (desired or live) described for its effective permissions.

An :class:`Access` holds what Discord's algorithm reads: @everyone's permissions, the roles
(top to bottom) and the categories and channels (in the order Discord shows them) with their
overwrites, all named by the references of :mod:`refs` (``role.naib``, ``@everyone``, ``@bot``,
``role#<id>``), so that an access built from the config and one built from the guild compare
object by object. It is made from the config (:func:`from_desired`, the overwrites gaib sends,
category sync included) or from a guild read through the provider (:func:`from_guild`).

A *column* is a role as a member holding exactly that role (and @everyone, which every member
holds) experiences it; the ``@everyone`` column is a member with no role. Cells are computed by
:mod:`gaib_core.effective`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field

from gaib_core import effective
from gaib_core.config.models import ChannelType
from gaib_core.engine.desired import DesiredChannel, DesiredModel
from gaib_core.engine.observed import RefMap
from gaib_core.engine.order import bucket
from gaib_core.engine.refs import EVERYONE_REF, is_member
from gaib_core.errors import GaibError
from gaib_core.permissions import channel_bits, default_everyone, to_bits
from gaib_core.provider.models import CATEGORY, VOICE_LIKE, Guild

EVERYONE_NAME = "@everyone"


@dataclass(frozen=True)
class RoleAccess:
    """A role: its reference, name, guild-wide permissions and Discord id (when it exists)."""

    ref: str
    name: str
    permissions: int = 0
    id: str | None = None


@dataclass(frozen=True)
class ChannelAccess:
    """A category or channel with its overwrites (target reference -> allow/deny bits)."""

    ref: str
    name: str
    type: int
    parent: str | None = None
    overwrites: Mapping[str, effective.Bits] = field(default_factory=dict)
    id: str | None = None

    @property
    def is_category(self) -> bool:
        """True for a category."""
        return self.type == CATEGORY

    @property
    def label(self) -> str:
        """``#name`` for text-like channels, the bare name for voice channels and categories."""
        if self.is_category or self.type in VOICE_LIKE:
            return self.name
        return f"#{self.name}"

    @property
    def kind(self) -> str:
        """``category``, ``text``, ``voice``, ... (the config's word for the type)."""
        if self.is_category:
            return "category"
        try:
            return ChannelType.from_discord(self.type).value
        except ValueError:
            return f"type {self.type}"


@dataclass
class Access:
    """@everyone, the roles top to bottom, and the channels in tree order (each category
    followed by its channels; channels outside any category first)."""

    everyone: int
    roles: list[RoleAccess] = field(default_factory=list)
    channels: list[ChannelAccess] = field(default_factory=list)
    owner_id: str | None = None

    # --- queries ----------------------------------------------------------------------------

    def columns(self) -> list[RoleAccess]:
        """The roles top to bottom, then @everyone."""
        return [*self.roles, RoleAccess(EVERYONE_REF, EVERYONE_NAME, self.everyone)]

    def column(self, ref: str) -> RoleAccess:
        """The column of ``ref`` (KeyError if there is none)."""
        for role in self.columns():
            if role.ref == ref:
                return role
        raise KeyError(ref)

    def channel(self, ref: str) -> ChannelAccess:
        """The category or channel of ``ref`` (KeyError if there is none)."""
        for channel in self.channels:
            if channel.ref == ref:
                return channel
        raise KeyError(ref)

    def guild_bits(self, role: RoleAccess) -> int:
        """Guild-wide permissions of a member holding only ``role`` (and @everyone)."""
        own = () if role.ref == EVERYONE_REF else (role.permissions,)
        return effective.guild_permissions(self.everyone, own)

    def permissions(self, role: RoleAccess, channel: ChannelAccess) -> int:
        """Effective permissions of a member holding only ``role`` in ``channel``."""
        mine = channel.overwrites.get(role.ref) if role.ref != EVERYONE_REF else None
        return effective.channel_permissions(
            self.guild_bits(role),
            channel.type,
            everyone=channel.overwrites.get(EVERYONE_REF),
            roles=(mine,) if mine is not None else (),
        )

    def cell(self, role: RoleAccess, channel: ChannelAccess) -> int:
        """:meth:`permissions` restricted to what means something in the channel's type."""
        return self.permissions(role, channel) & channel_bits(channel.type)

    def synced(self, channel: ChannelAccess) -> bool:
        """True when a channel's overwrites are exactly its category's (Discord's sync)."""
        if channel.parent is None:
            return False
        try:
            parent = self.channel(channel.parent)
        except KeyError:
            return False
        return dict(parent.overwrites) == dict(channel.overwrites)

    # --- lookups by what a user types --------------------------------------------------------

    def find_role(self, text: str) -> RoleAccess:
        """The column a user means by ``text``: a name (any case), ``@everyone``, an address
        (``role.naib``) or an id; ``GaibError`` with the closest name otherwise."""
        wanted = text.strip()
        columns = self.columns()
        for role in columns:
            if wanted in (role.ref, role.id):
                return role
        folded = [r for r in columns if r.name == wanted]
        if not folded:
            folded = [r for r in columns if r.name.casefold() == wanted.casefold()]
        if wanted.casefold() in ("everyone", "@everyone"):
            folded = [columns[-1]]
        if len(folded) == 1:
            return folded[0]
        if len(folded) > 1:
            refs = ", ".join(r.ref for r in folded)
            raise GaibError(
                f"'{text}' names {len(folded)} roles ({refs})", hint="give the reference instead"
            )
        raise GaibError(
            f"no role called '{text}'",
            hint=_did_you_mean(wanted, [r.name for r in columns], "roles"),
        )

    def find_channel(self, text: str) -> ChannelAccess:
        """The category or channel a user means by ``text``: its name (``#`` optional, any
        case, spaces or dashes), its address or its id; ``GaibError`` with the closest name
        otherwise."""
        wanted = text.strip()
        for channel in self.channels:
            if wanted in (channel.ref, channel.id):
                return channel
        folded = [c for c in self.channels if wanted in (c.name, c.label)]
        if not folded:
            key = _name_key(wanted)
            folded = [c for c in self.channels if _name_key(c.name) == key]
        if len(folded) == 1:
            return folded[0]
        if len(folded) > 1:
            refs = ", ".join(c.ref for c in folded)
            raise GaibError(
                f"'{text}' names {len(folded)} channels ({refs})", hint="give the address instead"
            )
        raise GaibError(
            f"no channel or category called '{text}'",
            hint=_did_you_mean(wanted, [c.label for c in self.channels], "channels"),
        )


def _name_key(name: str) -> str:
    return name.lstrip("#").casefold().replace(" ", "-")


def _did_you_mean(wanted: str, names: list[str], what: str) -> str:
    guess = difflib.get_close_matches(wanted, names, n=1, cutoff=0.5)
    if not guess:
        folded = {_name_key(n): n for n in names}
        close = difflib.get_close_matches(_name_key(wanted), list(folded), n=1, cutoff=0.5)
        guess = [folded[close[0]]] if close else []
    if guess:
        return f"did you mean '{guess[0]}'?"
    return f"`gaib server permissions` lists the {what}"


def from_desired(desired: DesiredModel) -> Access:
    """The access the config asks for (@everyone: the config's, or Discord's defaults)."""
    everyone = desired.everyone_permissions
    if everyone is None:
        everyone = to_bits(default_everyone())
    roles = [RoleAccess(r.address, r.name, r.permissions) for r in desired.roles]
    channels: list[ChannelAccess] = []
    by_parent: dict[str | None, list[ChannelAccess]] = {}
    # Discord's client lists a category's text-like channels before its voice ones, whatever
    # the file's order (the live view sorts the same way, so both views agree).
    for channel in sorted(desired.channels, key=lambda c: bucket(c.type) == "voice"):
        by_parent.setdefault(channel.parent, []).append(_desired_channel(channel))
    channels.extend(by_parent.pop(None, []))
    for category in desired.categories:
        channels.append(_desired_channel(category))
        channels.extend(by_parent.pop(category.address, []))
    return Access(everyone=everyone, roles=roles, channels=channels)


def _desired_channel(channel: DesiredChannel) -> ChannelAccess:
    return ChannelAccess(
        ref=channel.address,
        name=channel.name,
        type=channel.type,
        parent=channel.parent,
        overwrites={
            ref: effective.Bits(spec.allow, spec.deny)
            for ref, spec in channel.overwrites.items()
            if not is_member(ref)
        },
    )


def from_guild(guild: Guild, addresses: Mapping[str, str] | None = None) -> Access:
    """The access of a live guild. ``addresses`` (Discord id -> config address) names the
    objects gaib manages by their address; the others are ``role#<id>``, ``category#<id>``
    and ``channel#<id>``. Member overwrites are left out (columns are roles)."""
    ids = dict(addresses or {})
    categories = {c.id: ids.get(c.id, f"category#{c.id}") for c in guild.channels if c.is_category}
    refs = RefMap(
        guild,
        roles={r.id: a for r in guild.roles if (a := ids.get(r.id)) is not None},
        categories=categories,
    )
    roles = [
        RoleAccess(refs.role_ref(r.id), r.name, r.permissions, r.id)
        for r in guild.sorted_roles()
        if r.id != guild.id
    ]
    accessed: dict[str, ChannelAccess] = {}
    for ch in guild.channels:
        ref = categories[ch.id] if ch.is_category else ids.get(ch.id, f"channel#{ch.id}")
        overwrites = {
            refs.overwrite_ref(o): effective.Bits(o.allow, o.deny)
            for o in ch.permission_overwrites
            if o.type == 0
        }
        accessed[ch.id] = ChannelAccess(
            ref=ref,
            name=ch.name,
            type=ch.type,
            parent=None if ch.is_category else refs.parent_ref(ch.parent_id),
            overwrites=overwrites,
            id=ch.id,
        )
    return Access(
        everyone=guild.everyone.permissions,
        roles=roles,
        channels=_tree(guild, accessed),
        owner_id=guild.owner_id,
    )


def _tree(guild: Guild, accessed: dict[str, ChannelAccess]) -> list[ChannelAccess]:
    """Channels as Discord's client lists them: those outside a category first, then each
    category with its channels (text-like before voice, then position, then id)."""

    def key(channel_id: str) -> tuple[str, int, int]:
        ch = guild.channel(channel_id)
        assert ch is not None
        return (bucket(ch.type), ch.position, int(ch.id))

    known = {c.id for c in guild.channels if c.is_category}
    children: dict[str | None, list[str]] = {}
    for ch in guild.channels:
        if not ch.is_category:
            parent = ch.parent_id if ch.parent_id in known else None
            children.setdefault(parent, []).append(ch.id)
    out = [accessed[i] for i in sorted(children.pop(None, []), key=key)]
    for category in sorted(known, key=key):
        out.append(accessed[category])
        out.extend(accessed[i] for i in sorted(children.get(category, []), key=key))
    return out
