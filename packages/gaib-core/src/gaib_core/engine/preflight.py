"""Plan-time checks: what Discord would refuse, reported with the fix before any request.

Discord answers these with 403/50013 or a limit error half-way through an apply (and 403s count
toward the invalid-request limit), so they are found here instead (FACTS.md sections 4 and 5):

- a managed role at or above the bot's highest role (the hierarchy rule);
- role permissions or overwrite bits the bot does not have itself (unless it is an
  administrator); MANAGE_ROLES in an overwrite (administrators only);
- a channel the bot could not see after its own overwrites (it could not manage it any more),
  or a voice channel it could not connect to (the same, by Discord's implicit denies);
- the limits: 250 roles, 500 channels, 50 channels per category;
- MANAGE_ROLES, MANAGE_CHANNELS and MANAGE_GUILD (the server's own settings) where needed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gaib_core import effective
from gaib_core.effective import ADMINISTRATOR
from gaib_core.engine.desired import DesiredChannel, DesiredModel
from gaib_core.engine.match import Matches
from gaib_core.engine.refs import BOT_REF, EVERYONE_REF, raw_id
from gaib_core.permissions import all_bits, flag, is_voice_type, to_names
from gaib_core.provider.models import Channel, Guild, Role

if TYPE_CHECKING:
    from gaib_core.engine.plan import ResourceChange

MANAGE_CHANNELS = flag("MANAGE_CHANNELS")
MANAGE_GUILD = flag("MANAGE_GUILD")
VIEW_CHANNEL = flag("VIEW_CHANNEL")
CONNECT = flag("CONNECT")
MANAGE_ROLES = flag("MANAGE_ROLES")
MAX_ROLES = 250
MAX_CHANNELS = 500
MAX_PER_CATEGORY = 50


@dataclass(frozen=True)
class _Scope:
    """What the checks read: the planned changes and the guild they were planned against."""

    changes: Sequence[ResourceChange]
    guild: Guild
    role_order: Sequence[str] | None = None
    ref_names: Mapping[str, str] = field(default_factory=dict)


def preflight(
    changes: Sequence[ResourceChange],
    guild: Guild,
    desired: DesiredModel,
    matches: Matches,
    *,
    role_order: Sequence[str] | None = None,
    ref_names: Mapping[str, str] | None = None,
) -> list[str]:
    """Every problem Discord would refuse in ``changes`` (planned against ``guild``), each with
    its fix. ``role_order`` is the plan's new role order, if any; ``ref_names`` names the refs
    (``role.naib`` -> ``Naib``) in messages."""
    scope = _Scope(changes, guild, role_order, ref_names or {})
    problems: list[str] = []
    problems += _hierarchy(guild, matches)
    problems += _guild_permissions(scope)
    problems += _limits(scope, guild)
    admin = guild.bot_is_owner or bool(guild.bot_permissions() & ADMINISTRATOR)
    if admin:
        return problems
    bot_bits = guild.bot_permissions()
    for change in scope.changes:
        if change.action in ("create", "replace") or (
            change.action == "update" and _sends(change, "permissions")
        ):
            if change.role is not None:
                missing = change.role.permissions & ~bot_bits
                if missing:
                    problems.append(
                        f"{change.address}: role '{change.name}' grants "
                        f"{', '.join(to_names(missing))}, which the bot does not have; "
                        f"{_grant(missing)}, or remove them from the role"
                    )
            if change.kind == "everyone" and change.changes:
                missing = int(change.changes[0].after) & ~bot_bits
                if missing:
                    problems.append(
                        f"server.everyone_permissions grants {', '.join(to_names(missing))}, "
                        f"which the bot does not have; {_grant(missing)}, or remove them from "
                        f"server.everyone_permissions"
                    )
        if change.channel is not None and (
            change.action in ("create", "replace")
            or (change.action == "update" and _sends(change, "overwrites"))
        ):
            problems += _overwrites(change.channel, scope, bot_bits)
            problems += _bot_can_view(change.channel, guild, desired)
    return problems


def _grant(missing: int) -> str:
    """How to give the bot ``missing``: on Discord by hand, on the sandbox by a command."""
    return (
        "give the bot's role those permissions in Server Settings > Roles (on the sandbox: "
        f"`gaib sandbox grant-bot {' '.join(to_names(missing))}`)"
    )


def _sends(change: ResourceChange, attribute: str) -> bool:
    return any(c.attribute.split("[", 1)[0] == attribute for c in change.changes)


def _hierarchy(guild: Guild, matches: Matches) -> list[str]:
    if guild.bot_is_owner:
        return []
    top = guild.bot_top_role
    top_key = (top.position, -int(top.id)) if top else (0, 0)
    top_name = top.name if top else "@everyone"
    out = []
    for address, obj in matches.objects.items():
        if isinstance(obj, Role) and (obj.position, -int(obj.id)) >= top_key:
            out.append(
                f"{address}: role '{obj.name}' is at or above the bot's highest role "
                f"'{top_name}', so the bot cannot edit or order it; move '{top_name}' above "
                f"'{obj.name}' in Server Settings > Roles"
            )
    return out


def _guild_permissions(scope: _Scope) -> list[str]:
    bits = scope.guild.bot_permissions()
    out = []
    roles = any(c.kind in ("role", "everyone") and c.action != "no-op" for c in scope.changes)
    channels = any(c.kind in ("category", "channel") and c.action != "no-op" for c in scope.changes)
    if (roles or scope.role_order) and not bits & (MANAGE_ROLES | ADMINISTRATOR):
        out.append(
            "the bot lacks MANAGE_ROLES, needed to create, edit and order roles; give its "
            "role 'Manage Roles' in Server Settings > Roles"
        )
    if channels and not bits & (MANAGE_CHANNELS | ADMINISTRATOR):
        out.append(
            "the bot lacks MANAGE_CHANNELS, needed to create and edit channels; give its "
            "role 'Manage Channels' in Server Settings > Roles"
        )
    server = next((c for c in scope.changes if c.kind == "server" and c.action != "no-op"), None)
    if server is not None and not bits & (MANAGE_GUILD | ADMINISTRATOR):
        settings = ", ".join(dict.fromkeys(c.attribute for c in server.changes))
        out.append(
            f"server: the bot lacks MANAGE_GUILD, needed to change the server's settings "
            f"({settings}); give its role 'Manage Server' in Server Settings > Roles, or remove "
            f"those settings from `server:` to leave them as they are"
        )
    return out


def _overwrites(channel: DesiredChannel, scope: _Scope, bot_bits: int) -> list[str]:
    out = []
    for ref, spec in channel.overwrites.items():
        target = scope.ref_names.get(ref) or _target_name(ref, scope)
        bits = spec.allow | spec.deny
        if bits & MANAGE_ROLES:
            out.append(
                f"{channel.address}: the overwrite for '{target}' sets MANAGE_ROLES, which only "
                f"an administrator bot may set; remove it or give the bot ADMINISTRATOR"
            )
        missing = bits & ~bot_bits & ~MANAGE_ROLES & all_bits()
        if missing:
            out.append(
                f"{channel.address}: the overwrite for '{target}' sets "
                f"{', '.join(to_names(missing))}, which the bot does not have; "
                f"{_grant(missing)}, or drop them from the overwrite"
            )
    return out


def _target_name(ref: str, scope: _Scope) -> str:
    inner = raw_id(ref)
    if inner is not None:
        role = scope.guild.role(inner)
        return role.name if role else ref
    for change in scope.changes:
        if change.address == ref:
            return change.name
    return ref


def _bot_can_view(channel: DesiredChannel, guild: Guild, desired: DesiredModel) -> list[str]:
    everyone = (
        desired.everyone_permissions
        if desired.everyone_permissions is not None
        else guild.everyone.permissions
    )
    bot_roles = set(guild.bot_member.roles)
    base = effective.guild_permissions(
        everyone,
        (role.permissions for role in guild.roles if role.id in bot_roles),
        owner=guild.bot_is_owner,
    )
    overwrites = channel.overwrites
    managed = guild.bot_managed_role
    roles = [
        spec
        for ref, spec in overwrites.items()
        if (ref == BOT_REF and managed is not None)
        or (ref.startswith("role#") and raw_id(ref) in bot_roles)
    ]
    member = overwrites.get(BOT_REF) if managed is None else None
    bits = effective.channel_permissions(
        base, channel.type, everyone=overwrites.get(EVERYONE_REF), roles=roles, member=member
    )
    if not bits & VIEW_CHANNEL:
        return [
            f"{channel.address}: the bot could not see '{channel.name}' after its overwrites and "
            f'could not manage it any more; add an overwrite "@bot": {{allow: [VIEW_CHANNEL]}}'
        ]
    if is_voice_type(channel.type) and not bits & CONNECT:
        return [
            f"{channel.address}: the bot could not connect to '{channel.name}' after its "
            f"overwrites, and Discord lets nobody manage a voice channel they cannot connect to; "
            f'add an overwrite "@bot": {{allow: [VIEW_CHANNEL, CONNECT]}}'
        ]
    return []


def _limits(scope: _Scope, guild: Guild) -> list[str]:
    out = []

    def delta(kinds: tuple[str, ...]) -> int:
        add = sum(c.kind in kinds and c.action == "create" for c in scope.changes)
        drop = sum(c.kind in kinds and c.action == "delete" for c in scope.changes)
        return add - drop

    roles = len(guild.roles) + delta(("role",))
    if roles > MAX_ROLES:
        out.append(
            f"the guild would have {roles} roles (with @everyone and roles gaib does not "
            f"manage); Discord allows {MAX_ROLES}: remove roles from the config or the guild"
        )
    channels = len(guild.channels) + delta(("category", "channel"))
    if channels > MAX_CHANNELS:
        out.append(
            f"the guild would have {channels} channels and categories; Discord allows "
            f"{MAX_CHANNELS}: remove some from the config or the guild"
        )
    out += _per_category(scope, guild)
    return out


def _per_category(scope: _Scope, guild: Guild) -> list[str]:
    parent: dict[str, str | None] = {c.id: c.parent_id for c in guild.channels}
    final: dict[str, str | None] = dict(parent)
    for change in scope.changes:
        key = change.id or change.address
        if change.action == "delete":
            final.pop(key, None)
        elif change.channel is not None and change.kind == "channel":
            final[key] = change.channel.parent
            if change.action == "replace" and change.id:
                final.pop(change.id, None)
    ids_to_address = {c.id: c.address for c in scope.changes if c.id and c.kind == "category"}
    counts: dict[str, int] = {}
    for value in final.values():
        if value is not None:
            name = ids_to_address.get(value, value)
            counts[name] = counts.get(name, 0) + 1
    out = []
    for category, count in counts.items():
        if count > MAX_PER_CATEGORY:
            label = scope.ref_names.get(category) or _channel_name(guild, category)
            out.append(
                f"category '{label}' would hold {count} channels; Discord allows "
                f"{MAX_PER_CATEGORY}: move some to another category"
            )
    return out


def _channel_name(guild: Guild, ref: str) -> str:
    channel: Channel | None = guild.channel(ref)
    return channel.name if channel else ref
