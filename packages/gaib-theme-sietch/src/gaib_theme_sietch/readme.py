"""Regenerate the generated sections of the Sietch READMEs from the theme's own files.

Usage::

    python -m gaib_theme_sietch.readme          # rewrite the marked sections in place
    python -m gaib_theme_sietch.readme --check  # exit 1 if a README is stale

A generated section sits between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` in the theme's
README.md (sections: variables, roles, channels, matrix, bot-permissions). The package README
embeds the whole theme README between ``<!-- theme-readme:start/end -->`` with its headings one
level deeper, so the prose is written once.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from gaib_core import permissions as perms
from gaib_core.config.models import ServerConfig
from gaib_core.errors import ThemeError
from gaib_core.themes.matrix import permission_matrix, render_markdown

from gaib_theme_sietch import rendering
from gaib_theme_sietch.plugin import THEME_DIR

THEME_README = THEME_DIR / "README.md"
#: The package README (only present in a source checkout, not in an installed wheel).
PACKAGE_README = Path(__file__).resolve().parents[2] / "README.md"
INCLUDE = "theme-readme"


def marker(name: str, end: bool = False) -> str:
    """The HTML comment that starts (or ends) generated section ``name``."""
    return f"<!-- {name}:{'end' if end else 'start'} -->"


def manifest(theme_dir: Path = THEME_DIR) -> dict[str, Any]:
    """The theme's ``theme.yaml`` as plain data."""
    data: dict[str, Any] = yaml.safe_load((theme_dir / "theme.yaml").read_text(encoding="utf-8"))
    return data


def variables_section(theme_dir: Path = THEME_DIR) -> str:
    """The variable reference table, from theme.yaml."""
    lines = ["| Variable | Type | Default | Description |", "|---|---|---|---|"]
    for name, spec in manifest(theme_dir)["variables"].items():
        default = spec.get("default")
        shown = "(required)" if default is None else f"`{_yaml_scalar(default)}`"
        description = str(spec.get("description", "")).replace("|", "\\|")
        lines.append(f"| `{name}` | {spec['type']} | {shown} | {description} |")
    return "\n".join(lines)


def roles_section(config: ServerConfig) -> str:
    """The role hierarchy, top to bottom: the bot's role, the theme's roles, @everyone."""
    bot = config.server.bot_role or "(the bot's role)"
    lines = [
        "| # | Role | Address | Color | Shown separately |",
        "|---|---|---|---|---|",
        f"| 1 | **{bot}** (the bot) | managed by Discord | set by hand | - |",
    ]
    for index, role in enumerate(config.roles, start=2):
        hoist = "yes" if role.hoist else "no"
        lines.append(f"| {index} | {role.name} | `{role.address}` | `{role.color}` | {hoist} |")
    lines.append(f"| {len(config.roles) + 2} | @everyone | | | |")
    return "\n".join(lines)


def channels_section(config: ServerConfig, flagged: Mapping[str, str] | None = None) -> str:
    """The channel tree as a code block; ``flagged`` maps a channel/category name to its flag."""
    flagged = flagged or {}
    lines = ["```"]
    for category in config.categories:
        lines.append(_with_flag(category.name, flagged))
        # Channels of a flagged category go with it; saying so once is enough.
        inner = {} if category.name in flagged else flagged
        for index, channel in enumerate(category.channels):
            branch = "└──" if index == len(category.channels) - 1 else "├──"
            label = channel.name if channel.type.is_voice_like else f"#{channel.name}"
            line = f"{branch} {label:<20} {channel.type.value}"
            lines.append(_with_flag(line, inner, channel.name))
    for channel in config.channels:
        lines.append(f"#{channel.name}  {channel.type.value}")
    lines.append("```")
    return "\n".join(lines)


def matrix_section(config: ServerConfig) -> str:
    """The permission matrix, with the bot holding exactly the permissions it needs."""
    bot_bits = perms.to_bits(rendering.required_bot_permissions(config))
    return render_markdown(permission_matrix(config, bot_permissions=bot_bits)).rstrip("\n")


