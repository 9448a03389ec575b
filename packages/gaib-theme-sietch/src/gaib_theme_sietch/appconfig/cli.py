"""``gaib sietch config show|set|unset|map-roles``: the app configuration of a guild.

The guild is the project's (see :mod:`gaib_theme_sietch.appconfig.target`) unless ``--guild``
names one; the store is ``DATABASE_URL``'s, else ``.gaib/sietch.sqlite3``. Modules of the engine
are imported when a command runs, so ``gaib --help`` stays cheap.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from gaib_theme_sietch.appconfig.models import AppConfig
    from gaib_theme_sietch.appconfig.restore import Change

app = typer.Typer(
    help="The Sietch app's configuration: thresholds, feature gates, role mappings.",
    no_args_is_help=True,
)
GUILD = typer.Option(None, "--guild", help="Guild id (default: the project's).")
CONFIG = typer.Option(
    None, "--config", "-c", help="The discord-server.yaml (default: the project's)."
)
AS_JSON = typer.Option(False, "--json", help="Machine-readable output.")


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2))


def _document(guild_id: str, label: str, config: AppConfig, stored: bool) -> dict[str, Any]:
    return {
        "guild_id": guild_id,
        "store": label,
        "stored": stored,
        "config": config.model_dump(mode="json"),
    }


def _print_changes(changes: tuple[Change, ...] | list[Change]) -> None:
    for change in changes:
        typer.echo(f"  {change.line()}")


@app.command("show")
def show(guild: str | None = GUILD, config: Path | None = CONFIG, as_json: bool = AS_JSON) -> None:
    """Every setting of the guild's app configuration (the defaults until one is stored)."""
    from gaib_theme_sietch.appconfig import target

    project = target.project(config)
    guild_id = target.guild_of(project, guild, config)
    with target.open_store(project) as store:
        stored = store.get(guild_id)
        label = store.label
    current = stored or _defaults()
    if as_json:
        _echo_json(_document(guild_id, label, current, stored is not None))
        return
    note = "" if stored is not None else " (nothing stored yet: the defaults)"
    typer.echo(f"Sietch app configuration of guild {guild_id} in {label}{note}")
    flat = current.flat()
    width = max(len(k) for k in flat)
    for key, value in flat.items():
        typer.echo(f"  {key.ljust(width)}  {value}")
    if not current.roles:
        typer.echo("  (no role mappings: `gaib sietch config map-roles` reads them from the guild)")


def _defaults() -> AppConfig:
    from gaib_theme_sietch.appconfig.models import AppConfig

    return AppConfig()


def _edit(
    guild: str | None,
    config: Path | None,
    sets: list[tuple[str, str]],
    unsets: list[str],
    as_json: bool,
) -> None:
    from gaib_theme_sietch.appconfig import target
    from gaib_theme_sietch.appconfig.edit import apply_edits
    from gaib_theme_sietch.appconfig.restore import diff

    project = target.project(config)
    guild_id = target.guild_of(project, guild, config)
    with target.open_store(project) as store:
        before = store.effective(guild_id)
        after = apply_edits(before, sets, unsets)
        store.put(guild_id, after, expected=before)
        label = store.label
    changes = diff(before, after)
    if as_json:
        data = _document(guild_id, label, after, True)
        data["changes"] = [{"key": c.key, "before": c.before, "after": c.after} for c in changes]
        _echo_json(data)
        return
    _print_changes(changes)
    count = len(changes)
    typer.echo(
        f"Stored the app configuration of guild {guild_id}: "
        f"{count} setting{'s' if count != 1 else ''} changed."
    )


@app.command("set")
def set_(
    assignments: list[str] = typer.Argument(
        ..., help="KEY=VALUE ... (thresholds.amounts.hajra=6.9, gates.veteran=off, roles.Naib=ID)."
    ),
    guild: str | None = GUILD,
    config: Path | None = CONFIG,
    as_json: bool = AS_JSON,
) -> None:
    """Change settings; all are checked together, and nothing is stored if one is wrong."""
    from gaib_theme_sietch.appconfig.edit import parse_assignment

    _edit(guild, config, [parse_assignment(a) for a in assignments], [], as_json)


@app.command("unset")
def unset(
    keys: list[str] = typer.Argument(
        ..., help="KEY ...: thresholds and gates return to their defaults; role mappings go."
    ),
    guild: str | None = GUILD,
    config: Path | None = CONFIG,
    as_json: bool = AS_JSON,
) -> None:
    """Reset settings to their defaults (a role mapping is removed)."""
    _edit(guild, config, [], keys, as_json)


@app.command("map-roles")
def map_roles(
    guild: str | None = GUILD,
    config: Path | None = CONFIG,
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the mappings; store nothing."),
    as_json: bool = AS_JSON,
) -> None:
    """Map the Sietch roles (tier and special roles) to their ids, read from the live guild.

    Role names come from the project's discord-server.yaml (so renamed roles are found), else
    from the Sietch theme's defaults. Mappings of other roles are kept.
    """
    from gaib_theme_sietch.appconfig import target
    from gaib_theme_sietch.appconfig.mapping import map_sietch_roles

    project = target.project(config)
    guild_id = target.guild_of(project, guild, config)
    found = map_sietch_roles(project, guild_id, config)
    from gaib_theme_sietch.appconfig.restore import diff

    with target.open_store(project) as store:
        before = store.effective(guild_id)
        after = found.apply(before)
        changes = diff(before, after)
        if changes and not dry_run:
            store.put(guild_id, after, expected=before)
        label = store.label
    if as_json:
        data = _document(guild_id, label, after, not dry_run)
        data["changes"] = [{"key": c.key, "before": c.before, "after": c.after} for c in changes]
        data["missing"] = list(found.missing)
        data["dry_run"] = dry_run
        _echo_json(data)
        return
    _print_changes(changes)
    for name in found.missing:
        typer.echo(f"  (guild {guild_id} has no role named {name!r}; not mapped)")
    count = len(changes)
    verb = "would change" if dry_run else "changed"
    typer.echo(f"Role mappings of guild {guild_id}: {count} {verb}, {len(found.ids)} found.")


def register(sietch: typer.Typer) -> None:
    """Add ``config`` to the ``sietch`` group."""
    sietch.add_typer(app, name="config")
