"""Fixtures for the Sietch theme tests: the theme rendered through gaib-core's theme system."""

from __future__ import annotations

import pytest
from gaib_core.config.models import ServerConfig
from gaib_core.themes.matrix import Matrix, permission_matrix
from gaib_theme_sietch import rendering


@pytest.fixture(scope="session")
def sietch() -> ServerConfig:
    """The Sietch theme rendered with its defaults."""
    return rendering.render()


@pytest.fixture(scope="session")
def matrix(sietch: ServerConfig) -> Matrix:
    """The permission matrix of the default rendering, with the bot holding what it needs."""
    from gaib_core import permissions as perms

    bits = perms.to_bits(rendering.required_bot_permissions(sietch))
    return permission_matrix(sietch, bot_permissions=bits)
