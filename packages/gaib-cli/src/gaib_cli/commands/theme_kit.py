"""``gaib theme``: the theme author's kit (``new``), and ``ls``/``info`` as under ``gaib server theme``.

Using a theme is part of a server's project (``gaib server theme ...``); writing one is not, so
the kit has a top-level group, which also lists and shows themes so authors find them there.
"""

from __future__ import annotations

from pathlib import Path, PurePath

import typer
from gaib_core.commands import CommandTree

from gaib_cli import context
from gaib_cli.commands.theme import info, ls

app = typer.Typer(
    help="Write a theme: scaffold a theme package (new); list (ls) and show (info) themes.",
    no_args_is_help=True,
)
app.command("ls")(ls)
app.command("info")(info)


def register(commands: CommandTree) -> None:
    """Add ``gaib theme``."""
    commands.add_group("theme", app)


@app.command("new")
def new(
    name: str = typer.Argument(
        ..., help="The theme's name: lowercase letters, digits, '.', '_' or '-' (my-community)."
    ),
    directory: Path | None = typer.Option(
        None, "--directory", "-d", help="Where to create the package [default: ./gaib-theme-NAME]."
    ),
    force: bool = typer.Option(
        False,
        "--force",
        help="Write into an existing, non-empty directory: the kit's files are replaced, "
        "other files stay.",
    ),
) -> None:
    """Scaffold an installable theme package: pyproject with the gaib entry point, theme files
    with variables, an example with overrides, README, CHANGELOG and a conformance test."""
    from gaib_core.errors import GaibError
    from gaib_core.themes.discovery import registered_themes

    from gaib_cli.scaffold import FIRST_VERSION, check_name, scaffold

    theme = check_name(name)
    installed = registered_themes(context.hooks())
    if name in installed:
        raise GaibError(
            f"a theme named '{name}' is already installed ({installed[name]})",
            hint="two themes cannot share a name; pick another one",
        )
    target = directory if directory is not None else Path(theme.package)
    written = scaffold(theme, target, force=force)
    # Confirmations and next steps: stderr, and nothing under --quiet (the files are the output).
    listing = "\n".join(f"  {path}" for path in written)
    context.info(
        f"Created {theme.package} (theme {name} {FIRST_VERSION}) in {target}, "
        f"{context.count(len(written), 'file')}:\n{listing}"
    )
    context.info(
        "Next:\n"
        f"  cd {target}\n"
        "  pip install -e '.[test]'    # gaib sees the theme while you edit it\n"
        f"  gaib theme info {name}\n"
        "  pytest                      # gaib's theme conformance kit\n"
        f"Edit the theme in {PurePath(target, 'src', theme.module, 'theme')}; "
        "publishing a new version: README.md."
    )
