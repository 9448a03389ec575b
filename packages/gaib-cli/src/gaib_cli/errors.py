"""The one place where errors become exit codes.

0 = success, 1 = error (one clear line on stderr, no traceback unless ``--debug``),
2 = usage error (typer/click's own), 130 = interrupted (Ctrl-C; ``interrupted`` on stderr), and
for ``plan --detailed-exitcode`` 2 = changes present.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import typer
from gaib_core.errors import GaibError
from typer._click.exceptions import ClickException  # typer >= 0.29 bundles its own click

from gaib_cli import context

INTERRUPTED = 130  # 128 + SIGINT, the shell's convention


def run(build: Callable[[], typer.Typer]) -> None:
    """Build the app and run it, turning ``GaibError`` and interrupts into exit codes."""
    debug = "--debug" in sys.argv
    try:
        app = build()
        command = typer.main.get_command(app)
        rc = command.main(standalone_mode=False, prog_name="gaib")
        if rc == INTERRUPTED:
            # typer turns Ctrl-C into a silent exit code 130; say why the command stopped.
            context.err("interrupted")
        sys.exit(rc if isinstance(rc, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        context.err("aborted")
        sys.exit(1)
    except ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except GaibError as exc:
        if debug:
            raise
        context.err(f"Error: {exc}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:  # while the app is built, before typer takes over
        context.err("interrupted")
        sys.exit(INTERRUPTED)
    except Exception as exc:
        if debug:
            raise
        context.err(f"Error: unexpected {type(exc).__name__}: {exc} (run with --debug for details)")
        sys.exit(1)


def fail(message: str, **_: Any) -> None:
    """Raise a ``GaibError`` from command code (keeps exit-code logic here)."""
    raise GaibError(message)
