"""The entry points of one group, found without importing ``importlib.metadata``.

Every ``gaib`` start loads the ``gaib`` entry points; ``importlib.metadata`` (what pluggy's
``load_setuptools_entrypoints`` uses) costs more to import than finding them: about a quarter of
``import typer``, for its email and zip machinery. :func:`find` reads what ``importlib.metadata``
reads for an entry point, the ``entry_points.txt`` of each ``*.dist-info`` (and ``*.egg-info``)
folder on ``sys.path``, in the PyPA entry points format, in ``sys.path`` order. Where ``sys.path``
holds something it does not read (a zip file, an import hook that lists distributions of its
own), it returns None and the caller uses ``importlib.metadata``. Each entry point's
distribution is opened with ``importlib.metadata`` only when someone asks for it (``gaib
plugins``).
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from dataclasses import dataclass
from typing import Any

# The "object reference" of the entry points specification: module, optional :attr, extras.
_REFERENCE = re.compile(r"^(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?(\[.*\]\s*)?$")
_METADATA_SUFFIXES = (".dist-info", ".egg-info")


class LazyDistribution:
    """The ``importlib.metadata`` distribution in ``path``, opened on first attribute access."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._dist: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._dist is None:
            from importlib.metadata import PathDistribution
            from pathlib import Path

            self._dist = PathDistribution(Path(self.path))
        return getattr(self._dist, name)


@dataclass(frozen=True)
class EntryPoint:
    """``name = value`` in a group of a distribution's ``entry_points.txt``."""

    name: str
    value: str
    dist: LazyDistribution

    def load(self) -> Any:
        """The object ``value`` names (``module`` or ``module:attr.attr``), imported."""
        match = _REFERENCE.match(self.value)
        if match is None:
            raise ValueError(f"entry point {self.name} = {self.value!r} is not module[:attr]")
        found: Any = importlib.import_module(match.group("module"))
        for attr in (match.group("attr") or "").split("."):
            if attr:
                found = getattr(found, attr)
        return found


def find(group: str) -> list[EntryPoint] | None:
    """The entry points of ``group`` in ``sys.path`` order; None if only ``importlib.metadata``
    can tell (see the module docstring)."""
    if not _plain_path_finders():
        return None
    found: list[EntryPoint] = []
    for entry in sys.path:
        folder = entry or "."
        if not os.path.isdir(folder):
            if os.path.exists(folder):
                return None  # a zip file (or another archive) on sys.path
            continue
        try:
            with os.scandir(folder) as listing:
                children = sorted(listing, key=lambda child: child.name)
        except OSError:
            continue
        for child in children:
            if child.name.lower().endswith(_METADATA_SUFFIXES) and child.is_dir():
                found += _read(child.path, group)
    return found


def _plain_path_finders() -> bool:
    """True when the only import finder that lists distributions is the standard path finder."""
    from importlib.machinery import PathFinder

    for finder in sys.meta_path:
        if finder is not PathFinder and hasattr(finder, "find_distributions"):
            return False
    return True


def _read(dist_path: str, group: str) -> list[EntryPoint]:
    try:
        with open(os.path.join(dist_path, "entry_points.txt"), encoding="utf-8") as handle:
            text = handle.read()
    except OSError:
        return []
    if f"[{group}]" not in text:
        return []
    dist = LazyDistribution(dist_path)
    found: list[EntryPoint] = []
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == group and "=" in line:
            name, _, value = line.partition("=")
            found.append(EntryPoint(name.strip(), value.strip(), dist))
    return found
