"""A community's changes on top of a rendered theme: overrides, additions, removals.

Applied to a :class:`~gaib_core.themes.layout.Layout` in this order, so that the result does not
depend on the order the file lists things in:

1. ``server:`` merges key by key over the theme's server settings;
2. role renames (an override giving a role another ``name``) rename the theme's overwrites that
   name the role, so the rest of the file uses the new name;
3. overrides of theme items merge field by field; an address the theme does not have is an
   addition when the item is complete (it has a ``name``), else an error with a did-you-mean;
4. placements (``after:``/``before:`` an address, ``category:`` for channels) move items;
5. removals, channels first, then categories, then roles; removing something still referenced
   is an error naming the reference.

Merging follows one rule everywhere: a mapping merges key by key (``null`` deletes a key, ``{}``
clears the mapping), anything else replaces the value. Every problem is a ``ConfigIssue`` at the
line of ``discord-server.yaml`` (or of the theme file) it is about; all are reported together.
"""

from __future__ import annotations

import copy
import difflib
import re
from dataclasses import dataclass, field

from gaib_core.config.models import BOT, EVERYONE
from gaib_core.config.source import LoadedYaml, PathKey, describe_value, format_path
from gaib_core.errors import ConfigErrors, ConfigIssue
from gaib_core.themes.layout import KINDS, Item, Kind, Layout, Slot
from gaib_core.themes.placement import Placement, Placer, read_placement

ADDRESS = re.compile(r"^(role|category|channel)\.([a-z][a-z0-9_]*)$")


