"""``gaib server tier show|set``: the server's service tier (free or premium, PRD 15)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from gaib_backup.cli.common import AS_JSON, GUILD, STORE, print_json, project, say

# Imported where a command runs: gaib imports this module to build `gaib --help`.
if TYPE_CHECKING:
    from gaib_backup.models import ServiceTier

HELP = "The server's backup service tier (free or premium): limits and retention."
app = typer.Typer(help=HELP, no_args_is_help=True)


@app.command("show")
def show(guild: str | None = GUILD, store: str | None = STORE, as_json: bool = AS_JSON) -> None:
    """Show the service tier, its limits, today's usage and the retention."""
    from gaib_backup.service_tiers import policy, window

    with project(guild, store) as opened:
        ctx, server = opened.ctx, opened.server_id
        name = ctx.service_tier(server)
        rules = policy(name)
        usage = {}
        for operation, limit in rules.limits.items():
            win = window(limit.per, ctx.now())
            usage[operation] = {
                "limit": limit.count,
                "per": limit.per,
                "used": ctx.metadata.used(server, operation, win.key),
                "resets": win.end.isoformat(),
            }
    if as_json:
        print_json({"serverId": server, "serviceTier": name, "retentionDays": rules.retention_days,
                    "themeHistory": rules.theme_history, "limits": usage})  # fmt: skip
        return
    say(f"Server {server}: {name} service tier")
    say(f"  retention: {rules.retention_days} days; theme history: "
        f"{rules.theme_history if rules.theme_history is not None else 'unlimited'}")  # fmt: skip
    if not usage:
        say("  on-demand operations: unlimited")
    for operation, row in usage.items():
        say(f"  {operation}: {row['used']} of {row['limit']} per {row['per']} used "
            f"(resets {str(row['resets'])[:16].replace('T', ' ')} UTC)")  # fmt: skip


@app.command("set")
def set_command(
    service_tier: str = typer.Argument(..., help="free or premium."),
    guild: str | None = GUILD,
    store: str | None = STORE,
) -> None:
    """Set the server's service tier."""
    from gaib_backup.service_tiers import policy

    policy(service_tier)  # unknown names are refused with the known ones
    value: ServiceTier = "premium" if service_tier == "premium" else "free"
    with project(guild, store) as opened:
        config = opened.ctx.set_service_tier(opened.server_id, value)
    say(f"Server {config.server_id} is now on the {config.service_tier} service tier.", "green")
