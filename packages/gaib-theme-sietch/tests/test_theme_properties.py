"""Property: any valid variable values render a valid Sietch config with the same permissions."""

from __future__ import annotations

from gaib_core.config.models import ServerConfig
from gaib_core.config.validate import validate_config
from gaib_core.themes.matrix import permission_matrix
from gaib_theme_sietch import rendering
from hypothesis import given, settings
from hypothesis import strategies as st

COLOR_VARIABLES = [name for name in rendering.load().variables if name.startswith("color_")]

colors = st.integers(0, 0xFFFFFF).map(lambda n: f"#{n:06x}")
names = st.text(
    st.characters(codec="utf-8", categories=["L", "N", "Zs", "Pd", "Po"], exclude_characters="$"),
    min_size=2,  # community_name names the server: Discord takes 2-100 characters
    max_size=100,
).filter(lambda s: s.strip() == s and s != "")
values = st.fixed_dictionaries(
    {},
    optional={
        "community_name": names,
        "enable_voice": st.booleans(),
        "enable_badge_channels": st.booleans(),
        **{name: colors for name in COLOR_VARIABLES},
    },
)


@settings(max_examples=30, deadline=None)
@given(values=values)
def test_any_values_render_a_valid_config_with_the_default_permissions(
    values: dict[str, str | bool], sietch: ServerConfig
) -> None:
    config = rendering.render(values)
    validate_config(config)
    assert config.server.name == values.get("community_name", "Sietch")
    assert [role.name for role in config.roles] == [role.name for role in sietch.roles]
    # Colors, names and flags never change who can do what in the channels that remain.
    rendered = permission_matrix(config)
    default = permission_matrix(sietch)
    for row in rendered.rows:
        assert row.cells == default.row(row.channel).cells
    assert len(rendered.rows) <= len(default.rows)
