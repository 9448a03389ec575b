"""What differs between two states: roles, categories and channels, attribute by attribute,
with permission bits (role permissions, overwrite allow/deny) shown as permission names.

Used by ``backup restore`` (what the restore changes) and ``snapshot compare``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from gaib_core.permissions import to_names
from gaib_core.state.models import ResourceState, ServerState, State

#: Attributes that are permission bitfields (shown as names).
PERMISSION_FIELDS = ("permissions", "allow", "deny")


@dataclass
class AttributeChange:
    """One attribute (``overwrites.role.naib.allow`` for an overwrite) before and after."""

    path: str
    before: Any
    after: Any


@dataclass
class ResourceDiff:
    """One resource that was added, removed or changed."""

    address: str
    type: str
    change: str  # "added" | "removed" | "changed"
    name: str
    changes: list[AttributeChange] = field(default_factory=list)


@dataclass
class StateDiff:
    """Every resource that differs, in address order."""

    resources: list[ResourceDiff] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when the two states manage the same resources with the same attributes."""
        return not self.resources

    def counts(self) -> tuple[int, int, int]:
        """(added, changed, removed)."""
        kinds = [r.change for r in self.resources]
        return kinds.count("added"), kinds.count("changed"), kinds.count("removed")

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict (``--json``)."""
        added, changed, removed = self.counts()
        return {
            "resources": [asdict(r) for r in self.resources],
            "summary": {"added": added, "changed": changed, "removed": removed},
        }

    def lines(self) -> list[str]:
        """Readable lines: ``+ role.x``, ``- channel.y``, ``~ role.z`` with ``path: a -> b``."""
        marks = {"added": "+", "removed": "-", "changed": "~"}
        out = []
        for res in self.resources:
            out.append(f"{marks[res.change]} {res.address} ({res.type} '{res.name}')")
            for change in res.changes:
                out.append(f"    {change.path}: {_show(change.before)} -> {_show(change.after)}")
        added, changed, removed = self.counts()
        out.append(f"{added} added, {changed} changed, {removed} removed.")
        return out


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return repr(value) if isinstance(value, str) else str(value)


def _flatten(attributes: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in attributes.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def _readable(path: str, value: Any) -> Any:
    """Permission bitfields as names; everything else as is."""
    field = path.rsplit(".", 1)[-1]
    if field in PERMISSION_FIELDS and isinstance(value, int) and not isinstance(value, bool):
        return to_names(value)
    return value


def _resource_view(resource: ResourceState) -> dict[str, Any]:
    return {"id": resource.id, "name": resource.name, **_flatten(resource.attributes)}


def diff_states(before: State, after: State) -> StateDiff:
    """What turns ``before``'s resources into ``after``'s."""
    out = StateDiff()
    for address in sorted(set(before.resources) | set(after.resources)):
        old, new = before.resources.get(address), after.resources.get(address)
        if old is None and new is not None:
            out.resources.append(ResourceDiff(address, new.type, "added", new.name))
        elif new is None and old is not None:
            out.resources.append(ResourceDiff(address, old.type, "removed", old.name))
        elif old is not None and new is not None and old != new:
            a, b = _resource_view(old), _resource_view(new)
            changes = [
                AttributeChange(path, _readable(path, a.get(path)), _readable(path, b.get(path)))
                for path in sorted(set(a) | set(b))
                if a.get(path) != b.get(path)
            ]
            if changes or old.type != new.type:
                out.resources.append(ResourceDiff(address, new.type, "changed", new.name, changes))
    server = _server_diff(before.server, after.server)
    if server is not None:
        out.resources.append(server)
    return out


def _server_view(server: ServerState) -> dict[str, Any]:
    # the icon is the file gaib sent (its SHA-256); Discord's hash of it is bookkeeping
    return {**_flatten(server.attributes), "icon_sha256": server.icon_sha256}


def _server_diff(before: ServerState | None, after: ServerState | None) -> ResourceDiff | None:
    """The server's own settings (name, verification level...), as plans show ``server``."""
    a = _server_view(before) if before is not None else {}
    b = _server_view(after) if after is not None else {}
    changes = [
        AttributeChange(path, a.get(path), b.get(path))
        for path in sorted(set(a) | set(b))
        if a.get(path) != b.get(path)
    ]
    if not changes:
        return None
    current = after if after is not None else before
    assert current is not None  # changes imply one side has settings
    name = str(current.attributes.get("name", current.id))
    change = "added" if before is None else "removed" if after is None else "changed"
    return ResourceDiff("server", "server", change, name, changes)
