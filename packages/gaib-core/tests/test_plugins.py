"""Plugin manager: specs, blocking, entry points, the typed facade."""

from __future__ import annotations

from pathlib import Path

import pytest
from gaib_core import hookimpl
from gaib_core.plugins import Hooks, build_plugin_manager


def test_entry_points_bring_the_sietch_theme() -> None:
    hooks = Hooks(build_plugin_manager())
    assert "sietch" in hooks.themes()
    names = [name for name, _ in hooks.plugin_names()]
    assert "gaib_core.builtins" in names


def test_disable_env_blocks_a_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAIB_DISABLE_PLUGINS", "sietch")
    hooks = Hooks(build_plugin_manager())
    assert "sietch" not in hooks.themes()


def test_inline_plugin_registers_a_theme(tmp_path: Path) -> None:
    class Plugin:
        @hookimpl
        def gaib_register_themes(self, register):  # type: ignore[no-untyped-def]
            register("mine", tmp_path)

    hooks = Hooks(build_plugin_manager(load_entry_points=False, builtins=False, extra=[Plugin()]))
    assert hooks.themes() == {"mine": tmp_path}


def test_two_plugins_claiming_one_theme_name_is_an_error(tmp_path: Path) -> None:
    class A:
        @hookimpl
        def gaib_register_themes(self, register):  # type: ignore[no-untyped-def]
            register("same", tmp_path)

    class B(A):
        pass

    hooks = Hooks(build_plugin_manager(load_entry_points=False, builtins=False, extra=[A(), B()]))
    with pytest.raises(ValueError, match="registered twice"):
        hooks.themes()


class OwnSpecs:
    """A plugin's own hook specs (what gaib-backup does for its notifiers)."""

    from gaib_core.hookspecs import hookspec

    @hookspec
    def myplugin_notify(self, message: str) -> str:  # type: ignore[empty-body]
        """Send ``message``; return where it went."""


def test_a_plugin_declares_and_calls_its_own_hook() -> None:
    class Declarer:
        @hookimpl
        def gaib_addhooks(self, pluginmanager):  # type: ignore[no-untyped-def]
            pluginmanager.add_hookspecs(OwnSpecs)

        @hookimpl
        def myplugin_notify(self, message: str) -> str:
            return f"slack: {message}"

    hooks = Hooks(build_plugin_manager(load_entry_points=False, extra=[Declarer()]))
    assert hooks.call("myplugin_notify", message="hi") == ["slack: hi"]
    assert hooks.caller("myplugin_notify")(message="yo") == ["slack: yo"]


def test_calling_an_undeclared_hook_names_it() -> None:
    from gaib_core.errors import GaibError

    hooks = Hooks(build_plugin_manager(load_entry_points=False))
    with pytest.raises(GaibError, match="no hook spec 'nobody_declared_this'"):
        hooks.call("nobody_declared_this")


def test_an_implementation_without_spec_is_refused() -> None:
    from pluggy import PluginValidationError

    class Stray:
        @hookimpl
        def myplugin_notify(self, message: str) -> str:
            return message

    with pytest.raises(PluginValidationError, match="unknown hook 'myplugin_notify'"):
        build_plugin_manager(load_entry_points=False, extra=[Stray()])


def test_call_each_isolates_a_failing_implementation_and_stays_monitored() -> None:
    class Specs:
        from gaib_core.hookspecs import hookspec

        @hookspec
        def myplugin_deliver(self, text: str) -> str:  # type: ignore[empty-body]
            """Deliver ``text``."""

    class Declarer:
        @hookimpl
        def gaib_addhooks(self, pluginmanager):  # type: ignore[no-untyped-def]
            pluginmanager.add_hookspecs(Specs)

    class Good:
        @hookimpl
        def myplugin_deliver(self, text: str) -> str:
            return f"sent {text}"

    class Broken:
        @hookimpl
        def myplugin_deliver(self, text: str) -> str:
            raise OSError("webhook down")

    pm = build_plugin_manager(
        load_entry_points=False, builtins=False, extra=[Declarer(), Good(), Broken()]
    )
    seen: list[str] = []
    pm.add_hookcall_monitoring(lambda name, impls, kwargs: seen.append(name), lambda *a: None)
    results = Hooks(pm).call_each("myplugin_deliver", text="hi")
    assert [(r.value, str(r.error) if r.error else None) for r in results] == [
        (None, "webhook down"),  # registered last, called first
        (["sent hi"], None),
    ]
    assert seen == ["myplugin_deliver", "myplugin_deliver"]
