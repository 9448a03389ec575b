"""Properties of the EIP-4361 message and the settings' boundaries (hypothesis)."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime

import pytest
from gaib_theme_sietch.verify.errors import SettingsError
from gaib_theme_sietch.verify.message import (
    SiweMessage,
    first_difference,
    format_time,
    parse_message,
    parse_time,
)
from gaib_theme_sietch.verify.settings import load_settings
from hypothesis import given, settings
from hypothesis import strategies as st

_line = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=60
)
_moment = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=0))

messages = st.builds(
    SiweMessage,
    domain=st.from_regex(r"[a-z0-9.-]{1,30}(:[0-9]{1,5})?", fullmatch=True),
    address=st.from_regex(r"0x[0-9a-fA-F]{40}", fullmatch=True),
    statement=_line,
    uri=_line.map(lambda s: "https://x/" + s.replace(" ", "")),
    chain_id=st.integers(1, 2**53),
    nonce=st.from_regex(r"[A-Za-z0-9]{8,40}", fullmatch=True),
    issued_at=_moment.map(format_time),
    expiration_time=_moment.map(format_time),
    request_id=st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True),
)


@settings(max_examples=200, deadline=None)
@given(messages)
def test_text_parses_back_to_the_same_message(message: SiweMessage) -> None:
    assert parse_message(message.text()) == message
    assert first_difference(message, parse_message(message.text())) is None


@settings(max_examples=200, deadline=None)
@given(messages, messages, st.sampled_from([f.name for f in fields(SiweMessage)]))
def test_a_changed_field_is_named(a: SiweMessage, b: SiweMessage, name: str) -> None:
    changed = replace(a, **{name: getattr(b, name)})
    differs = (
        getattr(a, name).lower() != getattr(b, name).lower()
        if name == "address"
        else getattr(a, name) != getattr(b, name)
    )
    assert first_difference(a, changed) == (name if differs else None)


@given(_moment)
def test_time_round_trip(moment: datetime) -> None:
    assert parse_time(format_time(moment)) == moment


@pytest.mark.parametrize(
    ("ttl", "ok"),
    [("59", False), ("60", True), ("86400", True), ("86401", False), ("-1", False), ("15m", False)],
)
def test_session_ttl_bounds(ttl: str, ok: bool) -> None:
    if ok:
        assert load_settings({"VERIFY_SESSION_TTL": ttl}).session_ttl == int(ttl)
    else:
        with pytest.raises(
            SettingsError, match="VERIFY_SESSION_TTL must be a whole number from 60 to 86400"
        ):
            load_settings({"VERIFY_SESSION_TTL": ttl})


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("sqlite:///relative.sqlite3", True),
        ("sqlite:////abs/path.sqlite3", True),
        ("postgresql://u:p@h:5432/db", True),
        ("postgres://h/db", True),
        ("sqlite://", False),
        ("sqlite:///", False),
        ("mysql://h/db", False),
        ("verify.sqlite3", False),
    ],
)
def test_database_url_schemes(url: str, ok: bool) -> None:
    if ok:
        assert load_settings({"DATABASE_URL": url}).database_url == url
    else:
        with pytest.raises(SettingsError, match="DATABASE_URL"):
            load_settings({"DATABASE_URL": url})
