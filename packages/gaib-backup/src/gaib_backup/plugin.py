"""gaib-backup's plugin module (entry point ``gaib.backup``).

- ``gaib_addhooks``: declares gaib-backup's own hook (:mod:`gaib_backup.hookspecs`);
- ``gaib_backup_register_metadata``: the built-in metadata stores (``store``, ``dynamodb``);
- ``gaib_register_commands``: ``gaib server backup|snapshot|tier``, ``theme registry|history|
  rollback`` and ``export --backup``;
- ``gaib_before_change``: the safety net, a backup of the state before every change (apply,
  destroy, teardown, import, state rm/mv/push, restore, rollback), outside the on-demand limits;
- ``gaib_after_change``: the theme registry, one deployment per apply, destroy, teardown, restore
  and rollback with its outcome, and a snapshot of each successful deployment (for rollback).

The hooks find the backup store of the project in the current directory (``.gaib/backup.yaml``,
``GAIB_BACKUP_STORE``); a program embedding gaib can hand them a context with
:func:`use_context` instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy
from gaib_core import hookimpl

from gaib_backup import hookspecs
from gaib_backup.builtin_metadata import gaib_backup_register_metadata

if TYPE_CHECKING:
    from gaib_core.commands import CommandTree
    from gaib_core.lifecycle import ChangeEvent, ChangeOutcome

    from gaib_backup.context import BackupContext

__all__ = [
    "gaib_addhooks",
    "gaib_after_change",
    "gaib_backup_register_metadata",
    "gaib_before_change",
    "gaib_register_commands",
    "use_context",
]


@hookimpl
def gaib_addhooks(pluginmanager: pluggy.PluginManager) -> None:
    """Declare ``gaib_backup_register_metadata``; keep the manager for the commands."""
    from gaib_core.plugins import Hooks

    from gaib_backup.cli import common

    pluginmanager.add_hookspecs(hookspecs)
    common.HOOKS[:] = [Hooks(pluginmanager)]


@hookimpl
def gaib_register_commands(commands: CommandTree) -> None:
    """Add gaib-backup's commands to ``gaib server``."""
    from gaib_backup.cli import register

    register(commands)


def use_context(ctx: BackupContext | None) -> None:
    """Make the lifecycle hooks use ``ctx`` (None: the project in the current directory)."""
    from gaib_backup import lifecycle

    lifecycle.CONTEXT.set(ctx)


@hookimpl
def gaib_before_change(event: ChangeEvent) -> None:
    """The safety net: back the state up before it changes."""
    from gaib_backup import lifecycle

    lifecycle.safety_backup(event)


@hookimpl
def gaib_after_change(event: ChangeEvent, outcome: ChangeOutcome) -> None:
    """Record the deployment in the theme registry."""
    from gaib_backup import lifecycle

    lifecycle.record(event, outcome)