@dataclass
class Overlay:
    """Applies ``overrides``, ``remove`` and ``server`` of ``source`` to ``layout``."""

    layout: Layout
    source: LoadedYaml
    theme_name: str
    issues: list[ConfigIssue] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)

    def apply(self) -> None:
        """Apply every change; ``ConfigErrors`` listing every problem found."""
        self._server()
        removals = self._removal_targets()
        overrides = self._overrides(removals)
        self._renames(overrides)
        for address, path in overrides:
            self._override(address, path)
        Placer(self.layout, self.fail, self._guess, self.theme_name).place(self.placements)
        self._remove(removals)
        if self.issues:
            raise ConfigErrors(self.issues)

    # --- reporting --------------------------------------------------------------------------

    def fail(
        self, message: str, path: PathKey, *, hint: str | None = None, key: bool = False
    ) -> None:
        """Record a problem at ``path`` of the user's file."""
        self.issues.append(
            ConfigIssue(
                message,
                location=self.source.locate(path, key=key),
                field=format_path(path),
                hint=hint,
            )
        )

    def _guess(self, address: str, kind: str | None = None) -> str | None:
        kinds = [k for k in KINDS if k == kind] or list(KINDS)
        known = [a for k in kinds for a in self.layout.addresses(k)]
        guess = difflib.get_close_matches(address, known, n=1, cutoff=0.6)
        return guess[0] if guess else None

    # --- server -------------------------------------------------------------------------------

    def _server(self) -> None:
        if not isinstance(self.source.get(("server",)), dict):
            return
        head = self.layout.head
        if not isinstance(head.data.get("server"), dict):
            head.data["server"] = {}
            head.locations[("server",)] = self.source.locate(("server",))
            head.key_locations[("server",)] = self.source.locate(("server",), key=True)
        merge(head, ("server",), self.source, ("server",))

    # --- collecting -------------------------------------------------------------------------

    def _removal_targets(self) -> list[tuple[str, PathKey]]:
        out: list[tuple[str, PathKey]] = []
        listed = self.source.get(("remove",))
        for index, address in enumerate(listed if isinstance(listed, list) else []):
            path: PathKey = ("remove", index)
            if not isinstance(address, str) or not ADDRESS.match(address):
                self.fail(
                    f"{describe_value(address)} is not an address",
                    path,
                    hint="write role.KEY, category.KEY or channel.KEY",
                )
            elif self.layout.find(address) is None:
                guess = self._guess(address)
                self.fail(
                    f"theme {self.theme_name} has no {address} to remove",
                    path,
                    hint=f"did you mean {guess}?" if guess else _list_hint(self.theme_name),
                )
            elif address in (a for a, _ in out):
                self.fail(f"{address} is listed twice", path, hint="keep one of them")
            else:
                out.append((address, path))
        return out

    def _overrides(self, removals: list[tuple[str, PathKey]]) -> list[tuple[str, PathKey]]:
        removed = {address for address, _ in removals}
        out: list[tuple[str, PathKey]] = []
        listed = self.source.get(("overrides",))
        for address in listed if isinstance(listed, dict) else {}:
            path: PathKey = ("overrides", address)
            if not ADDRESS.match(address):
                self.fail(
                    f"'{address}' is not an address",
                    path,
                    key=True,
                    hint="write role.KEY, category.KEY or channel.KEY (lowercase snake_case)",
                )
            elif address in removed:
                self.fail(
                    f"{address} is both overridden and removed",
                    path,
                    key=True,
                    hint="keep the override or the removal",
                )
            else:
                out.append((address, path))
        return out

    # --- renames ------------------------------------------------------------------------------

    def _renames(self, overrides: list[tuple[str, PathKey]]) -> None:
        """Rename the theme's overwrite keys when an override renames a role."""
        for address, path in overrides:
            slot = self.layout.find(address)
            new = self.source.get((*path, "name"))
            if slot is None or not address.startswith("role.") or not isinstance(new, str):
                continue
            old = slot.item.data.get("name")
            if isinstance(old, str) and new != old and old not in (EVERYONE, BOT):
                for item in self._overwrite_holders():
                    _rename_key(item.part, ("overwrites",), old, new)

    def _overwrite_holders(self) -> list[Item]:
        holders = [*self.layout.channels]
        for category in self.layout.categories:
            holders.append(category)
            holders.extend(category.channels)
        return holders

    # --- overrides and additions --------------------------------------------------------------

    def _override(self, address: str, path: PathKey) -> None:
        kind: Kind = address.split(".", 1)[0]  # type: ignore[assignment]
        key = address.split(".", 1)[1]
        patch = self.source.subtree(path)
        placement = read_placement(kind, address, patch, path, self.fail)
        if placement is None:
            return
        if not self._check_key(patch, key, path):
            return
        slot = self.layout.find(address)
        if slot is None:
            if "name" not in patch.data:
                guess = self._guess(address, kind)
                self.fail(
                    f"theme {self.theme_name} has no {address}",
                    path,
                    key=True,
                    hint=f"did you mean {guess}?"
                    if guess
                    else f"check the address, or give it a `name:` to add a new {kind}",
                )
                return
            item = self._new_item(kind, key, patch, path)
            if item is None:
                return
            placement.item = item
            self.placements.append(placement)
            return
        self._merge_into(slot, kind, patch, path)
        placement.item = slot.item
        if placement.after or placement.before or placement.has_category:
            self.placements.append(placement)

    def _check_key(self, patch: LoadedYaml, key: str, path: PathKey) -> bool:
        given = patch.data.get("key")
        if given is not None and given != key:
            self.fail(
                f"key '{given}' differs from the address key '{key}'",
                (*path, "key"),
                hint="the address is the key: remove `key:`, or remove this item and add one "
                "under a new address",
            )
            return False
        return True

    def _merge_into(self, slot: Slot, kind: Kind, patch: LoadedYaml, path: PathKey) -> None:
        item = slot.item
        if kind == "category" and "channels" in patch.data:
            self.fail(
                "a category's channels are changed by their own address",
                (*path, "channels"),
                key=True,
                hint="override channel.KEY (use `category:` to move a channel)",
            )
            return
        old_key = item.key
        if (
            kind == "channel"
            and "overwrites" in patch.data
            and "overwrites" not in item.data
            and slot.category is not None
        ):
            # A synced channel has its category's overwrites: start from those, so changing
            # one role's overwrite here never drops the others (@everyone's deny above all).
            inherited = slot.category.part.subtree(("overwrites",))
            item.data["overwrites"] = inherited.data if isinstance(inherited.data, dict) else {}
            item.part.graft(("overwrites",), inherited)
        merge(item.part, (), patch, ())
        if "key" not in item.data and item.key != old_key:
            item.data["key"] = old_key  # a new name must not change the address

    def _new_item(self, kind: Kind, key: str, patch: LoadedYaml, path: PathKey) -> Item | None:
        data = patch.data
        data.setdefault("key", key)
        item = Item(kind, patch)
        if kind != "category":
            return item
        inner = data.get("channels")
        if inner is None:
            data.pop("channels", None)
            return item
        if not isinstance(inner, list):
            self.fail(f"channels must be a list, got {describe_value(inner)}", (*path, "channels"))
            return None
        for index in range(len(inner)):
            channel = Item("channel", patch.subtree(("channels", index)))
            if isinstance(channel.data, dict) and self.layout.find(channel.address) is not None:
                self.fail(
                    f"{channel.address} is already in theme {self.theme_name}",
                    (*path, "channels", index),
                    hint="give the new channel another key",
                )
                return None
            item.channels.append(channel)
        data.pop("channels")
        patch.drop(("channels",))
        return item

    # --- removals -----------------------------------------------------------------------------

    def _remove(self, removals: list[tuple[str, PathKey]]) -> None:
        order = {"channel": 0, "category": 1, "role": 2}
        for address, path in sorted(removals, key=lambda r: order[r[0].split(".", 1)[0]]):
            slot = self.layout.find(address)
            if slot is None:
                continue
            item = slot.item
            if item.kind == "category" and item.channels:
                kept = ", ".join(channel.address for channel in item.channels)
                self.fail(
                    f"cannot remove {address}: it still holds {kept}",
                    path,
                    hint="remove those channels too, or move them with `category:` under overrides",
                )
                continue
            if item.kind == "role" and self._still_named(item, address, path):
                continue
            del slot.items[slot.index]

    def _still_named(self, role: Item, address: str, path: PathKey) -> bool:
        name = role.data.get("name")
        if not isinstance(name, str):
            return False
        for holder in self._overwrite_holders():
            overwrites = holder.data.get("overwrites")
            if isinstance(overwrites, dict) and name in overwrites:
                where = holder.part.locate(("overwrites", name), key=True)
                self.fail(
                    f"cannot remove {address}: the overwrite '{name}' of {holder.address} "
                    f"({where}) still names it",
                    path,
                    hint=f"also override {holder.address} with `overwrites: {{{name}: null}}`, "
                    f"or remove {holder.address}",
                )
                return True
        return False


