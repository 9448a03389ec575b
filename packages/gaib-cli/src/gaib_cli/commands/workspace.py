"""``gaib server workspace ls|new|select|delete|show``: named states of one project."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from gaib_core.commands import CommandTree

from gaib_cli import context

# State is imported where a command runs, not here: `gaib --help` must start fast.
if TYPE_CHECKING:
    from gaib_core.state.workspaces import Workspaces

workspace_app = typer.Typer(
    help="Workspaces: separate states of one project (e.g. staging and production).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _workspaces() -> Workspaces:
    from gaib_core.project import find_project
    from gaib_core.state.manager import open_backend
    from gaib_core.state.workspaces import Workspaces

    project = find_project()
    return Workspaces(project, open_backend(project, context.hooks()))


@workspace_app.command("ls")
def ls(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """List workspaces; the current one is marked with *."""
    workspaces = _workspaces()
    current = workspaces.current()
    names = workspaces.list()
    if as_json:
        context.print_json({"current": current, "workspaces": names})
        return
    for name in names:
        context.out.print(f"{'*' if name == current else ' '} {name}", markup=False)


@workspace_app.command("new")
def new(
    name: str = typer.Argument(..., help="Workspace name: 1-64 of a-z, 0-9, '_', '-'."),
    no_select: bool = typer.Option(False, "--no-select", help="Create it but stay where you are."),
) -> None:
    """Create a workspace with an empty state, and select it."""
    workspaces = _workspaces()
    workspaces.new(name)
    if not no_select:
        workspaces.select(name)
    context.out.print(
        f"Created workspace '{name}'" + ("" if no_select else " and selected it"), markup=False
    )


@workspace_app.command("select")
def select(name: str = typer.Argument(..., help="An existing workspace.")) -> None:
    """Make a workspace the current one (stored in .gaib/config.yaml)."""
    _workspaces().select(name)
    context.out.print(f"Switched to workspace '{name}'", markup=False)


@workspace_app.command("delete")
def delete(
    name: str = typer.Argument(..., help="The workspace to delete."),
    force: bool = typer.Option(
        False, "--force", help="Also delete the current workspace or one that manages resources."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check, but delete nothing."),
) -> None:
    """Delete a workspace and its state (its last state is kept under .gaib/deleted-workspaces)."""
    saved = _workspaces().delete(name, force=force, dry_run=dry_run)
    if dry_run:
        context.out.print(f"Would delete workspace '{name}'", markup=False)
        return
    context.out.print(f"Deleted workspace '{name}'", markup=False)
    if saved is not None:
        context.out.print(f"Its last state was kept in {saved}", markup=False)


@workspace_app.command("show")
def show(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Print the current workspace's name."""
    workspaces = _workspaces()
    current = workspaces.current()
    if as_json:
        state = workspaces.show(current)
        context.print_json(
            {
                "workspace": current,
                "state": workspaces.backend.describe(current),
                "serial": state.serial if state else 0,
                "resources": len(state.resources) if state else 0,
            }
        )
        return
    context.out.print(current, markup=False)


def register(commands: CommandTree) -> None:
    """Add ``gaib server workspace``."""
    commands.add_group("server workspace", workspace_app)
