"""Which guild object each config address is.

1. The id recorded in state, if the guild still has it.
2. Otherwise, if state's pending-create journal says a previous apply was about to create this
   address (and may have died right after Discord created it), an unmanaged object with the
   journal's name and type is *adopted* (the newest one: it is the one that create made).
3. Otherwise an unmanaged object with the same name and type is a *conflict*: the plan refuses
   to create a second one and prints the ``gaib server import`` command that adopts it.

Why refuse rather than create, as Terraform would: Discord allows duplicate names, but two roles
called "Naib" or two #general channels are a real problem for a community, and the usual cause
is that the server was set up by hand before gaib. Importing is one command; cleaning up a
duplicate (members, messages) is not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gaib_core.config.models import CATEGORY_TYPE
from gaib_core.engine.desired import DesiredChannel, DesiredModel, DesiredObject, DesiredRole
from gaib_core.engine.names import same_name
from gaib_core.provider.models import ANNOUNCEMENT, TEXT, Channel, Guild, Role
from gaib_core.state.models import State

GuildObject = Role | Channel


@dataclass
class Matches:
    """The outcome of matching config addresses to guild objects."""

    objects: dict[str, GuildObject] = field(default_factory=dict)
    adopted: set[str] = field(default_factory=set)
    gone: set[str] = field(default_factory=set)
    conflicts: dict[str, list[str]] = field(default_factory=dict)

    def claimed_ids(self) -> set[str]:
        """Ids matched to an address."""
        return {obj.id for obj in self.objects.values()}


def compatible_types(a: int, b: int) -> bool:
    """Channel types that are "the same channel" for matching (text and announcement convert)."""
    return a == b or {a, b} == {TEXT, ANNOUNCEMENT}


def unmanaged_roles(guild: Guild, state: State) -> list[Role]:
    """Roles gaib could manage that no state entry names (not @everyone, not integration roles)."""
    known = {res.id for res in state.resources.values()}
    return [r for r in guild.roles if r.id != guild.id and not r.managed and r.id not in known]


def unmanaged_channels(guild: Guild, state: State) -> list[Channel]:
    """Channels and categories no state entry names."""
    known = {res.id for res in state.resources.values()}
    return [c for c in guild.channels if c.id not in known]


def match(desired: DesiredModel, guild: Guild, state: State) -> Matches:
    """Match every desired object to a guild object (see the module docstring)."""
    result = Matches()
    free_roles = unmanaged_roles(guild, state)
    free_channels = unmanaged_channels(guild, state)
    for obj in desired.all():
        recorded = state.resources.get(obj.address)
        if recorded is not None:
            found = _by_id(guild, obj, recorded.id)
            if found is not None:
                result.objects[obj.address] = found
                continue
            result.gone.add(obj.address)
        claimed = result.claimed_ids()
        candidates = [
            c
            for c in (free_roles if isinstance(obj, DesiredRole) else free_channels)
            if c.id not in claimed
        ]
        pending = state.pending.get(obj.address)
        if pending is not None:
            journal = [c for c in candidates if _same(c, pending.name, pending.discord_type)]
            if journal:
                result.objects[obj.address] = max(journal, key=lambda c: int(c.id))
                result.adopted.add(obj.address)
                continue
        same = [c for c in candidates if _same(c, obj.name, _type_of(obj))]
        if same:
            result.conflicts[obj.address] = sorted((c.id for c in same), key=int)
    return result


def _type_of(obj: DesiredObject) -> int | None:
    return obj.type if isinstance(obj, DesiredChannel) else None


def _by_id(guild: Guild, obj: DesiredObject, object_id: str) -> GuildObject | None:
    if isinstance(obj, DesiredRole):
        return guild.role(object_id)
    channel = guild.channel(object_id)
    if channel is None or (channel.type == CATEGORY_TYPE) != (obj.type == CATEGORY_TYPE):
        return None
    return channel


def _same(candidate: GuildObject, name: str, discord_type: int | None) -> bool:
    if isinstance(candidate, Role):
        return discord_type is None and candidate.name == name
    if discord_type is None or not compatible_types(candidate.type, discord_type):
        return False
    return same_name(candidate.name, name, candidate.type)
