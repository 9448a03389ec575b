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
    loaded, icon = _icon_beside(loaded, output, force)
    if icon is not None:  # the icon's name changed: write the text again
        text = (
            json.dumps(config_document(loaded), indent=2) + "\n"
            if as_json
            else dump_config(loaded, header=_header(config, loaded, eject))
        )
    atomic_write_text(output, text)
    kept = f" (the previous file is in {backup})" if backup else ""
    copied = f", and the server icon beside it as {icon}" if icon else ""
    context.info(f"Wrote {output}{copied}{kept}")


def _icon_beside(
    loaded: ServerConfig, output: Path, force: bool
) -> tuple[ServerConfig, Path | None]:
    """Copy the server icon beside ``output`` when its path would not find it from there.

    An icon is found beside the file that names it, so a theme's icon (beside the theme's
    files) is copied next to a rendered or ejected file, which then names the copy.
    """
    written = loaded.server.icon
    icon = loaded.server.icon_file
    if not written or icon is None:
        return loaded, None
    if (output.parent / written).resolve() == icon.path:
        return loaded, None
    copy = output.parent / icon.path.name
    content = icon.path.read_bytes()
    output.parent.mkdir(parents=True, exist_ok=True)
    if copy.exists() and copy.read_bytes() != content:
        if not force:
            raise GaibError(
                f"{copy} already exists and is another image than the server icon {icon.path}",
                hint="pass --force to replace it (a backup is kept)",
            )
        keep_backup(copy)
    if not copy.exists() or copy.read_bytes() != content:
        shutil.copy2(icon.path, copy)
    server = loaded.server.model_copy(update={"icon": copy.name})
    server.attach_icon(icon)
    return loaded.model_copy(update={"server": server}), copy


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
