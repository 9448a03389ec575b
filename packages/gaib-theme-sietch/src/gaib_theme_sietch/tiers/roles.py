"""Which Discord role is each Sietch role: role keys (``naib``, ``former_naib``) to role ids.

A sync manages 14 roles, the 9 tier roles and the 5 special roles, by the theme's keys (the
``role.<key>`` addresses). Their ids are found in the live guild:

1. from a **mapping** ``{key: role id}`` when one is given (``gaib sietch sync`` builds it from
   the app configuration's role mappings, role name -> id, with :func:`mapping_by_key`; a mapped
   id must exist in the guild);
2. otherwise **by name**: the project's config names each key (a community may rename
   ``role.naib``), the theme's defaults name the rest (``Naib``, ``Former Naib``, ...).

Only the ``keys`` asked for are resolved (the app configuration's feature gates switch roles
off). Every role must resolve to exactly one role the bot may give: below the bot's highest role, not
an integration's managed role, and the bot needs Manage Roles. What does not is reported before
anything is changed, with the fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gaib_core.errors import GaibError
from gaib_core.permissions import flag
from gaib_core.provider.errors import hierarchy_hint

from gaib_theme_sietch.tiers.thresholds import TIERS
from gaib_theme_sietch.tiers.tier import TIER_NAMES

if TYPE_CHECKING:
    from gaib_core.config.models import ServerConfig
    from gaib_core.provider.models import Guild

SPECIAL_NAMES: dict[str, str] = {
    "former_naib": "Former Naib",
    "taqwa": "Taqwa",
    "water_sharer": "Water Sharer",
    "engaged": "Engaged",
    "veteran": "Veteran",
}
#: The theme's name of every role a sync manages, by key (tiers highest first, then specials).
DEFAULT_NAMES: dict[str, str] = {**TIER_NAMES, **SPECIAL_NAMES}
MANAGED_KEYS: tuple[str, ...] = tuple(DEFAULT_NAMES)
TIER_KEYS: frozenset[str] = frozenset(TIERS)
MANAGE_ROLES = flag("MANAGE_ROLES")


class RoleError(GaibError):
    """A Sietch role that cannot be found in the guild, or that the bot may not give."""


def mapping_by_key(by_name: Mapping[str, str], names: Mapping[str, str]) -> dict[str, str]:
    """Role mappings by name (the app configuration's ``roles``) as ``{key: role id}``."""
    return {key: by_name[name] for key, name in names.items() if name in by_name}


def names_from_config(config: ServerConfig | None) -> dict[str, str]:
    """Each managed key's role name: the config's (by ``key``), else the theme's default."""
    names = dict(DEFAULT_NAMES)
    for role in config.roles if config is not None else []:
        if role.key in names:
            names[role.key] = role.name
    return names


@dataclass(frozen=True)
class RoleMap:
    """The guild's role id of every managed key, and the names to print."""

    ids: Mapping[str, str]
    names: Mapping[str, str]

    def key_of(self) -> dict[str, str]:
        """``{role id: key}``."""
        return {role_id: key for key, role_id in self.ids.items()}

    @classmethod
    def resolve(
        cls,
        guild: Guild,
        *,
        names: Mapping[str, str] | None = None,
        mapping: Mapping[str, str] | None = None,
        keys: Iterable[str] = MANAGED_KEYS,
        declared: frozenset[str] | None = None,
    ) -> RoleMap:
        """Find the role of every key of ``keys`` in ``guild`` (see the module docstring).

        ``declared`` is the keys the project's config defines (:func:`declared_keys`), so that a
        missing role gets advice that works: ``gaib server apply`` creates only those.
        """
        names = dict(names or DEFAULT_NAMES)
        mapping = mapping or {}
        unknown = sorted(set(mapping) - set(MANAGED_KEYS))
        if unknown:
            raise RoleError(
                f"the role mapping names {', '.join(unknown)}, which Sietch does not manage",
                hint=f"map only these keys: {', '.join(MANAGED_KEYS)}",
            )
        by_name: dict[str, list[str]] = {}
        for role in guild.roles:
            by_name.setdefault(role.name, []).append(role.id)
        ids: dict[str, str] = {}
        missing: dict[str, str] = {}
        asked = set(keys)
        for key in [k for k in MANAGED_KEYS if k in asked]:
            if key in mapping:
                ids[key] = _mapped(guild, key, str(mapping[key]))
                continue
            found = by_name.get(names[key], [])
            if len(found) > 1:
                raise RoleError(
                    f"guild {guild.id} has {len(found)} roles named {names[key]!r} "
                    f"(ids {', '.join(sorted(found, key=int))}): role.{key} is ambiguous",
                    hint="rename or delete the extra role in Server Settings > Roles",
                )
            if found:
                ids[key] = found[0]
            else:
                missing[key] = f"{names[key]!r} (role.{key})"
        if missing:
            raise RoleError(
                f"guild {guild.id} has no role {', '.join(missing.values())}",
                hint=missing_roles_hint(list(missing), declared),
            )
        _distinct(ids, names)
        resolved = cls(ids, {key: _display(guild, ids[key], names[key]) for key in ids})
        resolved.check_assignable(guild)
        return resolved

    def check_assignable(self, guild: Guild) -> None:
        """``RoleError`` unless the bot may give and take every managed role."""
        if not guild.bot_permissions() & MANAGE_ROLES:
            raise RoleError(
                f"the bot lacks Manage Roles in guild {guild.id}, so it cannot give tier roles",
                hint="give the bot's role 'Manage Roles' in Server Settings > Roles",
            )
        top = guild.bot_top_role
        for key, role_id in self.ids.items():
            role = guild.role(role_id)
            assert role is not None  # resolved from this guild
            if role.managed:
                raise RoleError(
                    f"role {role.name!r} (role.{key}) is managed by an integration; nobody can "
                    "give it by hand",
                    hint=f"map role.{key} to a role of its own",
                )
            if guild.bot_is_owner:
                continue
            if top is None or (role.position, -int(role.id)) >= (top.position, -int(top.id)):
                bot = top.name if top is not None else "@everyone"
                raise RoleError(
                    f"the bot cannot give role {role.name!r} (role.{key}): Discord's hierarchy",
                    hint=hierarchy_hint(bot, role.name),
                )


def declared_keys(config: ServerConfig | None) -> frozenset[str] | None:
    """The managed keys the project's config defines as roles (``None``: no config)."""
    if config is None:
        return None
    return frozenset(role.address_key for role in config.roles) & frozenset(MANAGED_KEYS)


def missing_roles_hint(
    missing: list[str], declared: frozenset[str] | None, then: str = "sync again"
) -> str:
    """How to get the roles of the ``missing`` keys: apply them, or stop managing them.

    ``gaib server apply`` only creates roles the project's config defines; a config without
    any Sietch role needs the theme, and one that dropped some (``remove:``) can switch their
    feature gate off instead.
    """
    if declared is None or set(missing) <= declared:
        return f"create the theme's roles with `gaib server apply`, then {then}"
    if not declared:
        return (
            "discord-server.yaml defines none of the Sietch roles: base it on the theme with "
            "`gaib server init --theme sietch --force` (the old file is kept as a .bak), "
            f"then `gaib server apply`, then {then}"
        )
    from gaib_theme_sietch.appconfig.models import gates

    undeclared = [key for key in missing if key not in declared]
    off = sorted({name for name, gate in gates().items() if set(gate.roles) & set(undeclared)})
    roles = ", ".join(f"role.{key}" for key in undeclared)
    settings = " ".join(f"gates.{name}=off" for name in off)
    return (
        f"discord-server.yaml does not define {roles}: stop managing it with "
        f"`gaib sietch config set {settings}`, or add it back (see `remove:`) and run "
        f"`gaib server apply`, then {then}"
    )


def _mapped(guild: Guild, key: str, role_id: str) -> str:
    if guild.role(role_id) is None:
        raise RoleError(
            f"the role mapping gives role.{key} the id {role_id}, which guild {guild.id} "
            "does not have",
            hint="the role was deleted or re-created: update the mapping with "
            "`gaib sietch config map-roles`",
        )
    return role_id


def _distinct(ids: Mapping[str, str], names: Mapping[str, str]) -> None:
    seen: dict[str, str] = {}
    for key, role_id in ids.items():
        if role_id in seen:
            raise RoleError(
                f"role.{seen[role_id]} and role.{key} are the same role ({role_id})",
                hint="give each Sietch role its own Discord role",
            )
        seen[role_id] = key


def _display(guild: Guild, role_id: str, name: str) -> str:
    role = guild.role(role_id)
    return role.name if role is not None else name
