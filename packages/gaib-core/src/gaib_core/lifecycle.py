"""The lifecycle of every change: what ``gaib_before_change`` / ``gaib_after_change`` receive.

Every operation that writes the guild or the state (apply, destroy, teardown, import, state
rm/mv/push, gaib-backup's restore and rollback, and gaib-theme-sietch's member role ``sync``)
runs inside :func:`change_lifecycle`:

1. the caller has approved the change and holds the state lock;
2. ``gaib_before_change(event)`` fires; a ``GaibError`` raised there aborts before anything is
   written;
3. the operation runs and fills the :class:`ChangeRecord` it is handed (what it changed, the
   state after, errors it collected instead of raising);
4. ``gaib_after_change(event, outcome)`` fires exactly once, whatever ended the operation:
   ``succeeded``, ``failed`` (an exception, collected errors, or a before-hook that refused) or
   ``interrupted`` (``KeyboardInterrupt``/SIGINT, or the task was cancelled). The exception, if
   any, is re-raised after the hook.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, get_args

if TYPE_CHECKING:
    from gaib_core.config.models import ServerConfig, ThemeRef
    from gaib_core.engine.plan import Plan
    from gaib_core.plugins import Hooks
    from gaib_core.state.models import State

Operation = Literal[
    "apply",
    "destroy",
    "teardown",
    "import",
    "state-rm",
    "state-mv",
    "state-push",
    "restore",
    "rollback",
    "sync",
]
Status = Literal["succeeded", "failed", "interrupted"]
OPERATIONS: tuple[Operation, ...] = get_args(Operation)
STATUSES: tuple[Status, ...] = get_args(Status)


@dataclass(frozen=True)
class ChangeEvent:
    """A change about to be made (approved, state locked, nothing written yet).

    ``state_before`` is a copy of the state as read under the lock (serial, lineage, resources);
    plugins may keep it (gaib-backup backs it up) without seeing later in-place updates.
    """

    operation: Operation
    workspace: str
    guild_id: str
    state_before: State
    plan: Plan | None = None
    theme_name: str | None = None
    theme_version: str | None = None
    config: ServerConfig | None = None
    state_url: str = ""

    @property
    def serial_before(self) -> int:
        """The state's serial before the change (0: no state yet)."""
        return self.state_before.serial


@dataclass(frozen=True)
class ChangeOutcome:
    """How a change ended.

    ``error`` is None exactly when ``status`` is ``succeeded``; ``errors`` lists every error an
    operation collected (apply keeps going within a phase, so there can be several).
    """

    status: Status
    error: str | None
    changed: list[str]
    serial_after: int
    state: State
    errors: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        """True when the change went through completely."""
        return self.status == "succeeded"


@dataclass
class ChangeRecord:
    """Filled in by the running operation; becomes the :class:`ChangeOutcome`."""

    state: State
    changed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def change_event(
    operation: Operation,
    *,
    workspace: str,
    guild_id: str,
    state_before: State,
    plan: Plan | None = None,
    config: ServerConfig | None = None,
    state_url: str = "",
) -> ChangeEvent:
    """A :class:`ChangeEvent`; the theme comes from the plan, else the config, else the state."""
    theme = _theme(plan, config, state_before)
    return ChangeEvent(
        operation=operation,
        workspace=workspace,
        guild_id=guild_id,
        state_before=state_before.model_copy(deep=True),
        plan=plan,
        theme_name=theme.name if theme is not None else None,
        theme_version=theme.version if theme is not None else None,
        config=config,
        state_url=state_url,
    )


def _theme(plan: Plan | None, config: ServerConfig | None, state: State) -> ThemeRef | None:
    if plan is not None and plan.theme is not None:
        return plan.theme
    if config is not None and config.theme is not None:
        return config.theme
    return state.theme


@contextmanager
def change_lifecycle(hooks: Hooks, event: ChangeEvent, state: State) -> Iterator[ChangeRecord]:
    """Fire the before-hook, run the block, fire the after-hook once (see the module docstring).

    ``state`` is the state the operation works on (it may replace ``record.state``). The block
    must not start writing before this context is entered: the before-hook may refuse.
    """
    record = ChangeRecord(state=state)
    try:
        hooks.before_change(event)
        yield record
    except BaseException as exc:
        status: Status = "interrupted" if _interrupted(exc) else "failed"
        message = str(exc) or type(exc).__name__
        outcome = _outcome(record, status, message)
        try:
            hooks.after_change(event, outcome)
        except Exception as hook_exc:  # the operation's own exception matters more
            exc.add_note(f"gaib_after_change also failed: {hook_exc}")
        raise
    status = "failed" if record.errors else "succeeded"
    hooks.after_change(event, _outcome(record, status, _summary(record.errors)))


def _interrupted(exc: BaseException) -> bool:
    # asyncio.run turns SIGINT into a cancellation of the main task, then KeyboardInterrupt.
    return isinstance(exc, KeyboardInterrupt | asyncio.CancelledError)


def _summary(errors: list[str]) -> str | None:
    if not errors:
        return None
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{errors[0]}{more}"


def _outcome(record: ChangeRecord, status: Status, error: str | None) -> ChangeOutcome:
    return ChangeOutcome(
        status=status,
        error=error if status != "succeeded" else None,
        changed=list(record.changed),
        serial_after=record.state.serial,
        state=record.state,
        errors=list(record.errors) or ([error] if error else []),
    )
