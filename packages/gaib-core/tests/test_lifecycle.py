"""change_lifecycle: the before-hook, then exactly one after-hook with a truthful outcome."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from gaib_core import hookimpl
from gaib_core.errors import GaibError
from gaib_core.lifecycle import (
    OPERATIONS,
    ChangeEvent,
    ChangeOutcome,
    change_event,
    change_lifecycle,
)
from gaib_core.plugins import Hooks, build_plugin_manager
from gaib_core.state.models import ResourceState, State


class Recorder:
    """Records every lifecycle call; optionally refuses in the before-hook."""

    def __init__(self, refuse: bool = False) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.refuse = refuse

    @hookimpl
    def gaib_before_change(self, event: ChangeEvent) -> None:
        self.calls.append(("before", event))
        if self.refuse:
            raise GaibError("backup bucket unreachable")

    @hookimpl
    def gaib_after_change(self, event: ChangeEvent, outcome: ChangeOutcome) -> None:
        self.calls.append(("after", outcome))

    def outcomes(self) -> list[ChangeOutcome]:
        return [o for kind, o in self.calls if kind == "after"]


def _hooks(recorder: Recorder) -> Hooks:
    return Hooks(build_plugin_manager(load_entry_points=False, builtins=False, extra=[recorder]))


def _event(state: State) -> ChangeEvent:
    return change_event("state-rm", workspace="default", guild_id="1", state_before=state)


def _state() -> State:
    return State(
        serial=3, lineage="lin", resources={"role.a": ResourceState(type="role", id="9", name="a")}
    )


def test_success_fires_before_then_after_once() -> None:
    recorder, state = Recorder(), _state()
    with change_lifecycle(_hooks(recorder), _event(state), state) as record:
        assert [k for k, _ in recorder.calls] == ["before"]
        state.serial = 4
        record.changed.append("role.a")
    (outcome,) = recorder.outcomes()
    assert outcome.status == "succeeded" and outcome.error is None and outcome.succeeded
    assert outcome.changed == ["role.a"] and outcome.serial_after == 4


def test_event_keeps_the_state_before_the_change() -> None:
    recorder, state = Recorder(), _state()
    with change_lifecycle(_hooks(recorder), _event(state), state):
        del state.resources["role.a"]
    event = recorder.calls[0][1]
    assert event.state_before.serial == 3 and "role.a" in event.state_before.resources
    assert event.serial_before == 3


def test_collected_errors_make_a_failed_outcome() -> None:
    recorder, state = Recorder(), _state()
    with change_lifecycle(_hooks(recorder), _event(state), state) as record:
        record.errors += ["role.a: 403", "role.b: 403"]
    (outcome,) = recorder.outcomes()
    assert outcome.status == "failed" and outcome.error == "role.a: 403 (and 1 more)"
    assert outcome.errors == ["role.a: 403", "role.b: 403"]


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (RuntimeError("boom"), "failed"),
        (GaibError("refused"), "failed"),
        (KeyboardInterrupt(), "interrupted"),
        (asyncio.CancelledError(), "interrupted"),
    ],
)
def test_any_exception_fires_after_once_and_is_reraised(exc: BaseException, status: str) -> None:
    recorder, state = Recorder(), _state()
    with pytest.raises(type(exc)), change_lifecycle(_hooks(recorder), _event(state), state):
        raise exc
    (outcome,) = recorder.outcomes()
    assert outcome.status == status and outcome.error


def test_before_hook_refusing_aborts_the_block_and_reports_failed() -> None:
    recorder, state = Recorder(refuse=True), _state()
    ran = False
    with (
        pytest.raises(GaibError, match="backup bucket unreachable"),
        change_lifecycle(_hooks(recorder), _event(state), state),
    ):
        ran = True
    assert not ran
    (outcome,) = recorder.outcomes()
    assert outcome.status == "failed" and outcome.error == "backup bucket unreachable"


def test_an_after_hook_failure_does_not_hide_the_operation_error() -> None:
    class Broken:
        @hookimpl
        def gaib_after_change(self, event: ChangeEvent, outcome: ChangeOutcome) -> None:
            raise OSError("notifier down")

    hooks = Hooks(build_plugin_manager(load_entry_points=False, builtins=False, extra=[Broken()]))
    state = _state()
    with pytest.raises(RuntimeError) as info, change_lifecycle(hooks, _event(state), state):
        raise RuntimeError("apply broke")
    assert any("notifier down" in note for note in info.value.__notes__)


def test_theme_comes_from_the_state_when_nothing_else_names_one() -> None:
    from gaib_core.config.models import ThemeRef

    state = State(theme=ThemeRef(name="sietch", version="3.0.0"))
    event = change_event("teardown", workspace="w", guild_id="1", state_before=state)
    assert (event.theme_name, event.theme_version) == ("sietch", "3.0.0")
    assert "teardown" in OPERATIONS and "rollback" in OPERATIONS
