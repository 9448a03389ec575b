"""Process-wide CLI context: global options, consoles, the plugin facade.

``context.out`` (stdout) and the stderr console are rich consoles made on first use: rich's
console module costs about a third of ``import typer`` and ``gaib --help`` never prints
through it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Coroutine
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from gaib_core.plugins import BUILTIN_PLUGINS, Hooks, build_plugin_manager

if TYPE_CHECKING:
    from rich.console import Console

CLI_PLUGIN = "gaib_cli.plugin"
T = TypeVar("T")

_state: dict[str, Any] = {"debug": False, "no_color": False, "quiet": False}
_consoles: dict[bool, Console] = {}  # stderr? -> console


def _console(stderr: bool) -> Console:
    """The stdout or stderr console (plain after ``--no-color``)."""
    if stderr not in _consoles:
        from rich.console import Console

        # rich's ``no_color`` keeps bold and dim; without a color system it writes no escapes.
        _consoles[stderr] = Console(
            stderr=stderr,
            highlight=False,
            soft_wrap=True,
            emoji=False,
            color_system=None if _state["no_color"] else "auto",
        )
    return _consoles[stderr]


def __getattr__(name: str) -> Console:
    """``context.out``: the stdout console, made on first use."""
    if name == "out":
        return _console(stderr=False)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _print_version(value: bool) -> None:
    if value:
        from gaib_cli.version import version_text

        sys.stdout.write(version_text() + "\n")
        raise typer.Exit()


def global_options(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks and debug logs."),
    no_color: bool = typer.Option(
        False, "--no-color", help="Plain output without colors (also: the NO_COLOR variable)."
    ),
    quiet: bool = typer.Option(
        False,
        "--quiet",
        help="Only what the command is for (plans, listings, ids, JSON), warnings and errors: "
        "no progress display, notes or confirmations.",
    ),
    version: bool = typer.Option(
        False,
        "--version",
        is_eager=True,
        callback=_print_version,
        help="List each installed gaib package with its version, and exit.",
    ),
    chdir: Path | None = typer.Option(
        None,
        "--chdir",
        "-chdir",
        help="Run as if started in DIR (like terraform -chdir and git -C).",
        metavar="DIR",
    ),
) -> None:
    """Terraform for Discord servers."""
    if chdir is not None:
        change_directory(chdir)
    _state["debug"] = debug
    if no_color:
        plain()
    if quiet:
        _state["quiet"] = True


def plain() -> None:
    """``--no-color``: no styling at all (no colors, bold or dim), on stdout and stderr."""
    _state["no_color"] = True
    _consoles.clear()


def change_directory(directory: Path) -> None:
    """``--chdir DIR``: every path and the project search start from ``DIR``."""
    try:
        os.chdir(directory)
    except OSError as exc:
        from gaib_core.errors import GaibError

        reason = "it is not a directory" if directory.exists() else "it does not exist"
        raise GaibError(
            f"--chdir {directory}: cannot change into it ({exc.strerror or reason})",
            hint="give an existing directory, e.g. the one holding your discord-server.yaml",
        ) from None


def silence() -> None:
    """``--quiet``: from now on, ``info`` prints nothing and progress displays are off."""
    _state["quiet"] = True


def quiet() -> bool:
    """True under ``--quiet``."""
    return bool(_state["quiet"])


def info(message: str) -> None:
    """A note, hint or confirmation on stderr (``Wrote FILE``, ``Next: ...``); none under
    ``--quiet``. What the command is for goes to ``out``; warnings and errors to ``err``."""
    if not quiet():
        _console(stderr=True).print(message, markup=False)


def debug() -> bool:
    """True when ``--debug`` was given."""
    return bool(_state["debug"])


def err(message: str) -> None:
    """Print one line to stderr (markup disabled: messages may contain brackets)."""
    _console(stderr=True).print(message, markup=False)


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` (asyncio imported when a command runs, not at startup)."""
    import asyncio

    return asyncio.run(coroutine)


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 object``, ``2 objects``: the number and the noun in agreement."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def print_json(data: Any) -> None:
    """Print ``data`` as JSON on stdout (for ``--json``)."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")


@cache
def hooks() -> Hooks:
    """The process's plugin facade (built on first use, never at import time).

    gaib-cli's own commands are a built-in plugin (``gaib_cli.plugin``) next to gaib-core's.
    """
    return Hooks(build_plugin_manager(builtin_modules=(*BUILTIN_PLUGINS, CLI_PLUGIN)))
