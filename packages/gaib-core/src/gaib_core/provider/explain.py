"""Explaining 50013 (Missing Permissions): which role is above the bot, or which bits it lacks.

On a Missing Permissions answer to a role or overwrite operation the guild is read again to name
the role above the bot and what to move, or the permissions the bot's role would need.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from gaib_core.effective import ADMINISTRATOR
from gaib_core.errors import DiscordAPIError, MissingPermissions
from gaib_core.permissions import all_permissions, flag
from gaib_core.provider.errors import error_from_response, hierarchy_hint
from gaib_core.provider.models import (
    ChannelWrite,
    Guild,
    PermissionOverwrite,
    Role,
    RolePosition,
    RoleWrite,
)
from gaib_core.provider.ratelimit import Route

MANAGE_ROLES = flag("MANAGE_ROLES")


async def explain_missing_permissions(
    read_guild: Callable[[str], Awaitable[Guild]],
    err: MissingPermissions,
    route: Route,
    guild_id: str,
    *,
    roles: list[str] | None = None,
    positions: list[RolePosition] | None = None,
    overwrites: ChannelWrite | None = None,
    grant: RoleWrite | None = None,
) -> DiscordAPIError:
    """Re-read the guild and say which role is above the bot, or which bits it lacks."""
    try:
        guild = await read_guild(guild_id)
    except DiscordAPIError:
        return err
    bot_top = guild.bot_top_role
    bot_name = bot_top.name if bot_top else "(the bot has no role)"
    top = guild.bot_top_position
    subject: str | None = None
    hint: str | None = None
    if not guild.bot_is_owner:
        blocking = blocking_roles(guild, roles or [], positions or [], top)
        if blocking:
            target = blocking[0]
            subject = f"role '{target.name}' ({target.id})"
            hint = hierarchy_hint(bot_name, target.name)
            if bot_top is not None and target.id == bot_top.id:
                hint = (
                    f"'{target.name}' is the bot's own highest role: the bot cannot edit or "
                    "move it; change it in Server Settings > Roles or leave it out of the config"
                )
        elif (
            grant is not None
            and grant.permissions is not None
            and (missing := names(grant.permissions & ~guild.bot_permissions()))
        ):
            subject = f"role '{grant.name}'" if grant.name else subject
            hint = (
                f"the role asks for {', '.join(missing)}, which the bot's role '{bot_name}' "
                f"does not have: give '{bot_name}' those permissions in Server Settings > "
                "Roles or remove them from the role"
            )
        elif overwrites is not None and overwrites.permission_overwrites:
            lacking = lacking_names(guild, overwrites.permission_overwrites)
            if lacking:
                subject = f"channel '{overwrites.name}'" if overwrites.name else None
                hint = (
                    f"the overwrites allow or deny {', '.join(lacking)}, which the bot's "
                    f"role '{bot_name}' does not have: give '{bot_name}' those permissions "
                    "in Server Settings > Roles or drop them from the overwrites"
                )
        elif roles:
            role = guild.role(roles[0])
            if role is not None:
                subject = f"role '{role.name}' ({role.id})"
    rebuilt = error_from_response(err.status, err.body, route, subject=subject)
    if hint is not None:
        rebuilt.hint = hint
        rebuilt.args = (str(rebuilt),)
    return rebuilt


def blocking_roles(
    guild: Guild, role_ids: list[str], positions: list[RolePosition], bot_top: int
) -> list[Role]:
    """Roles the bot may not touch: at or above its highest role (now or where asked to go)."""
    wanted = {p.id: p.position for p in positions}
    out = []
    for role_id in role_ids:
        role = guild.role(role_id)
        if role is None or role.id == guild.id:
            continue
        if role.position >= bot_top or wanted.get(role_id, -1) >= bot_top:
            out.append(role)
    return sorted(out, key=lambda r: -r.position)


def lacking_names(guild: Guild, overwrites: list[PermissionOverwrite]) -> list[str]:
    """Names of permissions the overwrites set that the bot does not hold guild-wide."""
    have = guild.bot_permissions()
    if not have & ADMINISTRATOR:
        # Only administrators may put Manage Roles ("Manage Permissions") in an overwrite.
        have &= ~MANAGE_ROLES
    used = 0
    for ow in overwrites:
        used |= ow.allow | ow.deny
    return names(used & ~have)


def names(bits: int) -> list[str]:
    return [p.name for p in all_permissions() if bits & p.value]
