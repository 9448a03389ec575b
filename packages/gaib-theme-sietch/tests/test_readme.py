"""The READMEs' generated sections match the theme files (``python -m gaib_theme_sietch.readme``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from gaib_core.config.models import ServerConfig
from gaib_core.errors import ThemeError
from gaib_core.themes.matrix import permission_matrix, render_markdown
from gaib_theme_sietch import readme, rendering


def _section(text: str, name: str) -> str:
    match = re.search(
        re.escape(readme.marker(name)) + r"\n(.*?)\n" + re.escape(readme.marker(name, end=True)),
        text,
        re.DOTALL,
    )
    assert match, name
    return match.group(1)


def test_readmes_are_up_to_date() -> None:
    expected = readme.expected_texts()
    assert readme.THEME_README in expected
    assert readme.stale(expected) == [], "run `uv run python -m gaib_theme_sietch.readme`"


def test_check_passes_on_the_committed_readmes() -> None:
    lines: list[str] = []
    assert readme.main(["--check"], echo=lines.append) == 0
    assert lines == []


def test_readme_matrix_is_the_generated_matrix(sietch: ServerConfig) -> None:
    text = readme.THEME_README.read_text(encoding="utf-8")
    matrix = _section(text, "matrix")
    # The bot column is extra; the role columns are exactly permission_matrix(config).
    plain = render_markdown(permission_matrix(sietch)).splitlines()
    for generated, written in zip(plain, matrix.splitlines(), strict=True):
        assert written.startswith(generated.rstrip(" |")), (generated, written)
    assert "| FEDAYKIN COMMONS | #census | read | read | - |" in matrix
    assert "| INNER SANCTUM | sanctum-voices | full | full | full | listen only |" in matrix


def test_package_readme_embeds_the_theme_readme() -> None:
    if not readme.PACKAGE_README.exists():
        pytest.skip("the package README only exists in a source checkout")
    text = readme.PACKAGE_README.read_text(encoding="utf-8")
    embedded = _section(text, readme.INCLUDE)
    assert "## Sietch v3.0 theme" in embedded
    assert "### Why Shai-Hulud sits above Naib" in embedded
    assert _section(readme.THEME_README.read_text(encoding="utf-8"), "matrix") in embedded


@pytest.fixture
def copies(tmp_path: Path) -> tuple[Path, Path]:
    """Up-to-date copies of both READMEs in tmp_path."""
    expected = readme.expected_texts()
    theme = tmp_path / "theme-README.md"
    package = tmp_path / "README.md"
    theme.write_text(expected[readme.THEME_README], encoding="utf-8")
    package.write_text(
        expected.get(
            readme.PACKAGE_README, "<!-- theme-readme:start -->\n<!-- theme-readme:end -->\n"
        ),
        encoding="utf-8",
    )
    return theme, package


def test_check_fails_on_a_stale_matrix_and_regeneration_fixes_it(
    copies: tuple[Path, Path],
) -> None:
    theme, package = copies
    assert readme.main(["--check"], theme_readme=theme, package_readme=package) == 0
    theme.write_text(
        theme.read_text(encoding="utf-8").replace("| count only |", "| full |", 1), encoding="utf-8"
    )
    lines: list[str] = []
    code = readme.main(["--check"], theme_readme=theme, package_readme=package, echo=lines.append)
    assert code == 1
    assert any(str(theme) in line and "stale" in line for line in lines)
    assert readme.main([], theme_readme=theme, package_readme=package, echo=lines.append) == 0
    assert readme.main(["--check"], theme_readme=theme, package_readme=package) == 0


def test_prose_edits_in_the_theme_readme_make_the_package_readme_stale(
    copies: tuple[Path, Path],
) -> None:
    theme, package = copies
    theme.write_text(theme.read_text(encoding="utf-8") + "\nMore prose.\n", encoding="utf-8")
    assert readme.stale(readme.expected_texts(theme, package)) == [package]


def test_missing_marker_is_a_theme_error_naming_the_file(copies: tuple[Path, Path]) -> None:
    theme, package = copies
    theme.write_text(
        theme.read_text(encoding="utf-8").replace(readme.marker("matrix", end=True), ""),
        encoding="utf-8",
    )
    with pytest.raises(ThemeError, match=r"theme-README\.md: no '<!-- matrix:start -->'"):
        readme.expected_texts(theme, package)
    lines: list[str] = []
    assert (
        readme.main(["--check"], theme_readme=theme, package_readme=package, echo=lines.append) == 1
    )
    assert lines[0].startswith("Error: ")


def test_demote_headings_leaves_code_blocks_alone() -> None:
    text = "# Title\n\n```bash\n# a comment\n```\n## Sub\n"
    assert readme.demote_headings(text) == "## Title\n\n```bash\n# a comment\n```\n### Sub"


def test_channel_tree_marks_flagged_resources() -> None:
    tree = readme.channels_section(rendering.render(), readme.flags_of())
    assert "└── cave-voices          voice  (only with enable_voice)" in tree
    assert "BADGE CHANNELS  (only with enable_badge_channels)" in tree
    assert "#the-oasis           text\n" in tree  # channels of a flagged category: said once
    assert "#general             text\n" in tree


def test_bot_permissions_section_lists_the_required_permissions(sietch: ServerConfig) -> None:
    section = readme.bot_permissions_section(sietch)
    for name in rendering.required_bot_permissions(sietch):
        assert f"- `{name}`" in section
    assert "ADMINISTRATOR" not in section
