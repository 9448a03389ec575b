"""The plugin manager's facade Sietch's commands fire lifecycle hooks through.

``gaib_addhooks`` (``plugin.py``) keeps the facade of the manager that loaded the theme, so the
hooks a sync fires reach exactly the plugins the running ``gaib`` loaded (gaib-backup's safety
backup among them). A program that imports the commands without that manager gets
``gaib_core.plugins.DEFAULT_HOOKS``, built from the installed plugins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gaib_core.plugins import Hooks

#: Set by ``gaib_addhooks`` when gaib loads the plugin.
HOOKS: list[Hooks] = []


def hooks() -> Hooks:
    """The facade of the manager that loaded Sietch, else the default one."""
    if HOOKS:
        return HOOKS[0]
    from gaib_core.plugins import DEFAULT_HOOKS

    return DEFAULT_HOOKS
