"""Properties: any valid variable values render to a valid config; ${ never survives rendering."""

from __future__ import annotations

from pathlib import Path

import pytest
from gaib_core.errors import VariableError
from gaib_core.plugins import Hooks
from gaib_core.testing.themes import strings_in, value_sets
from gaib_core.themes import Theme, load_theme, render_theme, render_theme_document
from gaib_core.themes.interpolate import interpolate
from gaib_core.themes.variables import format_value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def tiny_theme(tmp_path_factory: pytest.TempPathFactory, tiny_files: dict[str, str]) -> Theme:
    directory: Path = tmp_path_factory.mktemp("tiny")
    for name, text in tiny_files.items():
        (directory / name).write_text(text)
    return load_theme(directory)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_valid_values_render_a_valid_config(tiny_theme: Theme, data: st.DataObject) -> None:
    values = data.draw(value_sets(tiny_theme))
    config = render_theme(tiny_theme, values)
    assert config.theme is not None
    assert set(config.theme.variables) == set(tiny_theme.variables)
    leftovers = [s for s in strings_in(render_theme_document(tiny_theme, values)) if "${" in s]
    # The only "${" is the escaped literal the theme wrote as "$${price}".
    assert all("${price}" in s for s in leftovers)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_valid_values_render_sietch(data: st.DataObject) -> None:
    hooks = Hooks()
    if "sietch" not in hooks.themes():
        pytest.skip("gaib-theme-sietch is not installed")
    from gaib_core.themes import find_theme

    theme = find_theme("sietch", hooks)
    values = data.draw(value_sets(theme))
    document = render_theme_document(theme, values)
    assert not [s for s in strings_in(document) if "${" in s]
    render_theme(theme, values)


VALUES = {"a": "x", "flag": True, "n": 7, "color": "#FFD700"}
plain = st.text(alphabet=st.characters(blacklist_characters="$"), max_size=8)
segments = st.one_of(
    plain.map(lambda t: (t, t)),
    st.sampled_from(sorted(VALUES)).map(lambda k: ("${" + k + "}", format_value(VALUES[k]))),
    st.just(("$${", "${")),
)


@given(st.lists(segments, max_size=8))
def test_interpolation_replaces_every_reference(parts: list[tuple[str, str]]) -> None:
    template = "".join(source for source, _ in parts)
    expected = "".join(out for _, out in parts)
    result = interpolate(template, VALUES)
    if isinstance(result, str):
        assert result == expected
        escapes = sum(1 for source, _ in parts if source == "$${")
        assert result.count("${") <= escapes
    else:  # the template was exactly one reference: the typed value
        assert format_value(result) == expected


@given(st.text(max_size=40))
def test_interpolation_never_leaves_a_reference_behind(text: str) -> None:
    try:
        result = interpolate(text, VALUES)
    except VariableError:
        return
    if isinstance(result, str) and "${" in result:
        assert "$${" in text
