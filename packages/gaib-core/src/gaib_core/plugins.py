"""The plugin manager and ``Hooks``, the typed facade that is the only caller of ``pm.hook``.

``build_plugin_manager()`` has no import-time side effects: it adds the specs, blocks what
``GAIB_DISABLE_PLUGINS`` names (comma-separated), loads the ``gaib`` entry points, registers the
built-ins (which are plugins like any other) and checks that every implementation matches a spec.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

from gaib_core import hookspecs
from gaib_core.registry import ProviderFactory, Registry, StateBackendFactory

if TYPE_CHECKING:
    from gaib_core.lifecycle import ApplyEvent, ApplyOutcome

ENTRY_POINT_GROUP = "gaib"
DISABLE_ENV = "GAIB_DISABLE_PLUGINS"

# Built-in plugins, registered through the same hooks a third party uses.
BUILTIN_PLUGINS: tuple[str, ...] = ("gaib_core.builtins",)


def build_plugin_manager(
    *, load_entry_points: bool = True, extra: Iterable[object] = (), builtins: bool = True
) -> pluggy.PluginManager:
    """A ready plugin manager: specs, blocked names, entry points, built-ins, then ``extra``."""
    import importlib

    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in _disabled():
        pm.set_blocked(name)
    if load_entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    if builtins:
        for module_name in BUILTIN_PLUGINS:
            if pm.is_blocked(module_name):
                continue
            pm.register(importlib.import_module(module_name), name=module_name)
    for plugin in extra:
        pm.register(plugin)
    pm.check_pending()
    return pm


def _disabled() -> list[str]:
    raw = os.environ.get(DISABLE_ENV, "")
    return [name.strip() for name in raw.split(",") if name.strip()]


class Hooks:
    """Typed access to the hooks. Build one per process (or per test) and pass it around."""

    def __init__(self, pm: pluggy.PluginManager | None = None) -> None:
        self.pm = pm if pm is not None else build_plugin_manager()
        self._themes: Registry[Path] | None = None
        self._providers: Registry[ProviderFactory] | None = None
        self._backends: Registry[StateBackendFactory] | None = None
        self._storage: dict[str, dict[str, Any]] | None = None

    def plugin_names(self) -> list[tuple[str, str]]:
        """(name, distribution or module) for every registered plugin."""
        out = []
        dists = {id(plugin): dist for plugin, dist in self.pm.list_plugin_distinfo()}
        for name, plugin in self.pm.list_name_plugin():
            if plugin is None:
                continue
            dist = dists.get(id(plugin))
            origin = f"{dist.project_name} {dist.version}" if dist else "built-in"
            out.append((name, origin))
        return out

    def _collect(self, kind: str, hook: Any) -> Registry[Any]:
        registry: Registry[Any] = Registry(kind)
        for impl in hook.get_hookimpls():
            owner = impl.plugin_name

            def register(name: str, item: Any, _owner: str = owner) -> None:
                registry.add(name, item, _owner)

            impl.function(register=register)
        return registry

    def themes(self) -> dict[str, Path]:
        """Theme name -> theme directory, from every plugin."""
        if self._themes is None:
            self._themes = self._collect("theme", self.pm.hook.gaib_register_themes)
        return dict(self._themes.items)

    def providers(self) -> dict[str, ProviderFactory]:
        """Provider name -> factory, from every plugin."""
        if self._providers is None:
            self._providers = self._collect("provider", self.pm.hook.gaib_register_providers)
        return dict(self._providers.items)

    def state_backends(self) -> dict[str, StateBackendFactory]:
        """State backend name -> factory, from every plugin."""
        if self._backends is None:
            self._backends = self._collect(
                "state backend", self.pm.hook.gaib_register_state_backends
            )
        return dict(self._backends.items)

    def storage_options(self, scheme: str) -> dict[str, Any]:
        """Default fsspec ``storage_options`` plugins registered for ``scheme``."""
        if self._storage is None:
            collected: dict[str, dict[str, Any]] = {}

            def register(name: str, options: Mapping[str, Any]) -> None:
                collected.setdefault(name, {}).update(options)

            self.pm.hook.gaib_register_storage(register=register)
            self._storage = collected
        return dict(self._storage.get(scheme, {}))

    def register_commands(self, app: Any) -> None:
        """Let plugins add command groups to ``app``."""
        self.pm.hook.gaib_register_commands(app=app)

    def before_apply(self, event: ApplyEvent) -> None:
        """Fire ``gaib_before_apply``."""
        self.pm.hook.gaib_before_apply(event=event)

    def after_apply(self, event: ApplyEvent, outcome: ApplyOutcome) -> None:
        """Fire ``gaib_after_apply``."""
        self.pm.hook.gaib_after_apply(event=event, outcome=outcome)
