"""A plan's permission changes stated as their effect on people.

The resource diff says ``~ overwrite Hajra: allow [VIEW_CHANNEL] -> allow []``; what a reviewer
needs is "Hajra loses View Channel on #the-depths". :func:`permission_effects` computes the
effective permissions of every role (as a member holding that role) in every channel before and
after the plan (:mod:`access`, :mod:`gaib_core.effective`) and states the differences:

- per role, the channels where it gains or loses permissions, grouped when the change is the
  same (a role whose change on a channel is exactly @everyone's is covered by the @everyone line);
  a sentence names seeing, sending, connecting, speaking and the moderation permissions and
  counts the rest (``Fedaykin gains View Channel, Send Messages (+8 more) on #council``), the
  JSON lists them all;
- a role that becomes (or stops being) an administrator, in one line;
- who can see each new channel, and which existing channels a new role sees beyond @everyone;
- ``now_public``: existing channels that become visible to @everyone (a highlighted warning).

Only what the plan applies counts (``-target`` plans leave the rest as it is).
"""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel, Field

from gaib_core import effective
from gaib_core.engine.access import Access, ChannelAccess, RoleAccess, from_guild
from gaib_core.engine.plan import Plan
from gaib_core.engine.refs import EVERYONE_REF, is_member
from gaib_core.permissions import all_permissions, channel_bits, flag, label, to_names

VIEW_CHANNEL = effective.VIEW_CHANNEL


class PermissionEffect(BaseModel):
    """One role's change of effective permissions, on one or more channels."""

    role: str = Field(description="The role's name (@everyone for members without a role).")
    role_ref: str
    channels: list[str] = Field(description="Channel labels (#name, or the name for voice).")
    channel_refs: list[str]
    gains: list[str] = Field(default_factory=list, description="Permission names gained.")
    loses: list[str] = Field(default_factory=list, description="Permission names lost.")
    text: str = Field(description="The sentence gaib prints.")


class Visibility(BaseModel):
    """Who sees a new channel, or which channels a new role sees beyond @everyone."""

    subject: str = Field(description="The channel's label or the role's name.")
    ref: str
    sees: list[str] = Field(description="Role names (for a channel) or channel labels (a role).")
    text: str


class PermissionEffects(BaseModel):
    """Everything :func:`permission_effects` found (empty lists: no permission changes)."""

    effects: list[PermissionEffect] = Field(default_factory=list)
    administrators: list[str] = Field(
        default_factory=list, description="Sentences for roles gaining or losing ADMINISTRATOR."
    )
    new_channels: list[Visibility] = Field(default_factory=list)
    new_roles: list[Visibility] = Field(default_factory=list)
    now_public: list[str] = Field(
        default_factory=list, description="Existing channels that become visible to @everyone."
    )

    @property
    def empty(self) -> bool:
        """True when the plan changes nobody's permissions."""
        return not (
            self.effects
            or self.administrators
            or self.new_channels
            or self.new_roles
            or self.now_public
        )


def permission_effects(plan: Plan) -> PermissionEffects:
    """The effect of ``plan`` on effective permissions (see the module docstring)."""
    # Objects by the plan's addresses: matched config objects, and state entries it deletes.
    addresses = {i: a for a, i in plan.matched_ids.items()}
    addresses.update({c.id: c.address for c in plan.changes if c.id and c.kind != "everyone"})
    before = from_guild(plan.guild, addresses)
    after = _after(before, plan)
    out = PermissionEffects()
    old_roles = {r.ref for r in before.roles}
    old_channels = {c.ref: c for c in before.channels}
    admin_changed = _administrators(before, after, out)
    everyone = after.column(EVERYONE_REF)
    for channel in after.channels:
        old = old_channels.get(channel.ref)
        if old is None:
            out.new_channels.append(_who_sees(after, channel))
            continue
        if not _visible(before, before.column(EVERYONE_REF), old) and _visible(
            after, everyone, channel
        ):
            out.now_public.append(channel.label)
    for role in after.columns():
        if role.ref in admin_changed:
            continue
        if role.ref != EVERYONE_REF and role.ref not in old_roles:
            seen = _new_role(after, role, old_channels)
            if seen is not None:
                out.new_roles.append(seen)
            continue
        out.effects.extend(_role_effects(before, after, role, old_channels))
    return out


def _after(before: Access, plan: Plan) -> Access:
    """``before`` with the plan's changes made (deletes removed, creates added at the end of
    their category, desired attributes on the rest)."""
    deleted = {c.address for c in plan.changes if c.action == "delete"}
    replaced = {c.address for c in plan.changes if c.action == "replace"}
    everyone = before.everyone
    roles = {r.ref: r for r in before.roles if r.ref not in deleted}
    channels = {c.ref: c for c in before.channels if c.ref not in deleted}
    order = [c.ref for c in before.channels if c.ref not in deleted]
    for change in plan.changes:
        if change.kind == "everyone" and change.changes:
            everyone = int(change.changes[0].after)
        elif change.role is not None and change.action != "delete":
            role = change.role
            roles[change.address] = RoleAccess(change.address, role.name, role.permissions)
        elif change.channel is not None and change.action != "delete":
            desired = change.channel
            channels[change.address] = ChannelAccess(
                ref=change.address,
                name=desired.name,
                type=desired.type,
                parent=desired.parent,
                overwrites={
                    ref: effective.Bits(spec.allow, spec.deny)
                    for ref, spec in desired.overwrites.items()
                    if not is_member(ref)
                },
            )
            if change.address not in order or change.address in replaced:
                order = [r for r in order if r != change.address]
                order.insert(_slot(order, channels[change.address], channels), change.address)
    ranked = [r.address for r in plan.changes if r.kind == "role" and r.action != "delete"]
    role_list = sorted(
        roles.values(),
        key=lambda r: ranked.index(r.ref) if r.ref in ranked else len(ranked),
    )
    return Access(
        everyone=everyone,
        roles=role_list,
        channels=[channels[r] for r in order if r in channels],
        owner_id=before.owner_id,
    )


