"""gaib-backup's commands, added to ``gaib server`` through ``gaib_register_commands``.

One module per group: :mod:`.backup` (with :mod:`.scheduled`: ``run-scheduled`` and
``schedule``), :mod:`.snapshot`, :mod:`.theme` (registry, history,
rollback), :mod:`.tier`, and :mod:`.export` (``--backup`` for gaib-cli's ``export``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gaib_core.commands import CommandTree


def register(commands: CommandTree) -> None:
    """Add every gaib-backup command group to the tree."""
    from gaib_backup.cli import backup, export, scheduled, snapshot, theme, tier

    commands.add_group("server backup", backup.app, help=backup.HELP)
    scheduled.register(commands)  # run-scheduled and schedule enable|disable|list
    commands.add_group("server snapshot", snapshot.app, help=snapshot.HELP)
    commands.add_group("server tier", tier.app, help=tier.HELP)
    theme.register(commands.group("server theme"))
    export.extend(commands.group("server"))
