"""``gaib server backup run-scheduled`` (what cron calls) and ``gaib server backup schedule
enable|disable|list`` (which workspaces scheduled runs back up).

A cron line that keeps every enrolled server's backups at its service tier's frequency::

    0 * * * *  cd /srv/community && gaib server backup run-scheduled

Premium servers are backed up every hour, free servers once a day from 03:00 UTC; a run that
finds nothing due does nothing. The exit code is 1 when a server's backup failed, so cron mails
the failure.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import typer
from gaib_core.errors import GaibError

from gaib_backup.cli.common import (
    AS_JSON,
    GUILD,
    STORE,
    err,
    hooks,
    print_json,
    project,
    say,
    warn_if_ephemeral,
)

# The scheduler and the store are imported where a command runs: gaib imports this module to
# build `gaib --help`.
if TYPE_CHECKING:
    from gaib_core.commands import CommandTree

    from gaib_backup.context import BackupContext

HELP = "Which workspaces scheduled backups cover: enable, disable, list."
app = typer.Typer(help=HELP, no_args_is_help=True)
SERVICE_TIER = typer.Option(
    None, "--service-tier", help="Run only servers of this service tier (repeatable; default: all)."
)
CLOUDWATCH = typer.Option(
    False,
    "--cloudwatch",
    help="Put the ScheduledBackupFailures metric to CloudWatch (AWS credentials).",
)
NOTIFY = typer.Option(
    True,
    "--notify/--no-notify",
    help="Send the run's notification (SNS, Discord webhook, plugins).",
)


def register(commands: CommandTree) -> None:
    """Add ``run-scheduled`` to ``gaib server backup`` and the ``schedule`` group under it."""
    commands.group("server backup").command("run-scheduled")(run_scheduled_command)
    commands.add_group("server backup schedule", app, help=HELP)


def _context(store: str | None) -> BackupContext:
    from gaib_core.project import find_project, project_or_here

    from gaib_backup.context import open_context

    # With --store a scheduled run needs no project (cron, a Lambda); without one it does.
    project = project_or_here() if store else find_project()
    ctx = open_context(project, store=store, hooks=hooks())
    warn_if_ephemeral(ctx)
    return ctx


def run_scheduled_command(
    service_tier: list[str] | None = SERVICE_TIER,
    store: str | None = STORE,
    cloudwatch: bool = CLOUDWATCH,
    notify: bool = NOTIFY,
    as_json: bool = AS_JSON,
) -> None:
    """Back up every enrolled workspace that is due (premium hourly, free daily from 03:00 UTC)."""
    from gaib_backup import scheduled
    from gaib_backup.metrics import emit_failures
    from gaib_backup.notify import builtin_notifiers, deliver
    from gaib_backup.service_tiers import policies

    for name in service_tier or []:
        if name not in policies():
            raise GaibError(
                f"--service-tier: unknown service tier {name!r}",
                hint=f"use one of: {', '.join(policies())}",
            )
    ctx = _context(store)
    run = scheduled.run_scheduled(ctx, service_tiers=service_tier or None, trigger="run-scheduled")
    if cloudwatch:
        emit_failures(run.failures, run.run_at)
    undelivered = []
    if notify:
        notifiers = builtin_notifiers()
        try:
            undelivered = deliver(hooks().pm, run.notification(), notifiers)
        finally:
            for notifier in notifiers:
                getattr(notifier, "close", lambda: None)()
    if as_json:
        print_json(
            {
                "run_at": run.run_at.isoformat(),
                "failures": run.failures,
                "outcomes": [o.model_dump() for o in run.outcomes],
                "undelivered_notifications": [f"{f.notifier}: {f.error}" for f in undelivered],
            }
        )
    else:
        if not run.outcomes:
            say(
                "No workspace is enrolled for scheduled backups (gaib server backup schedule enable)."
            )
        for outcome in run.outcomes:
            say(outcome.line(), "red" if outcome.status == "failed" else "")
    for failure in undelivered:
        err(f"notification by {failure.notifier} failed: {failure.error}")
    if run.failures:
        raise typer.Exit(1)


@app.command("enable")
def enable(guild: str | None = GUILD, store: str | None = STORE) -> None:
    """Enrol the selected workspace: scheduled runs back it up at its service tier's frequency."""
    from gaib_core.project import find_project

    from gaib_backup import scheduled

    with project(guild, store) as opened:
        settings = find_project().load().backend
        workspace = opened.session.manager.workspace
        if settings.type == "local":
            url = (find_project().gaib_dir / "workspaces").resolve().as_uri()
        else:
            url = settings.url or ""
        target = scheduled.enrol(opened.ctx, opened.server_id, workspace, url, settings.options)
        tier = opened.ctx.service_tier(target.server_id)
        say(
            f"Enrolled {target.server_id}/{workspace} ({tier}) for scheduled backups; state: {target.state_url}",
            "green",
        )
        if url.startswith("file:"):
            say(
                "Its state is on this disk: run `gaib server backup run-scheduled` here (cron); the Lambda cannot read it."
            )


@app.command("disable")
def disable(guild: str | None = GUILD, store: str | None = STORE) -> None:
    """Stop scheduled backups of the selected workspace (its backups stay)."""
    from gaib_backup import scheduled

    with project(guild, store) as opened:
        workspace = opened.session.manager.workspace
        if not scheduled.unenrol(opened.ctx, opened.server_id, workspace):
            raise GaibError(
                f"{opened.server_id}/{workspace} is not enrolled for scheduled backups",
                hint="`gaib server backup schedule list` shows what is",
            )
        say(f"Scheduled backups of {opened.server_id}/{workspace} stopped; its backups are kept.")


@app.command("list")
def list_command(store: str | None = STORE, as_json: bool = AS_JSON) -> None:
    """The enrolled workspaces, their service tier, last scheduled run and when the next is due."""
    from gaib_backup import scheduled
    from gaib_backup.context import parse_timestamp
    from gaib_backup.service_tiers import policies

    ctx = _context(store)
    now = ctx.now()
    rows = []
    for target in scheduled.enrolled(ctx):
        tier = ctx.service_tier(target.server_id)
        last = parse_timestamp(target.last_run) if target.last_run else None
        start = scheduled.period_start(tier, now)
        hours = policies()[tier].backup_every_hours
        due = start if last is None or last < start else start + dt.timedelta(hours=hours)
        rows.append({**target.model_dump(exclude={"storage_options"}), "service_tier": tier,
                     "next_due": due.strftime("%Y-%m-%dT%H:%M:%SZ")})  # fmt: skip
    if as_json:
        print_json(rows)
        return
    if not rows:
        say("No workspace is enrolled (gaib server backup schedule enable).")
    for row in rows:
        say(f"{row['server_id']}/{row['workspace']} ({row['service_tier']}): last run "
            f"{row['last_run'] or 'never'}, next due {row['next_due']}, state {row['state_url']}")  # fmt: skip
