"""The Sietch roles' ids read from a guild: names from the config (renamed roles found), else
the theme's; missing names reported, duplicates and an empty guild refused."""

from __future__ import annotations

import pytest
from gaib_core.config.models import RoleConfig, ServerConfig
from gaib_core.errors import GaibError
from gaib_core.provider.models import Role
from gaib_theme_sietch.appconfig.mapping import find_roles, role_keys, sietch_role_names
from gaib_theme_sietch.appconfig.models import AppConfig


def test_names_come_from_the_config_else_the_theme() -> None:
    theme = sietch_role_names(None)
    assert len(theme) == len(role_keys()) == 14
    assert {"Naib", "Former Naib", "Hajra", "Water Sharer"} <= set(theme)
    renamed = ServerConfig(roles=[RoleConfig(name="High Council", key="naib")])
    assert sietch_role_names(renamed) == ["High Council"]


def test_found_roles_are_mapped_and_the_others_reported() -> None:
    roles = [Role(id="21", name="Naib"), Role(id="22", name="Hajra"), Role(id="23", name="Other")]
    found = find_roles(["Naib", "Hajra", "Veteran"], roles, "1")
    assert found.ids == {"Naib": "21", "Hajra": "22"}
    assert found.missing == ("Veteran",)
    kept = AppConfig(roles={"Other": "23", "Naib": "11"})
    assert found.apply(kept).roles == {"Hajra": "22", "Naib": "21", "Other": "23"}


def test_duplicates_and_a_guild_without_any_are_refused() -> None:
    twice = [Role(id="21", name="Naib"), Role(id="22", name="Naib")]
    with pytest.raises(GaibError, match=r"has 2 roles named 'Naib' \(ids 21, 22\)"):
        find_roles(["Naib"], twice, "1")
    with pytest.raises(GaibError, match="has none of the Sietch roles") as caught:
        find_roles(["Naib"], [Role(id="1", name="@everyone")], "1")
    assert caught.value.hint == "create them first: gaib server apply"


def test_the_advice_for_a_guild_without_roles_follows_the_project() -> None:
    from gaib_theme_sietch.appconfig.mapping import create_hint

    sietch = ServerConfig(roles=[RoleConfig(name="High Council", key="naib")])
    assert (
        create_hint(sietch) == "create the theme's roles with `gaib server apply`, then map again"
    )
    plain = create_hint(ServerConfig(roles=[RoleConfig(name="Mods")]))
    assert "`gaib server init --theme sietch --force`" in plain
