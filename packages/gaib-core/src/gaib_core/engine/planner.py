"""``make_plan``: the plan from the config, a fresh read of the guild, and state, step by step.

``make_plan`` is pure (no I/O): refresh is the caller's one ``provider.read_guild``. The
``Plan`` it fills is data (:mod:`gaib_core.engine.plan`); the steps:

1. match config addresses to guild objects (:mod:`match`);
2. diff each match, plan creates, and deletes for state entries the config dropped;
3. restrict to ``-target`` addresses and their dependencies;
4. the unmanaged policy (keep / report / remove);
5. relative order of roles and channels (:mod:`order`);
6. preflight (:mod:`preflight`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from gaib_core.config.models import ServerConfig
from gaib_core.engine.desired import (
    DesiredChannel,
    DesiredModel,
    DesiredObject,
    DesiredRole,
    build_desired,
)
from gaib_core.engine.diff import AttributeChange, diff_channel, diff_role, is_ignored
from gaib_core.engine.limits import removals_first
from gaib_core.engine.match import Matches, match, unmanaged_channels, unmanaged_roles
from gaib_core.engine.names import canonical_name
from gaib_core.engine.observed import RefMap
from gaib_core.engine.order import (
    ChannelWant,
    bucket,
    channel_placement,
    movable_roles,
    role_order,
)
from gaib_core.engine.plan import Plan, ResourceChange, UnmanagedObject, config_hash
from gaib_core.engine.preflight import preflight
from gaib_core.engine.refs import raw_id
from gaib_core.engine.server import ADDRESS as SERVER_ADDRESS
from gaib_core.engine.server import (
    desired_server,
    diff_server,
    observed_server,
    server_references,
)
from gaib_core.provider.models import Channel, Guild, Role
from gaib_core.state.models import ResourceState, State

EVERYONE_ADDRESS = "server.everyone_permissions"
# Lifecycle settings kept in each state entry, with the value an older state implies.
LIFECYCLE_SETTINGS: dict[str, object] = {"prevent_destroy": False, "ignore_changes": []}


class Planner:
    """Fills ``plan`` (see the module docstring for the steps)."""

    def __init__(
        self,
        config: ServerConfig,
        desired: DesiredModel,
        guild: Guild,
        state: State,
        plan: Plan,
    ) -> None:
        self.config = config
        self.desired = desired
        self.guild = guild
        self.state = state
        self.plan = plan
        self.matches: Matches = match(desired, guild, state)
        self.refs = RefMap(
            guild,
            roles={o.id: a for a, o in self.matches.objects.items() if isinstance(o, Role)},
            categories={
                o.id: a
                for a, o in self.matches.objects.items()
                if isinstance(o, Channel) and o.is_category
            },
        )
        self.selected: set[str] | None = None
        self._changes_by_address: (
            tuple[list[ResourceChange], int, dict[str, ResourceChange]] | None
        ) = None
        self.server = desired_server(config.server, self.plan.errors)

    def run(self) -> None:
        """Fill the plan."""
        self.plan.errors.extend(self.desired.problems)
        self.plan.matched_ids = {a: o.id for a, o in self.matches.objects.items()}
        if self.plan.destroy:
            self._destroy()
        else:
            self._converge()
        self._select_targets()
        if not self.plan.destroy:
            self._renamed_keys()
            self._duplicates()
            self._unmanaged()
            self._role_order()
            self._channel_order()
        self._sort()
        self._names()
        self.plan.removals_first = removals_first(self.plan, self.guild)
        self.plan.errors.extend(
            preflight(
                self.plan.changes,
                self.plan.guild,
                self.desired,
                self.matches,
                role_order=self.plan.role_order,
                ref_names=self.plan.ref_names,
            )
        )

    # --- step 2: diff -----------------------------------------------------------------------

    def _converge(self) -> None:
        for obj in self.desired.all():
            if obj.address in self.matches.conflicts:
                self._conflict(obj)
                continue
            existing = self.matches.objects.get(obj.address)
            if existing is None:
                change = self._new_change(obj, "create")
                if obj.address in self.matches.gone:
                    change.notes.append("it was deleted outside gaib; it will be created again")
                self.plan.changes.append(change)
                continue
            self.plan.changes.append(self._existing_change(obj, existing))
        self._everyone()
        self._server()
        in_config = {obj.address for obj in self.desired.all()}
        for address, resource in self.state.resources.items():
            if address not in in_config:
                self._delete_or_forget(address, resource, "it is no longer in the config")

    def _conflict(self, obj: DesiredObject) -> None:
        ids = self.matches.conflicts[obj.address]
        kind = "role" if isinstance(obj, DesiredRole) else obj.kind
        self.plan.errors.append(
            f"{obj.address}: a {kind} named '{obj.name}' already exists in the guild but gaib "
            f"does not manage it (id {', '.join(ids)}); adopt it with "
            f"`gaib server import {obj.address} {ids[0]}`, or rename one of them"
        )

    def _new_change(self, obj: DesiredObject, action: str) -> ResourceChange:
        if isinstance(obj, DesiredRole):
            return ResourceChange(
                address=obj.address, kind="role", action="create", name=obj.name, role=obj
            )
        return ResourceChange(
            address=obj.address,
            kind=obj.kind,
            action="create" if action == "create" else "replace",
            name=obj.name,
            discord_type=obj.type,
            channel=obj,
        )

    def _existing_change(self, obj: DesiredObject, existing: Role | Channel) -> ResourceChange:
        if isinstance(obj, DesiredRole):
            assert isinstance(existing, Role)
            changes = diff_role(obj, existing)
            change = ResourceChange(
                address=obj.address,
                kind="role",
                action="no-op",
                name=obj.name,
                id=existing.id,
                role=obj,
            )
        else:
            assert isinstance(existing, Channel)
            changes = diff_channel(obj, existing, self.refs)
            change = ResourceChange(
                address=obj.address,
                kind=obj.kind,
                action="no-op",
                name=obj.name,
                id=existing.id,
                discord_type=existing.type,
                channel=obj,
            )
        change.changes = changes
        if any(c.forces_replacement for c in changes):
            change.action = "replace"
            if obj.prevent_destroy:
                self.plan.errors.append(
                    f"{obj.address}: changing the type needs a replacement, but "
                    f"lifecycle.prevent_destroy is set; remove it or keep the type"
                )
        elif changes:
            change.action = "update"
        self._lifecycle_saved(obj, change)
        if obj.address in self.matches.adopted:
            change.adopted = True
            change.notes.append(
                "created by an interrupted apply (found through the state journal); adopting it"
            )
        return change

    def _lifecycle_saved(self, obj: DesiredObject, change: ResourceChange) -> None:
        """Mark ``change`` to save lifecycle settings that differ from the state's.

        The state's copy is what protects a resource once it leaves the config (a removed
        resource has only its state entry), so a prevent_destroy added to an unchanged resource
        must still be written.
        """
        saved = self.state.resources.get(obj.address)
        if saved is None:
            return
        for setting, default in LIFECYCLE_SETTINGS.items():
            before = saved.attributes.get(setting, default)
            after = getattr(obj, setting)
            if before != after:
                change.save_state = True
                change.notes.append(f"lifecycle.{setting}: {before} -> {after} (saved to state)")

    def _everyone(self) -> None:
        bits = self.desired.everyone_permissions
        if bits is None or bits == self.guild.everyone.permissions:
            return
        self.plan.changes.append(
            ResourceChange(
                address=EVERYONE_ADDRESS,
                kind="everyone",
                action="update",
                name="@everyone",
                id=self.guild.id,
                changes=[
                    AttributeChange(
                        attribute="permissions", before=self.guild.everyone.permissions, after=bits
                    )
                ],
            )
        )

    def _server(self) -> None:
        """``~ server``: the settings the config sets that differ from the guild's."""
        if not self.server.attributes:
            return
        channels = {
            o.id: a
            for a, o in self.matches.objects.items()
            if isinstance(o, Channel) and not o.is_category
        }
        # Guild.name is what read_guild parsed; settings may come from elsewhere (a saved guild).
        settings = self.guild.settings.model_copy(update={"name": self.guild.name})
        observed = observed_server(settings, channels, self.state.server)
        changes = diff_server(self.server, observed)
        if not changes:
            return
        self.plan.changes.append(
            ResourceChange(
                address=SERVER_ADDRESS,
                kind="server",
                action="update",
                name=self.guild.name,
                id=self.guild.id,
                changes=changes,
                server=self.server,
            )
        )

    def _object(self, resource: ResourceState) -> Role | Channel | None:
        if resource.type == "role":
            return self.guild.role(resource.id)
        channel = self.guild.channel(resource.id)
        if channel is None or channel.is_category != (resource.type == "category"):
            return None
        return channel

    def _delete_or_forget(self, address: str, resource: ResourceState, why: str) -> None:
        obj = self._object(resource)
        if obj is None:
            self.plan.forget.append(address)
            return
        desired = self.desired.by_address().get(address)
        protected = (
            desired.prevent_destroy
            if desired is not None
            else bool(resource.attributes.get("prevent_destroy"))
        )
        if protected:
            self.plan.errors.append(
                f"{address}: lifecycle.prevent_destroy forbids deleting '{resource.name}'; "
                f"set prevent_destroy: false first, or stop managing it with "
                f"`gaib server state rm {address}`"
            )
        self.plan.changes.append(
            ResourceChange(
                address=address,
                kind=resource.type,
                action="delete",
                name=obj.name,
                id=obj.id,
                discord_type=obj.type if isinstance(obj, Channel) else None,
                notes=[why],
            )
        )

    def _destroy(self) -> None:
        for address, resource in self.state.resources.items():
            self._delete_or_forget(address, resource, "destroy")

    # --- step 3: -target --------------------------------------------------------------------

    def _select_targets(self) -> None:
        if not self.plan.targets:
            return
        self.plan.warnings.append(
            "resource targeting is in effect: the plan covers only "
            f"{', '.join(self.plan.targets)} and what they depend on, so it may not show every "
            "change the config needs; run plan without -target to see them all"
        )
        known = set(self.desired.by_address()) | set(self.state.resources)
        known |= {EVERYONE_ADDRESS, SERVER_ADDRESS}
        for target in self.plan.targets:
            if target not in known:
                self.plan.errors.append(
                    f"-target {target}: no such address in the config or the state; "
                    f"`gaib server state ls` lists managed addresses"
                )
        selected = set(self.plan.targets)
        by_address = self.desired.by_address()
        if self.plan.destroy:
            for address, resource in self.state.resources.items():
                if resource.attributes.get("parent") in selected:
                    selected.add(address)
        else:
            todo = list(selected)
            while todo:
                address = todo.pop()
                if address == SERVER_ADDRESS:
                    for dep in server_references(self.server):
                        if dep not in selected:
                            selected.add(dep)
                            todo.append(dep)
                obj = by_address.get(address)
                if isinstance(obj, DesiredChannel):
                    for ref in [obj.parent, *obj.overwrites]:
                        if ref in by_address and ref not in selected:
                            selected.add(ref)
                            todo.append(ref)
        self.selected = selected
        self.plan.changes = [c for c in self.plan.changes if c.address in selected]
        self.plan.forget = [a for a in self.plan.forget if a in selected]

    # --- step 4: unmanaged ------------------------------------------------------------------

    def _unmanaged(self) -> None:
        policy = self.config.server.unmanaged
        if policy == "keep":
            return
        claimed = self.matches.claimed_ids() | {
            i for ids in self.matches.conflicts.values() for i in ids
        }
        bot_roles = set(self.guild.bot_member.roles)
        roles = [
            r
            for r in unmanaged_roles(self.guild, self.state)
            if r.id not in claimed and r.id not in bot_roles
        ]
        channels = [c for c in unmanaged_channels(self.guild, self.state) if c.id not in claimed]
        for r in roles:
            self.plan.unmanaged.append(UnmanagedObject(kind="role", id=r.id, name=r.name))
        for c in channels:
            self.plan.unmanaged.append(
                UnmanagedObject(
                    kind="category" if c.is_category else "channel",
                    id=c.id,
                    name=c.name,
                    discord_type=c.type,
                )
            )
        if policy != "remove" or self.plan.targets:
            return
        movable = {r.id for r in movable_roles(self.guild)}
        doomed: list[Role | Channel] = [*channels, *(r for r in roles if r.id in movable)]
        for obj in doomed:
            what: Literal["role", "category", "channel"] = "role"
            if isinstance(obj, Channel):
                what = "category" if obj.is_category else "channel"
            self.plan.changes.append(
                ResourceChange(
                    address=f"{what}#{obj.id}",
                    kind=what,
                    action="delete",
                    name=obj.name,
                    id=obj.id,
                    discord_type=obj.type if isinstance(obj, Channel) else None,
                    unmanaged=True,
                    notes=["not in the config and server.unmanaged is 'remove'"],
                )
            )

    def _renamed_keys(self) -> None:
        """A create and a delete of the same kind and name: most likely a key renamed in the
        config. Say how to keep the object (``state mv``) instead of replacing it."""

        def key(c: ResourceChange) -> tuple[str, str]:
            if c.discord_type is None:
                return (c.kind, c.name)
            return (c.kind, canonical_name(c.name, c.discord_type))

        deletes = {
            key(c): c
            for c in self.plan.changes
            if c.action == "delete" and not c.unmanaged and c.address in self.state.resources
        }
        for change in self.plan.changes:
            if change.action != "create":
                continue
            old = deletes.get(key(change))
            if old is None:
                continue
            advice = f"gaib server state mv {old.address} {change.address}"
            change.notes.append(f"renamed from {old.address}? `{advice}` keeps the {old.kind}")
            self.plan.warnings.append(
                f"{old.address} -> {change.address}: this looks like a renamed key, which would "
                f"delete {old.kind} '{old.name}' (id {old.id}) and create a new one; to keep it, "
                f"run `{advice}` and plan again"
            )

    def _duplicates(self) -> None:
        """Warn about unmanaged objects named like a managed one (e.g. a hand-made copy)."""
        claimed = self.matches.claimed_ids()
        managed: dict[tuple[str, int | None], str] = {}
        for address, obj in self.matches.objects.items():
            if isinstance(obj, Role):
                managed[(obj.name, None)] = address
            else:
                managed[(canonical_name(obj.name, obj.type), obj.type)] = address
        others: list[Role | Channel] = [
            *unmanaged_roles(self.guild, self.state),
            *unmanaged_channels(self.guild, self.state),
        ]
        for obj in others:
            if obj.id in claimed:
                continue
            if isinstance(obj, Role):
                key: tuple[str, int | None] = (obj.name, None)
            else:
                key = (canonical_name(obj.name, obj.type), obj.type)
            if key in managed:
                self.plan.warnings.append(
                    f"'{obj.name}' (id {obj.id}) is not managed by gaib but has the same name as "
                    f"{managed[key]}; delete the copy, or import it under another address"
                )

    # --- step 5: order ----------------------------------------------------------------------

    def _fixed(self, objs: list[DesiredObject]) -> set[str]:
        return {
            o.address
            for o in objs
            if is_ignored("position", o.ignore_changes)
            or (self.selected is not None and o.address not in self.selected)
        }

    def _change(self, address: str) -> ResourceChange | None:
        # Indexed by address, anew when the list is replaced or grows: the ordering steps look
        # up every object, and a scan per lookup made a 500-channel plan quadratic.
        changes = self.plan.changes
        index = self._changes_by_address
        if index is None or index[0] is not changes or index[1] != len(changes):
            by_address: dict[str, ResourceChange] = {}
            for change in changes:
                by_address.setdefault(change.address, change)
            index = (changes, len(changes), by_address)
            self._changes_by_address = index
        return index[2].get(address)

    def _deleted_ids(self, kinds: tuple[str, ...]) -> set[str]:
        return {
            c.id
            for c in self.plan.changes
            if c.kind in kinds and c.action in ("delete", "replace") and c.id
        }

    def _mark_moved(self, address: str, before: int, after: int) -> None:
        change = self._change(address)
        if change is None:
            return
        change.changes.append(AttributeChange(attribute="position", before=before, after=after))
        if change.action == "no-op":
            change.action = "update"

    def _role_order(self) -> None:
        roles = [r for r in self.desired.roles if r.address not in self.matches.conflicts]
        creates = [
            c.address for c in self.plan.changes if c.kind == "role" and c.action == "create"
        ]
        order = role_order(
            self.guild,
            self.refs,
            [r.address for r in roles],
            creates,
            self._deleted_ids(("role",)),
            self._fixed(list(roles)),
        )
        if not order.needed:
            return
        self.plan.role_order = order.desired
        self.plan.role_order_before = order.current
        managed = [a for a in order.current if a in {r.address for r in roles}]
        existing = [a for a in managed if a not in creates]
        after = [a for a in order.desired if a in set(existing)]
        for address in order.moved:
            self._mark_moved(address, existing.index(address) + 1, after.index(address) + 1)

    def _channel_order(self) -> None:
        objs: list[DesiredChannel] = [
            c
            for c in [*self.desired.categories, *self.desired.channels]
            if c.address not in self.matches.conflicts
        ]
        fixed = self._fixed(list(objs))
        wants: list[ChannelWant] = []
        for obj in objs:
            change = self._change(obj.address)
            existing = self.matches.objects.get(obj.address)
            if change is None and existing is None:
                continue  # a create outside -target: not part of this apply
            current = existing if isinstance(existing, Channel) else None
            if change is not None and change.action == "replace":
                current = None
            parent = obj.parent
            if current is not None and (is_ignored("parent", obj.ignore_changes) or change is None):
                parent = self.refs.parent_ref(current.parent_id)
            if obj.type == 4:
                parent = None
            kind = current.type if current is not None and change is None else obj.type
            wants.append(ChannelWant(obj.address, (parent, bucket(kind)), current))
        placement = channel_placement(
            self.guild, self.refs, wants, self._deleted_ids(("category", "channel")), fixed
        )
        for address, pos in {**placement.create_positions, **placement.modify_positions}.items():
            change = self._change(address)
            if change is not None:
                change.position = pos
        self.plan.channel_positions = dict(placement.bulk)
        for address, (before, after) in placement.moved.items():
            self._mark_moved(address, before, after)

    # --- finishing --------------------------------------------------------------------------

    def _sort(self) -> None:
        rank = {"role": 0, "everyone": 0, "category": 1, "channel": 2, "server": 3}
        keep = [c for c in self.plan.changes if c.action != "delete"]
        keep.sort(key=lambda c: rank[c.kind])
        deletes = [c for c in self.plan.changes if c.action == "delete"]
        deletes.sort(key=lambda c: -rank[c.kind])
        self.plan.changes = keep + deletes

    def _names(self) -> None:
        names = self.plan.ref_names
        names["@everyone"] = "@everyone"
        managed = self.guild.bot_managed_role
        names["@bot"] = f"@bot ({managed.name})" if managed else "@bot"
        for address, resource in self.state.resources.items():
            names[address] = resource.name
        for obj in self.desired.all():
            names[obj.address] = obj.name
        for role in self.guild.roles:
            names[f"role#{role.id}"] = role.name
        for ch in self.guild.channels:
            names[f"category#{ch.id}"] = ch.name
            names[f"#{ch.id}"] = ch.name
        for change in self.plan.changes:
            for attr in change.changes:
                inner = attr.attribute[len("overwrites[") : -1]
                if inner.startswith("member#"):
                    names[inner] = f"member {raw_id(inner)}"


