"""A theme as a living dependency, tried as a new user would: the real ``gaib`` in a subprocess.

The project's ``discord-server.yaml`` references the theme (``gaib server init --theme``); every
plan renders the installed theme with the file's variables and changes. Editing a variable shows
exactly that change; a bad variable is one line naming file:line; a newer release of the theme,
installed as a real distribution with a ``gaib`` entry point, is a reviewable plan with the
version line; a release outside the file's constraint is a one-line error whose advice works.
"""

from __future__ import annotations

import re
from pathlib import Path

from gaib_core.config.loader import dump_config
from gaib_theme_sietch import rendering

from .gaibrun import Result, gaib

CHANGE_LINE = re.compile(r"^  (?:[~+-]|-/\+) ((?:role|category|channel)\.\w+)", re.M)


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def _changed(result: Result) -> list[str]:
    return CHANGE_LINE.findall(result.out)


def _applied_project(tmp_path: Path, *extra: str, env: dict[str, str] | None = None) -> Path:
    init = gaib("server", "init", "--theme", *extra, cwd=tmp_path, env=env)
    assert init.code == 0, init
    apply = gaib("server", "apply", "--auto-approve", cwd=tmp_path, env=env)
    assert apply.code == 0, apply
    return tmp_path / "discord-server.yaml"


def test_editing_a_variable_plans_exactly_that_change(tmp_path: Path) -> None:
    path = _applied_project(tmp_path, "sietch")
    text = path.read_text()
    assert "roles:" not in text  # a reference to the theme, not a copy of it
    path.write_text(text.replace("color_naib: '#FFD700'", "color_naib: '#FFAA00'"))

    plan = gaib("server", "plan", "--detailed-exitcode", cwd=tmp_path)
    assert plan.code == 2, plan
    assert _changed(plan) == ["role.naib"]
    assert "color: #FFD700 -> #FFAA00" in plan.out
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in plan.out
    assert '~ color_naib: "#FFD700" -> "#FFAA00"' in plan.out  # the edit, named

    assert gaib("server", "apply", "--auto-approve", cwd=tmp_path).code == 0
    assert gaib("server", "plan", "--detailed-exitcode", cwd=tmp_path).code == 0

    path.write_text(path.read_text().replace("enable_voice: true", "enable_voice: false"))
    voice = gaib("server", "plan", "--detailed-exitcode", cwd=tmp_path)
    assert voice.code == 2, voice
    assert sorted(_changed(voice)) == [
        "channel.cave_voices",
        "channel.council_chamber",
        "channel.depth_voices",
        "channel.fedaykin_voices",
        "channel.sanctum_voices",
    ]
    assert "Plan: 0 to add, 0 to change, 5 to destroy." in voice.out


def test_overrides_additions_and_removals_in_the_file(tmp_path: Path) -> None:
    path = _applied_project(tmp_path, "sietch")
    path.write_text(
        path.read_text()
        .replace(
            "overrides:\n",
            "overrides:\n"
            "  channel.general:\n"
            "    slowmode: 30\n"
            "  role.moderator:\n"
            "    name: Moderator\n"
            "    color: '#1ABC9C'\n"
            "    after: role.naib\n",
        )
        .replace("remove:\n", "remove:\n  - channel.bot_commands\n")
    )
    plan = gaib("server", "plan", "--detailed-exitcode", cwd=tmp_path)
    assert plan.code == 2, plan
    assert sorted(_changed(plan)) == ["channel.bot_commands", "channel.general", "role.moderator"]
    assert "slowmode: 0 -> 30" in plan.out
    assert "Plan: 1 to add, 1 to change, 1 to destroy." in plan.out
    assert gaib("server", "apply", "--auto-approve", cwd=tmp_path).code == 0
    assert gaib("server", "plan", "--detailed-exitcode", cwd=tmp_path).code == 0

    rendered = gaib("server", "render", cwd=tmp_path)
    assert rendered.code == 0, rendered
    assert rendered.out.index("name: Moderator") < rendered.out.index("name: Fedaykin")
    eject = gaib("server", "render", "--eject", "-o", "frozen.yaml", cwd=tmp_path)
    assert eject.code == 0, eject
    frozen = (tmp_path / "frozen.yaml").read_text()
    assert "theme:" not in frozen.split("\n", 2)[2]  # header lines mention it, the data not
    same = gaib("server", "plan", "-c", "frozen.yaml", "--detailed-exitcode", cwd=tmp_path)
    assert same.code == 0, same


