"""The plugin manager and ``Hooks``, the typed facade that is the only caller of ``pm.hook``.

``build_plugin_manager()`` has no import-time side effects: it adds the specs, lets every plugin
add its own (``gaib_addhooks``, historic), blocks what ``GAIB_DISABLE_PLUGINS`` names
(comma-separated), loads the ``gaib`` entry points (as pluggy's ``load_setuptools_entrypoints``
does, found by :mod:`gaib_core.entrypoints`), registers the built-ins (which are plugins like any
other) and checks that every implementation matches a spec.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

from gaib_core import hookspecs
from gaib_core.errors import GaibError
from gaib_core.registry import (
    ProviderFactory,
    ProviderRegistrar,
    Registry,
    StateBackendFactory,
    StateBackendRegistrar,
    StorageRegistrar,
    ThemeRegistrar,
)

if TYPE_CHECKING:
    from gaib_core.commands import CommandTree
    from gaib_core.lifecycle import ChangeEvent, ChangeOutcome

ENTRY_POINT_GROUP = "gaib"
Adder = Callable[[str, Any], None]
DISABLE_ENV = "GAIB_DISABLE_PLUGINS"

# Built-in plugins, registered through the same hooks a third party uses.
BUILTIN_PLUGINS: tuple[str, ...] = ("gaib_core.builtins",)


def build_plugin_manager(
    *,
    load_entry_points: bool = True,
    extra: Iterable[object] = (),
    builtins: bool = True,
    builtin_modules: Sequence[str] = BUILTIN_PLUGINS,
) -> pluggy.PluginManager:
    """A ready plugin manager: specs, blocked names, entry points, built-ins, then ``extra``.

    ``builtin_modules`` names the built-in plugin modules (a program such as gaib-cli adds its
    own, e.g. ``gaib_cli.plugin``); each is registered under its module name, so
    ``GAIB_DISABLE_PLUGINS`` can block it like any other.
    """
    import importlib

    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    # Historic: every plugin registered from here on gets the call as it is registered.
    pm.hook.gaib_addhooks.call_historic(kwargs={"pluginmanager": pm})
    for name in _disabled():
        pm.set_blocked(name)
    if load_entry_points:
        _load_entry_points(pm, ENTRY_POINT_GROUP)
    if builtins:
        for module_name in builtin_modules:
            if pm.is_blocked(module_name):
                continue
            pm.register(importlib.import_module(module_name), name=module_name)
    for plugin in extra:
        pm.register(plugin)
    pm.check_pending()
    return pm


def _load_entry_points(pm: pluggy.PluginManager, group: str) -> None:
    """``pm.load_setuptools_entrypoints(group)``, found without importing importlib.metadata
    where :mod:`gaib_core.entrypoints` can (every ``gaib`` start does this)."""
    from gaib_core import entrypoints

    found = entrypoints.find(group)
    if found is None:
        pm.load_setuptools_entrypoints(group)
        return
    for ep in found:
        if pm.has_plugin(ep.name) or pm.is_blocked(ep.name):
            continue
        plugin = ep.load()
        pm.register(plugin, name=ep.name)
        # pluggy's own record of where each plugin came from, as load_setuptools_entrypoints
        # keeps it: list_plugin_distinfo() reads it (the distribution opens on first use).
        pm._plugin_distinfo.append((plugin, ep.dist))  # type: ignore[arg-type]


def missing_plugin_hint(kind: str, name: str, known: Iterable[str]) -> str:
    """How to get a ``kind`` called ``name`` that no plugin registered (for error hints)."""
    names = sorted(known)
    blocked = os.environ.get(DISABLE_ENV, "").strip()
    if blocked:
        return (
            f"{DISABLE_ENV}={blocked} blocks plugins that may provide it: unset {DISABLE_ENV}, "
            f"or use one of: {', '.join(names) or 'none'}"
        )
    return f"install the plugin that provides {kind} '{name}', or use one of: " + (
        ", ".join(names) or "none"
    )


def _disabled() -> list[str]:
    raw = os.environ.get(DISABLE_ENV, "")
    return [name.strip() for name in raw.split(",") if name.strip()]


@dataclass(frozen=True)
class HookResult:
    """What one plugin's implementation returned (``value``) or raised (``error``)."""

    plugin: str
    value: Any
    error: Exception | None


