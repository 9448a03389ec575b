"""The ordering primitives: slot filling, the minimal moved set, position assignment."""

from __future__ import annotations

from gaib_core.engine.order import assign_positions, fill_slots, moved
from gaib_core.provider.models import Channel
from hypothesis import given
from hypothesis import strategies as st


def ch(cid: int, position: int) -> Channel:
    return Channel(id=str(cid), type=0, name=f"c{cid}", position=position)


def test_fill_slots_keeps_unmanaged_in_place_and_appends_new() -> None:
    assert fill_slots(["a", "U", "b", "V"], ["b", "a"]) == ["b", "U", "a", "V"]
    assert fill_slots(["U", "a"], ["n", "a"]) == ["U", "n", "a"]


def test_moved_is_minimal() -> None:
    assert moved(["a", "b", "c", "d"], ["b", "c", "d", "a"]) == {"a"}
    assert moved(["a", "b"], ["a", "b"]) == set()


def test_assign_positions_appends_without_touching_existing() -> None:
    items = [("a", ch(1, 0)), ("b", ch(2, 1)), ("new", None)]
    assert assign_positions(items) == {"new": 2}


def test_assign_positions_renumbers_when_there_is_no_gap() -> None:
    items = [("a", ch(1, 0)), ("new", None), ("b", ch(2, 1))]
    assert assign_positions(items) == {"new": 1, "b": 2}


@given(st.lists(st.integers(0, 5), max_size=8), st.lists(st.booleans(), max_size=8))
def test_assigned_positions_sort_in_list_order(positions: list[int], news: list[bool]) -> None:
    existing = sorted(
        (ch(100 + i, p) for i, p in enumerate(positions)), key=lambda c: (c.position, int(c.id))
    )
    items: list[tuple[str, Channel | None]] = [(c.id, c) for c in existing]
    for i, is_new in enumerate(news):
        if is_new:
            items.insert(min(i, len(items)), (f"n{i}", None))
    new_ids = {ref: 1000 + i for i, (ref, c) in enumerate(items) if c is None}
    assigned = assign_positions(items)
    keys = []
    for ref, c in items:
        pos = assigned.get(ref, c.position if c is not None else None)
        assert pos is not None and pos >= 0
        keys.append((pos, int(c.id) if c is not None else new_ids[ref]))
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
