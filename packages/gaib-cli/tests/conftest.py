"""Shared fixtures for the CLI tests (the sandbox fixtures come from ``gaib_core.testing``)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

BASE: dict[str, Any] = {
    "roles": [
        {"name": "Naib", "color": "#FFD700", "hoist": True, "permissions": ["MANAGE_MESSAGES"]},
        {"name": "Fedaykin", "color": "#C0C0C0"},
        {"name": "Member"},
    ],
    "categories": [
        {
            "name": "Stillsuit",
            "overwrites": {
                "@everyone": {"deny": ["VIEW_CHANNEL"]},
                "Naib": {"allow": ["VIEW_CHANNEL"]},
                "@bot": {"allow": ["VIEW_CHANNEL"]},
            },
            "channels": [
                {"name": "Council Chamber", "topic": "for the Naib"},
                {"name": "Voice Hall", "type": "voice"},
            ],
        }
    ],
    "channels": [{"name": "general"}, {"name": "announcements", "type": "announcement"}],
}


@pytest.fixture
def base() -> dict[str, Any]:
    """A small config (3 roles, a private category with 2 channels, 2 top-level channels)."""
    return copy.deepcopy(BASE)
