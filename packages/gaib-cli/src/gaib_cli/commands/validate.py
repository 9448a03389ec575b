"""``gaib server validate`` and ``gaib server schema``: check discord-server.yaml, publish its schema."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from gaib_core.commands import CommandTree
from gaib_core.errors import ConfigError, ConfigErrors, ConfigIssue, GaibError
from gaib_core.layout import CONFIG_FILE

from gaib_cli import context
from gaib_cli.errors import CommandFailed
from gaib_cli.outputs import FORCE, write_output

# Config is imported where a command runs, not here: `gaib --help` must start fast.
if TYPE_CHECKING:
    from gaib_core.config.models import ServerConfig


def register(commands: CommandTree) -> None:
    """Add ``validate`` and ``schema`` to ``gaib server``."""
    server = commands.group("server")
    server.command("validate")(validate)
    server.command("schema")(schema)


def issue_to_json(issue: ConfigIssue) -> dict[str, Any]:
    """One issue as JSON: location parts, field, message, hint and the one-line text."""
    location = issue.location
    return {
        "file": location.file if location else None,
        "line": location.line if location else None,
        "column": location.column if location else None,
        "field": issue.field,
        "message": issue.message,
        "hint": issue.hint,
        "text": str(issue.to_error()),
    }


def _issues_of(exc: ConfigError) -> list[ConfigIssue]:
    if isinstance(exc, ConfigErrors):
        return list(exc.issues)
    # ConfigError's message already starts with "location: field: "; keep the bare text.
    message = exc.message
    if exc.location is not None:
        message = message.removeprefix(f"{exc.location}: ")
    if exc.field:
        message = message.removeprefix(f"{exc.field}: ")
    return [ConfigIssue(message, location=exc.location, field=exc.field, hint=exc.hint)]


def _copy_warnings(path: Path, loaded: ServerConfig) -> list[ConfigIssue]:
    """A full copy of a theme (the format `init` wrote before themes were live) says what it is.

    Its ``theme:`` only records where it came from: editing the variables there changes nothing.
    """
    from gaib_core.config.loader import is_theme_reference, load_yaml

    theme = loaded.theme
    raw = load_yaml(path)
    if theme is None or is_theme_reference(raw.data):
        return []
    return [
        ConfigIssue(
            f"this file is a full copy of theme {theme.name} {theme.version}: `theme:` only "
            "records where it came from, so its variables change nothing",
            location=raw.locate(("theme",), key=True),
            field="theme",
            hint="to follow the theme instead, keep `version`, `theme` (with a version range such "
            "as '~=3.0') and `server`, and move your own changes under `overrides:` by address "
            "(docs/themes.md); `gaib server init --theme NAME --force` writes such a file and "
            "keeps this one as a backup",
        )
    ]


def _project_config() -> Path:
    """The project's config when run inside a project (from any subdirectory), else ./."""
    from gaib_core.project import discover_project

    found = discover_project(Path.cwd())
    if found is None:
        return Path(CONFIG_FILE)
    return Path(os.path.relpath(found.root / CONFIG_FILE))  # messages say discord-server.yaml


def validate(
    config: Path | None = typer.Option(
        None,
        "--config",
        "-c",
        help=f"The config file to check [default: the project's {CONFIG_FILE}, else ./{CONFIG_FILE}].",
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Check discord-server.yaml: YAML, fields, references and Discord's limits.

    Every problem is printed on its own line as file:line:column: field: what is wrong; how to
    fix it. Exit code 0 when valid, 1 otherwise.
    """
    # Imported here, not at the top: `gaib --help` must start fast.
    from gaib_core.config.loader import load_config_source
    from gaib_core.config.validate import config_issues, config_warnings

    errors: list[ConfigIssue] = []
    warnings: list[ConfigIssue] = []
    summary: dict[str, int] = {}
    config = config if config is not None else _project_config()
    try:
        loaded, source = load_config_source(config, check=False, hooks=context.hooks())
    except ConfigError as exc:
        errors = _issues_of(exc)
    else:
        errors = config_issues(loaded, source)
        warnings = config_warnings(loaded, source) + _copy_warnings(config, loaded)
        summary = {
            "roles": len(loaded.roles),
            "categories": len(loaded.categories),
            "channels": len(loaded.all_channels()),
        }
    if as_json:
        report = {
            "file": str(config),
            "valid": not errors,
            "errors": [issue_to_json(issue) for issue in errors],
            "warnings": [issue_to_json(issue) for issue in warnings],
            "summary": summary,
        }
        if errors:  # one JSON document on stdout: the error object, the report as its details
            raise CommandFailed(f"{config} is not valid ({len(errors)} problems)", details=report)
        context.print_json(report)
    else:
        for issue in errors:
            context.err(f"Error: {issue.to_error()}")
        for issue in warnings:
            context.err(f"Warning: {issue.to_error()}")
        if not errors:
            context.out.print(
                f"{config} is valid: {context.count(summary['roles'], 'role')}, "
                f"{context.count(summary['categories'], 'category', 'categories')}, "
                f"{context.count(summary['channels'], 'channel')}.",
                markup=False,
            )
    if len(errors) == 1 and not as_json:
        raise typer.Exit(1)  # the one problem above is the whole message
    if errors:
        # Each problem is printed above; this one line sums them up and sets the exit code (1).
        raise GaibError(f"{config} is not valid ({len(errors)} problems)")


def schema(
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the schema to this file instead of stdout."
    ),
    force: bool = FORCE,
) -> None:
    """Print the JSON Schema of discord-server.yaml (for editors and CI checks).

    Point your editor's YAML language server at it, e.g. a first line
    `# yaml-language-server: $schema=discord-server.schema.json`.
    """
    from gaib_core.config.schema import config_json_schema_text

    text = config_json_schema_text()
    if output is None:
        context.out.file.write(text)
        return
    write_output(output, text, force=force)
    context.info(f"Wrote the JSON Schema to {output}")
