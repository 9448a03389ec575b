"""What gaib-backup's command modules share: options, output, opening project and store.

Importing this module (and the command modules) must stay cheap: gaib loads every plugin's
commands to build ``gaib --help``. The engine, the backup store and rich's console are imported
where a command uses them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from gaib_core.errors import GaibError
from gaib_core.layout import CONFIG_FILE
from gaib_core.plugins import DEFAULT_HOOKS, Hooks
from gaib_core.text import is_unsafe

if TYPE_CHECKING:
    from gaib_core.engine.plan import Plan
    from gaib_core.engine.session import Session
    from gaib_core.state.models import State
    from rich.console import Console

    from gaib_backup.context import BackupContext


@cache
def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True, emoji=False)


GUILD = typer.Option(None, "--guild", help="Guild id (default: the project's).")
STORE = typer.Option(
    None,
    "--store",
    help="Backup store URL (file://, s3://, gs://, memory://); default: .gaib/backup.yaml, "
    "$GAIB_BACKUP_STORE, or file://.gaib/backups.",
)
CONFIG = typer.Option(
    None,
    "--config",
    "-c",
    help=f"The config to use [default: the project's {CONFIG_FILE}]; the project (.gaib/) is "
    "looked for from its directory up, then from the current one.",
)
AS_JSON = typer.Option(False, "--json", help="Machine-readable output.")


def _plain_message(value: str | None) -> str | None:
    """``--message`` without control characters: lists print it in terminals, where an escape
    sequence would act (clear the screen, recolour, rewrite the line)."""
    from gaib_core.config.models import refuse_control_characters

    try:
        return refuse_control_characters(value)
    except ValueError as exc:
        what = str(exc).split(";")[0]
        raise typer.BadParameter(f"{what}; lists print it in terminals, remove it") from None


MESSAGE = typer.Option(
    None, "--message", "-m", help="A description to keep with it.", callback=_plain_message
)
DRY_RUN = typer.Option(False, "--dry-run", help="Show what would change; change nothing.")
AUTO_APPROVE = typer.Option(
    False, "--auto-approve", "-auto-approve", help="Do not ask for confirmation."
)
FORCE_LINEAGE = typer.Option(
    False,
    "--force",
    help="Restore even a state of another lineage (another deployment), or over a corrupt state.",
)

#: The plugin manager's facade, set by ``gaib_addhooks`` when gaib loads the plugin.
HOOKS: list[Hooks] = []

STYLES = {"create": "green", "update": "yellow", "delete": "red", "replace": "magenta",
          "note": "dim", "warning": "yellow", "error": "bold red", "heading": "bold"}  # fmt: skip


def hooks() -> Hooks:
    """The facade over the plugin manager that loaded gaib-backup (the default one otherwise)."""
    return HOOKS[0] if HOOKS else DEFAULT_HOOKS


def err(message: str) -> None:
    """One line on stderr (no markup)."""
    _console(stderr=True).print(message, markup=False)


def say(message: str, style: str = "") -> None:
    """One line on stdout (no markup)."""
    from rich.text import Text

    _console().print(Text(message, style=style))


def printable(text: str | None) -> str:
    """``text`` for a table cell: control characters written as escapes (``\\x1b``, ``\\n``).

    Records come from the store, which others may write to (a shared bucket, an older gaib that
    took any ``--message``): an escape sequence in one must not act on the terminal.
    """
    if not text:
        return ""
    return "".join(
        char.encode("unicode_escape").decode("ascii") if is_unsafe(char) else char for char in text
    )


def print_json(data: Any) -> None:
    """``data`` as JSON on stdout."""
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def print_plan(plan: Plan) -> None:
    """The plan as ``gaib server plan`` prints it."""
    from gaib_core.engine.render import render_plan
    from rich.text import Text

    for line in render_plan(plan):
        _console().print(Text(line.text, style=STYLES.get(line.style, "")))


@dataclass
class Opened:
    """The project's session (provider, state) and its backup context."""

    session: Session
    ctx: BackupContext

    @property
    def server_id(self) -> str:
        """The guild id: the server's id in the store."""
        return self.session.guild_id

    def state_to_keep(self, what: str) -> State:
        """The workspace's state, to back up or snapshot under :attr:`server_id`.

        Refused when there is none yet, and when it belongs to another guild than ``--guild``
        names: stored under that guild's id it would later be restored as that guild's.
        """
        from gaib_backup.errors import BackupError

        state = self.session.manager.read()
        workspace = self.session.manager.workspace
        if state.serial == 0:
            raise BackupError(
                f"workspace '{workspace}' has no state to {what}",
                hint="run `gaib server apply` first",
            )
        if state.guild_id and state.guild_id != self.server_id:
            raise BackupError(
                f"workspace '{workspace}' holds the state of guild {state.guild_id}, "
                f"not of guild {self.server_id} (--guild)",
                hint=f"drop --guild (the state is guild {state.guild_id}'s), or select the "
                f"workspace of guild {self.server_id} (`gaib server workspace select NAME`)",
            )
        return state

    async def aclose(self) -> None:
        """Close the provider."""
        await self.session.aclose()


