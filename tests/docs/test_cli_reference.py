"""docs/cli.md is the reference of the app as built (scripts/gen_cli_reference.py), and every
``gaib ...`` command a page of the docs names exists, with the options it is given."""

from __future__ import annotations

import importlib.util
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([*ROOT.glob("docs/*.md"), ROOT / "README.md", *ROOT.glob("packages/*/README.md")])
# Global options click accepts before the command; --no-color and --quiet anywhere.
ANYWHERE = {"--no-color", "--quiet"}


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_cli_reference", ROOT / "scripts" / "gen_cli_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = generator()


def test_docs_cli_md_is_generated_from_the_app() -> None:
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == GEN.render(), (
        f"docs/cli.md differs from the gaib app; regenerate it with `{GEN.REGENERATE}` "
        "(scripts/gen_cli_reference.py) and commit it"
    )


def commands_named(text: str) -> Iterator[tuple[int, str]]:
    """(line, command) for each ``gaib ...`` in a code block line or an inline code span."""
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            for part in re.split(r"&&|\|\||;|\||\$\(", line):
                part = part.strip().removeprefix("$ ").strip()
                if part.startswith("gaib "):
                    yield number, part
        else:
            for span in re.findall(r"`([^`]+)`", line):
                if span.startswith("gaib "):
                    yield number, span


def problem(root: Any, command: str) -> str | None:
    """What is wrong with ``command`` (None when every word and option exists)."""
    try:
        words = shlex.split(command, comments=True)[1:]
    except ValueError:
        return None  # not a shell line (prose with an apostrophe)
    current, path = root, ["gaib"]
    options = {opt for p in root.params for opt in (*p.opts, *p.secondary_opts)}
    for word in words:
        if word in (">", ">>", "<", "2>") or word.startswith(("<", "[", "{", "...")):
            break  # a redirection or a placeholder: the rest is not gaib's
        if word.isupper() and getattr(current, "commands", None):
            break  # a placeholder for a command (`gaib COMMAND --help`)
        if word.startswith("-") and word != "-":
            flag = word.split("=", 1)[0]
            if flag in ("-h", "--help") or flag in ANYWHERE:
                continue
            if flag not in options:
                return f"`{' '.join(path)}` has no option {flag}"
            continue
        subcommands = getattr(current, "commands", None)
        if subcommands is None:
            continue  # an argument or an option's value
        if "|" in word:  # alternatives, as in `gaib server state rm|mv`
            missing = [w for w in word.split("|") if w not in subcommands]
            if missing:
                return f"`{' '.join(path)}` has no command '{missing[0]}'"
            break
        if word not in subcommands:
            # A group takes a subcommand, or an option's value (as in --guild ID).
            if not _takes_value(current, words, word):
                return f"`{' '.join(path)}` has no command '{word}'"
            continue
        current = subcommands[word]
        path.append(word)
        options = {opt for p in current.params for opt in (*p.opts, *p.secondary_opts)}
    return None


def _takes_value(command: Any, words: list[str], word: str) -> bool:
    index = words.index(word)
    if index == 0:
        return False
    before = words[index - 1].split("=", 1)[0]
    for param in command.params:
        if before in (*param.opts, *param.secondary_opts):
            return not getattr(param, "is_flag", False)
    return False


def test_every_command_the_docs_name_exists() -> None:
    root = GEN.build_command()
    problems = []
    for page in PAGES:
        for line, command in commands_named(page.read_text(encoding="utf-8")):
            found = problem(root, command)
            if found:
                problems.append(f"{page.relative_to(ROOT)}:{line}: {command!r}: {found}")
    # Docs are true: fix the page (or the command), so that what it tells a user to run runs.
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("gaib server plan --detailed-exitcode", None),
        ("gaib server plan --detailed", "`gaib server plan` has no option --detailed"),
        ("gaib server planx", "`gaib server` has no command 'planx'"),
        ("gaib --chdir demo server state ls", None),
        ("gaib server convert backup.json -o out.yaml --force", None),
    ],
)
def test_the_docs_check_catches_what_does_not_exist(command: str, expected: str | None) -> None:
    assert problem(GEN.build_command(), command) == expected
