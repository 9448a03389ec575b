"""Entry points found without importing importlib.metadata agree with importlib.metadata, load
what they name, and give way to importlib.metadata where sys.path holds an archive."""

from __future__ import annotations

import importlib.metadata
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from gaib_core import entrypoints
from gaib_core.plugins import Hooks, build_plugin_manager

ENTRY_POINTS = """\
[console_scripts]
acme = acme_gaib.cli:main

[gaib]
# the plugin (with an extra, as a package may declare)
acme = acme_gaib.plugin:holder.PLUGIN [fast]
acme-theme=acme_gaib.plugin

[other]
x = y
"""
PLUGIN = '''\
"""A third-party gaib plugin, installed by the test."""

from gaib_core import hookimpl


class Holder:
    class PLUGIN:
        @staticmethod
        @hookimpl
        def gaib_register_themes(register):
            register("acme", __import__("pathlib").Path(__file__).parent)


holder = Holder()
'''


@pytest.fixture
def acme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A site folder with the ``acme-gaib`` distribution, first on sys.path."""
    site = tmp_path / "site"
    (site / "acme_gaib").mkdir(parents=True)
    (site / "acme_gaib" / "__init__.py").write_text("")
    (site / "acme_gaib" / "plugin.py").write_text(PLUGIN)
    info = site / "acme_gaib-1.2.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-gaib\nVersion: 1.2\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    (site / "legacy.egg-info").mkdir()
    (site / "legacy.egg-info" / "PKG-INFO").write_text("Metadata-Version: 1.0\nName: legacy\n")
    (site / "legacy.egg-info" / "entry_points.txt").write_text("[gaib]\nlegacy = json\n")
    monkeypatch.syspath_prepend(str(site))
    yield site
    for name in [m for m in sys.modules if m == "acme_gaib" or m.startswith("acme_gaib.")]:
        del sys.modules[name]


def test_the_same_entry_points_as_importlib_metadata(acme: Path) -> None:
    found = entrypoints.find("gaib")
    assert found is not None
    expected = [
        (ep.name, ep.value, ep.dist.metadata["Name"] if ep.dist else None)
        for dist in importlib.metadata.distributions()
        for ep in dist.entry_points
        if ep.group == "gaib"
    ]
    mine = [(ep.name, ep.value, ep.dist.metadata["Name"]) for ep in found]
    assert sorted(mine) == sorted(expected)
    assert ("acme", "acme_gaib.plugin:holder.PLUGIN [fast]", "acme-gaib") in mine
    assert ("legacy", "json", "legacy") in mine
    assert {"backup", "sietch"} <= {name for name, _, _ in mine}


def test_an_entry_point_loads_what_it_names(acme: Path) -> None:
    found = {ep.name: ep for ep in entrypoints.find("gaib") or []}
    module = found["acme-theme"].load()
    assert module.__name__ == "acme_gaib.plugin"
    assert found["acme"].load() is module.holder.PLUGIN
    assert found["acme"].dist.version == "1.2"


def test_plugins_found_so_are_registered_with_their_distribution(acme: Path) -> None:
    hooks = Hooks(build_plugin_manager())
    assert hooks.themes()["acme"] == acme / "acme_gaib"
    assert ("acme", "acme-gaib 1.2") in hooks.plugin_names()
    assert hooks.plugin_distributions()["acme_gaib"] == "acme-gaib"


def test_an_archive_on_sys_path_leaves_it_to_importlib_metadata(
    acme: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "plugins.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("zipped_gaib.py", "")
    monkeypatch.setattr(sys, "path", [*sys.path, str(archive)])
    assert entrypoints.find("gaib") is None
    # the plugin manager still finds every plugin, through pluggy's importlib.metadata path
    hooks = Hooks(build_plugin_manager())
    assert "acme" in hooks.themes() and ("acme", "acme-gaib 1.2") in hooks.plugin_names()
