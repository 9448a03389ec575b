"""Conformance kit for state backends (Terraform's ``backend.TestBackendStates`` idea).

A plugin author checks a backend by subclassing :class:`StateBackendContract` in a test module
and providing a ``backend`` fixture that returns a fresh, empty backend::

    class TestMyBackend(StateBackendContract):
        @pytest.fixture
        def backend(self, tmp_path):
            return MyBackend(tmp_path)

The class runs the contract tests and :class:`BackendStateMachine`, a hypothesis state machine
that drives writes, reads, locks, unlocks, force-unlocks and workspace deletes against a plain
dict model and fails on the first difference.
"""

from __future__ import annotations

from typing import ClassVar

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from gaib_core.errors import LockError, StateError
from gaib_core.state.backend import Locker, StateBackend, encode_state, read_state, write_state
from gaib_core.state.lock import new_lock_info
from gaib_core.state.models import ResourceState, State

WORKSPACES = ("default", "dev", "prod-1")


def clear_backend(backend: StateBackend) -> None:
    """Delete every workspace (state, backup and lock) of ``backend``."""
    for name in backend.list_workspaces():
        backend.delete_workspace(name)


def sample_state(workspace: str = "default", serial: int = 1) -> State:
    """A small state with one resource, for contract tests."""
    return State(
        workspace=workspace,
        serial=serial,
        guild_id="1234",
        resources={"role.naib": ResourceState(type="role", id="42", name="Naib")},
    )


class BackendStateMachine(RuleBasedStateMachine):
    """Checks a backend against a dict model: documents, backups and lock holders."""

    def __init__(self, backend: StateBackend) -> None:
        super().__init__()
        self.backend = backend
        clear_backend(backend)
        self.docs: dict[str, bytes] = {}
        self.backups: dict[str, bytes] = {}
        self.locks: dict[str, str] = {}

    def _locker(self, workspace: str) -> Locker:
        return self.backend.locker(workspace)

    @rule(workspace=st.sampled_from(WORKSPACES), serial=st.integers(0, 10**6))
    def write(self, workspace: str, serial: int) -> None:
        """A write replaces the document and keeps the previous one as the backup."""
        data = encode_state(State(workspace=workspace, serial=serial))
        self.backend.write_bytes(workspace, data)
        if workspace in self.docs:
            self.backups[workspace] = self.docs[workspace]
        self.docs[workspace] = data

    @rule(workspace=st.sampled_from(WORKSPACES))
    def read(self, workspace: str) -> None:
        """Reads see the last write and its predecessor."""
        assert self.backend.read_bytes(workspace) == self.docs.get(workspace)
        assert self.backend.read_backup_bytes(workspace) == self.backups.get(workspace)

    @rule(workspace=st.sampled_from(WORKSPACES))
    def lock(self, workspace: str) -> None:
        """Locking a free workspace succeeds; a held one raises LockError naming the holder."""
        info = new_lock_info("contract", self.backend.describe(workspace))
        if workspace in self.locks:
            with pytest.raises(LockError) as caught:
                self._locker(workspace).lock(info)
            assert caught.value.holder is not None
            assert caught.value.holder.id == self.locks[workspace]
        else:
            assert self._locker(workspace).lock(info) == info.id
            self.locks[workspace] = info.id

    @rule(workspace=st.sampled_from(WORKSPACES), force=st.booleans())
    def unlock(self, workspace: str, force: bool) -> None:
        """Unlocking with the holder's id frees the workspace; an unlocked one is an error."""
        locker = self._locker(workspace)
        release = locker.force_unlock if force else locker.unlock
        if workspace in self.locks:
            release(self.locks.pop(workspace))
        else:
            with pytest.raises(StateError):
                release("not-a-lock-id")

    @rule(workspace=st.sampled_from(WORKSPACES), force=st.booleans())
    def unlock_with_wrong_id(self, workspace: str, force: bool) -> None:
        """A wrong id is refused and changes nothing."""
        locker = self._locker(workspace)
        release = locker.force_unlock if force else locker.unlock
        with pytest.raises(StateError) as caught:
            release("wrong-id")
        if workspace in self.locks:
            assert isinstance(caught.value, LockError)
            assert caught.value.holder is not None
            assert caught.value.holder.id == self.locks[workspace]

    @rule(workspace=st.sampled_from(WORKSPACES))
    def holder(self, workspace: str) -> None:
        """The holder is whoever the model says."""
        holder = self._locker(workspace).holder()
        assert (holder.id if holder else None) == self.locks.get(workspace)

    @rule(workspace=st.sampled_from(WORKSPACES))
    def delete(self, workspace: str) -> None:
        """Deleting a workspace removes its document, backup and lock."""
        self.backend.delete_workspace(workspace)
        for model in (self.docs, self.backups, self.locks):
            model.pop(workspace, None)

    @rule()
    def list_workspaces(self) -> None:
        """Every workspace with a document or a lock is listed, and nothing else."""
        assert self.backend.list_workspaces() == sorted(set(self.docs) | set(self.locks))


