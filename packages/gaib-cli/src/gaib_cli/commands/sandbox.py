"""``gaib sandbox serve|create-guild|add-member|grant-bot|reset|stats|faults``: the local Discord sandbox.

Commands other than ``serve`` act on the sandbox that ``DISCORD_API_BASE`` points at (through its
``/_sandbox`` admin API) or, when it is unset, on the embedded sandbox of the current project
(``.gaib/sandbox.json``).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from gaib_core.commands import CommandTree
from gaib_core.errors import GaibError

from gaib_cli import context

# The sandbox is imported where a command runs, not here: `gaib --help` must start fast.
if TYPE_CHECKING:
    from gaib_core.sandbox.client import RemoteSandbox
    from gaib_core.sandbox.core import Sandbox

sandbox_app = typer.Typer(
    help="A Discord-compatible sandbox: same routes, errors and rate limits, offline.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
faults_app = typer.Typer(
    help="Inject faults into a running sandbox server.", no_args_is_help=True, rich_markup_mode=None
)


def _target(*, load: bool = True) -> RemoteSandbox | Sandbox:
    """The sandbox DISCORD_API_BASE points at, else the project's embedded one.

    ``load=False`` does not read the embedded sandbox's file (``reset`` repairs a corrupt one).
    """
    from gaib_core.project import find_project
    from gaib_core.sandbox.client import RemoteSandbox, admin_url_for
    from gaib_core.sandbox.core import Sandbox

    base = os.environ.get("DISCORD_API_BASE")
    if base:
        return RemoteSandbox(admin_url_for(base))
    project = find_project()
    return Sandbox(project.root / project.load().sandbox_path, load=load)


def _where(target: RemoteSandbox | Sandbox) -> str:
    from gaib_core.sandbox.client import RemoteSandbox

    if isinstance(target, RemoteSandbox):
        return target.admin_url
    return str(target.store.path)


@sandbox_app.command("serve")
def serve(
    port: int = typer.Option(8787, "--port", help="Port to listen on (0 = any free port)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind."),
    data: Path | None = typer.Option(None, "--data", help="JSON file to persist guilds in."),
    limits: str = typer.Option("relaxed", "--limits", help="Rate limits: strict|relaxed|off."),
    token_env: str | None = typer.Option(
        None,
        "--token-env",
        help="Accept only the bot token in this environment variable (e.g. DISCORD_TOKEN); "
        "any other gets Discord's 401. Default: any token is accepted.",
    ),
) -> None:
    """Serve the sandbox over HTTP until Ctrl-C (creates a guild if there is none)."""
    from gaib_core.sandbox.core import Sandbox
    from gaib_core.sandbox.ratelimit import PROFILES
    from gaib_core.sandbox.server import SandboxServer

    if limits not in PROFILES:
        raise GaibError(f"--limits {limits!r} is unknown", hint=f"use one of {', '.join(PROFILES)}")
    if not 0 <= port <= 65535:
        raise GaibError(
            f"--port {port} is out of range", hint="use 1-65535, or 0 for any free port"
        )
    token = _required_token(token_env) if token_env else None
    core = Sandbox(data, limits, token=token)
    if not core.guilds():
        core.create_guild()
    server = SandboxServer(sandbox=core, host=host, port=port)
    try:
        server.start()
    except OSError as exc:
        raise GaibError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}",
            hint="pick another --port (0 = any free port) or stop what is using it",
        ) from None
    url = server.base_url
    first = core.guilds()[0]["id"]
    context.out.print(f"Discord sandbox listening on {url} (limits: {limits})", markup=False)
    context.out.print(
        f"  data:    {data if data else 'in memory (use --data FILE to keep it)'}", markup=False
    )
    for guild in core.guilds():
        context.out.print(f"  guild:   {guild['id']}  {guild['name']}", markup=False)
    shown = f"${token_env}" if token_env else "sandbox"
    context.out.print(
        f"  gaib:    export DISCORD_API_BASE={url} DISCORD_TOKEN={shown}", markup=False
    )
    context.out.print(
        f'  curl:    curl -H "Authorization: Bot {shown if token_env else "x"}" '
        f"{url}/guilds/{first}/roles",
        markup=False,
    )
    context.out.print(
        f"  admin:   {server.admin_url}  (guilds, members, faults, stats)", markup=False
    )
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl-C
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        context.out.print("stopping", markup=False)
    finally:
        server.stop()


def _required_token(name: str) -> str:
    """The token ``serve --token-env NAME`` accepts (from the environment, never an option)."""
    from gaib_core.provider.credentials import read_token

    token = read_token(os.environ, name)
    if token is None:
        raise GaibError(
            f"--token-env {name}: ${name} is not set",
            hint=f"export {name}=<the token clients must send>, or leave out --token-env",
        )
    return token


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@sandbox_app.command("create-guild")
def create_guild(
    name: str = typer.Option("Sandbox", "--name", help="Guild name."),
    bot_role: str = typer.Option("gaib", "--bot-role", help="Name of the bot's managed role."),
    members: list[str] = typer.Option([], "--member", help="Add a member (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Create a guild with an owner, @everyone and the bot (with its managed role); print its id."""
    target = _target()
    info = target.create_guild(name, bot_role, None, members)
    if as_json:
        context.print_json(info.to_json())
        return
    context.out.print(info.guild_id, markup=False)
    context.info(
        f"created guild '{name}' in {_where(target)} (bot role {bot_role}: {info.bot_role_id})"
    )


