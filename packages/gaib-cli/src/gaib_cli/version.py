"""``gaib --version``: every installed gaib package and its version.

gaib is several distributions (gaib-core, gaib-cli, plugins such as gaib-backup or a
third-party theme), released separately; a bug report needs all of their versions.
"""

from __future__ import annotations

from importlib.metadata import distributions

ENTRY_POINT_GROUP = "gaib"


def installed_packages() -> list[tuple[str, str]]:
    """(name, version) of each installed ``gaib-*`` distribution and each that plugs into gaib."""
    found: dict[str, str] = {}
    for dist in distributions():
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if not name:
            continue
        plugs_in = any(ep.group == ENTRY_POINT_GROUP for ep in dist.entry_points)
        if name.startswith("gaib-") or plugs_in:
            found[name] = dist.version
    return sorted(found.items())


def version_text() -> str:
    """One ``name version`` line per package."""
    return "\n".join(f"{name} {version}" for name, version in installed_packages())
