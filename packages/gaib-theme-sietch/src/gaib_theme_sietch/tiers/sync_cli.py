"""``gaib sietch sync``: give every member the Sietch roles their BGT entitles them to.

Runs in a gaib project (``gaib server init``), against the guild it targets: reads the guild and
its members, plans with ``RoleManager``, prints promotions, demotions and role changes, and
(unless ``--dry-run``) sends exactly those changes. It holds the workspace's state lock (so no
apply deletes a role under it) and runs inside gaib's change lifecycle as operation ``sync``
(``gaib_before_change`` may refuse before anything is sent; ``gaib_after_change`` gets the
outcome, with ``member.<user id>`` addresses as ``changed``). The state itself is not written:
member roles are not resources.

The guild's Sietch app configuration (``gaib sietch config``), when one is stored, decides the
thresholds (unless ``--thresholds FILE``), which roles are managed at all (a feature gate that
is off leaves its roles alone: nobody gets them, nobody loses them) and, through its role
mappings (name -> id), which Discord role each Sietch role is; roles without a mapping are
found by name.

Exit codes: 0 done (or nothing to do), 1 error (nothing sent, or a sync stopped part way: run it
again, it converges), and with ``--detailed-exitcode`` 2 when there were changes (planned in a
dry run, or applied).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from gaib_core.errors import GaibError

from gaib_theme_sietch.tiers.source_options import (
    BATCH_SIZE,
    BLOCK,
    HOLDERS,
    RPC,
    SOURCE,
    SOURCE_OPTION,
    TIMEOUT,
    TOKEN,
    source_request,
)

if TYPE_CHECKING:
    from gaib_core.engine.session import Session

    from gaib_theme_sietch.tiers.holders import HolderList
    from gaib_theme_sietch.tiers.rolemanager import SyncPlan
    from gaib_theme_sietch.tiers.roles import RoleMap
    from gaib_theme_sietch.tiers.sync import GuildView, SyncResult
    from gaib_theme_sietch.tiers.thresholds import ThresholdService

CHANGES = 2


@dataclass
class Options:
    """The command's choices, as the run needs them."""

    dry_run: bool
    as_json: bool
    strip_unknown: bool
    concurrency: int
    lock_timeout: float
    source: str  # the holder source's name, for "the evm source has no badges"


@dataclass
class Outcome:
    """What a run read, planned and did."""

    plan: SyncPlan
    view: GuildView
    roles: RoleMap
    result: SyncResult | None
    requests: int | None


def sync(
    holders: Path | None = HOLDERS,
    rpc: str | None = RPC,
    token: str | None = TOKEN,
    block: str = BLOCK,
    batch_size: int | None = BATCH_SIZE,
    timeout: int | None = TIMEOUT,
    source: str | None = SOURCE,
    source_option: list[str] | None = SOURCE_OPTION,
    thresholds: Path | None = typer.Option(
        None, "--thresholds", help="A thresholds YAML file (default: Sietch v3.0's)."
    ),
    guild: str | None = typer.Option(None, "--guild", help="Guild id (default: the project's)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan; change nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print the plan and outcome as JSON."),
    strip_unknown: bool = typer.Option(
        False,
        "--strip-unknown",
        help="Take Sietch's roles from members who are not among the holders "
        "(default: they keep their roles).",
    ),
    concurrency: int = typer.Option(
        8, "--concurrency", min=1, max=50, help="Members worked on at once."
    ),
    detailed_exitcode: bool = typer.Option(
        False,
        "--detailed-exitcode",
        help="Exit 0 = no changes, 2 = changes (planned or applied), 1 = error.",
    ),
    lock_timeout: str = typer.Option(
        "0s", "--lock-timeout", help="Wait this long for the state lock."
    ),
) -> None:
    """Sync members' tier and special roles with the holders: promotions, demotions, removals."""
    import asyncio

    from gaib_core.engine.session import open_session
    from gaib_core.state.lock import parse_timeout

    from gaib_theme_sietch.hooks import hooks
    from gaib_theme_sietch.tiers.sources import load_holders

    request = source_request(
        holders=holders,
        rpc=rpc,
        token=token,
        block=block,
        batch_size=batch_size,
        timeout=timeout,
        source=source,
        source_options=source_option,
    )
    if request is None:
        raise GaibError(
            "give the holders with --holders FILE, --rpc URL or --source NAME",
            hint="a CSV or JSON snapshot with wallet, amount and discord_user_id, or the "
            "verified wallets' balances from a JSON-RPC node (--rpc URL --token ADDRESS)",
        )
    loaded = load_holders(request, hooks())
    options = Options(
        dry_run, as_json, strip_unknown, concurrency, parse_timeout(lock_timeout), request.name
    )
    session = open_session(None, hooks(), guild=guild, need_config=False)
    try:
        settings = app_settings(session, thresholds)
    except BaseException:
        asyncio.run(session.aclose())
        raise
    outcome = asyncio.run(_run(session, loaded, settings, options))
    if as_json:
        from gaib_theme_sietch.tiers.report import as_json as document

        data = document(
            outcome.plan,
            source=options.source,
            pages=outcome.view.pages,
            dry_run=dry_run,
            result=outcome.result,
            requests=outcome.requests,
        )
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    _finish(outcome, options, detailed_exitcode)


@dataclass
class Settings:
    """What the guild's Sietch app configuration decides for a sync (defaults without one)."""

    thresholds: ThresholdService
    keys: tuple[str, ...]  # the role keys managed (feature gates on)
    mapping_by_name: dict[str, str]  # role name -> Discord role id


