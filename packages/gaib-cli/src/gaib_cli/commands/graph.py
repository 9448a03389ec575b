"""``gaib server graph``: the role hierarchy and the channel tree as Mermaid or Graphviz DOT."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from gaib_core.commands import CommandTree

from gaib_cli import context
from gaib_cli.commands.permissions import LIVE, load_access
from gaib_cli.commands.plan import CONFIG, GUILD
from gaib_cli.outputs import FORCE, refuse_existing, write_output


class GraphFormat(StrEnum):
    """The output formats."""

    MERMAID = "mermaid"
    DOT = "dot"


def register(commands: CommandTree) -> None:
    """Add ``gaib server graph``."""
    commands.group("server").command("graph")(graph)


def graph(
    fmt: GraphFormat = typer.Option(
        GraphFormat.MERMAID, "--format", "-f", help="mermaid (Markdown, GitHub) or dot (Graphviz)."
    ),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="Write to FILE instead of stdout."
    ),
    force: bool = FORCE,
    live: bool = LIVE,
    config: Path | None = CONFIG,
    guild: str | None = GUILD,
) -> None:
    """Draw the role hierarchy (highest first) and the channel tree (categories -> channels).

    Channels @everyone cannot see are marked (private). `gaib server graph --format dot |
    dot -Tsvg > server.svg` makes a picture; Mermaid renders in GitHub Markdown.
    """
    from gaib_core.engine.graph import render

    if output is not None:
        refuse_existing(output, force=force)
    access, _ = load_access(config, guild, live)
    text = render(access, fmt.value)
    if output is None:
        context.out.file.write(text)
        return
    write_output(output, text, force=force)
    context.err(f"Wrote the {fmt.value} graph to {output}")
