"""The theme registry: deployments recorded with outcome, capped history, rollback targets."""

from __future__ import annotations

import pytest
from gaib_backup.context import BackupContext
from gaib_backup.errors import BackupError, NotFound
from gaib_backup.theme_registry import (
    audit_prefix,
    history,
    new_deployment,
    read_registry,
    record_deployment,
    rollback_target,
)

SERVER = "123456789012345678"


def _deploy(ctx: BackupContext, version: str, **extra) -> str:  # type: ignore[no-untyped-def]
    options = {
        "action": "apply",
        "serial": 1,
        "workspace": "default",
        "snapshot_id": f"snap-{version}",
    }
    options.update(extra)
    deployment = new_deployment(ctx, theme_name="sietch", theme_version=version, **options)
    record_deployment(ctx, SERVER, deployment)
    return deployment.id


def test_every_deployment_is_recorded_with_an_audit_entry(ctx: BackupContext) -> None:
    first = _deploy(ctx, "3.0.0")
    second = _deploy(ctx, "3.1.0", outcome="failed", error="boom")
    registry = read_registry(ctx, SERVER)
    assert registry.current_theme is not None
    assert (registry.current_theme.version, registry.current_theme.deployment_id) == (
        "3.0.0",
        first,
    )
    assert [d.id for d in registry.history] == [second, first]
    assert registry.history[0].outcome == "failed" and registry.history[0].error == "boom"
    assert len(ctx.store.list(audit_prefix(SERVER))) == 2
    _deploy(ctx, "3.0.0", action="destroy", snapshot_id=None)
    assert read_registry(ctx, SERVER).current_theme is None


def test_free_history_keeps_the_last_five_premium_all(ctx: BackupContext) -> None:
    for i in range(7):
        _deploy(ctx, f"3.{i}.0")
    assert [d.theme_version for d in history(ctx, SERVER)] == [f"3.{i}.0" for i in (6, 5, 4, 3, 2)]
    assert len(ctx.store.list(audit_prefix(SERVER))) == 7  # the audit trail is not rewritten
    ctx.set_service_tier(SERVER, "premium")
    for i in range(7, 10):
        _deploy(ctx, f"3.{i}.0")
    assert len(history(ctx, SERVER)) == 8


def test_rollback_targets(ctx: BackupContext) -> None:
    ctx.set_service_tier(SERVER, "premium")
    a = _deploy(ctx, "1.0.0")
    _deploy(ctx, "1.1.0", outcome="failed")
    b = _deploy(ctx, "2.0.0")
    _deploy(ctx, "3.0.0")
    assert rollback_target(ctx, SERVER).id == b
    assert rollback_target(ctx, SERVER, steps=2).id == a
    assert rollback_target(ctx, SERVER, to=a[:8]).id == a
    with pytest.raises(NotFound, match="cannot go back 3"):
        rollback_target(ctx, SERVER, steps=3)
    failed = history(ctx, SERVER)[2]
    with pytest.raises(BackupError, match="failed apply"):
        rollback_target(ctx, SERVER, to=failed.id)
