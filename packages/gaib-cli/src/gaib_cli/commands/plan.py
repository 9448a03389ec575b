"""``gaib server plan`` and ``gaib server diff``.

``plan`` prints Terraform's summary (``+ ~ - -/+`` and "Plan: X to add, Y to change, Z to
destroy."), saves the plan with ``-out FILE`` and, with ``--detailed-exitcode``, exits 0 (no
changes), 2 (changes) or 1 (error). ``diff`` prints every attribute with old and new values,
permission names instead of bits. The shared options and the rich rendering live here; the
apply commands reuse them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from gaib_core.commands import CommandTree
from gaib_core.errors import PlanError
from gaib_core.layout import CONFIG_FILE

from gaib_cli import context
from gaib_cli.errors import CommandFailed
from gaib_cli.outputs import FORCE, refuse_existing, write_output

# The engine is imported where a command runs, not here: `gaib --help` must start fast.
if TYPE_CHECKING:
    from gaib_core.engine.plan import Plan
    from gaib_core.engine.render import Line
    from gaib_core.engine.session import Session

CONFIG = typer.Option(
    None,
    "--config",
    "-c",
    help=f"The config to use [default: the project's {CONFIG_FILE}]; the project (.gaib/) is "
    "looked for from its directory up, then from the current one.",
)
GUILD = typer.Option(None, "--guild", help="Guild id (overrides server.guild_id).")
TARGET = typer.Option(
    [], "-target", "--target", help="Limit to this address and what it depends on (repeatable)."
)
LOCK_TIMEOUT = typer.Option(
    "0s", "-lock-timeout", "--lock-timeout", help="How long to wait for the state lock (30s, 2m)."
)
AS_JSON = typer.Option(False, "--json", help="Machine-readable output.")

STYLES = {
    "create": "green",
    "update": "yellow",
    "delete": "red",
    "replace": "magenta",
    "note": "dim",
    "warning": "yellow",
    "alert": "bold red reverse",
    "error": "bold red",
    "heading": "bold",
    "plain": "",
}


def print_lines(lines: list[Line]) -> None:
    """Print rendered plan lines with their colors."""
    from rich.text import Text

    for line in lines:
        context.out.print(Text(line.text, style=STYLES.get(line.style, "")))


def print_plan(plan: Plan, *, detailed: bool = False) -> None:
    """Print a plan (compact, or the full ``diff`` view)."""
    from gaib_core.engine.render import render_plan

    print_lines(render_plan(plan, detailed=detailed))


def session(config: Path | None, guild: str | None, *, need_config: bool = True) -> Session:
    """Open project, config, provider and state for a command."""
    from gaib_core.engine.session import open_session

    return open_session(config, context.hooks(), guild=guild, need_config=need_config)


async def make(
    opened: Session, targets: list[str], *, destroy: bool = False, lock_timeout: str = "0s"
) -> Plan:
    """Refresh and plan under the state lock (closing the provider afterwards)."""
    from gaib_core.engine.workflow import refresh_plan
    from gaib_core.state.lock import parse_timeout

    try:
        with opened.manager.locked("plan", timeout=parse_timeout(lock_timeout)):
            return await refresh_plan(
                opened.require_config(),
                opened.provider,
                opened.guild_id,
                opened.manager,
                targets=targets,
                destroy=destroy,
            )
    finally:
        await opened.aclose()


def refuse_errors(plan: Plan, *, as_json: bool = False) -> None:
    """Exit 1 when the plan has problems: ``PlanError`` (the problems are already printed), or
    under ``--json`` the error object with the whole plan as its ``details``."""
    if plan.errors:
        from gaib_core.engine.render import plan_json

        more = f" and {len(plan.errors) - 1} more" if len(plan.errors) > 1 else ""
        message = f"the plan has problems: {plan.errors[0]}{more}"
        if as_json:
            raise CommandFailed(message, details=plan_json(plan))
        raise PlanError(message)


def register(commands: CommandTree) -> None:
    """Add ``plan`` and ``diff`` to ``gaib server``."""
    server = commands.group("server")

    @server.command("plan")
    def plan_command(
        config: Path | None = CONFIG,
        guild: str | None = GUILD,
        out: Path | None = typer.Option(
            None, "-out", "--out", help="Save the plan to FILE for `gaib server apply FILE`."
        ),
        detailed_exitcode: bool = typer.Option(
            False,
            "--detailed-exitcode",
            "-detailed-exitcode",
            help="Exit 0 = no changes, 2 = changes, 1 = error.",
        ),
        as_json: bool = AS_JSON,
        target: list[str] = TARGET,
        destroy: bool = typer.Option(
            False, "--destroy", help="Plan to destroy everything managed."
        ),
        lock_timeout: str = LOCK_TIMEOUT,
        force: bool = FORCE,
    ) -> None:
        """Show what apply would change (refresh + diff), Terraform style."""
        from gaib_core.engine.render import plan_json
        from rich.text import Text

        if out is not None:
            refuse_existing(out, force=force, option="-out")
        plan = context.run_async(
            make(session(config, guild), target, destroy=destroy, lock_timeout=lock_timeout)
        )
        if as_json:
            refuse_errors(plan, as_json=True)  # then the error object is the one document
            context.print_json(plan_json(plan))
        else:
            print_plan(plan)
            refuse_errors(plan)
        if out is not None:
            write_output(out, plan.to_json(), force=force, mode=0o600, option="-out")
            if not as_json and not context.quiet():
                context.out.print(
                    Text(
                        f"\nSaved the plan to {out}. Apply exactly this plan with:\n"
                        f"    gaib server apply {out}"
                    )
                )
        if detailed_exitcode and plan.has_changes:
            # SystemExit, not typer.Exit: gaib_cli.errors.run calls click with
            # standalone_mode=False, which turns typer.Exit into a discarded return value.
            raise SystemExit(2)

    @server.command("diff")
    def diff_command(
        config: Path | None = CONFIG,
        guild: str | None = GUILD,
        as_json: bool = AS_JSON,
        target: list[str] = TARGET,
        lock_timeout: str = LOCK_TIMEOUT,
    ) -> None:
        """Show every attribute that differs between the config and the guild."""
        from gaib_core.engine.render import plan_json

        plan = context.run_async(make(session(config, guild), target, lock_timeout=lock_timeout))
        if as_json:
            refuse_errors(plan, as_json=True)
            data: dict[str, Any] = plan_json(plan)
            context.print_json({"changes": data["changes"], "summary": data["summary"]})
        else:
            print_plan(plan, detailed=True)
        refuse_errors(plan)
