"""Attribute-level differences between a desired object and the guild object it matched.

Values stay in Discord's encoding (ints for colors and permissions, overwrite bits) so a plan is
exact; :mod:`render` turns them into names. ``lifecycle.ignore_changes`` masks attributes here:
an ignored attribute never shows up as a change and is therefore never sent.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from gaib_core.engine.desired import DesiredChannel, DesiredRole, OverwriteSpec
from gaib_core.engine.match import compatible_types
from gaib_core.engine.names import same_name
from gaib_core.engine.observed import (
    RefMap,
    channel_attributes,
    channel_overwrites,
    role_attributes,
)
from gaib_core.provider.models import Channel, Role


class AttributeChange(BaseModel):
    """One attribute's old and new value (``None`` before = absent, e.g. a new overwrite).

    Overwrite changes are named ``overwrites[<target ref>]`` with ``{"allow", "deny"}`` values;
    order changes are named ``position`` with 1-based ranks among the managed siblings.
    """

    attribute: str
    before: Any = None
    after: Any = None
    forces_replacement: bool = False


def overwrite_attr(ref: str) -> str:
    """The attribute name of the overwrite for ``ref``."""
    return f"overwrites[{ref}]"


def is_ignored(attribute: str, ignore: list[str]) -> bool:
    """True when ``lifecycle.ignore_changes`` masks ``attribute`` (``all`` masks everything)."""
    base = attribute.split("[", 1)[0]
    return "all" in ignore or attribute in ignore or base in ignore


def diff_role(desired: DesiredRole, role: Role) -> list[AttributeChange]:
    """Changed attributes of a role."""
    before = role_attributes(role)
    return [
        AttributeChange(attribute=key, before=before[key], after=value)
        for key, value in desired.attributes().items()
        if before[key] != value and not is_ignored(key, desired.ignore_changes)
    ]


def diff_channel(desired: DesiredChannel, channel: Channel, refs: RefMap) -> list[AttributeChange]:
    """Changed attributes of a channel or category (a type change may force replacement)."""
    want = desired.attributes()
    have = channel_attributes(channel, refs, list(want))
    changes: list[AttributeChange] = []
    for key, value in want.items():
        old = have[key]
        if key == "name" and same_name(old, value, channel.type):
            continue
        if old == value or is_ignored(key, desired.ignore_changes):
            continue
        replace = key == "type" and not compatible_types(old, value)
        changes.append(
            AttributeChange(attribute=key, before=old, after=value, forces_replacement=replace)
        )
    changes.extend(diff_overwrites(desired, channel_overwrites(channel, refs)))
    return changes


def diff_overwrites(
    desired: DesiredChannel, actual: dict[str, OverwriteSpec]
) -> list[AttributeChange]:
    """One change per overwrite target whose bits differ (added, removed or changed)."""
    out: list[AttributeChange] = []
    for ref in [*desired.overwrites, *(r for r in actual if r not in desired.overwrites)]:
        want, have = desired.overwrites.get(ref), actual.get(ref)
        if want == have or is_ignored(overwrite_attr(ref), desired.ignore_changes):
            continue
        out.append(
            AttributeChange(
                attribute=overwrite_attr(ref),
                before=have.model_dump() if have else None,
                after=want.model_dump() if want else None,
            )
        )
    return out


def creation_attributes(desired: DesiredRole | DesiredChannel) -> list[AttributeChange]:
    """Every attribute of an object to create, as changes from nothing (for ``diff``)."""
    out = [
        AttributeChange(attribute=key, after=value)
        for key, value in desired.attributes().items()
        if value not in (None, "", False, 0) or key in ("name", "type")
    ]
    if isinstance(desired, DesiredChannel):
        out.extend(
            AttributeChange(attribute=overwrite_attr(ref), after=spec.model_dump())
            for ref, spec in desired.overwrites.items()
        )
    return out
