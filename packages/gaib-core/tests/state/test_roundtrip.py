"""(hypothesis) A state survives push then pull unchanged, and encode/decode is lossless."""

from __future__ import annotations

import uuid

from gaib_core.config.models import ThemeRef
from gaib_core.state.backend import decode_state, encode_state
from gaib_core.state.backends import FsspecBackend
from gaib_core.state.manager import StateManager
from gaib_core.state.models import ResourceState, State
from hypothesis import given, settings
from hypothesis import strategies as st

keys = st.from_regex(r"[a-z][a-z0-9_-]{0,15}", fullmatch=True)
ids = st.from_regex(r"[1-9][0-9]{16,19}", fullmatch=True)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**53), 2**53), st.text(max_size=20))
attributes = st.dictionaries(
    st.text(min_size=1, max_size=12),
    st.one_of(scalars, st.lists(scalars, max_size=4), st.dictionaries(keys, scalars, max_size=3)),
    max_size=5,
)


@st.composite
def resources(draw: st.DrawFn) -> dict[str, ResourceState]:
    out: dict[str, ResourceState] = {}
    for kind, key in draw(
        st.lists(st.tuples(st.sampled_from(["role", "category", "channel"]), keys), max_size=8)
    ):
        out[f"{kind}.{key}"] = ResourceState(
            type=kind,
            id=draw(ids),
            name=draw(st.text(min_size=1, max_size=30)),
            attributes=draw(attributes),
        )
    return out


states = st.builds(
    State,
    serial=st.integers(0, 10**9),
    lineage=st.uuids().map(str),
    workspace=st.just("default"),
    guild_id=st.one_of(st.none(), ids),
    gaib_version=st.sampled_from(["", "0.1.0"]),
    theme=st.one_of(
        st.none(),
        st.builds(ThemeRef, name=keys, version=st.just("3.0.0"), variables=attributes),
    ),
    resources=resources(),
)


@settings(max_examples=60, deadline=None)
@given(states)
def test_encode_decode_round_trip(state: State) -> None:
    assert decode_state(encode_state(state), source="x") == state


@settings(max_examples=40, deadline=None)
@given(states)
def test_state_survives_push_then_pull(state: State) -> None:
    manager = StateManager(FsspecBackend(f"memory://rt-{uuid.uuid4().hex}"), "default")
    manager.push(encode_state(state))
    pulled = manager.pull()
    assert decode_state(pulled.encode(), source="pull") == state
    assert pulled.encode() == encode_state(state)
    # Pushing back what was pulled changes nothing (same serial, same content); forced, neither.
    manager.push(pulled.encode())
    assert manager.pull() == pulled
    manager.push(pulled.encode(), force=True)
    assert manager.pull() == pulled
    manager.backend.delete_workspace("default")