def test_a_bad_or_unknown_variable_is_one_line_naming_file_and_line(tmp_path: Path) -> None:
    assert gaib("server", "init", "--theme", "sietch", cwd=tmp_path).code == 0
    path = tmp_path / "discord-server.yaml"
    good = path.read_text()

    path.write_text(good.replace("color_naib: '#FFD700'", "color_naib: gold"))
    line = _line_of(path.read_text(), "color_naib: gold")
    for command in ("validate", "plan"):
        result = gaib("server", command, cwd=tmp_path)
        assert result.code == 1, result
        assert result.err.splitlines() == [
            f"Error: discord-server.yaml:{line}:17: theme.variables.color_naib: variable "
            "'color_naib' (color): 'gold' is not a color; write it as '#RRGGBB', e.g. '#FFD700'"
        ], result

    path.write_text(good.replace("color_naib: '#FFD700'", "colour_naib: '#FFD700'"))
    line = _line_of(path.read_text(), "colour_naib")
    result = gaib("server", "plan", cwd=tmp_path)
    assert result.code == 1, result
    assert result.err.splitlines() == [
        f"Error: discord-server.yaml:{line}:5: theme.variables.colour_naib: unknown variable "
        "'colour_naib'; did you mean 'color_naib'?"
    ], result


def test_a_config_in_todays_format_plans_as_before(tmp_path: Path) -> None:
    """The full copy `init` used to write (with its `theme:` record) keeps working."""
    plain = gaib("server", "init", cwd=tmp_path)  # without a theme: a plain config
    assert plain.code == 0, plain
    path = tmp_path / "discord-server.yaml"
    empty = gaib("server", "plan", "--detailed-exitcode", cwd=tmp_path)
    assert empty.code == 0, empty
    config = rendering.render({"community_name": "Arrakis"})
    path.write_text(dump_config(config, header="Generated by `gaib server init` from sietch."))
    plan = gaib("server", "plan", "--detailed-exitcode", cwd=tmp_path)
    assert plan.code == 2, plan
    # Exactly the resources as before: in a full copy `server.name` stays informational (the
    # format predates managed server settings), so the guild keeps its name.
    assert "Plan: 46 to add, 0 to change, 0 to destroy." in plan.out, plan
    assert "~ server" not in plan.out, plan
    assert "theme sietch" not in plan.out
    assert gaib("server", "apply", "--auto-approve", cwd=tmp_path).code == 0
    again = gaib("server", "plan", "--detailed-exitcode", cwd=tmp_path)
    assert again.code == 0, again
    rendered = gaib("server", "render", cwd=tmp_path)
    assert rendered.code == 0 and "name: Naib" in rendered.out, rendered


# --- a theme released in several versions, installed as a real distribution --------------------

_FILES = {
    "theme.yaml": """\
name: mesa
version: {version}
description: A small community theme, released in versions.
variables:
  accent: {{type: color, default: "#336699", description: Color of the Elder role.}}
""",
    "roles.yaml": """\
roles:
  - name: Elder
    color: ${{accent}}
    hoist: true
  - name: Member
    color: "{member_color}"
""",
    "channels.yaml": """\
categories:
  - name: Hall
    channels:
      - name: general
        topic: Talk.
{extra_channel}""",
    "README.md": "# mesa\n\nA small theme released in versions, for tests.\n",
}
_PLUGIN = """\
from pathlib import Path

from gaib_core import hookimpl


@hookimpl
def gaib_register_themes(register):
    register("mesa", Path(__file__).parent / "theme")
"""


