"""Conformance kit for themes: what every installable theme must satisfy.

A theme author checks a theme by subclassing :class:`ThemeContract` in a test module and
providing a ``theme_path`` fixture (and ``required_values`` when some variables have no
default)::

    class TestMyTheme(ThemeContract):
        @pytest.fixture
        def theme_path(self):
            return MY_THEME_DIR

The contract: the manifest loads and documents every variable, the README exists, the version
is PEP 440 (communities pin a range of releases), the defaults and every on/off combination of
the boolean flags render to a config that passes validation and round-trips through
``dump_config``, and -- hypothesis properties -- any valid set of variable values renders to a
valid config with no ``${`` left in it; the file ``gaib server init`` writes loads to the
rendered theme; overriding items with the theme's own values changes nothing; and any drawn set
of overrides, additions and removals either loads (and ``render --eject`` of it loads back
equal) or fails with errors that each name a file and line. ``value_strategy``,
``value_sets`` and the strategies of :mod:`gaib_core.testing.overlays` are reusable on their own.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.version import Version

from gaib_core.config.loader import (
    config_from_document,
    dump_config,
    dump_yaml,
    load_document,
    parse_yaml,
)
from gaib_core.config.models import ServerConfig
from gaib_core.errors import ConfigError, ConfigErrors, ConfigIssue
from gaib_core.plugins import Hooks, build_plugin_manager
from gaib_core.testing.overlays import own_value_overrides, reference, reference_files
from gaib_core.themes import (
    Theme,
    VariableSpec,
    load_theme,
    render_theme,
    render_theme_document,
    resolve_values,
)
from gaib_core.themes.reference import accepts, compatible_constraint
from gaib_core.themes.starter import theme_reference_text
from gaib_core.themes.variables import format_value

#: Flag combinations tried exhaustively up to this many boolean variables (then one at a time).
MAX_EXHAUSTIVE_FLAGS = 6

# Text a community would type: printable, no "${" (refused as a value), short enough that a
# theme can put it into a 100-character name with some words around it.
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40).filter(
    lambda text: "${" not in text
)


def value_strategy(spec: VariableSpec) -> st.SearchStrategy[Any]:
    """Any valid value for ``spec``: typed, or as the text ``--var`` would pass."""
    if spec.type == "string":
        if spec.min is None and spec.max is None:
            return _TEXT
        low, high = spec.min or 0, spec.max if spec.max is not None else 40
        return st.text(
            alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=low, max_size=high
        ).filter(lambda text: "${" not in text)
    if spec.type == "color":
        hex6 = st.integers(0, 0xFFFFFF).map(lambda n: f"{n:06x}")
        return st.one_of(hex6, hex6.map(lambda h: "#" + h.upper()), st.integers(0, 0xFFFFFF))
    if spec.type == "boolean":
        return st.one_of(st.booleans(), st.sampled_from(["true", "false", "yes", "no", "On", "0"]))
    if spec.type == "integer":
        low = spec.min if spec.min is not None else -(10**6)
        high = spec.max if spec.max is not None else 10**6
        numbers = st.integers(low, high)
        return st.one_of(numbers, numbers.map(str))
    return st.sampled_from(spec.values or []).flatmap(
        lambda value: st.sampled_from([value, format_value(value)])
    )


@st.composite
def value_sets(draw: st.DrawFn, theme: Theme) -> dict[str, Any]:
    """Values for some of ``theme``'s variables (always for the required ones)."""
    values: dict[str, Any] = {}
    for name, spec in theme.variables.items():
        if spec.is_required or draw(st.booleans()):
            values[name] = draw(value_strategy(spec))
    return values


