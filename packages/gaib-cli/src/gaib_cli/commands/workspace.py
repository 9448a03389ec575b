"""``gaib server workspace ls|new|select|delete|show``: named states of one project.

A workspace other than "default" can belong to its own guild (``new NAME --guild ID``; in a
sandbox project a new sandbox guild is made for it): commands in it then target that guild
without ``--guild``, so one config manages staging and production as two guilds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from gaib_core.commands import CommandTree
from gaib_core.errors import StateError

from gaib_cli import context
from gaib_cli.commands.init import check_guild

# State is imported where a command runs, not here: `gaib --help` must start fast.
if TYPE_CHECKING:
    from gaib_core.project import Project
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
    guild: str | None = typer.Option(
        None,
        "--guild",
        help="The guild this workspace manages (commands in it target it without --guild). "
        "In a sandbox project a new sandbox guild is made when omitted.",
        callback=check_guild,
    ),
    no_select: bool = typer.Option(False, "--no-select", help="Create it but stay where you are."),
) -> None:
    """Create a workspace with an empty state, and select it."""
    from gaib_core.state.manager import config_guild_id
    from gaib_core.state.workspaces import validate_workspace_name

    workspaces = _workspaces()
    validate_workspace_name(name)
    if workspaces.exists(name):
        raise StateError(
            f"workspace '{name}' already exists",
            hint=f"select it with `gaib server workspace select {name}`",
        )
    guild = _sandbox_guild(workspaces.project, name, guild)
    workspaces.new(name, guild_id=guild)
    if not no_select:
        workspaces.select(name)
    context.out.print(
        f"Created workspace '{name}'" + ("" if no_select else " and selected it"), markup=False
    )
    if guild:
        context.out.print(f"It manages guild {guild}.", markup=False)
    else:
        target = config_guild_id(workspaces.project)
        context.out.print(
            f"It targets the config's guild{f' {target}' if target else ''}; to give it its own, "
            f"delete it and run `gaib server workspace new {name} --guild ID`.",
            markup=False,
        )


def _sandbox_guild(project: Project, workspace: str, guild: str | None) -> str | None:
    """In an embedded-sandbox project: ``guild`` checked to exist, or a fresh sandbox guild.

    Elsewhere ``guild`` as given.
    """
    settings = project.load()
    if settings.provider != "sandbox" or "base_url" in settings.provider_options:
        return guild
    from gaib_core.provider.factory import create_sandbox_guild, sandbox_has_guild

    if guild is None:
        name = f"{project.root.name or 'Sandbox'} ({workspace})"
        return create_sandbox_guild(project, name=name)
    if not sandbox_has_guild(project, guild):
        raise StateError(
            f"--guild {guild}: the project's sandbox has no such guild",
            hint=f"leave out --guild to get a new sandbox guild: "
            f"`gaib server workspace new {workspace}`",
        )
    return guild


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
    """Print the current workspace's name and the guild it targets."""
    workspaces = _workspaces()
    current = workspaces.current()
    state = workspaces.show(current)
    guild = _guild_of(workspaces, current)
    if as_json:
        context.print_json(
            {
                "workspace": current,
                "guild_id": guild,
                "state": workspaces.backend.describe(current),
                "serial": state.serial if state else 0,
                "resources": len(state.resources) if state else 0,
            }
        )
        return
    context.out.print(f"{current} (guild {guild or 'not set'})", markup=False)


def _guild_of(workspaces: Workspaces, name: str) -> str | None:
    """The guild commands in workspace ``name`` target without ``--guild``."""
    from gaib_core.project import DEFAULT_WORKSPACE
    from gaib_core.state.manager import config_guild_id

    if name != DEFAULT_WORKSPACE:
        state = workspaces.show(name)
        if state is not None and state.guild_id:
            return state.guild_id
    return config_guild_id(workspaces.project) or workspaces.project.load().guild_id


def register(commands: CommandTree) -> None:
    """Add ``gaib server workspace``."""
    commands.add_group("server workspace", workspace_app)
