"""Where a file's items go: ``after:``/``before:`` an address, or ``category:`` for channels.

An override may carry placement keys (they move a theme item); an addition always has a
placement (without keys: the end of its list, or of its ``category:``). Anchors may be items
added in the same file, so placing repeats until nothing more can be placed; what is left names
an anchor that does not exist. Several items placed after the same anchor keep the file's order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gaib_core.config.source import LoadedYaml, PathKey, describe_value
from gaib_core.themes.layout import Item, Kind, Layout, Slot

PLACEMENT = ("after", "before", "category")
_TOP = "top level"

#: ``fail(message, path, hint=..., key=...)``: records a problem at ``path`` of the user's file.
Fail = Callable[..., None]
#: ``guess(address, kind)``: the closest known address, for a did-you-mean.
Guess = Callable[[str, str | None], str | None]


@dataclass
class Placement:
    """Where the file asks an item to go."""

    item: Item
    address: str
    after: str | None = None
    before: str | None = None
    category: str | None = None
    has_category: bool = False
    path: PathKey = ()


def read_placement(
    kind: Kind, address: str, patch: LoadedYaml, path: PathKey, fail: Fail
) -> Placement | None:
    """The placement keys of an override (taken out of ``patch``); None after a problem."""
    found = Placement(item=Item(kind, patch), address=address, path=path)
    for name in PLACEMENT:
        if name not in patch.data:
            continue
        value = patch.data.pop(name)
        patch.drop((name,))
        where = (*path, name)
        if name == "category":
            if kind != "channel":
                fail("only a channel has a category", where, key=True, hint="remove it")
                return None
            if value is not None and not (isinstance(value, str) and value.startswith("category.")):
                fail(
                    f"category must be a category address, got {describe_value(value)}",
                    where,
                    hint="write category.KEY, or null for the top level",
                )
                return None
            found.category, found.has_category = value, True
            continue
        if not isinstance(value, str) or not value.startswith(f"{kind}."):
            fail(
                f"{name} must name another {kind}, got {describe_value(value)}",
                where,
                hint=f"write {name}: {kind}.KEY",
            )
            return None
        if value == address:
            fail(f"{address} cannot be placed {name} itself", where)
            return None
        setattr(found, name, value)
    if found.after and found.before:
        fail(
            "give after or before, not both",
            (*path, "before"),
            key=True,
            hint="remove one of them",
        )
        return None
    return found


class Placer:
    """Places items in a layout, reporting anchors that are missing or in another category."""

    def __init__(self, layout: Layout, fail: Fail, guess: Guess, theme_name: str) -> None:
        self.layout = layout
        self.fail = fail
        self._guess = guess
        self.theme_name = theme_name

    def place(self, placements: list[Placement]) -> None:
        """Place every item the file positions; anchors may be items added in this file."""
        pending = list(placements)
        last_after: dict[str, Item] = {}
        while pending:
            waiting = [p for p in pending if not self._anchor_ready(p)]
            ready = [p for p in pending if p not in waiting]
            if not ready:
                for placement in waiting:
                    self._anchor_missing(placement)
                return
            for placement in ready:
                self._put(placement, last_after)
            pending = waiting

    def _anchor_ready(self, placement: Placement) -> bool:
        anchor = placement.after or placement.before
        if anchor and self.layout.find(anchor) is None:
            return False
        category = placement.category
        return not (placement.has_category and category and self.layout.find(category) is None)

    def _anchor_missing(self, placement: Placement) -> None:
        name = "after" if placement.after else "before" if placement.before else "category"
        anchor = placement.after or placement.before or placement.category or ""
        guess = self._guess(anchor, anchor.split(".", 1)[0])
        self.fail(
            f"{name} names {anchor}, which is neither in theme {self.theme_name} nor added here",
            (*placement.path, name),
            hint=f"did you mean {guess}?" if guess else None,
        )

    def _put(self, placement: Placement, last_after: dict[str, Item]) -> None:
        item = placement.item
        current = self.layout.find(placement.address)
        if current is not None and current.item is item:
            del current.items[current.index]
        else:
            current = None
        anchor_address = placement.after or placement.before
        if anchor_address:
            anchor = self.layout.find(anchor_address)
            assert anchor is not None  # checked by _anchor_ready
            if placement.has_category and _category_address(anchor) != placement.category:
                where = placement.category or _TOP
                self.fail(
                    f"{anchor_address} is not in {where}",
                    (*placement.path, "category"),
                    hint="drop `category:` (after/before decides it) or name another channel",
                )
                self._restore(placement, current)
                return
            if placement.after:
                # Items placed after the same anchor keep the file's order.
                previous = last_after.get(anchor_address)
                follow = self.layout.find(_address(previous)) if previous else None
                target = follow if follow is not None else anchor
                target.items.insert(target.index + 1, item)
                last_after[anchor_address] = item
            else:
                anchor.items.insert(anchor.index, item)
            return
        self._container(placement).append(item)

    def _container(self, placement: Placement) -> list[Item]:
        if placement.item.kind == "role":
            return self.layout.roles
        if placement.item.kind == "category":
            return self.layout.categories
        if placement.category:
            slot = self.layout.find(placement.category)
            assert slot is not None
            return slot.item.channels
        return self.layout.channels

    def _restore(self, placement: Placement, slot: Slot | None) -> None:
        """Put a theme item back where it was (its move failed); an addition stays out."""
        if slot is not None:
            slot.items.insert(slot.index, placement.item)


def _category_address(slot: Slot) -> str | None:
    return slot.category.address if slot.category is not None else None


def _address(item: Item | None) -> str:
    return item.address if item is not None else ""
