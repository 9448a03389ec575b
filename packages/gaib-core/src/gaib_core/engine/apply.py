"""Executing a plan: in dependency order, concurrently where Discord's buckets allow, and so that
an interruption at any point never loses track of anything created.

Order (FACTS.md section 6): roles (creates one by one, so they land at the bottom in config
order; updates in parallel), one bulk role-positions request if the order changes or managed
roles share a position (every new role starts at position 1), categories,
channels (a replaced channel is deleted first; creates carry parent, position and overwrites
inline; updates carry every overwrite), one bulk channel-positions request, the server's own
settings (one Modify Guild, after the channels it may name exist), then deletes in reverse:
channels, categories, roles. When creating first would cross a Discord limit that the deletes
bring back under (``plan.removals_first``, :mod:`limits`), the deletes run first and, within each
phase, updates (moves) run before creates.

Crash safety: before the first request, the address, name and type of every create go into
``state.pending`` (the journal) in one persist; each create's result is recorded (and its journal
entry dropped) in the persist that follows it. If the process dies in between, the next plan
adopts the object by journal name and type instead of creating a duplicate (:mod:`match`).
Journaling all creates up front costs one write instead of one per create; an entry for a create
that never started is harmless (the plan had found no object of that name, so there is nothing
to adopt) and is dropped at the end of the apply. Every finished resource is persisted at once,
so a re-run continues where the last one stopped.

When a resource fails, the phase it belongs to finishes (in-flight requests are not abandoned)
and later phases do not start; the errors are returned and what succeeded is in state.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from gaib_core.engine import server, writes
from gaib_core.engine.order import bulk_role_positions
from gaib_core.engine.plan import Plan, ResourceChange
from gaib_core.engine.refs import Resolver, raw_id
from gaib_core.errors import DiscordAPIError, GaibError, PlanError, UnknownObject
from gaib_core.lifecycle import Operation, change_event, change_lifecycle
from gaib_core.plugins import DEFAULT_HOOKS, Hooks
from gaib_core.provider.models import (
    ChannelPosition,
    RolePosition,
    RoleWrite,
)
from gaib_core.state.models import PendingCreate, ResourceState, State

if TYPE_CHECKING:
    from gaib_core.config.models import ServerConfig
    from gaib_core.provider.base import Provider
    from gaib_core.state.manager import StateManager

DEFAULT_PARALLELISM = 4


@dataclass
class ResourceResult:
    """How one planned change went."""

    address: str
    action: str
    ok: bool
    id: str | None = None
    message: str = ""
    seconds: float = 0.0


@dataclass
class ApplyResult:
    """What an apply did: one result per change, the final state, the errors."""

    results: list[ResourceResult] = field(default_factory=list)
    state: State = field(default_factory=State)
    errors: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        """True when every change went through."""
        return not self.errors

    @property
    def changed(self) -> list[str]:
        """Addresses changed successfully."""
        return [r.address for r in self.results if r.ok]


class ApplyListener(Protocol):
    """Progress callbacks (the CLI draws its progress display with these)."""

    def started(self, change: ResourceChange) -> None:
        """A change is about to be sent."""

    def finished(self, result: ResourceResult) -> None:
        """A change finished (successfully or not)."""


async def apply_plan(
    plan: Plan,
    provider: Provider,
    manager: StateManager,
    hooks: Hooks = DEFAULT_HOOKS,
    *,
    config: ServerConfig | None = None,
    lock_timeout: float = 0.0,
    parallelism: int = DEFAULT_PARALLELISM,
    listener: ApplyListener | None = None,
    reason: str | None = None,
    operation: Operation | None = None,
) -> ApplyResult:
    """Apply ``plan`` under the state lock, inside the change lifecycle (operation ``apply``, or
    ``destroy`` for a destroy plan: ``gaib_before_change`` / ``gaib_after_change``).

    ``operation`` names the change for the hooks when a plugin applies on behalf of something
    else (gaib-backup's ``restore --apply`` and ``rollback`` are applies of a restored config).

    Refuses (``PlanError``) a plan with errors, one made against another state version (lineage
    or serial moved) or against another guild than the state's, and a plan whose config hash
    differs from ``config``'s. Those refusals come before the lifecycle: nothing was approved.
    """
    operation = operation or ("destroy" if plan.destroy else "apply")
    with manager.locked(operation=operation, timeout=lock_timeout):
        state = manager.read()
        plan.ensure_current(state, plan.guild_id)
        if state.guild_id and state.guild_id != plan.guild_id:
            raise PlanError(
                f"the state belongs to guild {state.guild_id}, the plan to {plan.guild_id}",
                hint="use another workspace for another guild",
            )
        plan.ensure_applicable()
        if config is not None:
            plan.ensure_config(config)
        event = change_event(
            operation,
            workspace=manager.workspace,
            guild_id=plan.guild_id,
            state_before=state,
            plan=plan,
            config=config,
            state_url=manager.url,
        )
        applier = Applier(
            plan,
            provider,
            manager,
            state,
            reason=reason or f"gaib {operation}",
            parallelism=parallelism,
            listener=listener,
        )
        with change_lifecycle(hooks, event, state) as record:
            try:
                await applier.run()
            finally:
                record.changed = applier.result.changed
                record.errors = list(applier.result.errors)
    return applier.result


class Applier:
    """Runs the phases of one apply (see the module docstring)."""

    def __init__(
        self,
        plan: Plan,
        provider: Provider,
        manager: StateManager,
        state: State,
        *,
        reason: str,
        parallelism: int,
        listener: ApplyListener | None,
    ) -> None:
        self.plan = plan
        self.provider = provider
        self.manager = manager
        self.state = state
        self.reason = reason
        self.listener = listener
        self.semaphore = asyncio.Semaphore(max(1, parallelism))
        ids = {address: res.id for address, res in state.resources.items()}
        ids.update({c.address: c.id for c in plan.changes if c.id and not c.unmanaged})
        self.resolver = Resolver(plan.guild, ids)
        self.result = ApplyResult(state=state)
        self.sent: set[str] = set()

    # --- phases -----------------------------------------------------------------------------

    async def run(self) -> None:
        """Every phase, stopping after the first phase with a failure."""
        self.state.guild_id = self.plan.guild_id
        if not self.plan.destroy and self.plan.theme is not None:
            self.state.theme = self.plan.theme
        for address in self.plan.forget:
            self.state.resources.pop(address, None)
        creates = [c for c in self.plan.changes if c.action in ("create", "replace")]
        for change in creates:
            self.state.pending[change.address] = _journal_entry(change)
        if self.plan.forget or creates or self.plan.theme_changed:
            self.manager.persist(self.state)
        try:
            await self._phases()
        finally:
            unsent = [c.address for c in creates if c.address not in self.sent]
            for address in unsent:
                self.state.pending.pop(address, None)
            if unsent:
                self.manager.persist(self.state)

    async def _phases(self) -> None:
        changes = [c for c in self.plan.changes if c.action != "delete"]
        deletes = [c for c in self.plan.changes if c.action == "delete"]
        roles = [c for c in changes if c.kind in ("role", "everyone")]
        categories = [c for c in changes if c.kind == "category"]
        channels = [c for c in changes if c.kind == "channel"]
        removals: list[Callable[[], Awaitable[None]]] = []
        for kind in ("channel", "category", "role"):
            batch = [c for c in deletes if c.kind == kind]
            removals.append(lambda batch=batch: self._parallel(self._delete, batch))  # type: ignore[misc]
        steps: list[Callable[[], Awaitable[None]]] = [
            lambda: self._converge(roles),
            self._role_order,
            lambda: self._converge(categories),
            lambda: self._converge(channels),
            self._channel_positions,
            self._server_settings,
        ]
        # Normally removals come last; first only when creating first would hit a Discord limit.
        steps = [*removals, *steps] if self.plan.removals_first else [*steps, *removals]
        for step in steps:
            await step()
            if self.result.errors:
                return

    async def _converge(self, changes: Sequence[ResourceChange]) -> None:
        for change in changes:
            if change.action == "replace":
                await self._run(change, self._replace_delete)
        if self.result.errors:
            return
        updates = [c for c in changes if c.action == "update" or c.adopted or c.save_state]
        if self.plan.removals_first:
            # Moves out of a full category make room before the creations that need it.
            await self._parallel(self._update, updates)
            if self.result.errors:
                return
        for change in changes:
            if change.action in ("create", "replace"):
                await self._run(change, self._create)
        if not self.plan.removals_first:
            await self._parallel(self._update, updates)

    async def _parallel(
        self,
        work: Callable[[ResourceChange], Awaitable[str | None]],
        changes: Sequence[ResourceChange],
    ) -> None:
        async def one(change: ResourceChange) -> None:
            async with self.semaphore:
                await self._run(change, work)

        await asyncio.gather(*(one(c) for c in changes))

    async def _run(
        self, change: ResourceChange, work: Callable[[ResourceChange], Awaitable[str | None]]
    ) -> None:
        if self.listener is not None:
            self.listener.started(change)
        start = time.monotonic()
        try:
            object_id = await work(change)
            result = ResourceResult(change.address, change.action, True, object_id)
        except GaibError as exc:
            result = ResourceResult(change.address, change.action, False, change.id, str(exc))
            self.result.errors.append(f"{change.address}: {exc}")
        result.seconds = time.monotonic() - start
        self.result.results.append(result)
        if self.listener is not None:
            self.listener.finished(result)

    # --- one resource -----------------------------------------------------------------------

    async def _create(self, change: ResourceChange) -> str:
        desired = change.role or change.channel
        assert desired is not None
        self.resolver.ids.pop(change.address, None)
        if change.address not in self.state.pending:
            self.state.pending[change.address] = _journal_entry(change)
            self.manager.persist(self.state)
        self.sent.add(change.address)
        try:
            if change.role is not None:
                body = writes.role_create(change.role)
                role = await self.provider.create_role(self.plan.guild_id, body, reason=self.reason)
                created_id = role.id
            else:
                write = writes.channel_create(change, self.resolver)
                channel = await self.provider.create_channel(
                    self.plan.guild_id, write, reason=self.reason
                )
                created_id = channel.id
        except DiscordAPIError as exc:
            if 400 <= exc.status < 500:
                # Discord refused it: nothing was created, so nothing to adopt later.
                self.state.pending.pop(change.address, None)
                self.manager.persist(self.state)
            raise
        self.resolver.ids[change.address] = created_id
        self._record(change, created_id)
        return created_id

    async def _update(self, change: ResourceChange) -> str | None:
        assert change.id is not None
        if change.kind == "everyone":
            body = RoleWrite(permissions=int(str(writes.changed(change)["permissions"])))
            await self.provider.modify_role(self.plan.guild_id, change.id, body, reason=self.reason)
            return change.id
        if change.role is not None:
            role_body = writes.role_update(change)
            if role_body is not None:
                await self.provider.modify_role(
                    self.plan.guild_id, change.id, role_body, reason=self.reason
                )
        else:
            channel_body = writes.channel_update(change, self.resolver)
            if channel_body is not None:
                await self.provider.modify_channel(change.id, channel_body, reason=self.reason)
        self._record(change, change.id)
        return change.id

    async def _replace_delete(self, change: ResourceChange) -> str | None:
        assert change.id is not None
        await self._delete_object(change)
        self.state.resources.pop(change.address, None)
        self.manager.persist(self.state)
        return change.id

    async def _delete(self, change: ResourceChange) -> str | None:
        await self._delete_object(change)
        if not change.unmanaged:
            self.state.resources.pop(change.address, None)
            self.manager.persist(self.state)
        return change.id

    async def _delete_object(self, change: ResourceChange) -> None:
        assert change.id is not None
        try:
            if change.kind == "role":
                await self.provider.delete_role(self.plan.guild_id, change.id, reason=self.reason)
            else:
                await self.provider.delete_channel(change.id, reason=self.reason)
        except UnknownObject:
            pass  # already gone: the goal is reached

    # --- bulk order -------------------------------------------------------------------------

    async def _role_order(self) -> None:
        if not self.plan.role_order:
            return
        try:
            positions = [
                RolePosition(id=self.resolver.id_of(ref), position=pos)
                for ref, pos in bulk_role_positions(self.plan.role_order)
            ]
            await self.provider.reorder_roles(self.plan.guild_id, positions, reason=self.reason)
        except GaibError as exc:
            self.result.errors.append(f"role order: {exc}")
            return
        self.result.results.append(ResourceResult("role order", "update", True))

    async def _channel_positions(self) -> None:
        if not self.plan.channel_positions:
            return
        try:
            positions = [
                ChannelPosition(id=_channel_id(ref, self.resolver), position=pos)
                for ref, pos in self.plan.channel_positions.items()
            ]
            await self.provider.reorder_channels(self.plan.guild_id, positions, reason=self.reason)
        except GaibError as exc:
            self.result.errors.append(f"channel order: {exc}")
            return
        self.result.results.append(ResourceResult("channel order", "update", True))

    # --- the server's own settings ------------------------------------------------------------

    async def _server_settings(self) -> None:
        """One Modify Guild with every changed setting (after channels: it may name new ones)."""
        for change in self.plan.changes:
            if change.kind == "server" and change.server is not None and change.changes:
                await self._run(change, self._modify_guild)

    async def _modify_guild(self, change: ResourceChange) -> str:
        desired = change.server
        assert desired is not None
        body = server.guild_write(change.changes, desired, self.resolver)
        answer = await self.provider.modify_guild(self.plan.guild_id, body, reason=self.reason)
        self.state.server = server.record(desired, self.plan.guild_id, answer, self.state.server)
        self.manager.persist(self.state)
        return self.plan.guild_id

    # --- state ------------------------------------------------------------------------------

    def _record(self, change: ResourceChange, object_id: str) -> None:
        desired = change.role or change.channel
        if desired is None:
            return
        self.state.resources[change.address] = ResourceState(
            type=change.kind,
            id=object_id,
            name=desired.name,
            attributes=desired.model_dump(mode="json", exclude={"address"}),
        )
        self.state.pending.pop(change.address, None)
        self.manager.persist(self.state)


def _journal_entry(change: ResourceChange) -> PendingCreate:
    desired = change.role or change.channel
    assert desired is not None
    return PendingCreate(
        type="role" if change.role is not None else desired.kind,
        name=desired.name,
        discord_type=change.channel.type if change.channel is not None else None,
    )


def _channel_id(ref: str, resolver: Resolver) -> str:
    if ref.startswith("#"):
        return ref[1:]
    inner = raw_id(ref)
    return inner if inner is not None else resolver.id_of(ref)