def make_plan(
    config: ServerConfig,
    guild: Guild,
    state: State,
    *,
    targets: Sequence[str] = (),
    destroy: bool = False,
    workspace: str | None = None,
) -> Plan:
    """Plan the changes that make ``guild`` match ``config`` (or remove it all: ``destroy``).

    ``targets`` restricts the plan to those addresses and what they depend on (for a destroy:
    and what depends on them).
    """
    desired = build_desired(config, guild)
    plan = Plan(
        workspace=workspace or state.workspace,
        guild_id=guild.id,
        state_lineage=state.lineage,
        state_serial=state.serial,
        config_hash=config_hash(config),
        destroy=destroy,
        targets=list(targets),
        unmanaged_policy=config.server.unmanaged,
        theme=config.theme,
        theme_applied=state.theme,
        guild=guild,
    )
    if state.guild_id and state.guild_id != guild.id:
        plan.errors.append(
            f"the state belongs to guild {state.guild_id}, not {guild.id}; use another workspace "
            f"(`gaib server workspace new NAME`) for another guild"
        )
        return plan
    Planner(config, desired, guild, state, plan).run()
    _check_bot_role(config, guild, plan)
    return plan


def _check_bot_role(config: ServerConfig, guild: Guild, plan: Plan) -> None:
    expected = config.server.bot_role
    actual = guild.bot_managed_role
    if expected and actual is not None and actual.name != expected:
        plan.warnings.append(
            f"server.bot_role is '{expected}' but the bot's role in guild {guild.id} is called "
            f"'{actual.name}'; '@bot' overwrites go to '{actual.name}' (rename one to match)"
        )