def bot_permissions_section(config: ServerConfig) -> str:
    """The bot's required guild permissions, with the integer for an invite URL."""
    names = rendering.required_bot_permissions(config)
    lines = [f"- `{name}`" for name in names]
    lines.append("")
    lines.append(f"Permission integer (for the bot's invite URL): `{perms.to_bits(names)}`")
    return "\n".join(lines)


def flags_of(theme_dir: Path = THEME_DIR) -> dict[str, str]:
    """Which categories/channels each boolean variable removes, by rendering with it off."""
    flags = [
        name for name, spec in manifest(theme_dir)["variables"].items() if spec["type"] == "boolean"
    ]
    full = _names(rendering.render())
    flagged: dict[str, str] = {}
    for flag in flags:
        for name in full - _names(rendering.render({flag: False})):
            flagged.setdefault(name, flag)
    return flagged


def generated_sections() -> dict[str, str]:
    """Every generated section of the theme README, rendered with the theme's defaults."""
    config = rendering.render()
    return {
        "variables": variables_section(),
        "roles": roles_section(config),
        "channels": channels_section(config, flags_of()),
        "matrix": matrix_section(config),
        "bot-permissions": bot_permissions_section(config),
    }


def replace_sections(text: str, sections: Mapping[str, str], source: str = "README.md") -> str:
    """``text`` with each marked section replaced by its new content.

    Raises ``ThemeError`` naming ``source`` when a start/end marker pair is missing.
    """
    for name, body in sections.items():
        start, end = marker(name), marker(name, end=True)
        pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
        match = pattern.search(text)
        if match is None:
            raise ThemeError(
                f"{source}: no '{start}' ... '{end}' pair",
                hint=f"add both markers on their own lines where the {name} section goes",
            )
        text = f"{text[: match.start()]}{start}\n{body}\n{end}{text[match.end() :]}"
    return text


def demote_headings(markdown: str) -> str:
    """``markdown`` with every heading one level deeper (code blocks untouched)."""
    out: list[str] = []
    fenced = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,5} ", line):
            line = "#" + line
        out.append(line)
    return "\n".join(out)


def expected_texts(
    theme_readme: Path = THEME_README, package_readme: Path | None = PACKAGE_README
) -> dict[Path, str]:
    """What each README should contain: current prose, freshly generated sections."""
    sections = generated_sections()
    theme_text = replace_sections(
        theme_readme.read_text(encoding="utf-8"), sections, str(theme_readme)
    )
    out = {theme_readme: theme_text}
    if package_readme is not None and package_readme.exists():
        embedded = "<!-- generated from the theme's README.md; edit that file -->\n"
        embedded += demote_headings(theme_text.strip())
        out[package_readme] = replace_sections(
            package_readme.read_text(encoding="utf-8"), {INCLUDE: embedded}, str(package_readme)
        )
    return out


def stale(expected: Mapping[Path, str]) -> list[Path]:
    """The READMEs whose text differs from ``expected``."""
    return [path for path, text in expected.items() if path.read_text(encoding="utf-8") != text]


def main(
    argv: Sequence[str] | None = None,
    *,
    theme_readme: Path = THEME_README,
    package_readme: Path | None = PACKAGE_README,
    echo: Callable[[str], object] = print,
) -> int:
    """Rewrite the READMEs (or with ``--check``, report stale ones); the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m gaib_theme_sietch.readme",
        description="Regenerate the generated sections of the Sietch READMEs.",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a README is stale")
    args = parser.parse_args(argv)
    try:
        expected = expected_texts(theme_readme, package_readme)
    except ThemeError as err:
        echo(f"Error: {err}")
        return 1
    outdated = stale(expected)
    if args.check:
        for path in outdated:
            echo(f"{path}: stale; run `python -m gaib_theme_sietch.readme` to regenerate it")
        return 1 if outdated else 0
    for path in outdated:
        path.write_text(expected[path], encoding="utf-8")
        echo(f"rewrote {path}")
    return 0


def _names(config: ServerConfig) -> set[str]:
    return {category.name for category in config.categories} | {
        channel.name for _, channel in config.all_channels()
    }


def _with_flag(line: str, flagged: Mapping[str, str], name: str | None = None) -> str:
    flag = flagged.get(name if name is not None else line)
    return f"{line}  (only with {flag})" if flag else line


def _yaml_scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


if __name__ == "__main__":
    sys.exit(main())
