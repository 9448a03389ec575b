"""A third-party plugin for the contract tests, installed through its ``gaib`` entry point.

The test writes a ``gaib_recorder-0.1.dist-info`` (METADATA + entry_points.txt) next to a copy
of this module on a directory it puts on ``PYTHONPATH``, so gaib finds it exactly as it finds an
installed plugin. Every hook call is appended as one JSON line to ``$GAIB_RECORDER_LOG``;
``GAIB_RECORDER_REFUSE=1`` makes the before-hook refuse the change.

It also declares a hook of its own (``recorder_echo``), adds a top-level group
(``gaib recorder echo TEXT``, which calls that hook through gaib's facade) and extends an
existing group (``gaib server state recorded``).
"""

from __future__ import annotations

import json
import os
from typing import Any

import pluggy
import typer
from gaib_core import hookimpl
from gaib_core.commands import CommandTree
from gaib_core.errors import GaibError
from gaib_core.hookspecs import hookspec
from gaib_core.lifecycle import ChangeEvent, ChangeOutcome
from gaib_core.plugins import Hooks

_manager: list[pluggy.PluginManager] = []


def _log(hook: str, **fields: Any) -> None:
    path = os.environ.get("GAIB_RECORDER_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"hook": hook, "pid": os.getpid(), **fields}) + "\n")


class RecorderSpecs:
    """The recorder's own hook."""

    @hookspec(firstresult=True)
    def recorder_echo(self, text: str) -> str:  # type: ignore[empty-body]
        """Answer ``text``."""


@hookimpl
def gaib_addhooks(pluginmanager: pluggy.PluginManager) -> None:
    _manager.append(pluginmanager)
    pluginmanager.add_hookspecs(RecorderSpecs)
    _log("gaib_addhooks")


@hookimpl
def recorder_echo(text: str) -> str:
    return f"echo: {text}"


@hookimpl
def gaib_register_commands(commands: CommandTree) -> None:
    group = typer.Typer(help="The recorder test plugin.", no_args_is_help=True)

    @group.command("echo")
    def echo(text: str) -> None:
        """Call the recorder's own hook through gaib's facade."""
        print(Hooks(_manager[0]).call("recorder_echo", text=text))

    @group.command("noop")
    def noop() -> None:
        """Nothing (typer needs two commands to keep a group a group)."""

    commands.add_group("recorder", group)

    @commands.group("server state").command("recorded")
    def recorded() -> None:
        """Added by the recorder to an existing group."""
        print("recorded: extended server state")

    _log("gaib_register_commands", groups=commands.paths())


@hookimpl
def gaib_register_themes(register: Any) -> None:
    _log("gaib_register_themes")


@hookimpl
def gaib_register_providers(register: Any) -> None:
    _log("gaib_register_providers")


@hookimpl
def gaib_register_state_backends(register: Any) -> None:
    _log("gaib_register_state_backends")


@hookimpl
def gaib_register_storage(register: Any) -> None:
    _log("gaib_register_storage")


@hookimpl
def gaib_before_change(event: ChangeEvent) -> None:
    _log(
        "gaib_before_change",
        operation=event.operation,
        workspace=event.workspace,
        guild_id=event.guild_id,
        serial_before=event.state_before.serial,
        resources_before=sorted(event.state_before.resources),
        has_plan=event.plan is not None,
        theme=[event.theme_name, event.theme_version],
    )
    if os.environ.get("GAIB_RECORDER_REFUSE"):
        raise GaibError("the recorder refuses this change", hint="unset GAIB_RECORDER_REFUSE")


@hookimpl
def gaib_after_change(event: ChangeEvent, outcome: ChangeOutcome) -> None:
    _log(
        "gaib_after_change",
        operation=event.operation,
        status=outcome.status,
        error=outcome.error,
        changed=outcome.changed,
        serial_after=outcome.serial_after,
        resources_after=sorted(outcome.state.resources),
    )
