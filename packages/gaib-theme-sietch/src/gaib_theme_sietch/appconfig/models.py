"""The Sietch app's configuration for one guild: thresholds, feature gates, role mappings.

- ``thresholds``: the tier engine's :class:`~gaib_theme_sietch.tiers.thresholds.Thresholds`
  (amounts in BGT, rank ranges), validated the same way as a thresholds file;
- ``gates``: the feature gates of ``data/gates.yaml``, each on or off (every known gate is
  present, unknown names are refused);
- ``roles``: role mappings, a role's name in the guild -> its Discord role id. Ids change when a
  guild is rebuilt; names do not, which is how a restore finds the new ids.

Every value is also reachable by a dotted key (``thresholds.amounts.hajra``, ``gates.veteran``,
``roles.Naib``), which is how ``gaib sietch config`` and restore previews name them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from gaib_theme_sietch.tiers.amounts import format_bgt
from gaib_theme_sietch.tiers.thresholds import AMOUNT_TIERS, Thresholds

_ROLE_ID = re.compile(r"^[0-9]{1,20}$")
#: Checkpoint ids: ``ckpt-YYYYMMDD-HHMMSS-<8 hex>``, safe in a shell, a URL and a file name.
CHECKPOINT_ID = re.compile(r"^ckpt-[0-9]{8}-[0-9]{6}-[0-9a-f]{8}$")
CHECKPOINT_ID_FORM = "ckpt-YYYYMMDD-HHMMSS-xxxxxxxx"
ROLE_ID_HINT = (
    "give the role's id (digits): in Discord, Developer Mode on, right-click the role, Copy Role "
    "ID; or run `gaib sietch config map-roles`"
)


@dataclass(frozen=True)
class Gate:
    """A feature gate: its default and the role keys (``role.<key>``) it covers."""

    name: str
    default: bool
    roles: tuple[str, ...]
    description: str


@cache
def gates() -> dict[str, Gate]:
    """Every known gate, by name, in ``data/gates.yaml``'s order."""
    text = resources.files("gaib_theme_sietch.appconfig").joinpath("data/gates.yaml").read_text()
    return {
        name: Gate(name, bool(spec["default"]), tuple(spec["roles"]), str(spec["description"]))
        for name, spec in yaml.safe_load(text).items()
    }


def _role_id(value: str) -> str:
    if not _ROLE_ID.match(value) or int(value) >= 2**64:
        raise ValueError(f"{value!r} is not a Discord role id")
    return value


RoleId = Annotated[str, AfterValidator(_role_id)]


class AppConfig(BaseModel):
    """One guild's Sietch app configuration (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    thresholds: Thresholds = Thresholds()
    gates: dict[str, bool] = Field(
        default_factory=lambda: {g.name: g.default for g in gates().values()}
    )
    roles: dict[str, RoleId] = Field(default_factory=dict)

    @field_validator("gates", mode="before")
    @classmethod
    def _known_gates(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        unknown = sorted(set(value) - set(gates()))
        if unknown:
            raise ValueError(f"unknown gate {unknown[0]!r}; gates are {', '.join(gates())}")
        for name, on in value.items():
            if not isinstance(on, bool):
                raise ValueError(f"gate {name!r} must be true or false, not {on!r}")
        # every gate present, in the file's order
        return {name: value.get(name, gate.default) for name, gate in gates().items()}

    @field_validator("roles")
    @classmethod
    def _role_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not 1 <= len(name) <= 100 or name != name.strip():
                raise ValueError(
                    f"role name {name!r} must be 1-100 characters without surrounding spaces"
                )
        return dict(sorted(value.items()))

    def flat(self) -> dict[str, str]:
        """Every setting by dotted key, as shown to a person (BGT amounts, on/off, ids)."""
        out = {
            f"thresholds.amounts.{tier}": format_bgt(getattr(self.thresholds.amounts, tier))
            for tier in reversed(AMOUNT_TIERS)
        }
        ranks = self.thresholds.ranks
        out |= {
            f"thresholds.ranks.{n}": str(getattr(ranks, n))
            for n in ("naib", "fedaykin", "waitlist")
        }
        out |= {f"gates.{name}": "on" if on else "off" for name, on in self.gates.items()}
        out |= {f"roles.{name}": role_id for name, role_id in self.roles.items()}
        return out

    def managed_roles(self) -> frozenset[str]:
        """The role keys (``naib``, ``taqwa``, ...) whose gates are on."""
        return frozenset(
            key for name, gate in gates().items() if self.gates[name] for key in gate.roles
        )


@dataclass(frozen=True)
class Checkpoint:
    """A saved copy of one guild's app configuration."""

    id: str
    guild_id: str
    created_at: datetime
    reason: str
    config: AppConfig

    def summary(self) -> dict[str, Any]:
        """The checkpoint for ``--json`` listings (without the configuration)."""
        return {
            "id": self.id,
            "guild_id": self.guild_id,
            "created_at": self.created_at.isoformat().replace("+00:00", "Z"),
            "reason": self.reason,
            "role_mappings": len(self.config.roles),
        }
