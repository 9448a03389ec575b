"""Files a command writes on request (``-o``, ``-out``): never over an existing one without
``--force``, always atomically (a reader never sees half a file)."""

from __future__ import annotations

from pathlib import Path

import typer
from gaib_core.errors import GaibError

FORCE = typer.Option(False, "--force", help="Overwrite the output file if it exists.")


def refuse_existing(path: Path, *, force: bool, option: str = "-o") -> None:
    """``GaibError`` (before anything else happens) when ``path`` exists and not ``force``."""
    if path.is_dir():
        raise GaibError(f"{option} {path} is a directory", hint="give the path of a file")
    if path.exists() and not force:
        raise GaibError(
            f"{option} {path} already exists",
            hint="pass --force to overwrite it, or choose another file",
        )


def write_output(
    path: Path, text: str, *, force: bool, mode: int = 0o644, option: str = "-o"
) -> None:
    """Write ``text`` to ``path`` atomically; refuse an existing file unless ``force``."""
    refuse_existing(path, force=force, option=option)
    try:
        from gaib_core.project import atomic_write_text  # pydantic: only when writing

        atomic_write_text(path, text, mode=mode, overwrite=force)
    except FileExistsError:  # it appeared since the check
        refuse_existing(path, force=False, option=option)
        raise