def _slot(order: list[str], new: ChannelAccess, channels: dict[str, ChannelAccess]) -> int:
    """Where a new channel goes in ``order`` (tree order): a category at the end, a channel
    after the last one of its category (outside any category: before the first category)."""
    if new.is_category:
        return len(order)
    if new.parent is None:
        categories = [i for i, r in enumerate(order) if channels[r].is_category]
        return categories[0] if categories else len(order)
    spots = [i for i, r in enumerate(order) if new.parent in (r, channels[r].parent)]
    return max(spots) + 1 if spots else len(order)


def _visible(access: Access, role: RoleAccess, channel: ChannelAccess) -> bool:
    return bool(access.permissions(role, channel) & VIEW_CHANNEL)


def _administrators(before: Access, after: Access, out: PermissionEffects) -> set[str]:
    """Sentences for roles whose ADMINISTRATOR status changes; their refs."""
    old = {r.ref: r for r in before.columns()}
    changed: set[str] = set()
    for role in after.columns():
        was = role.ref in old and bool(before.guild_bits(old[role.ref]) & effective.ADMINISTRATOR)
        now = bool(after.guild_bits(role) & effective.ADMINISTRATOR)
        if now and not was:
            changed.add(role.ref)
            new = "" if role.ref in old else " (new role)"
            out.administrators.append(
                f"{role.name}{new} becomes an administrator: every permission in every channel"
            )
        elif was and not now:
            changed.add(role.ref)
            out.administrators.append(
                f"{role.name} is no longer an administrator; "
                f"`gaib server permissions --role '{role.name}'` shows what it keeps"
            )
    return changed


def _who_sees(access: Access, channel: ChannelAccess) -> Visibility:
    names = [r.name for r in access.columns() if _visible(access, r, channel)]
    everyone = access.column(EVERYONE_REF)
    if _visible(access, everyone, channel):
        text = f"{channel.label} (new) is visible to @everyone"
    elif names:
        text = f"{channel.label} (new) is visible to {_join(names)}"
    else:
        text = f"{channel.label} (new) is visible to no role (administrators only)"
    return Visibility(subject=channel.label, ref=channel.ref, sees=names, text=text)


def _new_role(
    access: Access, role: RoleAccess, old_channels: dict[str, ChannelAccess]
) -> Visibility | None:
    """Existing channels a new role sees and @everyone does not (new channels say it)."""
    everyone = access.column(EVERYONE_REF)
    beyond = [
        c
        for c in access.channels
        if c.ref in old_channels and _visible(access, role, c) and not _visible(access, everyone, c)
    ]
    if not beyond:
        return None
    labels = [c.label for c in beyond]
    text = f"{role.name} (new role) sees what @everyone cannot: {_join(labels)}"
    return Visibility(subject=role.name, ref=role.ref, sees=labels, text=text)


def _role_effects(
    before: Access, after: Access, role: RoleAccess, old_channels: dict[str, ChannelAccess]
) -> list[PermissionEffect]:
    old_role = before.column(role.ref)
    everyone_before = before.column(EVERYONE_REF)
    everyone_after = after.column(EVERYONE_REF)
    groups: dict[tuple[int, int], list[ChannelAccess]] = {}
    for channel in after.channels:
        old = old_channels.get(channel.ref)
        if old is None:
            continue
        delta = _delta(before, after, old_role, role, old, channel)
        if delta == (0, 0):
            continue
        if role.ref != EVERYONE_REF and delta == _delta(
            before, after, everyone_before, everyone_after, old, channel
        ):
            continue  # the @everyone line says it: every member holds @everyone
        groups.setdefault(delta, []).append(channel)
    return [_effect(role, gained, lost, channels) for (gained, lost), channels in groups.items()]


def _delta(
    before: Access,
    after: Access,
    old_role: RoleAccess,
    role: RoleAccess,
    old: ChannelAccess,
    channel: ChannelAccess,
) -> tuple[int, int]:
    mask = channel_bits(channel.type)
    was = before.permissions(old_role, old) & mask
    now = after.permissions(role, channel) & mask
    return now & ~was, was & ~now


@cache
def _headline() -> int:
    """The permissions a sentence names; the others it counts (``+3 more``). Seeing, sending,
    connecting and speaking carry the rest with them (the implicit denies), and the elevated
    (2FA) ones are what moderators hold."""
    bits = VIEW_CHANNEL | effective.SEND_MESSAGES | effective.CONNECT | flag("SPEAK")
    for info in all_permissions():
        if info.two_factor:
            bits |= info.value
    return bits


def _phrase(verb: str, bits: int) -> str:
    named = bits & _headline()
    if not named:
        return f"{verb} {_join([label(n) for n in to_names(bits)])}"
    rest = len(to_names(bits & ~named))
    more = f" (+{rest} more)" if rest else ""
    return f"{verb} {_join([label(n) for n in to_names(named)])}{more}"


def _effect(
    role: RoleAccess, gained: int, lost: int, channels: list[ChannelAccess]
) -> PermissionEffect:
    parts = []
    if gained:
        parts.append(_phrase("gains", gained))
    if lost:
        parts.append(_phrase("loses", lost))
    labels = [c.label for c in channels]
    return PermissionEffect(
        role=role.name,
        role_ref=role.ref,
        channels=labels,
        channel_refs=[c.ref for c in channels],
        gains=to_names(gained),
        loses=to_names(lost),
        text=f"{role.name} {' and '.join(parts)} on {_join(labels)}",
    )


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
