"""The lifecycle kit itself: it passes a well-behaved plugin and catches the usual mistakes."""

from __future__ import annotations

from typing import Any

import pytest
from gaib_core import hookimpl
from gaib_core.lifecycle import ChangeEvent, ChangeOutcome
from gaib_core.testing.lifecycle import LifecycleContract


class Careful:
    """Backs up before, records after, whatever happened."""

    def __init__(self) -> None:
        self.records: list[str] = []

    @hookimpl
    def gaib_before_change(self, event: ChangeEvent) -> None:
        self.records.append(f"backup {event.operation} serial {event.state_before.serial}")

    @hookimpl
    def gaib_after_change(self, event: ChangeEvent, outcome: ChangeOutcome) -> None:
        self.records.append(f"{event.operation}: {outcome.status}")


class Fragile(Careful):
    """Assumes every change succeeded (reads the new state's serial from the plan)."""

    @hookimpl
    def gaib_after_change(self, event: ChangeEvent, outcome: ChangeOutcome) -> None:
        if outcome.status != "succeeded":
            raise RuntimeError("deployment record needs a successful change")


class Picky(Careful):
    """Refuses with a plain exception instead of a GaibError."""

    @hookimpl
    def gaib_before_change(self, event: ChangeEvent) -> None:
        raise ValueError("no")


class TestCarefulPlugin(LifecycleContract):
    @pytest.fixture
    def plugin(self) -> Any:
        return Careful()


@pytest.mark.parametrize("ending", ["errors", "exception", "keyboard-interrupt", "refused"])
def test_the_kit_catches_an_after_hook_that_raises_on_failure(ending: str) -> None:
    kit = LifecycleContract()
    with pytest.raises(AssertionError, match=r"after_change raised|a hook raised"):
        kit.test_after_change_fires_once_whatever_ends_the_change(Fragile(), "apply", ending)


def test_the_kit_catches_a_before_hook_refusing_without_a_gaib_error() -> None:
    with pytest.raises(ValueError, match="no"):
        LifecycleContract().test_before_change_refuses_only_with_a_gaib_error(Picky(), "import")
