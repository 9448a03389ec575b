"""The sandbox stores text-channel names exactly as CONFIG predicts them (no perpetual diffs)."""

from __future__ import annotations

from gaib_core.config.validate import normalize_channel_name
from gaib_core.sandbox.rules import normalise_channel_name
from hypothesis import given, settings
from hypothesis import strategies as st

names = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)


@settings(max_examples=300)
@given(name=names, ctype=st.sampled_from([0, 2, 4, 5, 13, 15, 16]))
def test_sandbox_and_config_normalise_alike(name: str, ctype: int) -> None:
    assert normalise_channel_name(name, ctype) == normalize_channel_name(name, ctype)


@settings(max_examples=300)
@given(name=names)
def test_normalisation_is_idempotent(name: str) -> None:
    once = normalise_channel_name(name, 0)
    assert normalise_channel_name(once, 0) == once
