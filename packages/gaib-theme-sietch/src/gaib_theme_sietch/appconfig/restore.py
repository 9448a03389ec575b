"""Restoring a checkpoint: what ``gaib restore preview`` shows and ``gaib restore exec`` does.

A checkpoint's role mappings name roles by their ids at the time; after a teardown and a rebuild
the roles have new ids. :func:`plan_restore` looks each mapped name up among the live guild's
roles and maps it to the id it has now, so the restored configuration points at the re-created
roles. Names the guild does not have stop the restore with one line naming them all (unless
``--drop-missing`` leaves those mappings out); a name held by two roles stops it too. Nothing is
half-restored.

The plan is a pure function of the checkpoint, the guild's roles and the stored configuration,
so the preview and the execution compute the very same changes; :func:`execute` writes exactly
the plan's target, keeping the configuration it replaces as a checkpoint, and refuses if that
configuration changed since the plan was made.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from gaib_core.errors import GaibError
from gaib_core.provider.models import Role

from gaib_theme_sietch.appconfig.models import AppConfig, Checkpoint
from gaib_theme_sietch.appconfig.store import ConfigStore


class RestoreError(GaibError):
    """A checkpoint cannot be restored into this guild as it is."""


@dataclass(frozen=True)
class Remap:
    """A mapped role found by name: its id in the checkpoint and in the guild now."""

    name: str
    checkpoint_id: str
    guild_id: str


@dataclass(frozen=True)
class Change:
    """One setting the restore changes (``before``/``after`` None: absent)."""

    key: str
    before: str | None
    after: str | None

    @property
    def action(self) -> Literal["add", "change", "remove"]:
        """``add``, ``change`` or ``remove``."""
        if self.before is None:
            return "add"
        return "remove" if self.after is None else "change"

    def line(self) -> str:
        """``~ key: before -> after`` / ``+ key: after`` / ``- key: before``."""
        if self.action == "add":
            return f"+ {self.key}: {self.after}"
        if self.action == "remove":
            return f"- {self.key}: {self.before}"
        return f"~ {self.key}: {self.before} -> {self.after}"


@dataclass(frozen=True)
class RestorePlan:
    """What restoring ``checkpoint`` into ``guild_id`` changes."""

    checkpoint: Checkpoint
    guild_id: str
    current: AppConfig
    target: AppConfig
    remapped: tuple[Remap, ...]
    changes: tuple[Change, ...] = field(default=())

    @property
    def has_changes(self) -> bool:
        """True when the stored configuration differs from the target."""
        return bool(self.changes)

    def as_json(self) -> dict[str, Any]:
        """The plan for ``--json``."""
        return {
            "checkpoint": self.checkpoint.summary(),
            "guild_id": self.guild_id,
            "changes": [
                {"key": c.key, "action": c.action, "before": c.before, "after": c.after}
                for c in self.changes
            ],
            "remapped": [r.__dict__ for r in self.remapped],
        }


def remap_roles(
    checkpoint: Checkpoint, guild_id: str, roles: Iterable[Role], *, drop_missing: bool = False
) -> tuple[Remap, ...]:
    """Each mapped role of the checkpoint with the id its name has in the guild now.

    A name the guild lacks is a ``RestoreError`` naming every such role, unless
    ``drop_missing`` (then its mapping is left out of the restore).
    """
    by_name: dict[str, list[str]] = {}
    for role in roles:
        by_name.setdefault(role.name, []).append(role.id)
    out = []
    missing = []
    for name, old_id in checkpoint.config.roles.items():
        found = by_name.get(name, [])
        if len(found) > 1:
            raise RestoreError(
                f"guild {guild_id} has {len(found)} roles named {name!r} (ids "
                f"{', '.join(sorted(found))}); checkpoint {checkpoint.id} maps one",
                hint="rename or delete the extra role, then run the restore again",
            )
        if found:
            out.append(Remap(name, old_id, found[0]))
        else:
            missing.append(name)
    if missing and not drop_missing:
        names = ", ".join(repr(n) for n in missing)
        raise RestoreError(
            f"checkpoint {checkpoint.id} maps {len(missing)} role{'s' if len(missing) > 1 else ''} "
            f"that guild {guild_id} does not have: {names}",
            hint="rebuild the guild's roles first (gaib server apply --config EXPORT --guild "
            f"{guild_id}), or add --drop-missing to restore without those mappings",
        )
    return tuple(out)


def diff(before: AppConfig, after: AppConfig) -> tuple[Change, ...]:
    """Every dotted key whose value differs: thresholds and gates in the configuration's order,
    then role mappings by name."""
    old, new = before.flat(), after.flat()
    settings = [k for k in old if not k.startswith("roles.")]
    keys = settings + sorted({k for k in (*old, *new) if k.startswith("roles.")})
    return tuple(Change(k, old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k))


def plan_restore(
    checkpoint: Checkpoint,
    guild_id: str,
    roles: Iterable[Role],
    current: AppConfig,
    *,
    drop_missing: bool = False,
) -> RestorePlan:
    """The restore of ``checkpoint`` into ``guild_id`` whose roles are ``roles`` now."""
    remapped = remap_roles(checkpoint, guild_id, roles, drop_missing=drop_missing)
    data = checkpoint.config.model_dump(mode="json")
    target = AppConfig.model_validate(data | {"roles": {r.name: r.guild_id for r in remapped}})
    return RestorePlan(checkpoint, guild_id, current, target, remapped, diff(current, target))


def execute(store: ConfigStore, plan: RestorePlan) -> Checkpoint | None:
    """Write ``plan.target`` (if anything changes), keeping the replaced configuration as a
    checkpoint, which is returned (None: nothing to change, nothing written)."""
    if not plan.has_changes:
        return None
    return store.replace(
        plan.guild_id,
        plan.target,
        expected=plan.current,
        reason=f"before restore of {plan.checkpoint.id}",
    )
