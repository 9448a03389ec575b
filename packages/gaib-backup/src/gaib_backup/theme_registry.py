"""The theme registry (PRD 14.4): every deployment of a server, with rollback targets.

::

    themes/{server_id}/registry.json            ThemeRegistry: the current theme and the history
    themes/{server_id}/audit/{timestamp}.json   one ThemeDeployment per deployment (never rewritten)

gaib-backup records a deployment after every apply, destroy, teardown, restore and rollback
(through ``gaib_after_change``), failed and interrupted ones included. The history is capped at
the service tier's ``theme_history`` (5 on free, unlimited on premium); the audit entries stay
until the store's retention removes them.
"""

from __future__ import annotations

import uuid

from pydantic import ValidationError

from gaib_backup.context import BackupContext, compact, timestamp
from gaib_backup.errors import BackupError, IntegrityError, NotFound
from gaib_backup.models import (
    CurrentTheme,
    DeploymentAction,
    DeploymentOutcome,
    ThemeDeployment,
    ThemeRegistry,
)
from gaib_backup.names import THEMES_PREFIX
from gaib_backup.store import safe_part

REGISTRY_FILE = "registry.json"
#: Actions after which the theme recorded is the one deployed (destroy/teardown leave none).
DEPLOYING = ("apply", "restore", "rollback")


def registry_key(server_id: str) -> str:
    """``themes/{server_id}/registry.json``."""
    return f"{THEMES_PREFIX}/{safe_part(server_id, what='server id')}/{REGISTRY_FILE}"


def audit_prefix(server_id: str) -> str:
    """``themes/{server_id}/audit``."""
    return f"{THEMES_PREFIX}/{safe_part(server_id, what='server id')}/audit"


def read_registry(ctx: BackupContext, server_id: str) -> ThemeRegistry:
    """The server's registry (empty when nothing was deployed yet)."""
    key = registry_key(server_id)
    data = ctx.store.read(key)
    if data is None:
        return ThemeRegistry(server_id=server_id)
    try:
        return ThemeRegistry.model_validate_json(data)
    except ValidationError as exc:
        raise IntegrityError(
            f"{ctx.store.describe(key)}: invalid theme registry: {exc.errors()[0]['msg']}",
            hint=f"delete {ctx.store.describe(key)} to start a new history (the audit entries "
            "stay), or on a versioned bucket restore the object's previous version",
        ) from None


def new_deployment(
    ctx: BackupContext,
    *,
    action: DeploymentAction,
    theme_name: str | None,
    theme_version: str | None,
    serial: int,
    workspace: str,
    outcome: DeploymentOutcome = "succeeded",
    snapshot_id: str | None = None,
    message: str | None = None,
    error: str | None = None,
    rollback_of: str | None = None,
) -> ThemeDeployment:
    """A deployment record stamped now (``(none)`` for a config without a theme)."""
    return ThemeDeployment(
        id=str(uuid.uuid4()),
        timestamp=timestamp(ctx.now()),
        theme_name=theme_name or "(none)",
        theme_version=theme_version or "",
        serial=serial,
        action=action,
        outcome=outcome,
        workspace=workspace,
        snapshot_id=snapshot_id,
        message=message,
        error=error,
        rollback_of=rollback_of,
    )


def record_deployment(
    ctx: BackupContext, server_id: str, deployment: ThemeDeployment
) -> ThemeRegistry:
    """Write the audit entry (exclusively), then the registry with it at the top of the history."""
    service_tier = ctx.service_tier(server_id)
    when = compact(ctx.now())
    for attempt in range(100):
        key = f"{audit_prefix(server_id)}/{when}{'-' + str(attempt) if attempt else ''}.json"
        try:
            ctx.store.write(key, deployment.to_json(), service_tier=service_tier, exclusive=True)
            break
        except FileExistsError:
            continue
    registry = read_registry(ctx, server_id)
    registry.history.insert(0, deployment)
    cap = ctx.policy(server_id).theme_history
    if cap is not None:
        registry.history = registry.history[:cap]
    if deployment.outcome == "succeeded":
        if deployment.action in DEPLOYING:
            registry.current_theme = CurrentTheme(
                name=deployment.theme_name,
                version=deployment.theme_version,
                deployed_at=deployment.timestamp,
                deployment_id=deployment.id,
            )
        else:
            registry.current_theme = None
    ctx.store.write(registry_key(server_id), registry.to_json(), service_tier=service_tier)
    return registry


def history(
    ctx: BackupContext, server_id: str, *, limit: int | None = None
) -> list[ThemeDeployment]:
    """The server's deployments, newest first."""
    found = read_registry(ctx, server_id).history
    return found[:limit] if limit is not None else found


def find_deployment(ctx: BackupContext, server_id: str, deployment_id: str) -> ThemeDeployment:
    """The deployment whose id is (or uniquely starts with) ``deployment_id``."""
    safe_part(deployment_id, what="deployment id")
    found = history(ctx, server_id)
    matches = [d for d in found if d.id == deployment_id] or [
        d for d in found if len(deployment_id) >= 6 and d.id.startswith(deployment_id)
    ]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise NotFound(
            f"deployment id '{deployment_id}' is ambiguous", hint="give more characters of the id"
        )
    raise NotFound(
        f"no deployment '{deployment_id}' in the theme history of server {server_id}",
        hint="`gaib server theme history` shows the deployments and their ids",
    )


def rollback_target(
    ctx: BackupContext, server_id: str, *, steps: int | None = None, to: str | None = None
) -> ThemeDeployment:
    """The deployment a rollback returns to: ``steps`` successful deployments back, or ``to``.

    Only successful apply, restore or rollback deployments with a snapshot are targets.
    """
    if to is not None:
        target = find_deployment(ctx, server_id, to)
        _check_target(target)
        return target
    steps = 1 if steps is None else steps
    if steps < 1:
        raise BackupError(f"--steps must be 1 or more, not {steps}", hint="e.g. --steps 1")
    candidates = [
        d
        for d in history(ctx, server_id)
        if d.outcome == "succeeded" and d.action in DEPLOYING and d.snapshot_id
    ]
    if len(candidates) <= steps:
        raise NotFound(
            f"server {server_id} has {len(candidates)} successful deployment(s) with a snapshot; "
            f"cannot go back {steps}",
            hint="`gaib server theme history` shows them; use --to ID for a specific one",
        )
    return candidates[steps]


def _check_target(target: ThemeDeployment) -> None:
    if target.outcome != "succeeded" or target.action not in DEPLOYING:
        raise BackupError(
            f"deployment {target.id} was a {target.outcome} {target.action}, not a deployment "
            "to return to",
            hint="pick a succeeded apply, restore or rollback from `gaib server theme history`",
        )
    if not target.snapshot_id:
        raise BackupError(
            f"deployment {target.id} has no snapshot to roll back to",
            hint="pick a deployment with a snapshot id in `gaib server theme history`",
        )
