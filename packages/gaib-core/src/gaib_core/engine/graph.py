"""The role hierarchy and the channel tree as a Mermaid flowchart or a Graphviz DOT graph.

Roles are drawn top to bottom in hierarchy order (the highest first, @everyone last), each
pointing at the next one down; categories point at their channels. Channels @everyone cannot
see are marked ``(private)``. Both formats are text, for docs, pull requests and ``dot -Tsvg``.
"""

from __future__ import annotations

import itertools

from gaib_core.effective import VIEW_CHANNEL
from gaib_core.engine.access import Access, ChannelAccess
from gaib_core.engine.refs import EVERYONE_REF

FORMATS = ("mermaid", "dot")


def _label(access: Access, channel: ChannelAccess) -> str:
    everyone = access.column(EVERYONE_REF)
    private = not access.permissions(everyone, channel) & VIEW_CHANNEL
    kind = "" if channel.is_category or channel.kind == "text" else f" ({channel.kind})"
    return channel.label + kind + (" (private)" if private else "")


def _ids(access: Access) -> tuple[dict[str, str], dict[str, str]]:
    """Stable node ids (r0, r1, ... and c0, c1, ...): names may hold any character."""
    roles = {role.ref: f"r{i}" for i, role in enumerate(access.columns())}
    channels = {channel.ref: f"c{i}" for i, channel in enumerate(access.channels)}
    return roles, channels


def mermaid(access: Access) -> str:
    """A Mermaid ``flowchart``: the roles subgraph and the channels subgraph."""

    def text(value: str) -> str:
        return '"' + value.replace('"', "#quot;") + '"'

    role_ids, channel_ids = _ids(access)
    lines = ["flowchart LR", '  subgraph roles["Roles, highest first"]', "    direction TB"]
    columns = access.columns()
    for role in columns:
        lines.append(f"    {role_ids[role.ref]}[{text(role.name)}]")
    for upper, lower in itertools.pairwise(columns):
        lines.append(f"    {role_ids[upper.ref]} --> {role_ids[lower.ref]}")
    lines += ["  end", '  subgraph channels["Channels"]', "    direction TB"]
    for channel in access.channels:
        node = channel_ids[channel.ref]
        shape = ("[/", "/]") if channel.is_category else ("[", "]")
        lines.append(f"    {node}{shape[0]}{text(_label(access, channel))}{shape[1]}")
    for channel in access.channels:
        if channel.parent in channel_ids:
            lines.append(f"    {channel_ids[channel.parent]} --> {channel_ids[channel.ref]}")
    lines.append("  end")
    return "\n".join(lines) + "\n"


def dot(access: Access) -> str:
    """A Graphviz ``digraph`` with one cluster for the roles and one for the channels."""

    def text(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    role_ids, channel_ids = _ids(access)
    lines = [
        "digraph gaib {",
        "  rankdir=TB;",
        "  node [shape=box];",
        "  subgraph cluster_roles {",
        f"    label={text('Roles, highest first')};",
    ]
    columns = access.columns()
    for role in columns:
        lines.append(f"    {role_ids[role.ref]} [label={text(role.name)}];")
    for upper, lower in itertools.pairwise(columns):
        lines.append(f"    {role_ids[upper.ref]} -> {role_ids[lower.ref]};")
    lines += ["  }", "  subgraph cluster_channels {", f"    label={text('Channels')};"]
    for channel in access.channels:
        shape = " shape=folder" if channel.is_category else ""
        label = text(_label(access, channel))
        lines.append(f"    {channel_ids[channel.ref]} [label={label}{shape}];")
    for channel in access.channels:
        if channel.parent in channel_ids:
            lines.append(f"    {channel_ids[channel.parent]} -> {channel_ids[channel.ref]};")
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def render(access: Access, fmt: str) -> str:
    """``access`` drawn in ``fmt`` (one of :data:`FORMATS`)."""
    return mermaid(access) if fmt == "mermaid" else dot(access)