def strings_in(data: Any) -> list[str]:
    """Every string in plain data, mapping keys included."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [text for key, value in data.items() for text in [key, *strings_in(value)]]
    if isinstance(data, list):
        return [text for item in data for text in strings_in(item)]
    return []


def flag_combinations(theme: Theme) -> list[dict[str, bool]]:
    """On/off combinations of the boolean variables worth rendering."""
    flags = [name for name, spec in theme.variables.items() if spec.type == "boolean"]
    if len(flags) <= MAX_EXHAUSTIVE_FLAGS:
        return [
            dict(zip(flags, bits, strict=True))
            for bits in itertools.product([False, True], repeat=len(flags))
        ]
    return [{name: value} for name in flags for value in (False, True)]


class ThemeContract:
    """Contract tests for a theme; subclass and provide a ``theme_path`` fixture."""

    #: Settings of the "any valid values" property; lower ``max_examples`` for big themes.
    property_settings: ClassVar[settings] = settings(
        max_examples=30, deadline=None, suppress_health_check=list(HealthCheck)
    )
    #: Strings allowed to keep a literal "${" (written "$${" in the theme on purpose).
    literal_dollar_braces: ClassVar[tuple[str, ...]] = ()

    @pytest.fixture
    def required_values(self) -> dict[str, Any]:
        """Values for variables without a default (override when the theme has some)."""
        return {}

    @pytest.fixture
    def theme(self, theme_path: Path) -> Theme:
        """The loaded theme."""
        return load_theme(theme_path)

    def test_manifest_loads(self, theme: Theme) -> None:
        """theme.yaml names the theme, its version and description."""
        assert theme.name and theme.version and theme.description
        assert theme.files, "a theme lists (or ships) at least one file"

    def test_every_variable_is_described(self, theme: Theme) -> None:
        """Users pick values from `theme info`: each variable says what it changes."""
        undocumented = [name for name, spec in theme.variables.items() if not spec.description]
        assert undocumented == [], f"add a description to: {', '.join(undocumented)}"

    def test_readme_exists(self, theme: Theme) -> None:
        """A theme ships README.md."""
        assert theme.readme.strip(), f"{theme.path} has no README.md"

    def test_every_flag_combination_renders(
        self, theme: Theme, required_values: dict[str, Any]
    ) -> None:
        """Defaults and each on/off combination of the flags render to a valid config."""
        for flags in flag_combinations(theme):
            config = render_theme(theme, {**required_values, **flags})
            text = dump_config(config)
            assert config_from_document(parse_yaml(text, "rendered.yaml")) == config

    def test_any_valid_values_render(self, theme: Theme, required_values: dict[str, Any]) -> None:
        """Property: any valid set of values renders to a valid config without "${"."""

        @self.property_settings
        @given(st.data())
        def check(data: st.DataObject) -> None:
            values = {**required_values, **data.draw(value_sets(theme))}
            render_theme(theme, values)
            document = render_theme_document(theme, values)
            leftovers = [
                text
                for text in strings_in(document)
                if "${" in text and not any(ok in text for ok in self.literal_dollar_braces)
            ]
            assert leftovers == [], f"'${{' left after rendering: {leftovers[:3]}"

        check()

    # --- versions and the file that references the theme -----------------------------------

    @pytest.fixture
    def hooks(self) -> Hooks:
        """Plugins without entry points: the contract references the theme by its directory."""
        return Hooks(build_plugin_manager(load_entry_points=False))

    def test_version_is_pep440(self, theme: Theme) -> None:
        """Communities accept a range of releases (``~=3.0``): the version must be PEP 440."""
        Version(theme.version)
        assert accepts(compatible_constraint(theme.version), theme.version)

    def test_the_file_init_writes_loads_to_the_theme(
        self, theme: Theme, required_values: dict[str, Any], hooks: Hooks, tmp_path: Path
    ) -> None:
        """The short file of `gaib server init` renders exactly the theme."""
        values = resolve_values(theme.variables, required_values)
        text = theme_reference_text(theme, values, name=str(theme.path))
        path = tmp_path / "discord-server.yaml"
        config, _ = load_document(parse_yaml(text, str(path)), hooks=hooks)
        assert config == render_theme(theme, values)

    def test_overriding_with_the_themes_own_values_changes_nothing(
        self, theme: Theme, required_values: dict[str, Any], hooks: Hooks, tmp_path: Path
    ) -> None:
        """Property: an override that repeats the theme's values leaves the config as it is."""

        @self.property_settings
        @given(st.data())
        def check(data: st.DataObject) -> None:
            values = resolve_values(
                theme.variables, {**required_values, **data.draw(value_sets(theme))}
            )
            rendered = render_theme(theme, values)
            document = {
                "version": 1,
                "theme": reference(theme, values),
                "overrides": data.draw(own_value_overrides(rendered)),
            }
            assert _load(document, tmp_path, hooks) == rendered

        check()

    def test_any_changes_load_or_name_a_line(
        self, theme: Theme, required_values: dict[str, Any], hooks: Hooks, tmp_path: Path
    ) -> None:
        """Property: overrides, additions and removals load, or every error names file:line.

        What loads, written out standalone (``render --eject``), loads back to the same config.
        """

        @self.property_settings
        @given(st.data())
        def check(data: st.DataObject) -> None:
            values = resolve_values(
                theme.variables, {**required_values, **data.draw(value_sets(theme))}
            )
            rendered = render_theme(theme, values)
            document = data.draw(reference_files(theme, rendered, values))
            try:
                config = _load(document, tmp_path, hooks)
            except ConfigError as exc:
                issues = exc.issues if isinstance(exc, ConfigErrors) else [_issue(exc)]
                for issue in issues:
                    where = issue.location
                    assert where is not None and where.line is not None, str(exc)
                    assert where.file == str(tmp_path / "discord-server.yaml") or (
                        where.file.startswith(str(theme.path))
                    ), str(exc)
                return
            ejected = config.model_copy(update={"theme": None})
            text = dump_config(ejected)
            assert config_from_document(parse_yaml(text, "ejected.yaml")) == ejected

        check()


def _load(document: dict[str, Any], directory: Path, hooks: Hooks) -> ServerConfig:
    path = directory / "discord-server.yaml"
    return load_document(parse_yaml(dump_yaml(document), str(path)), hooks=hooks)[0]


def _issue(exc: ConfigError) -> ConfigIssue:
    return ConfigIssue(exc.message, location=exc.location, field=exc.field, hint=exc.hint)