def app_settings(session: Session, thresholds: Path | None) -> Settings:
    """The guild's app configuration (``gaib sietch config``): thresholds (``--thresholds``
    wins), the roles its feature gates leave on, and its role mappings. A project that never
    stored one (no ``DATABASE_URL``, no ``.gaib/sietch.sqlite3``) gets the defaults."""
    from gaib_theme_sietch.appconfig.models import AppConfig, gates
    from gaib_theme_sietch.appconfig.store import DEFAULT_FILE, default_path, open_config_store
    from gaib_theme_sietch.tiers.thresholds import ThresholdService
    from gaib_theme_sietch.verify.settings import database_url_from_env

    url = database_url_from_env(unset=Path(".gaib") / DEFAULT_FILE)
    app = None
    if url is not None or default_path(session.project).exists():
        with open_config_store(session.project, url) as store:
            app = store.get(session.guild_id)
    app = app or AppConfig()
    keys = tuple(key for gate in gates().values() if app.gates[gate.name] for key in gate.roles)
    service = (
        ThresholdService.from_yaml(thresholds) if thresholds else ThresholdService(app.thresholds)
    )
    return Settings(service, keys, dict(app.roles))


async def _run(
    session: Session, holders: HolderList, settings: Settings, options: Options
) -> Outcome:
    from datetime import UTC, datetime

    from gaib_theme_sietch.tiers.eligibility import EligibilityService
    from gaib_theme_sietch.tiers.rolemanager import RoleManager
    from gaib_theme_sietch.tiers.roles import (
        RoleMap,
        declared_keys,
        mapping_by_key,
        names_from_config,
    )
    from gaib_theme_sietch.tiers.sync import read_view
    from gaib_theme_sietch.tiers.tier import TierService

    try:
        with session.manager.locked("sync", options.lock_timeout):
            view = await read_view(session.provider, session.guild_id)
            names = names_from_config(session.config)
            roles = RoleMap.resolve(
                view.guild,
                names=names,
                mapping=mapping_by_key(settings.mapping_by_name, names),
                keys=settings.keys,
                declared=declared_keys(session.config),
            )
            manager = RoleManager(
                roles,
                EligibilityService(TierService(settings.thresholds)),
                strip_unknown=options.strip_unknown,
            )
            plan = manager.plan(
                session.guild_id,
                holders.holders,
                view.members,
                now=datetime.now(UTC),
                provides=holders.provides,
            )
            if not options.as_json:
                _show_plan(plan, view, roles, options)
            if options.dry_run or not plan.has_changes:
                return Outcome(plan, view, roles, None, _requests(session))
            result = await _apply(session, plan, roles, options)
            return Outcome(plan, view, roles, result, _requests(session))
    finally:
        await session.aclose()


async def _apply(session: Session, plan: SyncPlan, roles: RoleMap, options: Options) -> SyncResult:
    """Apply inside the change lifecycle (operation ``sync``)."""
    from gaib_core.lifecycle import change_event, change_lifecycle

    from gaib_theme_sietch.tiers.sync import apply_plan

    state = session.manager.read()
    event = change_event(
        "sync",
        workspace=session.manager.workspace,
        guild_id=session.guild_id,
        state_before=state,
        config=session.config,
        state_url=session.manager.url,
    )
    with change_lifecycle(session.hooks, event, state) as record:
        result = await apply_plan(
            session.provider, plan, names=dict(roles.names), concurrency=options.concurrency
        )
        users = sorted({c.user_id for c in result.applied}, key=lambda u: (len(u), u))
        record.changed.extend(f"member.{user}" for user in users)
        record.errors.extend(result.errors)
    return result


def _show_plan(plan: SyncPlan, view: GuildView, roles: RoleMap, options: Options) -> None:
    from gaib_theme_sietch.tiers.report import plan_lines

    lines = plan_lines(
        plan, roles.names, pages=view.pages, strip=options.strip_unknown, source=options.source
    )
    typer.echo("\n".join(lines))


def _requests(session: Session) -> int | None:
    count = getattr(session.provider, "request_count", None)
    return count if isinstance(count, int) else None


def _finish(outcome: Outcome, options: Options, detailed_exitcode: bool) -> None:
    """Print the outcome; raise for errors; exit 2 for changes under --detailed-exitcode."""
    from gaib_theme_sietch.tiers.report import result_lines

    plan, result = outcome.plan, outcome.result
    if not options.as_json:
        if options.dry_run and plan.has_changes:
            typer.echo("\nDry run: nothing was changed. Run without --dry-run to apply.")
        elif result is not None:
            typer.echo("\n" + "\n".join(result_lines(plan, result, outcome.requests)))
    if result is not None and result.errors:
        done = len(result.applied) + len(result.skipped)
        more = f" (and {len(result.errors) - 1} more)" if len(result.errors) > 1 else ""
        raise GaibError(
            f"the sync stopped after {done:,} of {len(plan.changes):,} role changes: "
            f"{result.errors[0]}{more}",
            hint="fix that, then run `gaib sietch sync` again: it picks up where this one stopped",
        )
    if detailed_exitcode and plan.has_changes:
        raise typer.Exit(CHANGES)


def register(app: typer.Typer) -> None:
    """Add ``sync`` to the ``sietch`` group."""
    app.command("sync")(sync)
