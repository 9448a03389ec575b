"""``gaib server apply [PLANFILE]`` and ``gaib server destroy``.

Without a plan file, apply refreshes, plans, shows the plan and asks for ``yes`` (unless
``--auto-approve``), all under the state lock so nobody applies in between. With a plan file it
applies exactly that plan (refused if the state moved since it was saved). Each finished
resource gets one result line; a rich progress bar shows the rest.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from gaib_core.commands import CommandTree
from gaib_core.errors import GaibError, PlanError

from gaib_cli import context
from gaib_cli.commands.plan import (
    AS_JSON,
    CONFIG,
    GUILD,
    LOCK_TIMEOUT,
    TARGET,
    print_plan,
    refuse_errors,
    session,
)
from gaib_cli.errors import CommandFailed

# The engine is imported where a command runs, not here: `gaib --help` must start fast.
if TYPE_CHECKING:
    from gaib_core.engine.apply import ApplyResult, ResourceResult
    from gaib_core.engine.plan import Plan, ResourceChange
    from rich.progress import Progress

AUTO_APPROVE = typer.Option(
    False, "--auto-approve", "-auto-approve", help="Do not ask for confirmation."
)
DONE = {
    "create": "created",
    "update": "updated",
    "replace": "replaced",
    "delete": "destroyed",
    "no-op": "recorded",
}


class ProgressListener:
    """Prints one line per finished resource and advances a progress bar."""

    def __init__(self, progress: Progress, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done: list[ResourceResult] = []
        self.task = progress.add_task("applying", total=max(total, 1))

    def started(self, change: ResourceChange) -> None:
        """Show which resource is in flight."""
        self.progress.update(self.task, description=f"{change.address}")

    def finished(self, result: ResourceResult) -> None:
        """Print the result line."""
        from rich.text import Text

        self.done.append(result)
        self.progress.advance(self.task)
        if result.ok:
            ident = f" [id={result.id}]" if result.id else ""
            text = f"{result.address}: {DONE.get(result.action, result.action)} after {result.seconds:.1f}s{ident}"
            self.progress.console.print(Text(text, style="green"))
        else:
            self.progress.console.print(
                Text(f"{result.address}: failed: {result.message}", style="bold red")
            )


def _interrupted(listener: ProgressListener, destroy: bool) -> None:
    """What an interrupted apply did, and how to carry on (Ctrl-C)."""
    finished = [r for r in listener.done if r.ok]
    command = "gaib server destroy" if destroy else "gaib server apply"
    context.err(
        f"interrupted after {context.count(len(finished), 'change')} of {listener.total}: "
        f"what finished is recorded in state (the one in flight is adopted by the next plan); "
        f"run `{command}` again to continue"
    )


def confirm(destroy: bool) -> bool:
    """Terraform's question; only ``yes`` approves."""
    from rich.text import Text

    what = "destroy all managed resources" if destroy else "perform these actions"
    context.out.print(
        Text(f"\nDo you want to {what}?\n  Only 'yes' will be accepted to approve.", style="bold")
    )
    try:
        answer = typer.prompt("  Enter a value", default="", show_default=False)
    except (EOFError, typer.Abort):
        return False
    return answer.strip() == "yes"


def result_json(result: ApplyResult | None, plan: Plan) -> dict[str, Any]:
    """The ``--json`` document of ``apply`` and ``destroy`` (docs/json.md)."""
    from gaib_core.engine.render import plan_json

    add, change, destroy = plan.counts() if result is not None else (0, 0, 0)
    return {
        "operation": "destroy" if plan.destroy else "apply",
        "guild_id": plan.guild_id,
        "applied": result is not None,
        "plan": plan_json(plan),
        "results": [
            {
                "address": r.address,
                "action": r.action,
                "ok": r.ok,
                "id": r.id,
                "message": r.message,
                "seconds": round(r.seconds, 3),
            }
            for r in (result.results if result is not None else [])
        ],
        "errors": list(result.errors) if result is not None else [],
        "summary": {"added": add, "changed": change, "destroyed": destroy},
    }


def report(result: ApplyResult, plan: Plan, *, as_json: bool = False) -> None:
    """The closing line (or the JSON document); raise (exit 1) when something failed."""
    from rich.text import Text

    add, change, destroy = plan.counts()
    if result.errors:
        message = (
            f"apply stopped after {context.count(len(result.errors), 'error')}; what finished is recorded in "
            "state, run `gaib server apply` again after fixing the cause"
        )
        if as_json:
            raise CommandFailed(message, details=result_json(result, plan))
        for error in result.errors:
            context.err(f"Error: {error}")
        raise GaibError(message)
    if as_json:
        context.print_json(result_json(result, plan))
        return
    verb = "Destroy" if plan.destroy else "Apply"
    context.out.print(
        Text(
            f"\n{verb} complete! Resources: {add} added, {change} changed, {destroy} destroyed.",
            style="bold green",
        )
    )


