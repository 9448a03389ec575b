"""The ``discord-server.yaml`` that ``gaib server init`` writes: short, commented, loadable.

With a theme, the file references it: the theme's name, a version constraint compatible with the
installed release, every variable with its value and description, and commented, empty
``server``, ``overrides`` and ``remove`` sections saying how they work. Without a theme, it is a
plain config with empty lists. The comment texts live in ``gaib_core/data/starter-*.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from string import Template

from gaib_core.config.dump import dump_yaml
from gaib_core.themes.manifest import Theme
from gaib_core.themes.reference import compatible_constraint
from gaib_core.themes.variables import VariableValue

_INDENT = "    "


def _template(name: str) -> Template:
    return Template(resources.files("gaib_core").joinpath(f"data/{name}").read_text("utf-8"))


def theme_reference_text(
    theme: Theme,
    values: Mapping[str, VariableValue],
    *,
    name: str | None = None,
    token_env: str | None = None,
    example_role: str = "role.example",
    example_channel: str = "channel.example",
) -> str:
    """The referencing file for ``theme`` with ``values`` (every variable, resolved).

    ``name`` is how the file names the theme: its registered name (the default), or the path of
    a theme directory relative to the file.
    """
    server = f"  token_env: {token_env}\n" if token_env else ""
    return _template("starter-theme.yaml").substitute(
        title=theme.name,
        theme=name or theme.name,
        constraint=compatible_constraint(theme.version),
        variables=_variables(theme, values),
        server=server,
        role=example_role,
        channel=example_channel,
    )


def _variables(theme: Theme, values: Mapping[str, VariableValue]) -> str:
    lines: list[str] = []
    for name, spec in theme.variables.items():
        about = " ".join(spec.description.split()) or name
        lines.append(f"{_INDENT}# {about} ({spec.describe_type()})")
        written = dump_yaml({name: values[name]}).rstrip("\n")
        lines.extend(f"{_INDENT}{line}" for line in written.splitlines())
    if not lines:
        return f"{_INDENT}{{}}"
    return "\n".join(lines)


def plain_config_text(token_env: str | None = None) -> str:
    """A plain config (no theme): empty lists, comments showing what goes where."""
    return _template("starter-plain.yaml").substitute(token_env=token_env or "DISCORD_TOKEN")
