"""The one place where errors become exit codes.

0 = success, 1 = error (one clear line on stderr, no traceback unless ``--debug``),
2 = usage error (typer/click's own), 130 = interrupted (Ctrl-C; ``interrupted`` on stderr), and
for ``plan --detailed-exitcode`` 2 = changes present.

Under ``--json`` stdout carries exactly one JSON document: the command's output when it
succeeds, otherwise the error object ``{"code", "message", "hint"}`` (plus ``details`` when the
command has a machine-readable report of the failure), with the same exit code. ``code`` is the
error's class in snake case (``plan_error``, ``lock_error``, ``usage_error``...); docs/json.md
lists them.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from typing import Any

import typer
from gaib_core.errors import GaibError
from typer._click.exceptions import ClickException  # typer >= 0.29 bundles its own click

from gaib_cli import context
from gaib_cli.lazy import click_command
from gaib_cli.oserrors import describe_os_error

INTERRUPTED = 130  # 128 + SIGINT, the shell's convention


class CommandFailed(GaibError):
    """A failure with a machine-readable report, given as ``details`` in the ``--json`` error."""

    def __init__(self, message: str, *, hint: str | None = None, details: Any = None) -> None:
        super().__init__(message, hint=hint)
        self.details = details


def error_code(exc: BaseException) -> str:
    """``PlanError`` -> ``plan_error`` (the stable ``code`` of the ``--json`` error object)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower()


def error_json(code: str, message: str, hint: str | None, details: Any = None) -> dict[str, Any]:
    """The ``--json`` error object."""
    data: dict[str, Any] = {"code": code, "message": message, "hint": hint}
    if details is not None:
        data["details"] = details
    return data


def _report(as_json: bool, code: str, message: str, hint: str | None, details: Any = None) -> None:
    if as_json:
        sys.stdout.write(json.dumps(error_json(code, message, hint, details), indent=2) + "\n")
    else:
        context.err(f"Error: {message}; {hint}" if hint else f"Error: {message}")


def run(build: Callable[[], typer.Typer]) -> None:
    """Build the app and run it, turning ``GaibError`` and interrupts into exit codes."""
    debug = "--debug" in sys.argv
    as_json = "--json" in sys.argv
    args = sys.argv[1:]
    if "--no-color" in args or os.environ.get("NO_COLOR"):
        # Accepted anywhere on the line, not only before the command (it is global).
        context.plain()
        args = [arg for arg in args if arg != "--no-color"]
    if "--quiet" in args:
        # Global too, and accepted anywhere on the line.
        context.silence()
        args = [arg for arg in args if arg != "--quiet"]
    try:
        app = build()
        command = click_command(app)
        rc = command.main(args=args, standalone_mode=False, prog_name="gaib")
        if rc == INTERRUPTED:
            # typer turns Ctrl-C into a silent exit code 130; say why the command stopped.
            _interrupted(as_json)
        sys.exit(rc if isinstance(rc, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        _report(as_json, "aborted", "aborted", None)
        sys.exit(1)
    except ClickException as exc:
        if as_json:
            hint = "run the command with --help to see its arguments and options"
            _report(True, "usage_error", exc.format_message(), hint)
        else:
            exc.show()
        sys.exit(exc.exit_code)
    except GaibError as exc:
        if debug:
            raise
        _report(as_json, error_code(exc), exc.message, exc.hint, getattr(exc, "details", None))
        sys.exit(exc.exit_code)
    except OSError as exc:
        if debug:
            raise
        context.err(f"Error: {describe_os_error(exc)}")
        sys.exit(1)
    except KeyboardInterrupt:  # while the app is built, before typer takes over
        _interrupted(as_json)
        sys.exit(INTERRUPTED)
    except Exception as exc:
        if debug:
            raise
        message = f"unexpected {type(exc).__name__}: {exc}"
        _report(as_json, "unexpected_error", message, "run with --debug for details")
        sys.exit(1)


def _interrupted(as_json: bool) -> None:
    if as_json:
        _report(True, "interrupted", "interrupted", None)
    else:
        context.err("interrupted")


def fail(message: str, **_: Any) -> None:
    """Raise a ``GaibError`` from command code (keeps exit-code logic here)."""
    raise GaibError(message)
