"""The typed facade matches the runtime: keyword registrars, every hook through ``pm.hook``
(wrappers and ``add_hookcall_monitoring`` see it), and the documented precedence."""

from __future__ import annotations

import inspect
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
from gaib_core import hookimpl, hookspecs
from gaib_core.commands import CommandTree
from gaib_core.lifecycle import change_event, change_lifecycle
from gaib_core.plugins import Hooks, build_plugin_manager
from gaib_core.state.models import State

SPECS = sorted(
    name
    for name, _ in inspect.getmembers(hookspecs, inspect.isfunction)
    if name.startswith("gaib_")
)
HISTORIC = {"gaib_addhooks"}  # pluggy allows no wrapper on a historic hook


class KeywordPlugin:
    """Calls every registrar with keyword arguments only (the protocols' parameter names)."""

    def __init__(self, theme_dir: Path) -> None:
        self.theme_dir = theme_dir

    @hookimpl
    def gaib_register_themes(self, register: Any) -> None:
        register(name="kw-theme", path=self.theme_dir)

    @hookimpl
    def gaib_register_providers(self, register: Any) -> None:
        register(name="kw-provider", factory=dict)

    @hookimpl
    def gaib_register_state_backends(self, register: Any) -> None:
        register(name="kw-backend", factory=dict)

    @hookimpl
    def gaib_register_storage(self, register: Any) -> None:
        register(scheme="kw", options={"endpoint_url": "http://127.0.0.1:1"})


def _exercise(hooks: Hooks) -> None:
    """Call every facade method that fires a hook."""
    hooks.themes()
    hooks.providers()
    hooks.state_backends()
    hooks.storage_options("s3")
    hooks.register_commands(CommandTree(root=object()))
    state = State()
    event = change_event("apply", workspace="default", guild_id="1", state_before=state)
    with change_lifecycle(hooks, event, state):
        pass


def test_every_registrar_accepts_keyword_calls(tmp_path: Path) -> None:
    hooks = Hooks(build_plugin_manager(load_entry_points=False, extra=[KeywordPlugin(tmp_path)]))
    assert hooks.themes()["kw-theme"] == tmp_path
    assert hooks.providers()["kw-provider"] is dict
    assert hooks.state_backends()["kw-backend"] is dict
    assert hooks.storage_options("kw") == {"endpoint_url": "http://127.0.0.1:1"}


def test_a_wrapper_sees_every_hook() -> None:
    seen: list[str] = []

    def wrapper_for(name: str) -> Any:
        def wrap(**kwargs: Any) -> Generator[None, Any, Any]:
            seen.append(name)
            return (yield)

        wrap.__signature__ = inspect.signature(getattr(hookspecs, name))  # type: ignore[attr-defined]
        return hookimpl(wrapper=True, specname=name)(wrap)

    class Wrapper:
        pass

    wrapper = Wrapper()
    for number, name in enumerate(set(SPECS) - HISTORIC):
        setattr(wrapper, f"wrap_{number}", wrapper_for(name))
    hooks = Hooks(build_plugin_manager(load_entry_points=False, extra=[wrapper]))
    _exercise(hooks)
    assert sorted(set(seen)) == sorted(set(SPECS) - HISTORIC)


def test_monitoring_sees_every_hook_the_facade_calls() -> None:
    pm = build_plugin_manager(load_entry_points=False)
    seen: list[str] = []
    undo = pm.add_hookcall_monitoring(
        lambda name, impls, kwargs: seen.append(name), lambda *a: None
    )
    try:

        class Late:
            @hookimpl
            def gaib_addhooks(self, pluginmanager: Any) -> None:
                pass

        pm.register(Late())  # historic: replayed for a plugin registered later, monitored too
        _exercise(Hooks(pm))
    finally:
        undo()
    assert sorted(set(seen)) == SPECS


def test_the_plugin_registered_later_is_called_first() -> None:
    order: list[str] = []

    def plugin(label: str, **marks: bool) -> object:
        class Plugin:
            @hookimpl(**marks)
            def gaib_before_change(self, event: Any) -> None:
                order.append(label)

        return Plugin()

    pm = build_plugin_manager(
        load_entry_points=False,
        extra=[plugin("first"), plugin("second"), plugin("last-but-trylast", trylast=True)],
    )
    Hooks(pm).before_change(
        change_event("apply", workspace="w", guild_id="1", state_before=State())
    )
    assert order == ["second", "first", "last-but-trylast"]


@pytest.mark.parametrize(("tryfirst", "winner"), [(False, "late"), (True, "early")])
def test_storage_precedence_is_the_documented_one(tryfirst: bool, winner: str) -> None:
    def plugin(label: str, **marks: bool) -> object:
        class Plugin:
            @hookimpl(**marks)
            def gaib_register_storage(self, register: Any) -> None:
                register("s3", {"endpoint_url": label, label: True})

        return Plugin()

    early = plugin("early", tryfirst=tryfirst)
    hooks = Hooks(build_plugin_manager(load_entry_points=False, extra=[early, plugin("late")]))
    options = hooks.storage_options("s3")
    assert options["endpoint_url"] == winner
    assert options["early"] and options["late"]  # options only one plugin sets are all kept


def test_registration_order_is_entry_points_built_ins_extra() -> None:
    class Extra:
        pass

    extra = Extra()
    pm = build_plugin_manager(extra=[extra])
    registered = [name for name, _ in pm.list_name_plugin()]  # in registration order
    assert registered.index("sietch") < registered.index("gaib_core.builtins")
    assert registered[-1] == pm.get_name(extra)
