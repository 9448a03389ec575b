"""A rendered config as addressable items: roles, categories (holding channels), channels.

Overrides, additions and removals work on items found by address (``role.naib``,
``category.stillsuit``, ``channel.general``) rather than on list indexes. Each item carries the
positions of what it holds (``LoadedYaml`` with paths relative to the item), so the document
built back from the layout still names the file and line each value came from: the theme's
file, or the community's ``discord-server.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from gaib_core.config.models import slug
from gaib_core.config.source import LoadedYaml

Kind = Literal["role", "category", "channel"]
KINDS: tuple[Kind, ...] = ("role", "category", "channel")
SECTION: dict[Kind, str] = {"role": "roles", "category": "categories", "channel": "channels"}


@dataclass
class Item:
    """One role, category or channel; a category's channels are items of their own."""

    kind: Kind
    part: LoadedYaml
    channels: list[Item] = field(default_factory=list)

    @property
    def data(self) -> dict[str, Any]:
        """The item's fields (a category's without ``channels``; empty if not a mapping)."""
        data = self.part.data
        return data if isinstance(data, dict) else {}

    @property
    def key(self) -> str:
        """The address key: ``key:`` when written, else the name in snake case."""
        key = self.data.get("key")
        if isinstance(key, str) and key:
            return key
        name = self.data.get("name")
        return slug(name) if isinstance(name, str) else ""

    @property
    def address(self) -> str:
        """``role.<key>``, ``category.<key>`` or ``channel.<key>``."""
        return f"{self.kind}.{self.key}"


@dataclass
class Slot:
    """Where an item sits: the list holding it, its index, its category (for channels)."""

    items: list[Item]
    index: int
    category: Item | None = None

    @property
    def item(self) -> Item:
        """The item in this slot."""
        return self.items[self.index]


@dataclass
class Layout:
    """A whole config: the top-level fields (``head``) and the items in listed order."""

    head: LoadedYaml
    roles: list[Item] = field(default_factory=list)
    categories: list[Item] = field(default_factory=list)
    channels: list[Item] = field(default_factory=list)

    @classmethod
    def from_document(cls, source: LoadedYaml) -> Layout:
        """Split a config document (with positions) into items."""
        data = source.data if isinstance(source.data, dict) else {}
        head = LoadedYaml(file=source.file, data={})
        head.locations[()] = source.locate(())
        layout = cls(head=head)
        for key in data:
            if key not in ("roles", "categories", "channels"):
                part = source.subtree((key,))
                head.data[key] = part.data
                head.graft((key,), part)
        layout.roles = _items(source, "roles", "role")
        layout.channels = _items(source, "channels", "channel")
        for category in _items(source, "categories", "category"):
            inner = category.data.get("channels")
            if isinstance(inner, list):
                category.channels = [
                    Item("channel", category.part.subtree(("channels", index)))
                    for index in range(len(inner))
                ]
                category.data.pop("channels")
                category.part.drop(("channels",))
            layout.categories.append(category)
        return layout

    def lists(self, kind: Kind) -> list[list[Item]]:
        """Every list that holds items of ``kind`` (channels: top level, then each category)."""
        if kind == "role":
            return [self.roles]
        if kind == "category":
            return [self.categories]
        return [self.channels, *(category.channels for category in self.categories)]

    def find(self, address: str) -> Slot | None:
        """Where the item at ``address`` is, or None."""
        kind, _, _key = address.partition(".")
        if kind not in KINDS:
            return None
        if kind == "channel":
            for index, item in enumerate(self.channels):
                if item.address == address:
                    return Slot(self.channels, index)
            for category in self.categories:
                for index, item in enumerate(category.channels):
                    if item.address == address:
                        return Slot(category.channels, index, category)
            return None
        items = self.roles if kind == "role" else self.categories
        for index, item in enumerate(items):
            if item.address == address:
                return Slot(items, index)
        return None

    def addresses(self, kind: Kind | None = None) -> list[str]:
        """Every address (of ``kind``), in listed order."""
        kinds = [kind] if kind else list(KINDS)
        return [item.address for k in kinds for items in self.lists(k) for item in items]

    def to_document(self, file: str) -> LoadedYaml:
        """The config document with every position, in discord-server.yaml order."""
        out = LoadedYaml(file=file, data={})
        out.graft((), self.head)
        for key, value in self.head.data.items():
            out.data[key] = value
        sections = (("roles", self.roles), ("categories", self.categories))
        for section, items in (*sections, ("channels", self.channels)):
            if not items:
                continue
            out.data[section] = []
            for index, item in enumerate(items):
                out.data[section].append(_plain(item, out, (section, index)))
        return _ordered(out)


def _items(source: LoadedYaml, section: str, kind: Kind) -> list[Item]:
    listed = source.get((section,))
    if not isinstance(listed, list):
        return []
    return [Item(kind, source.subtree((section, index))) for index in range(len(listed))]


def _plain(item: Item, out: LoadedYaml, path: tuple[str | int, ...]) -> Any:
    """``item`` as plain data at ``path`` of ``out`` (positions recorded)."""
    out.graft(path, item.part)
    if not isinstance(item.part.data, dict):
        return item.part.data  # validation reports it
    data = dict(item.data)
    if item.kind == "category":
        channels = []
        for index, channel in enumerate(item.channels):
            channels.append(_plain(channel, out, (*path, "channels", index)))
        if channels:
            data["channels"] = channels
    return data


_ORDER = ("version", "server", "theme", "roles", "categories", "channels")


def _ordered(out: LoadedYaml) -> LoadedYaml:
    data: dict[str, Any] = out.data
    ordered = {key: data[key] for key in _ORDER if key in data}
    ordered.update({key: value for key, value in data.items() if key not in ordered})
    out.data = ordered
    return out