def _install(site: Path, version: str, *, member_color: str, announcements: bool) -> None:
    """Install (or upgrade to) ``version`` of the mesa theme package into ``site``."""
    for old in site.glob("gaib_theme_mesa-*.dist-info"):
        for file in old.iterdir():
            file.unlink()
        old.rmdir()
    package = site / "gaib_theme_mesa"
    theme = package / "theme"
    theme.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text(f'__version__ = "{version}"\n')
    (package / "plugin.py").write_text(_PLUGIN)
    extra = "      - name: announcements\n        topic: News.\n" if announcements else ""
    for name, text in _FILES.items():
        (theme / name).write_text(
            text.format(version=version, member_color=member_color, extra_channel=extra)
        )
    info = site / f"gaib_theme_mesa-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: gaib-theme-mesa\nVersion: {version}\n"
    )
    (info / "entry_points.txt").write_text("[gaib]\nmesa = gaib_theme_mesa.plugin\n")
    (info / "top_level.txt").write_text("gaib_theme_mesa\n")


def test_a_new_release_of_the_theme_is_a_reviewable_plan(tmp_path: Path) -> None:
    site, project = tmp_path / "site", tmp_path / "project"
    site.mkdir()
    project.mkdir()
    env = {"PYTHONPATH": str(site)}
    _install(site, "1.0.0", member_color="#AAAAAA", announcements=False)
    path = _applied_project(project, "mesa", env=env)
    assert 'version: "~=1.0"' in path.read_text()

    # pip install -U: a compatible release with changes
    _install(site, "1.1.0", member_color="#BBBBBB", announcements=True)
    plan = gaib("server", "plan", "--detailed-exitcode", cwd=project, env=env)
    assert plan.code == 2, plan
    assert "~ theme mesa 1.1.0, last applied 1.0.0" in plan.out
    assert sorted(_changed(plan)) == ["channel.announcements", "role.member"]
    assert "Plan: 1 to add, 1 to change, 0 to destroy." in plan.out
    assert gaib("server", "apply", "--auto-approve", cwd=project, env=env).code == 0
    assert gaib("server", "plan", "--detailed-exitcode", cwd=project, env=env).code == 0

    # a release that renders the same: the plan still names it, apply records it
    _install(site, "1.1.1", member_color="#BBBBBB", announcements=True)
    same = gaib("server", "plan", "--detailed-exitcode", cwd=project, env=env)
    assert same.code == 2, same
    assert "~ theme mesa 1.1.1, last applied 1.1.0" in same.out
    assert _changed(same) == []
    assert "Plan: 0 to add, 0 to change, 0 to destroy." in same.out
    assert gaib("server", "apply", "--auto-approve", cwd=project, env=env).code == 0
    assert gaib("server", "plan", "--detailed-exitcode", cwd=project, env=env).code == 0

    # a major release outside the constraint: one line, both versions, how to fix it
    _install(site, "2.0.0", member_color="#CCCCCC", announcements=True)
    refused = gaib("server", "plan", cwd=project, env=env)
    assert refused.code == 1, refused
    line = _line_of(path.read_text(), 'version: "~=1.0"')
    assert refused.err.splitlines() == [
        f"Error: discord-server.yaml:{line}:12: theme.version: theme mesa 2.0.0 is installed, "
        'but this file accepts ~=1.0; to use 2.0.0, set theme.version to "~=2.0" and review '
        "`gaib server plan`, or install a matching release: pip install 'gaib-theme-mesa~=1.0'"
    ], refused
    # following the advice literally works
    path.write_text(path.read_text().replace('version: "~=1.0"', 'version: "~=2.0"'))
    review = gaib("server", "plan", "--detailed-exitcode", cwd=project, env=env)
    assert review.code == 2, review
    assert "~ theme mesa 2.0.0, last applied 1.1.1" in review.out
    assert _changed(review) == ["role.member"]
