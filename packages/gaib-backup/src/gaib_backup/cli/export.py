"""``gaib server export --backup``: gaib-cli's export, then the export and a state backup kept in
the backup store (PRD 14.2).

gaib-cli owns ``export``; this module extends the registered command with two options
(``--backup``, ``--backup-store``) by wrapping its callback, so the plugin adds behaviour without
gaib-cli knowing about backups.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, get_type_hints

import typer

from gaib_backup.cli.common import open_project, say

BACKUP = typer.Option(
    False, "--backup", help="Also keep the export and a state backup in the backup store."
)
BACKUP_STORE = typer.Option(
    None, "--backup-store", help="Backup store URL (default: the configured one)."
)


def extend(server: Any) -> None:
    """Add ``--backup`` to ``gaib server export`` (nothing when gaib-cli has no export)."""
    for info in getattr(server, "registered_commands", []):
        if info.name == "export" and info.callback is not None:
            info.callback = _wrap(info.callback)
            return


def _wrap(original: Any) -> Any:
    hints = get_type_hints(original)
    signature = inspect.signature(original)
    params = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values()]  # fmt: skip
    params.append(inspect.Parameter("backup", inspect.Parameter.KEYWORD_ONLY, default=BACKUP, annotation=bool))  # fmt: skip
    params.append(inspect.Parameter("backup_store", inspect.Parameter.KEYWORD_ONLY, default=BACKUP_STORE, annotation=str | None))  # fmt: skip

    def export_command(*args: Any, backup: bool = False, backup_store: str | None = None,
                       **kwargs: Any) -> None:  # fmt: skip
        original(*args, **kwargs)
        if backup:
            keep_export(kwargs.get("guild"), backup_store, config=kwargs.get("config"))

    export_command.__doc__ = original.__doc__
    export_command.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    export_command.__annotations__ = {
        **{name: hint for name, hint in hints.items() if name != "return"},
        "backup": bool,
        "backup_store": str | None,
        "return": None,
    }
    return export_command


def keep_export(guild: str | None, store: str | None, *, config: Path | None = None) -> None:
    """Export the guild into the store as ``gaib server export`` writes it (the state's keys for
    the objects it manages), and back the workspace's state up (kind ``export``)."""
    import asyncio

    from gaib_core.engine.export import export_guild

    from gaib_backup.backups import create_backup
    from gaib_backup.exports import store_export

    opened = open_project(guild, store, config=config)

    async def run() -> str:
        try:
            live = await opened.session.provider.read_guild(opened.server_id)
            return export_guild(live, opened.session.manager.read()).yaml()
        finally:
            await opened.aclose()

    stored = store_export(opened.ctx, opened.server_id, asyncio.run(run()))
    say(f"Kept the export in {opened.ctx.store.describe(stored.key)} (and {stored.latest})")
    state = opened.session.manager.read()
    if state.serial > 0:
        made = create_backup(
            opened.ctx, state, server_id=opened.server_id, message="export", kind="export"
        )
        verb = "Unchanged since backup" if made.reused else "Backed the state up as"
        say(f"{verb} {made.backup.id}")