async def _run(
    config: Path | None,
    guild: str | None,
    planfile: Path | None,
    targets: list[str],
    *,
    destroy: bool,
    auto_approve: bool,
    dry_run: bool,
    lock_timeout: str,
    as_json: bool = False,
) -> None:
    import asyncio

    from gaib_core.engine.apply import apply_plan
    from gaib_core.engine.plan import Plan
    from gaib_core.engine.workflow import refresh_plan
    from gaib_core.state.lock import parse_timeout
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    if as_json and planfile is None and not auto_approve and not dry_run:
        # Terraform's rule: a JSON consumer cannot answer the question.
        raise GaibError(
            "--json needs --auto-approve (or a plan file saved with `plan -out`)",
            hint="review the plan with `gaib server plan --json` first",
        )
    opened = session(config, guild, need_config=planfile is None)
    try:
        with opened.manager.locked(
            "destroy" if destroy else "apply", timeout=parse_timeout(lock_timeout)
        ):
            if planfile is not None:
                text = planfile.read_text()
                if planfile.suffix in (".yaml", ".yml") or not text.lstrip().startswith("{"):
                    raise PlanError(
                        f"{planfile} is not a saved plan (plans are JSON, from `plan -out`)",
                        hint=f"to apply a config file, run `gaib server apply --config {planfile}`",
                    )
                plan = Plan.from_json(text, source=str(planfile))
                if plan.guild_id != opened.guild_id:
                    raise PlanError(
                        f"{planfile} was made for guild {plan.guild_id}, not {opened.guild_id}",
                        hint="pass --guild to match, or make a new plan",
                    )
            else:
                plan = await refresh_plan(
                    opened.require_config(),
                    opened.provider,
                    opened.guild_id,
                    opened.manager,
                    targets=targets,
                    destroy=destroy,
                )
                if not as_json:
                    print_plan(plan)
                refuse_errors(plan, as_json=as_json)
                if dry_run or not plan.has_changes:
                    if as_json:
                        context.print_json(result_json(None, plan))
                    return
                if not auto_approve and not confirm(destroy):
                    raise GaibError("apply cancelled: only 'yes' approves")
            if as_json:
                result = await apply_plan(
                    plan, opened.provider, opened.manager, opened.hooks, config=opened.config
                )
                report(result, plan, as_json=True)
                return
            total = len(plan.actionable()) + bool(plan.role_order) + bool(plan.channel_positions)
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TimeElapsedColumn(),
                console=context.out,
                transient=True,
                disable=context.quiet(),
            ) as progress:
                listener = ProgressListener(progress, total)
                try:
                    result = await apply_plan(
                        plan,
                        opened.provider,
                        opened.manager,
                        opened.hooks,
                        config=opened.config,
                        listener=listener,
                    )
                except asyncio.CancelledError:  # Ctrl-C: asyncio cancels, then re-raises it
                    _interrupted(listener, destroy)
                    raise
            report(result, plan)
    finally:
        await opened.aclose()


def register(commands: CommandTree) -> None:
    """Add ``apply`` and ``destroy`` to ``gaib server``."""
    server = commands.group("server")

    @server.command("apply")
    def apply_command(
        planfile: Path | None = typer.Argument(None, help="A plan saved with `plan -out FILE`."),
        config: Path | None = CONFIG,
        guild: str | None = GUILD,
        auto_approve: bool = AUTO_APPROVE,
        target: list[str] = TARGET,
        lock_timeout: str = LOCK_TIMEOUT,
        as_json: bool = AS_JSON,
    ) -> None:
        """Make the guild match the config (or apply a saved plan exactly)."""
        context.run_async(
            _run(
                config,
                guild,
                planfile,
                target,
                destroy=False,
                auto_approve=auto_approve,
                dry_run=False,
                lock_timeout=lock_timeout,
                as_json=as_json,
            )
        )

    @server.command("destroy")
    def destroy_command(
        config: Path | None = CONFIG,
        guild: str | None = GUILD,
        auto_approve: bool = AUTO_APPROVE,
        target: list[str] = TARGET,
        dry_run: bool = typer.Option(False, "--dry-run", help="Show the plan; change nothing."),
        lock_timeout: str = LOCK_TIMEOUT,
        as_json: bool = AS_JSON,
    ) -> None:
        """Delete every managed resource (reverse order; lifecycle.prevent_destroy respected)."""
        context.run_async(
            _run(
                config,
                guild,
                None,
                target,
                destroy=True,
                auto_approve=auto_approve,
                dry_run=dry_run,
                lock_timeout=lock_timeout,
                as_json=as_json,
            )
        )
