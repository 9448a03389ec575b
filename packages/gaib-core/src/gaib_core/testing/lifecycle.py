"""Conformance kit for lifecycle hooks: a plugin's ``gaib_before_change`` / ``gaib_after_change``
survive every way a change can end.

A plugin author subclasses :class:`LifecycleContract` and provides a ``plugin`` fixture (the
plugin object or module, set up to do its real work, e.g. pointed at a test store)::

    class TestMyPluginLifecycle(LifecycleContract):
        @pytest.fixture
        def plugin(self, tmp_path, monkeypatch):
            monkeypatch.setenv("MY_PLUGIN_STORE", str(tmp_path))
            return my_plugin

For every operation and every ending (succeeded; failed with collected errors; failed with an
exception; interrupted by Ctrl-C or a cancelled task; refused by another plugin's before-hook)
the kit runs a change through :func:`gaib_core.lifecycle.change_lifecycle` with the plugin and a
probe registered, and checks the rules of docs/hooks.md: the plugin's before-hook refuses only
with a ``GaibError``; its after-hook never raises, so every after-hook registered before it
still runs exactly once with the true status, and the operation's own error reaches the caller
unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

import pytest

from gaib_core.config.models import ThemeRef
from gaib_core.errors import GaibError
from gaib_core.hookspecs import hookimpl
from gaib_core.lifecycle import (
    OPERATIONS,
    ChangeEvent,
    ChangeOutcome,
    Operation,
    change_event,
    change_lifecycle,
)
from gaib_core.plugins import Hooks, build_plugin_manager
from gaib_core.state.models import ResourceState, State

ENDINGS = (
    "succeeded",
    "errors",
    "exception",
    "keyboard-interrupt",
    "cancelled",
    "refused",
)
EXPECTED_STATUS = {
    "succeeded": "succeeded",
    "errors": "failed",
    "exception": "failed",
    "keyboard-interrupt": "interrupted",
    "cancelled": "interrupted",
    "refused": "failed",
}


class OperationBroke(RuntimeError):
    """The exception the kit's operation raises for the ``exception`` ending."""


@dataclass
class Probe:
    """Registered before the plugin (so pluggy calls it after): sees what the plugin let through.

    With ``refuse`` it is registered after the plugin instead, and its before-hook refuses.
    """

    refuse: bool = False
    before: list[ChangeEvent] = field(default_factory=list)
    after: list[ChangeOutcome] = field(default_factory=list)

    @hookimpl
    def gaib_before_change(self, event: ChangeEvent) -> None:
        self.before.append(event)
        if self.refuse:
            raise GaibError("the probe refuses this change")

    @hookimpl
    def gaib_after_change(self, event: ChangeEvent, outcome: ChangeOutcome) -> None:
        self.after.append(outcome)


def sample_state(serial: int = 7) -> State:
    """A state with a role and a channel, as a change would find it."""
    return State(
        serial=serial,
        lineage="3f0c1d5e-kit",
        guild_id="1234567890123456789",
        theme=ThemeRef(name="sietch", version="3.0.0"),
        resources={
            "role.naib": ResourceState(type="role", id="111", name="Naib"),
            "channel.general": ResourceState(type="channel", id="222", name="general"),
        },
    )


def run_change(hooks: Hooks, operation: Operation, ending: str, state: State) -> None:
    """One change through the lifecycle, ended the way ``ending`` says."""
    event = change_event(
        operation,
        workspace="default",
        guild_id=state.guild_id or "",
        state_before=state,
        state_url="memory://kit/default/state.json",
    )
    with change_lifecycle(hooks, event, state) as record:
        state.serial += 1
        record.changed.append("role.naib")
        if ending == "errors":
            record.errors.append("role.naib: 403 Missing Permissions")
        elif ending == "exception":
            raise OperationBroke("the operation broke half-way")
        elif ending == "keyboard-interrupt":
            raise KeyboardInterrupt
        elif ending == "cancelled":
            raise asyncio.CancelledError


class LifecycleContract:
    """The lifecycle rules a plugin's hooks must keep; see the module docstring."""

    def _hooks(self, plugin: Any, probe: Probe) -> Hooks:
        # pluggy calls last-registered first: a refusing probe goes last so it is called first.
        plugins = [plugin, probe] if probe.refuse else [probe, plugin]
        return Hooks(build_plugin_manager(load_entry_points=False, extra=plugins))

    @pytest.mark.parametrize("operation", OPERATIONS)
    @pytest.mark.parametrize("ending", ENDINGS)
    def test_after_change_fires_once_whatever_ends_the_change(
        self, plugin: Any, operation: Operation, ending: str
    ) -> None:
        probe = Probe(refuse=ending == "refused")
        hooks = self._hooks(plugin, probe)
        state = sample_state()
        raised: BaseException | None = None
        try:
            run_change(hooks, operation, ending, state)
        except BaseException as exc:  # the kit checks which one came out
            raised = exc
        self._check_raised(ending, raised)
        assert len(probe.after) == 1, (
            "the plugin's gaib_after_change raised, so pluggy skipped the after-hooks of the "
            f"plugins registered before it ({ending}, {operation})"
        )
        outcome = probe.after[0]
        assert outcome.status == EXPECTED_STATUS[ending], outcome
        assert (outcome.error is None) == (ending == "succeeded"), outcome

    def _check_raised(self, ending: str, raised: BaseException | None) -> None:
        expected: dict[str, type[BaseException] | None] = {
            "succeeded": None,
            "errors": None,
            "exception": OperationBroke,
            "keyboard-interrupt": KeyboardInterrupt,
            "cancelled": asyncio.CancelledError,
            "refused": GaibError,
        }
        wanted = expected[ending]
        if wanted is None:
            assert raised is None, f"a hook raised on a change that ended '{ending}': {raised!r}"
            return
        assert isinstance(raised, wanted), f"expected {wanted.__name__}, got {raised!r}"
        notes = getattr(raised, "__notes__", [])
        assert not notes, f"the plugin's gaib_after_change raised: {notes}"
        if ending == "refused":
            assert str(raised).startswith("the probe refuses"), (
                f"the plugin's before-hook raised instead of the probe: {raised!r}"
            )

    @pytest.mark.parametrize("operation", OPERATIONS)
    def test_before_change_refuses_only_with_a_gaib_error(
        self, plugin: Any, operation: Operation
    ) -> None:
        probe = Probe()
        hooks = self._hooks(plugin, probe)
        state = sample_state()
        event = change_event(operation, workspace="default", guild_id="1", state_before=state)
        with contextlib.suppress(GaibError):  # a refusal, with a message saying why: allowed
            hooks.before_change(event)
        assert event.state_before == sample_state(), "a before-hook changed the event's state"

    def test_hooks_accept_an_empty_first_state(self, plugin: Any) -> None:
        probe = Probe()
        hooks = self._hooks(plugin, probe)
        empty = State(lineage="", serial=0)
        run_change(hooks, "apply", "succeeded", empty)
        assert [o.status for o in probe.after] == ["succeeded"]
