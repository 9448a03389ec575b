"""``gaib sietch serve|register-commands|whois``: wallet verification from the command line.

Settings come from the environment only (``.env.example`` documents them); a missing or malformed
one stops the command with one line naming it. The ``verify`` extra is imported when a command
runs, so ``gaib --help`` works without it.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import typer
from gaib_core.errors import GaibError

if TYPE_CHECKING:
    from gaib_theme_sietch.verify.settings import VerifySettings

EXTRA_HINT = "pip install 'gaib-theme-sietch[verify]'"
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


def _settings() -> VerifySettings:
    """The settings, once the ``verify`` extra is known to be installed."""
    from importlib.util import find_spec

    for module in ("eth_account", "nacl", "starlette", "uvicorn", "psycopg"):
        if find_spec(module) is None:
            raise GaibError(
                f"wallet verification needs the 'verify' extra ({module} is missing)",
                hint=EXTRA_HINT,
            )
    from gaib_theme_sietch.verify.settings import load_settings

    return load_settings()


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8080, "--port", min=1, max=65535, help="Port to listen on."),
    log_level: str = typer.Option(
        "info", "--log-level", help="uvicorn's log level: critical|error|warning|info|debug."
    ),
    access_log: bool = typer.Option(False, "--access-log", help="Log every request."),
) -> None:
    """Run the verification service: the page, its API, Discord interactions, Telegram webhook."""
    settings = _settings()
    settings.require_service()
    from gaib_theme_sietch.verify.server import serve as run

    run(
        settings,
        host,
        port,
        log_level=log_level,
        access_log=access_log,
        announce=lambda line: typer.echo(f"gaib sietch: {line}", err=True),
    )


def register_commands(
    guild: str | None = typer.Option(
        None, "--guild", help="Register in this guild only (instant; for testing servers)."
    ),
) -> None:
    """Register /verify with Discord (or the sandbox DISCORD_API_BASE names).

    Creates the command or updates the one named /verify; the application's other commands stay.
    """
    settings = _settings()
    application_id, token = settings.require_discord_application()
    if guild is not None and not guild.isdigit():
        raise GaibError(f"--guild {guild!r} is not a Discord id", hint="pass the server's id")
    import asyncio

    from gaib_core.provider.discord import DiscordProvider
    from gaib_core.provider.http import api_base_from_env

    from gaib_theme_sietch.verify.commands import verify_commands

    async def register() -> list[Any]:
        async with DiscordProvider(token=token, base_url=api_base_from_env()) as provider:
            return [
                await provider.upsert_command(application_id, command, guild_id=guild)
                for command in verify_commands()
            ]

    for command in asyncio.run(register()):
        scope = f"in guild {guild}" if guild else "globally"
        typer.echo(f"registered /{command.name} (id {command.id}) {scope}")
    endpoint = f"{settings.base_url}/discord/interactions" if settings.base_url else None
    if endpoint:
        typer.echo(f"Interactions Endpoint URL for the Developer Portal: {endpoint}")


def whois(
    user: str = typer.Argument(..., help="A Discord or Telegram user id, or a 0x wallet address."),
    platform: str = typer.Option("discord", "--platform", help="discord or telegram."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """A member's verification status: the linked wallet (or, for a wallet, its members)."""
    settings = _settings()
    if platform not in ("discord", "telegram"):
        raise GaibError(f"--platform {platform!r} is unknown", hint="use discord or telegram")
    from gaib_theme_sietch.verify.profile import profile_lines, wallet_lines, whois_data

    with _open(settings) as store:
        data = whois_data(store, platform, user)  # type: ignore[arg-type]
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    lines = wallet_lines(data) if _ADDRESS.match(user) else profile_lines(data)
    typer.echo("\n".join(lines))


def _open(settings: VerifySettings) -> Any:
    from gaib_theme_sietch.verify.store import open_store

    return open_store(settings.database_url)


def register(app: typer.Typer) -> None:
    """Add the verification commands to the ``sietch`` group."""
    app.command("serve")(serve)
    app.command("register-commands")(register_commands)
    app.command("whois")(whois)
