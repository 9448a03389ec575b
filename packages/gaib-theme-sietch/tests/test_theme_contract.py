"""The Sietch theme against gaib-core's theme conformance kit.

Besides the manifest, flags and variables, the kit's hypothesis properties cover Sietch as a live
theme: drawn overrides, additions and removals (valid or not) load or fail with errors naming a
file and line; overriding items with the theme's own values changes nothing; and what loads,
ejected to a standalone file, loads back equal.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from gaib_core.testing.themes import ThemeContract
from gaib_theme_sietch.plugin import THEME_DIR
from hypothesis import HealthCheck, settings


class TestSietchTheme(ThemeContract):
    property_settings: ClassVar[settings] = settings(
        max_examples=40, deadline=None, suppress_health_check=list(HealthCheck)
    )

    @pytest.fixture
    def theme_path(self) -> Path:
        return THEME_DIR
