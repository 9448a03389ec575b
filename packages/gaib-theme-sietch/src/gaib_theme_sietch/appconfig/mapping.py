"""Role mappings read from the guild: each Sietch role's name -> its Discord role id.

The Sietch roles are the role keys the feature gates cover (the 9 tiers and 5 special roles).
Their names come from the project's config when it declares them (a community may rename
``role.naib``), else from the Sietch theme's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gaib_core.config.models import ServerConfig
from gaib_core.errors import GaibError
from gaib_core.project import Project
from gaib_core.provider.models import Role

from gaib_theme_sietch.appconfig.models import AppConfig, gates


@dataclass(frozen=True)
class FoundRoles:
    """The Sietch roles found in a guild (name -> id) and the names it does not have."""

    ids: dict[str, str]
    missing: tuple[str, ...]

    def apply(self, config: AppConfig) -> AppConfig:
        """``config`` with these mappings added or updated (other mappings kept)."""
        data = config.model_dump(mode="json")
        return AppConfig.model_validate(data | {"roles": data["roles"] | self.ids})


def role_keys() -> tuple[str, ...]:
    """Every Sietch role key (``naib`` ... ``veteran``), in the gates' order."""
    return tuple(key for gate in gates().values() for key in gate.roles)


def sietch_role_names(config: ServerConfig | None) -> list[str]:
    """The names of the Sietch roles: the config's roles with Sietch keys, else the theme's."""
    keys = set(role_keys())
    if config is not None:
        names = [r.name for r in config.roles if r.address_key in keys]
        if names:
            return names
    from gaib_theme_sietch import rendering

    return [r.name for r in rendering.render().roles if r.address_key in keys]


def find_roles(
    names: list[str],
    roles: list[Role],
    guild_id: str,
    hint: str = "create them first: gaib server apply",
) -> FoundRoles:
    """Each name's role id among ``roles``; a name held by two roles is an error.

    ``hint`` is the advice when the guild has none of them (:func:`create_hint`).
    """
    ids: dict[str, str] = {}
    missing: list[str] = []
    for name in names:
        matches = sorted(r.id for r in roles if r.name == name)
        if len(matches) > 1:
            raise GaibError(
                f"guild {guild_id} has {len(matches)} roles named {name!r} (ids "
                f"{', '.join(matches)})",
                hint="rename or delete the extra role, then map again",
            )
        if matches:
            ids[name] = matches[0]
        else:
            missing.append(name)
    if not ids:
        raise GaibError(
            f"guild {guild_id} has none of the Sietch roles ({', '.join(names)})",
            hint=hint,
        )
    return FoundRoles(ids, tuple(missing))


def map_sietch_roles(project: Project, guild_id: str, config: Path | None = None) -> FoundRoles:
    """Read the live guild and find the Sietch roles in it."""
    from gaib_theme_sietch.appconfig.target import read_guild

    live = read_guild(project, guild_id, config)
    return find_roles(
        sietch_role_names(live.config), live.guild.roles, guild_id, create_hint(live.config)
    )


def create_hint(config: ServerConfig | None) -> str:
    """How to create the Sietch roles: apply, if the project's config defines any of them."""
    from gaib_theme_sietch.tiers.roles import declared_keys, missing_roles_hint

    declared = declared_keys(config)
    missing = list(declared) if declared else list(role_keys())
    return missing_roles_hint(missing, declared, then="map again")
