"""``gaib server state ls|show|rm|mv|pull|push`` and ``gaib server force-unlock``.

Every command that changes state takes the lock (``--lock-timeout`` waits for it), keeps the
previous version as the backup and supports ``--dry-run``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from gaib_core.commands import CommandTree
from gaib_core.errors import StateError

from gaib_cli import context

# State is imported where a command runs, not here: `gaib --help` must start fast.
if TYPE_CHECKING:
    from gaib_core.state.manager import StateManager

state_app = typer.Typer(
    help="Inspect and edit state (what gaib manages), Terraform-style.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

LOCK_TIMEOUT = typer.Option(
    "0s",
    "--lock-timeout",
    "-lock-timeout",
    help="How long to wait for the state lock (e.g. 30s, 2m).",
)
DRY_RUN = typer.Option(False, "--dry-run", help="Show what would change; write nothing.")
AS_JSON = typer.Option(False, "--json", help="Machine-readable output.")


def _manager() -> StateManager:
    from gaib_core.project import find_project
    from gaib_core.state.manager import open_state

    return open_state(find_project(), context.hooks())


def parse_timeout(value: str) -> float:
    """``--lock-timeout`` in seconds (gaib_core.state.lock's parser, imported when needed)."""
    from gaib_core.state.lock import parse_timeout as parse

    return parse(value)


@state_app.command("ls")
def ls(as_json: bool = AS_JSON) -> None:
    """List the resource addresses in state (``server`` once gaib has set a server setting)."""
    state = _manager().read()
    if as_json:
        listing: list[dict[str, object]] = [
            {"address": address, "type": r.type, "id": r.id, "name": r.name}
            for address, r in state.resources.items()
        ]
        if state.server is not None:
            name = state.server.attributes.get("name")
            listing.append(
                {"address": "server", "type": "server", "id": state.server.id, "name": name}
            )
        context.print_json(listing)
        return
    for address in state.resources:
        context.out.print(address, markup=False)
    if state.server is not None:
        context.out.print("server", markup=False)


@state_app.command("show")
def show(
    address: str = typer.Argument(..., help="e.g. role.naib"), as_json: bool = AS_JSON
) -> None:
    """Show one resource's Discord id and recorded attributes (``server``: the settings gaib set)."""
    manager = _manager()
    server = manager.read().server if address == "server" else None
    if server is not None:
        if as_json:
            context.print_json({"address": address, **server.model_dump(mode="json")})
            return
        context.out.print("# server", markup=False)
        context.out.print(f"id   = {server.id}", markup=False)
        for key, value in server.attributes.items():
            context.out.print(f"{key} = {value!r}", markup=False)
        if server.icon_sha256:
            context.out.print(f"icon file sha256 = {server.icon_sha256}", markup=False)
            context.out.print(f"icon hash (Discord) = {server.icon_hash}", markup=False)
        return
    resource = manager.resource(address)
    if as_json:
        context.print_json({"address": address, **resource.model_dump(mode="json")})
        return
    context.out.print(f"# {address}", markup=False)
    context.out.print(f"type = {resource.type}", markup=False)
    context.out.print(f"id   = {resource.id}", markup=False)
    context.out.print(f"name = {resource.name}", markup=False)
    for key, value in resource.attributes.items():
        if key == "name" and value == resource.name:
            continue  # printed just above
        context.out.print(f"{key} = {attribute_text(key, value)}", markup=False)


def attribute_text(key: str, value: object) -> str:
    """A state attribute as Discord shows it: colors in hex, permissions by name, JSON else."""
    import json

    from gaib_core.permissions import to_names

    if key == "color" and isinstance(value, int):
        return f"#{value:06X}"
    if key == "permissions" and isinstance(value, int):
        return ", ".join(to_names(value)) or "(none)"
    if key == "overwrites" and isinstance(value, dict):
        parts = []
        for target, spec in value.items():
            allow = ", ".join(to_names(int(spec.get("allow", 0)))) or "-"
            deny = ", ".join(to_names(int(spec.get("deny", 0)))) or "-"
            parts.append(f"{target}: allow {allow}; deny {deny}")
        return " | ".join(parts) or "(none)"
    return json.dumps(value)


@state_app.command("rm")
def rm(
    addresses: list[str] = typer.Argument(..., help="Addresses to forget."),
    dry_run: bool = DRY_RUN,
    lock_timeout: str = LOCK_TIMEOUT,
) -> None:
    """Forget resources (the Discord objects stay; gaib stops managing them)."""
    manager = _manager()
    with manager.locked("state rm", timeout=parse_timeout(lock_timeout)):
        for address in addresses:
            manager.rm(address, dry_run=dry_run)
            verb = "Would remove" if dry_run else "Removed"
            context.out.print(f"{verb} {address}", markup=False)
    if not dry_run:
        context.out.print(
            f"Previous state kept in {manager.backend.backup_location(manager.workspace)}",
            markup=False,
        )


@state_app.command("mv")
def mv(
    source: str = typer.Argument(..., help="Current address, e.g. role.old"),
    destination: str = typer.Argument(..., help="New address of the same type, e.g. role.new"),
    dry_run: bool = DRY_RUN,
    lock_timeout: str = LOCK_TIMEOUT,
) -> None:
    """Rename a resource's address (e.g. after renaming its key in the config)."""
    manager = _manager()
    with manager.locked("state mv", timeout=parse_timeout(lock_timeout)):
        manager.mv(source, destination, dry_run=dry_run)
    verb = "Would move" if dry_run else "Moved"
    context.out.print(f"{verb} {source} to {destination}", markup=False)


@state_app.command("pull")
def pull() -> None:
    """Print the current state as JSON."""
    sys.stdout.write(_manager().pull())


@state_app.command("push")
def push(
    file: str = typer.Argument(..., help="A state JSON file, or - for stdin."),
    force: bool = typer.Option(
        False, "--force", help="Replace even a state of another lineage or a newer serial."
    ),
    dry_run: bool = DRY_RUN,
    lock_timeout: str = LOCK_TIMEOUT,
) -> None:
    """Replace the state with FILE (refuses another lineage or an older serial unless --force)."""
    if file == "-":
        data, source = sys.stdin.buffer.read(), "<stdin>"
    else:
        try:
            data, source = Path(file).read_bytes(), file
        except OSError as exc:
            raise StateError(f"{file}: cannot read ({exc.strerror})") from None
    manager = _manager()
    with manager.locked("state push", timeout=parse_timeout(lock_timeout)):
        new = manager.push(data, force=force, dry_run=dry_run, source=source)
    verb = "Would push" if dry_run else "Pushed"
    context.out.print(
        f"{verb} {source} (serial {new.serial}, {len(new.resources)} resources) to {manager.url}",
        markup=False,
    )


@state_app.command("restore-backup")
def restore_backup(
    force: bool = typer.Option(
        False, "--force", help="Roll back even a readable state to its previous version."
    ),
    dry_run: bool = DRY_RUN,
    lock_timeout: str = LOCK_TIMEOUT,
) -> None:
    """Make the previous state version (the backup) current again, e.g. after corruption.

    The replaced bytes become the backup, so nothing is lost.
    """
    manager = _manager()
    with manager.locked("state restore-backup", timeout=parse_timeout(lock_timeout)):
        restored = manager.restore_backup(force=force, dry_run=dry_run)
    verb = "Would restore" if dry_run else "Restored"
    context.out.print(
        f"{verb} {manager.backend.backup_location(manager.workspace)} (serial {restored.serial}, "
        f"{len(restored.resources)} resources) as {manager.url}",
        markup=False,
    )
    if not dry_run:
        context.out.print("Run `gaib server plan` to see where the guild stands.", markup=False)


def force_unlock(
    lock_id: str = typer.Argument(..., help="The id printed in the lock error."),
    force: bool = typer.Option(False, "--force", help="Do not ask for confirmation."),
) -> None:
    """Remove a stale state lock (only if LOCK_ID is the lock's id)."""
    manager = _manager()
    holder = manager.holder()
    if holder is not None and holder.id == lock_id and not force:
        extra = f" ({holder.info})" if holder.info else ""
        context.out.print(f"This removes {holder.describe()}{extra}.", markup=False)
        if not typer.confirm("Only do this if that process is gone. Unlock?"):
            raise typer.Abort()
    manager.force_unlock(lock_id)
    context.out.print(f"Unlocked {manager.url} (lock {lock_id})", markup=False)


def register(commands: CommandTree) -> None:
    """Add ``gaib server state`` and ``gaib server force-unlock``."""
    commands.add_group("server state", state_app)
    commands.group("server").command("force-unlock")(force_unlock)