def merge(base: LoadedYaml, base_path: PathKey, patch: LoadedYaml, patch_path: PathKey) -> None:
    """Merge the mapping at ``patch_path`` of ``patch`` into ``base_path`` of ``base``.

    Mappings merge key by key; ``null`` deletes a key; ``{}`` and any other value replace.
    Positions follow the values, so a merged value still names the line it was written on.
    """
    target = base.get(base_path)
    changes = patch.get(patch_path)
    if not isinstance(target, dict) or not isinstance(changes, dict):
        return
    base.locations[base_path] = patch.locate(patch_path)
    for key, value in changes.items():
        here, there = (*base_path, key), (*patch_path, key)
        if value is None:
            target.pop(key, None)
            base.drop(here)
        elif isinstance(value, dict) and value and isinstance(target.get(key), dict):
            base.key_locations[here] = patch.locate(there, key=True)
            merge(base, here, patch, there)
        else:
            target[key] = copy.deepcopy(value)
            base.graft(here, patch.subtree(there))


def _rename_key(part: LoadedYaml, path: PathKey, old: str, new: str) -> None:
    mapping = part.get(path)
    if not isinstance(mapping, dict) or old not in mapping or new in mapping:
        return
    moved = part.subtree((*path, old))
    renamed = {(new if key == old else key): value for key, value in mapping.items()}
    mapping.clear()
    mapping.update(renamed)
    part.drop((*path, old))
    part.graft((*path, new), moved)


def _list_hint(theme: str) -> str:
    return f"`gaib server theme info {theme}` lists its addresses"
