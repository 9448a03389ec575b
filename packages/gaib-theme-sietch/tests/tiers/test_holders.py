"""Holder snapshots (CSV and JSON): what they read, and one-line file:line errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from gaib_core.errors import ConfigError
from gaib_theme_sietch.tiers.amounts import bgt_to_wei
from gaib_theme_sietch.tiers.holders import Holder, load_snapshot, read_snapshot

A = "0x" + "A1" * 20
B = "0x" + "b2" * 20
C = "0x" + "c3" * 20


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "holders.csv",
        "wallet,amount,discord_user_id,badges,joined_at\n"
        f"{A},6.9,123456789012345678,water-sharer;engaged-x,2026-08-01\n"
        "\n"
        f"{B},1111.000000000000000001,,,2026-08-01T12:30:00+02:00\n",
    )
    first, second = load_snapshot(path)
    assert first == Holder(
        A.lower(),
        bgt_to_wei("6.9"),
        "123456789012345678",
        ("engaged-x", "water-sharer"),
        datetime(2026, 8, 1, tzinfo=UTC),
    )
    assert first.source is not None and str(first.source) == f"{path}:2"
    assert second.wei == 1111 * 10**18 + 1
    assert second.discord_user_id is None and second.badges == ()
    assert second.joined_at == datetime(2026, 8, 1, 10, 30, tzinfo=UTC)
    assert second.source is not None and second.source.line == 4


def test_csv_amount_wei_column(tmp_path: Path) -> None:
    path = write(tmp_path, "h.csv", f"wallet,amount_wei\n{A},6900000000000000000\n")
    assert load_snapshot(path)[0].wei == bgt_to_wei("6.9")


def test_json(tmp_path: Path) -> None:
    rows = [
        {"wallet": A, "amount": "6.9", "discord_user_id": "123456789012345678", "badges": ["b"]},
        {"wallet": B, "amount": 69, "joined_at": "2026-01-01"},
        {"wallet": C, "amount_wei": 1, "discord_user_id": 223456789012345678},
    ]
    path = write(tmp_path, "holders.json", json.dumps(rows, indent=2))
    holders = load_snapshot(path)
    assert [h.wei for h in holders] == [bgt_to_wei("6.9"), 69 * 10**18, 1]
    assert holders[2].discord_user_id == "223456789012345678"
    assert [h.source.line for h in holders if h.source] == [2, 10, 15]
    assert load_snapshot(write(tmp_path, "empty.json", " [ ] ")) == []


JOINED_LATER = json.dumps(
    [{"wallet": A, "amount": "1"}, {"wallet": B, "amount": "1", "joined_at": "2026-01-01"}]
)


@pytest.mark.parametrize(
    ("name", "text", "provides"),
    [
        ("h.csv", f"wallet,amount,badges,joined_at\n{A},1,,\n", {"badges", "joined_at"}),
        ("h.csv", f"wallet,amount,badges\n{A},1,\n", {"badges"}),  # empty: known, none
        ("h.csv", f"wallet,amount,discord_user_id\n{A},1,\n", set()),
        ("h.json", JOINED_LATER, {"joined_at"}),  # one object with the field is enough
        ("h.json", f'[{{"wallet": "{A}", "amount": "1", "badges": []}}]', {"badges"}),
        ("h.json", "[]", set()),
    ],
)
def test_a_snapshot_provides_the_facts_it_has_columns_for(
    tmp_path: Path, name: str, text: str, provides: set[str]
) -> None:
    """Without a badges column nobody's badges are known: a sync must not read that as none."""
    assert read_snapshot(write(tmp_path, name, text)).provides == provides


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        (f"wallet,amount\n{A},6.9\n0x12,1\n", "h.csv:3: wallet: ", "'0x12' is not a wallet"),
        (f"wallet,amount\n{A},6,9\n", "h.csv:2: ", "3 values for 2 columns"),
        (f'wallet,amount\n{A},"6,9"\n', "h.csv:2: amount: ", "'6,9' is not a BGT amount"),
        (f"wallet,amount\n{A},1e3\n", "h.csv:2: amount: ", "'1e3' is not a BGT amount"),
        (f"wallet,amount_wei\n{A},6.9\n", "h.csv:2: amount_wei: ", "'6.9' is not a whole number"),
        (f"wallet\n{A}\n", "h.csv:2: amount: ", "give exactly one of amount (BGT) and amount_wei"),
        (f"wallet,amount,amount_wei\n{A},1,1\n", "h.csv:2: amount: ", "leave the other empty"),
        (f"wallet,amount\n{A},1\n{A.lower()},2\n", "h.csv:3: wallet: ", "is already on line 2"),
        (f"wallet,balance\n{A},1\n", "h.csv:1: ", "unknown column 'balance'; columns are wallet"),
        ("", "h.csv:1: ", "the CSV file is empty"),
        (
            f"wallet,amount,discord_user_id\n{A},1,42x\n",
            "h.csv:2: discord_user_id: ",
            "'42x' is not a Discord user id",
        ),
        (
            f"wallet,amount,discord_user_id\n{A},1,42\n{B},1,42\n",
            "h.csv:3: discord_user_id: ",
            "Discord user 42 is already on line 2; one row per member",
        ),
        (f"wallet,amount,joined_at\n{A},1,yesterday\n", "h.csv:2: joined_at: ", "not an ISO 8601"),
    ],
)
def test_csv_errors(tmp_path: Path, text: str, where: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_snapshot(write(tmp_path, "h.csv", text))
    message = str(caught.value)
    assert message.startswith(str(tmp_path / where)), message
    assert words in message and "\n" not in message


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        (
            f'[\n  {{"wallet": "{A}", "amount": 6.9}}\n]',
            "h.json:2: ",
            "6.9 would be read as a float",
        ),
        (
            f'[{{"wallet": "{A}", "amount": "1"}},\n 7]',
            "h.json:2: ",
            "each holder is a JSON object",
        ),
        (f'{{"wallet": "{A}"}}', "h.json:1: ", "a JSON snapshot is a list"),
        (f'[{{"wallet": "{A}", "amt": "1"}}]', "h.json:1: ", "unknown field 'amt'"),
        (f'[{{"wallet": "{A}", "amount": "1"}}', "h.json:1: ", "not closed"),
        ('[{"wallet": }]', "h.json:1:13: ", "invalid JSON: Expecting value; fix the JSON at"),
        (f'[{{"wallet": "{A}", "amount": "1", "badges": "a"}}]', "h.json:1: badges: ", "a list"),
        (f'[{{"wallet": "{A}", "amount": NaN}}]', "h.json:1: ", "NaN would be read as a float"),
        (f'[{{"wallet": "{A}", "amount": "1"}}] x', "h.json:1: ", "text after the holder list"),
        (
            f'[{{"wallet": "{A}", "amount": "1", "amount_wei": "1"}}]',
            "h.json:1: amount: ",
            'e.g. "amount": "6.9", without "amount_wei"',
        ),
    ],
)
def test_json_errors(tmp_path: Path, text: str, where: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_snapshot(write(tmp_path, "h.json", text))
    message = str(caught.value)
    assert message.startswith(str(tmp_path / where)), message
    assert words in message and "\n" not in message


def test_the_float_advice_works(tmp_path: Path) -> None:
    path = write(tmp_path, "h.json", f'[{{"wallet": "{A}", "amount": 6.9}}]')
    with pytest.raises(ConfigError) as caught:
        load_snapshot(path)
    advice = str(caught.value).split("write amounts as strings: ", 1)[1]
    path.write_text(f'[{{"wallet": "{A}", "amount": {advice}}}]')
    assert load_snapshot(path)[0].wei == bgt_to_wei("6.9")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.csv: file not found; check the path"):
        load_snapshot(tmp_path / "nope.csv")