def machine_for(backend: StateBackend) -> type[BackendStateMachine]:
    """A :class:`BackendStateMachine` class bound to ``backend`` (hypothesis wants a class)."""

    class BoundBackendStateMachine(BackendStateMachine):
        def __init__(self) -> None:
            super().__init__(backend)

    return BoundBackendStateMachine


class StateBackendContract:
    """Contract tests for a ``StateBackend``; subclass and provide a ``backend`` fixture."""

    #: hypothesis settings for the state machine; lower them for slow (networked) backends.
    machine_settings: ClassVar[settings] = settings(
        max_examples=25, stateful_step_count=15, deadline=None
    )

    def test_empty_backend(self, backend: StateBackend) -> None:
        """A fresh backend has no workspaces, no state and no lock."""
        assert backend.list_workspaces() == []
        assert backend.read_bytes("default") is None
        assert backend.read_backup_bytes("default") is None
        assert backend.locker("default").holder() is None
        assert read_state(backend, "default") is None

    def test_state_round_trip(self, backend: StateBackend) -> None:
        """A written state reads back equal."""
        state = sample_state()
        write_state(backend, "default", state)
        assert read_state(backend, "default") == state
        assert backend.list_workspaces() == ["default"]

    def test_write_keeps_the_previous_version(self, backend: StateBackend) -> None:
        """The second write moves the first document to the backup."""
        first, second = encode_state(sample_state(serial=1)), encode_state(sample_state(serial=2))
        backend.write_bytes("default", first)
        assert backend.read_backup_bytes("default") is None
        backend.write_bytes("default", second)
        assert backend.read_bytes("default") == second
        assert backend.read_backup_bytes("default") == first

    def test_workspaces_are_separate(self, backend: StateBackend) -> None:
        """Workspaces hold separate documents and delete independently."""
        write_state(backend, "default", sample_state("default"))
        write_state(backend, "dev", sample_state("dev", serial=7))
        assert backend.list_workspaces() == ["default", "dev"]
        backend.delete_workspace("dev")
        assert backend.list_workspaces() == ["default"]
        assert backend.read_bytes("dev") is None
        backend.delete_workspace("never-existed")

    def test_second_lock_names_the_holder(self, backend: StateBackend) -> None:
        """Of two lockers, the second gets LockError carrying the first one's LockInfo."""
        first = new_lock_info("apply", backend.describe("default"))
        backend.locker("default").lock(first)
        with pytest.raises(LockError) as caught:
            backend.locker("default").lock(new_lock_info("plan"))
        assert caught.value.holder == first
        assert first.id in str(caught.value)
        backend.locker("dev").lock(new_lock_info("apply"))  # other workspaces are independent

    def test_unlock_and_force_unlock_need_the_right_id(self, backend: StateBackend) -> None:
        """Wrong ids are refused; the right one frees the lock."""
        info = new_lock_info("apply")
        locker = backend.locker("default")
        locker.lock(info)
        for release in (locker.unlock, locker.force_unlock):
            with pytest.raises(LockError):
                release("wrong")
        assert locker.holder() == info
        locker.force_unlock(info.id)
        assert locker.holder() is None
        with pytest.raises(StateError):
            locker.unlock(info.id)
        locker.lock(new_lock_info("apply"))

    def test_delete_removes_the_lock(self, backend: StateBackend) -> None:
        """A deleted workspace is unlocked too."""
        backend.locker("dev").lock(new_lock_info("apply"))
        backend.delete_workspace("dev")
        assert backend.locker("dev").holder() is None
        assert backend.list_workspaces() == []

    def test_state_machine(self, backend: StateBackend) -> None:
        """The backend behaves like the dict model under random operation sequences."""
        run_state_machine_as_test(machine_for(backend), settings=self.machine_settings)
