"""``gaib server render``: the configuration plan uses, written out in full.

For a file that references a theme, that is the theme rendered with the file's variables and
its overrides, additions and removals applied. ``--eject`` drops the theme reference: the result
is a standalone file, frozen, that no longer follows the theme (some teams review every line).
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from gaib_core.commands import CommandTree
from gaib_core.errors import GaibError
from gaib_core.layout import CONFIG_FILE

from gaib_cli import context

# Imported where a command runs, not at startup: `gaib --help` must start fast.
if TYPE_CHECKING:
    from gaib_core.config.models import ServerConfig


def register(commands: CommandTree) -> None:
    """Add ``gaib server render``."""
    commands.group("server").command("render")(render)


def render(
    config: Path = typer.Option(
        Path(CONFIG_FILE),
        "--config",
        "-c",
        help="The discord-server.yaml to render.",
        show_default=True,
    ),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="Write to FILE instead of stdout."
    ),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of YAML."),
    eject: bool = typer.Option(
        False, "--eject", help="Leave the theme out: a standalone file that no longer follows it."
    ),
    force: bool = typer.Option(
        False, "--force", help="Overwrite FILE (the old one is kept as FILE.<time>.bak)."
    ),
) -> None:
    """Print the merged configuration that plan uses (theme, variables and your changes).

    `gaib server render --eject -o discord-server.yaml --force` replaces a file that references
    a theme by the full configuration it renders to, keeping a backup of the old file.
    """
    from gaib_core.config.loader import config_document, dump_config, load_config_source
    from gaib_core.project import atomic_write_text

    loaded, _ = load_config_source(config, hooks=context.hooks())
    if eject:
        loaded = loaded.model_copy(update={"theme": None})
    if as_json:
        text = json.dumps(config_document(loaded), indent=2) + "\n"
    else:
        text = dump_config(loaded, header=_header(config, loaded, eject))
    if output is None:
        context.out.file.write(text)
        return
    backup = _backup(output, force)
    atomic_write_text(output, text)
    kept = f" (the previous file is in {backup})" if backup else ""
    context.err(f"Wrote {output}{kept}")


def _header(config: Path, loaded: ServerConfig, eject: bool) -> str:
    theme = loaded.theme
    if eject:
        return (
            f"Written by `gaib server render --eject` from {config}: a standalone config that "
            "no longer follows a theme."
        )
    source = f" (theme {theme.name} {theme.version})" if theme else ""
    return (
        f"Rendered by `gaib server render` from {config}{source}: what `gaib server plan` uses.\n"
        f"Edit {config}, not this file."
    )


def _backup(output: Path, force: bool) -> Path | None:
    """Copy an existing ``output`` aside before it is replaced (refused without ``--force``)."""
    if output.exists() and not force:
        raise GaibError(
            f"{output} already exists", hint="pass --force to replace it (a backup is kept)"
        )
    return keep_backup(output)


def keep_backup(path: Path) -> Path | None:
    """Copy an existing ``path`` to ``<path>.<UTC time>.bak`` before it is replaced."""
    if not path.exists():
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    backup = path.with_name(f"{path.name}.{stamp}.bak")
    shutil.copy2(path, backup)
    return backup
