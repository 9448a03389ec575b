"""Write docs/cli.md, the reference of every ``gaib`` command, from the typer app itself.

The app is built the way ``gaib`` builds it, with every installed plugin (``GAIB_DISABLE_PLUGINS``
is ignored here), and its click command tree is walked: each command's help, usage, arguments
and options. tests/test_cli_reference.py fails when docs/cli.md differs from the app.

    make cli-reference          # or: .tools/bin/uv run --no-sync python scripts/gen_cli_reference.py
"""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "cli.md"
REGENERATE = "make cli-reference"

HEADER = f"""\
# gaib command reference

Generated from the `gaib` app with every gaib package installed (gaib-cli, gaib-backup,
gaib-theme-sietch) by `scripts/gen_cli_reference.py`; do not edit by hand, run
`{REGENERATE}`. A test fails when this page and the app differ. Plugins add commands of their
own: `gaib plugins` lists what is loaded, `gaib COMMAND --help` shows the same text as here.

## Exit codes

| code | meaning |
|---|---|
| 0 | success (for `plan --detailed-exitcode`: success and no changes) |
| 1 | an error: one line on stderr (`Error: ...; how to fix it`), no traceback unless `--debug`; under `--json`, the error object on stdout |
| 2 | a usage error (unknown command or option, bad value); for `plan --detailed-exitcode`: success with changes present |
| 130 | interrupted (Ctrl-C); `interrupted` on stderr |

## Global options

`--no-color` (or the `NO_COLOR` environment variable) and `--quiet` are accepted anywhere on
the command line; the other global options go before the command (`gaib --chdir DIR server
plan`). `--quiet` keeps what a command is for (a plan, a listing, ids, JSON), warnings and
errors, and drops progress displays, notes and confirmations (gaib-cli's commands; a plugin's
commands print what their own documentation says). Shell completion:
`gaib --install-completion` installs it for the current shell (bash, zsh, fish, PowerShell),
`gaib --show-completion` prints the script to install by hand.
"""


def build_command() -> Any:
    """The click command behind ``gaib``, every installed plugin loaded."""
    os.environ.pop("GAIB_DISABLE_PLUGINS", None)
    import typer
    from gaib_cli.app import build_app

    return typer.main.get_command(build_app())


def walk(command: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every visible command under ``command`` (itself first), by path, in name order."""
    yield path, command
    for name in sorted(getattr(command, "commands", {}) or {}):
        sub = command.commands[name]
        if not getattr(sub, "hidden", False):
            yield from walk(sub, (*path, name))


def _context(command: Any, path: tuple[str, ...]) -> Any:
    return command.context_class(command, info_name=" ".join(path))


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _params(command: Any, ctx: Any) -> list[str]:
    """One row per argument and option, as ``--help`` shows them (flags, metavar, default)."""
    rows = []
    for param in command.params:
        if getattr(param, "hidden", False):
            continue
        record = param.get_help_record(ctx)
        if record is None:
            continue
        name, text = record
        if param.param_type_name == "argument" and getattr(param, "required", False):
            text = f"{text} (required)".strip() if "required" not in text else text
        rows.append(f"| `{name}` | {_cell(text)} |")
    if not rows:
        return []
    return ["| argument or option | |", "|---|---|", *rows, ""]


def _section(path: tuple[str, ...], command: Any) -> list[str]:
    ctx = _context(command, path)
    title = " ".join(path)
    lines = [f"## {title}", ""]
    help_text = inspect.cleandoc(command.help or "").replace("\b\n", "")
    if help_text:
        lines += [help_text, ""]
    usage = " ".join(command.collect_usage_pieces(ctx))
    lines += ["```", f"{title} {usage}".rstrip(), "```", ""]
    lines += _params(command, ctx)
    subcommands = getattr(command, "commands", None)
    if subcommands:
        lines += ["| command | |", "|---|---|"]
        for name in sorted(subcommands):
            sub = subcommands[name]
            if getattr(sub, "hidden", False):
                continue
            anchor = "-".join((*path, name)).replace(" ", "-")
            short = sub.get_short_help_str(limit=200)
            lines.append(f"| [`{title} {name}`](#{anchor}) | {_cell(short)} |")
        lines.append("")
    return lines


def render() -> str:
    """The whole of docs/cli.md."""
    root = build_command()
    lines = [HEADER]
    for path, command in walk(root, ("gaib",)):
        lines += _section(path, command)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    """Write docs/cli.md; with ``--check``, only say whether it is current (exit 1 if not)."""
    text = render()
    if "--check" in argv:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            sys.stderr.write(f"docs/cli.md is out of date; run `{REGENERATE}`\n")
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote {OUTPUT.relative_to(ROOT)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
