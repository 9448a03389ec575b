"""What gaib-backup does around every change (called from :mod:`gaib_backup.plugin`'s hooks).

Before: a ``safety`` backup of the state as it is (skipped for an empty state; an identical
backup is named rather than stored again). A failure to back up aborts the change with nothing
written: a change without its safety net is what this plugin exists to prevent. Turn it off with
``safety_backups: false`` in ``.gaib/backup.yaml``.

After an apply, destroy, teardown, restore or rollback: a ``ThemeDeployment`` in the theme
registry with the outcome (succeeded, failed, interrupted) and, for a successful apply or
rollback, the id of a ``deployment`` snapshot of the new state and its config (what a rollback
returns to). A snapshot restore records the snapshot it restored; a backup restore (state only)
records none.
"""

from __future__ import annotations

import contextvars
import os
import sys
from pathlib import Path

from gaib_core.config.dump import dump_config
from gaib_core.config.loader import load_config
from gaib_core.errors import GaibError
from gaib_core.lifecycle import ChangeEvent, ChangeOutcome
from gaib_core.project import CONFIG_FILE, GAIB_DIR, Project, discover_project, project_or_here

from gaib_backup.backups import create_backup
from gaib_backup.context import BackupContext, open_context
from gaib_backup.errors import BackupError
from gaib_backup.operations import RESTORED_FROM, ROLLBACK_OF
from gaib_backup.settings import STORE_ENV, load_settings
from gaib_backup.snapshots import create_snapshot
from gaib_backup.theme_registry import new_deployment, read_registry, record_deployment

#: A context set by a program embedding gaib (see ``gaib_backup.plugin.use_context``).
CONTEXT: contextvars.ContextVar[BackupContext | None] = contextvars.ContextVar(
    "gaib_backup_context", default=None
)
#: Operations recorded in the theme registry.
DEPLOYMENTS = ("apply", "destroy", "teardown", "restore", "rollback")


def project_of(event: ChangeEvent) -> Project | None:
    """The project whose state changes, found as gaib-core finds one: from a local state's path
    (``<root>/.gaib/workspaces/<workspace>/state.json``), else from the current directory
    upwards (:func:`gaib_core.project.discover_project`: a subdirectory finds its project), else
    None (a remote state changed from outside any project)."""
    marker = f"/{GAIB_DIR}/workspaces/"
    url = event.state_url.removeprefix("file://")
    if url.startswith("/") and marker in url:
        return Project(Path(url.split(marker, 1)[0]))
    found = discover_project(Path.cwd())
    return found if found is not None and found.exists else None


def context(event: ChangeEvent) -> BackupContext | None:
    """The context set with ``use_context``, else the changed project's, else the store
    ``GAIB_BACKUP_STORE`` names; None when there is no project and no store (a program
    changing a state outside any project, with nothing configured)."""
    ctx = CONTEXT.get()
    if ctx is not None:
        return ctx
    project = project_of(event)
    if project is not None:
        return open_context(project)
    url = os.environ.get(STORE_ENV)
    return BackupContext.from_settings(load_settings(project_or_here(), store=url)) if url else None


def safety_backup(event: ChangeEvent) -> None:
    """Back ``event.state_before`` up (kind ``safety``); ``BackupError`` aborts the change."""
    if event.state_before.serial == 0 or not event.state_before.resources:
        return
    if not event.guild_id:
        # Backups are filed by server; a state that names no guild (never applied, e.g. built
        # by hand and pushed) has no server to file it under, so it gets none.
        return
    try:
        ctx = context(event)
        if ctx is None or not ctx.settings.safety_backups:
            return
        create_backup(
            ctx,
            event.state_before,
            server_id=event.guild_id,
            workspace=event.workspace,
            message=f"before {event.operation}",
            kind="safety",
        )
    except GaibError as exc:
        raise BackupError(
            f"the safety backup before {event.operation} failed: {exc.message}",
            hint="fix the backup store (see `gaib server backup list`), or set "
            "safety_backups: false in .gaib/backup.yaml to change without one",
        ) from None


def config_text(event: ChangeEvent, outcome: ChangeOutcome) -> str:
    """The config of a deployment: the project's discord-server.yaml as written, when that is
    what was applied; otherwise the applied config written out. Outside any project (a remote
    state changed with ``--config`` from elsewhere) no file is read: the applied config, written
    out (none: empty), is what was deployed."""
    project = project_of(event)
    path = project.root / CONFIG_FILE if project is not None else None
    if path is not None and path.exists():
        text = path.read_text(encoding="utf-8")
        if event.config is None:
            return text
        try:
            if load_config(path) == event.config:
                return text
        except GaibError:
            pass
    return dump_config(event.config) if event.config is not None else ""


def record(event: ChangeEvent, outcome: ChangeOutcome) -> None:
    """Record a deployment (and snapshot a successful one) in the theme registry.

    The change is done by now: a store that fails here is reported on stderr in one line, it does
    not turn a finished apply into an error.
    """
    if event.operation not in DEPLOYMENTS or not event.guild_id:
        return
    try:
        _record(event, outcome)
    except GaibError as exc:
        sys.stderr.write(
            f"Warning: the {event.operation} is not recorded in the theme registry: {exc}\n"
        )


def _record(event: ChangeEvent, outcome: ChangeOutcome) -> None:
    ctx = context(event)
    if ctx is None:
        return
    server_id = event.guild_id
    snapshot_id = None
    deployed = outcome.succeeded and event.operation not in ("destroy", "teardown")
    if event.operation == "restore":
        # a snapshot restore deploys that snapshot; a backup restore (state only) has no config
        # of its own to return to, so it is no rollback target
        snapshot_id = RESTORED_FROM.get() if outcome.succeeded else None
    elif deployed and ctx.settings.deployment_snapshots:
        manifest = create_snapshot(
            ctx,
            outcome.state,
            config_text(event, outcome),
            read_registry(ctx, server_id),
            server_id=server_id,
            workspace=event.workspace,
            message=f"after {event.operation}",
            kind="deployment",
        )
        snapshot_id = manifest.id
    theme = outcome.state.theme or event.state_before.theme
    deployment = new_deployment(
        ctx,
        action=event.operation,  # type: ignore[arg-type]
        theme_name=event.theme_name or (theme.name if theme else None),
        theme_version=event.theme_version or (theme.version if theme else None),
        serial=outcome.serial_after,
        workspace=event.workspace,
        outcome=outcome.status,
        snapshot_id=snapshot_id,
        error=outcome.error,
        rollback_of=ROLLBACK_OF.get() if event.operation == "rollback" else None,
    )
    record_deployment(ctx, server_id, deployment)