def open_project(
    guild: str | None,
    store: str | None,
    *,
    config: Path | None = None,
    need_config: bool = False,
    connect: bool = True,
) -> Opened:
    """Open the project (found from ``config``'s directory or the current one, upwards) and its
    backup store. With ``connect`` False the provider (and the token) is needed only if used."""
    from gaib_core.engine.session import open_session
    from gaib_core.project import find_project

    from gaib_backup.context import open_context

    project = find_project(config=config)
    session = open_session(
        config,
        hooks(),
        guild=guild,
        need_config=need_config,
        project=project,
        connect=connect,
    )
    ctx = open_context(project, store=store, hooks=hooks())
    warn_if_ephemeral(ctx)
    return Opened(session, ctx)


def warn_if_ephemeral(ctx: BackupContext) -> None:
    """Say on stderr that a ``memory://`` store ends with this command: what a command stores
    there is gone when it exits (the scheme is for tests and programs embedding gaib)."""
    if "memory" in ctx.store.protocols:
        err(
            f"Warning: {ctx.store.url} lives only as long as this command: nothing stored there "
            "remains after it; use a file://, s3:// or gs:// store to keep backups"
        )


@contextmanager
def project(
    guild: str | None, store: str | None, *, config: Path | None = None, need_config: bool = False
) -> Iterator[Opened]:
    """:func:`open_project` for a command that does not talk to the guild (so it needs no
    token); closes it after."""
    opened = open_project(guild, store, config=config, need_config=need_config, connect=False)
    try:
        yield opened
    finally:
        import asyncio

        asyncio.run(opened.aclose())


Record = TypeVar("Record")


def on_record(
    guild: str | None,
    store: str | None,
    find: Callable[[BackupContext, str], Record],
    body: Callable[[Opened, Record], Awaitable[None]],
    *,
    config: Path | None = None,
) -> None:
    """Open the project, find one record (``find(ctx, server_id)``: a backup or a snapshot by id)
    and run ``body`` on it, in one event loop (the provider's), closing the project after.

    What ``backup restore|delete`` and ``snapshot restore|delete|verify`` share; ``body`` starts
    with :func:`dry_run_ends` where the command has a dry run.
    """
    import asyncio

    opened = open_project(guild, store, config=config)

    async def run() -> None:
        try:
            await body(opened, find(opened.ctx, opened.server_id))
        finally:
            await opened.aclose()

    asyncio.run(run())


def dry_run_ends(dry_run: bool, message: str = "Dry run: nothing was changed.") -> bool:
    """On a dry run: say ``message`` and return True (the command stops there)."""
    if dry_run:
        say(message)
    return dry_run


def confirm(question: str) -> None:
    """Terraform's question: only ``yes`` goes on (``GaibError`` otherwise)."""
    say(f"\n{question}\n  Only 'yes' will be accepted to approve.", "bold")
    try:
        answer = typer.prompt("  Enter a value", default="", show_default=False)
    except (EOFError, typer.Abort):
        answer = ""
    if answer.strip() != "yes":
        raise GaibError("cancelled: only 'yes' approves; nothing was changed")


def size(n: int) -> str:
    """Bytes, readable."""
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} KB"