@sandbox_app.command("add-member")
def add_member(
    username: str = typer.Argument(..., help="The new member's username."),
    guild: str | None = typer.Option(None, "--guild", help="Guild id (default: the only guild)."),
    roles: list[str] = typer.Option([], "--role", help="Role id to give (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Add a member to a sandbox guild; prints the new user id."""
    target = _target()
    guild_id = guild or _only_guild(target)
    user_id = target.add_member(guild_id, username, roles)
    if as_json:
        context.print_json({"guild_id": guild_id, "user_id": user_id})
        return
    context.out.print(user_id, markup=False)


@sandbox_app.command("grant-bot")
def grant_bot(
    permissions: list[str] = typer.Argument(
        ..., help="Permission names, e.g. ADMINISTRATOR SEND_TTS_MESSAGES (any case)."
    ),
    guild: str | None = typer.Option(
        None, "--guild", help="Guild id (default: the project's guild, else the only guild)."
    ),
) -> None:
    """Give the bot's role more permissions, as a server owner would in Server Settings > Roles."""
    from gaib_core.permissions import to_bits, to_names
    from gaib_core.project import discover_project

    bits = to_bits(name.upper() for name in permissions)
    target = _target()
    if guild is None:
        project = discover_project(Path.cwd())
        settings = project.load() if project is not None else None
        guild = settings.guild_id if settings and settings.guild_id else _only_guild(target)
    role_id, now = target.grant_bot(guild, bits)
    context.out.print(
        f"the bot's role ({role_id}) in guild {guild} now has: {', '.join(to_names(now))}",
        markup=False,
    )


def _only_guild(target: RemoteSandbox | Sandbox) -> str:
    guilds = target.guilds()
    if len(guilds) == 1:
        return str(guilds[0]["id"])
    ids = ", ".join(str(g["id"]) for g in guilds) or "none"
    raise GaibError(
        f"the sandbox at {_where(target)} has {len(guilds)} guilds ({ids})",
        hint="pass --guild ID" if guilds else "create one with `gaib sandbox create-guild`",
    )


@sandbox_app.command("reset")
def reset(
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete every guild, member, fault and statistic of the sandbox (repairs a corrupt file)."""
    target = _target(load=False)
    if not yes and not typer.confirm(f"Reset the sandbox at {_where(target)}?"):
        raise typer.Abort()
    target.reset()
    context.out.print(f"sandbox at {_where(target)} reset", markup=False)


@sandbox_app.command("stats")
def stats() -> None:
    """Request statistics of a running sandbox server (JSON)."""
    context.print_json(_remote().stats())


def _remote() -> RemoteSandbox:
    from gaib_core.sandbox.client import RemoteSandbox

    target = _target()
    if not isinstance(target, RemoteSandbox):
        raise GaibError(
            "faults and stats need a running sandbox server",
            hint="start `gaib sandbox serve` and set DISCORD_API_BASE to its URL",
        )
    return target


@faults_app.command("add")
def faults_add(
    kind: str = typer.Argument(..., help="429 | 5xx | drop | drop_after | delay"),
    count: int = typer.Option(1, "--count", help="How many requests it hits."),
    route: str | None = typer.Option(None, "--route", help="'<METHOD> <path regex>'."),
    retry_after: float = typer.Option(1.0, "--retry-after", help="Seconds (429)."),
    is_global: bool = typer.Option(False, "--global", help="A global 429."),
    status: int = typer.Option(500, "--status", help="Status for 5xx."),
    delay: float = typer.Option(0.5, "--delay", help="Seconds (delay)."),
) -> None:
    """Queue a fault for the next matching requests."""
    from gaib_core.sandbox.faults import FaultSpec
    from pydantic import ValidationError

    raw: dict[str, Any] = {
        "kind": kind,
        "count": count,
        "route": route,
        "retry_after": retry_after,
        "global": is_global,
        "status": status,
        "delay": delay,
    }
    try:
        spec = FaultSpec.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise GaibError(f"fault {'.'.join(map(str, err['loc']))}: {err['msg']}") from None
    _remote().add_fault(spec)
    context.out.print(f"queued {kind} x{count}", markup=False)


@faults_app.command("clear")
def faults_clear() -> None:
    """Drop every queued fault."""
    _remote().clear_faults()
    context.out.print("faults cleared", markup=False)


@faults_app.command("ls")
def faults_ls() -> None:
    """List queued faults (JSON)."""
    context.print_json(_remote().pending_faults())


def register(commands: CommandTree) -> None:
    """Add ``gaib sandbox``."""
    commands.add_group("sandbox", sandbox_app)
    commands.add_group("sandbox faults", faults_app)