class Hooks:
    """Typed access to the hooks: the only code that calls ``pm.hook``.

    Build one per process (or per test) and pass it to the engine. ``Hooks()`` builds the
    default plugin manager (entry points and built-ins) the first time it is needed.
    """

    def __init__(self, pm: pluggy.PluginManager | None = None) -> None:
        self._pm = pm
        self._themes: Registry[Path] | None = None
        self._providers: Registry[ProviderFactory] | None = None
        self._backends: Registry[StateBackendFactory] | None = None
        self._storage: dict[str, dict[str, Any]] | None = None

    @property
    def pm(self) -> pluggy.PluginManager:
        """The plugin manager (built on first use when none was given)."""
        if self._pm is None:
            self._pm = build_plugin_manager()
        return self._pm

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

    # --- plugins' own hooks ------------------------------------------------------------------

    def caller(self, name: str) -> pluggy.HookCaller:
        """The hook caller of a hook a plugin declared through ``gaib_addhooks``.

        ``GaibError`` when no plugin declared ``name``. Call it with keyword arguments only.
        """
        hook = getattr(self.pm.hook, name, None)
        if hook is None or not hook.has_spec():
            raise GaibError(
                f"no hook spec '{name}' is registered",
                hint="declare it in gaib_addhooks(pluginmanager) with add_hookspecs",
            )
        return hook

    def call(self, name: str, **kwargs: Any) -> Any:
        """Call a plugin-declared hook by name through ``pm.hook`` (wrappers and tracing see it).

        Returns what pluggy returns: the list of results, or one result for ``firstresult``.
        """
        return self.caller(name)(**kwargs)

    def plugin_distributions(self) -> dict[str, str]:
        """Top-level module of each plugin loaded from a distribution -> its project name."""
        return {
            getattr(plugin, "__name__", "").split(".")[0]: dist.project_name
            for plugin, dist in self.pm.list_plugin_distinfo()
        }

    def call_each(self, name: str, **kwargs: Any) -> list[HookResult]:
        """Call every implementation of hook ``name`` on its own, isolating failures.

        One ``pm.hook`` call stops at the first exception; for hooks where one plugin's failure
        must not silence the others (notifiers), each implementation is called through its own
        ``pm.subset_hook_caller`` so wrappers and ``add_hookcall_monitoring`` still see every
        call. Returns one :class:`HookResult` per implementation, in pluggy's call order.
        """
        caller = self.caller(name)
        impls = caller.get_hookimpls()
        plain = [impl for impl in impls if not (impl.wrapper or impl.hookwrapper)]
        results = []
        for impl in reversed(plain):  # get_hookimpls lists in reverse call order
            others = {other.plugin for other in plain if other.plugin is not impl.plugin}
            subset = self.pm.subset_hook_caller(name, remove_plugins=others)
            try:
                value = subset(**kwargs)
            except Exception as exc:  # isolated on purpose: reported to the caller
                results.append(HookResult(impl.plugin_name, None, exc))
                continue
            results.append(HookResult(impl.plugin_name, value, None))
        return results

    # --- collections -------------------------------------------------------------------------

    def _collect(
        self, kind: str, hook: pluggy.HookCaller, registrar: Callable[[Adder], Any]
    ) -> Registry[Any]:
        """Call ``hook`` with ``registrar(add)`` and gather what plugins register, by owner."""
        registry: Registry[Any] = Registry(kind)
        owners: dict[Any, list[tuple[object, str]]] = {}
        for impl in hook.get_hookimpls():
            owners.setdefault(_code(impl.function), []).append((impl.plugin, impl.plugin_name))

        def add(name: str, item: Any) -> None:
            registry.add(name, item, _caller_owner(owners))

        hook(register=registrar(add))
        return registry

    def themes(self) -> dict[str, Path]:
        """Theme name -> theme directory, from every plugin."""
        if self._themes is None:

            def registrar(add: Adder) -> ThemeRegistrar:
                def register(name: str, path: Path) -> None:
                    add(name, Path(path))

                return register

            self._themes = self._collect("theme", self.pm.hook.gaib_register_themes, registrar)
        return dict(self._themes.items)

    def providers(self) -> dict[str, ProviderFactory]:
        """Provider name -> factory, from every plugin."""
        if self._providers is None:

            def registrar(add: Adder) -> ProviderRegistrar:
                def register(name: str, factory: ProviderFactory) -> None:
                    add(name, factory)

                return register

            self._providers = self._collect(
                "provider", self.pm.hook.gaib_register_providers, registrar
            )
        return dict(self._providers.items)

    def state_backends(self) -> dict[str, StateBackendFactory]:
        """State backend name -> factory, from every plugin."""
        if self._backends is None:

            def registrar(add: Adder) -> StateBackendRegistrar:
                def register(name: str, factory: StateBackendFactory) -> None:
                    add(name, factory)

                return register

            self._backends = self._collect(
                "state backend", self.pm.hook.gaib_register_state_backends, registrar
            )
        return dict(self._backends.items)

    def storage_options(self, scheme: str) -> dict[str, Any]:
        """Default fsspec ``storage_options`` plugins registered for ``scheme``.

        Where two plugins set one option, the one pluggy calls first wins: the plugin registered
        later (or marked ``tryfirst``); see "Precedence" in docs/hooks.md.
        """
        if self._storage is None:
            collected: dict[str, dict[str, Any]] = {}

            def register(scheme: str, options: Mapping[str, Any]) -> None:
                # pluggy calls the plugin registered last first: the first value set wins.
                merged = collected.setdefault(scheme, {})
                for key, value in options.items():
                    merged.setdefault(key, value)

            registrar: StorageRegistrar = register
            self.pm.hook.gaib_register_storage(register=registrar)
            self._storage = collected
        return dict(self._storage.get(scheme, {}))

    # --- the CLI -----------------------------------------------------------------------------

    def register_commands(self, commands: CommandTree) -> None:
        """Let plugins (gaib-cli's own command modules first) add to the command tree."""
        self.pm.hook.gaib_register_commands(commands=commands)

    # --- the lifecycle of a change -------------------------------------------------------------

    def before_change(self, event: ChangeEvent) -> None:
        """Fire ``gaib_before_change`` (use ``gaib_core.lifecycle.change_lifecycle``)."""
        self.pm.hook.gaib_before_change(event=event)

    def after_change(self, event: ChangeEvent, outcome: ChangeOutcome) -> None:
        """Fire ``gaib_after_change`` (use ``gaib_core.lifecycle.change_lifecycle``)."""
        self.pm.hook.gaib_after_change(event=event, outcome=outcome)


def _code(function: Any) -> Any:
    return getattr(function, "__code__", None)


def _caller_owner(owners: Mapping[Any, list[tuple[object, str]]]) -> str:
    """The plugin whose hook implementation is on the stack calling a registrar.

    Found by the implementation's code object; two plugins sharing one function (instances of
    one class) are told apart by the ``self`` of the frame.
    """
    frame = sys._getframe(2)
    while frame is not None:
        candidates = owners.get(frame.f_code)
        if candidates:
            if len(candidates) == 1:
                return candidates[0][1]
            this = frame.f_locals.get("self")
            for plugin, name in candidates:
                if plugin is this:
                    return name
        frame = frame.f_back  # type: ignore[assignment]
    return ""


DEFAULT_HOOKS = Hooks()
"""The process's default facade, for engine calls not given one: it builds the plugin manager
(entry points and built-ins) on first use, so an embedding program that passes no ``Hooks``
still runs every installed plugin's hooks (backups included)."""
