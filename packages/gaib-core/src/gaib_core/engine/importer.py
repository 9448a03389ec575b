"""``gaib server import ADDRESS ID``: adopt an existing Discord object into state.

The address must exist in the config, the object must be of the address's kind (a text channel
may back an announcement channel and vice versa, since Discord converts between them), and
neither the address nor the id may be managed already. The object's live attributes are
recorded; the next plan shows whatever differs from the config as an update.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gaib_core.config.models import CATEGORY_TYPE, ServerConfig
from gaib_core.engine.desired import DesiredChannel, build_desired
from gaib_core.engine.match import compatible_types
from gaib_core.engine.observed import RefMap, channel_attributes, role_attributes
from gaib_core.engine.render import type_name
from gaib_core.errors import StateError
from gaib_core.lifecycle import change_event, change_lifecycle
from gaib_core.plugins import DEFAULT_HOOKS, Hooks
from gaib_core.provider.models import Channel, Guild, Role
from gaib_core.state.models import ResourceState, State

if TYPE_CHECKING:
    from gaib_core.provider.base import Provider
    from gaib_core.state.manager import StateManager


def import_resource(
    config: ServerConfig, guild: Guild, state: State, address: str, discord_id: str
) -> ResourceState:
    """Record ``discord_id`` as ``address`` in ``state`` (in place) and return the entry."""
    desired = build_desired(config, guild).by_address().get(address)
    if desired is None:
        raise StateError(
            f"cannot import {address}: the config has no such address",
            hint="add the role, category or channel to discord-server.yaml first "
            "(`gaib server validate` lists addresses)",
        )
    if address in state.resources:
        held = state.resources[address].id
        raise StateError(
            f"cannot import {address}: it is already managed (id {held})",
            hint=f"`gaib server state rm {address}` first to manage another object",
        )
    owner = state.resource_by_id(discord_id)
    if owner is not None:
        raise StateError(
            f"cannot import {discord_id} as {address}: it is already managed as {owner[0]}",
            hint=f"`gaib server state mv {owner[0]} {address}` renames the address instead",
        )
    if state.guild_id and state.guild_id != guild.id:
        raise StateError(
            f"cannot import into this workspace: its state belongs to guild {state.guild_id}",
            hint="select the workspace of this guild (`gaib server workspace select`)",
        )
    obj = _find(guild, address, discord_id, desired)
    if isinstance(obj, Role):
        attributes = role_attributes(obj)
    else:
        keys = desired.managed_keys() if isinstance(desired, DesiredChannel) else ["name"]
        attributes = channel_attributes(obj, RefMap(guild), keys)
    entry = ResourceState(
        type=address.split(".", 1)[0],
        id=obj.id,
        name=obj.name,
        attributes=attributes,
    )
    state.resources[address] = entry
    state.pending.pop(address, None)
    state.guild_id = guild.id
    return entry


def _find(guild: Guild, address: str, discord_id: str, desired: object) -> Role | Channel:
    kind = address.split(".", 1)[0]
    if kind == "role":
        role = guild.role(discord_id)
        if role is None:
            raise StateError(f"cannot import {address}: guild {guild.id} has no role {discord_id}")
        if role.id == guild.id or role.managed:
            raise StateError(
                f"cannot import {address}: role '{role.name}' ({discord_id}) is "
                f"{'@everyone' if role.id == guild.id else 'managed by an integration'}",
                hint="only ordinary roles can be managed by gaib",
            )
        return role
    channel = guild.channel(discord_id)
    if channel is None:
        raise StateError(f"cannot import {address}: guild {guild.id} has no channel {discord_id}")
    assert isinstance(desired, DesiredChannel)
    if kind == "category" and channel.type != CATEGORY_TYPE:
        raise StateError(
            f"cannot import {address}: {discord_id} is a {type_name(channel.type)} channel, "
            f"not a category"
        )
    if kind == "channel" and not compatible_types(channel.type, desired.type):
        raise StateError(
            f"cannot import {address}: {discord_id} is a {type_name(channel.type)} channel but "
            f"the config declares {type_name(desired.type)}",
            hint="change the channel's type in the config, or import another channel",
        )
    return channel


async def import_address(
    config: ServerConfig,
    provider: Provider,
    guild_id: str,
    manager: StateManager,
    address: str,
    discord_id: str,
    hooks: Hooks = DEFAULT_HOOKS,
    *,
    lock_timeout: float = 0.0,
) -> ResourceState:
    """Read the guild, import under the state lock, and write the state.

    The import is checked first (a refused import fires no hook); the write runs inside the
    change lifecycle (operation ``import``).
    """
    with manager.locked(operation="import", timeout=lock_timeout):
        guild = await provider.read_guild(guild_id)
        state = manager.read()
        event = change_event(
            "import",
            workspace=manager.workspace,
            guild_id=guild.id,
            state_before=state,
            config=config,
            state_url=manager.url,
        )
        entry = import_resource(config, guild, state, address, discord_id)
        with change_lifecycle(hooks, event, state) as record:
            manager.write(state)
            record.changed.append(address)
    return entry
