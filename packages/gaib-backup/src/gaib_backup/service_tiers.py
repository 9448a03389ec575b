"""Service tiers (PRD 15): what a free or premium server may do, and the usage windows.

The numbers live in ``data/service_tiers.json``. An operation limited to *n per day* may run
*n* times per UTC calendar day; *per week* means per ISO week (Monday 00:00 UTC to Monday).
Usage is counted by the metadata store with atomic conditional writes (:mod:`gaib_backup.metadata`),
so two concurrent creates cannot both take the last slot.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

from gaib_backup.errors import BackupError, ServiceTierLimit
from gaib_backup.models import ServiceTier

Operation = Literal["backup create", "backup restore", "snapshot create", "snapshot restore"]
OPERATIONS: tuple[str, ...] = get_args(Operation)
DEFAULT_SERVICE_TIER: ServiceTier = "free"


class Limit(BaseModel):
    """At most ``count`` per ``per`` window."""

    model_config = ConfigDict(extra="forbid")

    count: int
    per: Literal["day", "week"]


class ServiceTierPolicy(BaseModel):
    """What one service tier allows."""

    model_config = ConfigDict(extra="forbid")

    limits: dict[str, Limit]
    retention_days: int
    theme_history: int | None
    backup_every_hours: int
    snapshot_every_days: int | None

    def limit(self, operation: str) -> Limit | None:
        """The limit on ``operation``, or None when unlimited."""
        return self.limits.get(operation)


@cache
def policies() -> dict[str, ServiceTierPolicy]:
    """Every service tier's policy, from ``data/service_tiers.json``."""
    raw = json.loads(
        resources.files("gaib_backup").joinpath("data/service_tiers.json").read_text("utf-8")
    )
    return {
        name: ServiceTierPolicy.model_validate(value)
        for name, value in raw.items()
        if not name.startswith("_")
    }


def policy(service_tier: str) -> ServiceTierPolicy:
    """The policy of ``service_tier``; ``BackupError`` naming the known ones otherwise."""
    known = policies()
    if service_tier not in known:
        raise BackupError(
            f"unknown service tier {service_tier!r}",
            hint=f"use one of: {', '.join(known)}",
        )
    return known[service_tier]


@dataclass(frozen=True)
class Window:
    """One usage window: its key (``2026-11-29``, ``2026-W48``) and when the next one starts."""

    key: str
    start: dt.datetime
    end: dt.datetime


def window(per: str, now: dt.datetime) -> Window:
    """The ``per`` (day or week) window that contains ``now`` (UTC)."""
    now = now.astimezone(dt.UTC)
    day = dt.datetime(now.year, now.month, now.day, tzinfo=dt.UTC)
    if per == "day":
        return Window(day.strftime("%Y-%m-%d"), day, day + dt.timedelta(days=1))
    start = day - dt.timedelta(days=day.weekday())
    year, week, _ = start.isocalendar()
    return Window(f"{year}-W{week:02d}", start, start + dt.timedelta(days=7))


def refusal(
    server_id: str, service_tier: str, operation: str, limit: Limit, win: Window
) -> ServiceTierLimit:
    """The error for a used-up limit, saying when the next operation is allowed."""
    when = win.end.strftime("%Y-%m-%d %H:%M UTC")
    return ServiceTierLimit(
        f"server {server_id} is on the {service_tier} service tier, which allows "
        f"{limit.count} {operation} per {limit.per}; the next one is allowed at {when}",
        hint="wait until then, or move the server to premium with "
        f"`gaib server tier set premium --guild {server_id}`",
    )
