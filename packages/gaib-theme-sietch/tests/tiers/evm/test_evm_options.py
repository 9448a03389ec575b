"""The ``evm`` source's options: each malformed one is one line naming it and the fix, and an
RPC URL's secrets (path, query, user info) never show in any message."""

from __future__ import annotations

import sys

import pytest
from eth_account import Account
from eth_utils import to_checksum_address
from gaib_theme_sietch.tiers.evm import EvmSettings, EvmSourceError, checksum_address, parse_block
from gaib_theme_sietch.tiers.rpc import RpcError, check_url, redact_url
from hypothesis import given
from hypothesis import strategies as st

TOKEN = "0x" + "ab" * 20
URL = "https://rpc.example.org/v2/KEY"


def settings(environ: dict[str, str] | None = None, **options: str) -> EvmSettings:
    return EvmSettings.from_options(options, environ or {})


def test_defaults_and_environment() -> None:
    s = settings({"SIETCH_RPC_URL": URL, "SIETCH_TOKEN_ADDRESS": TOKEN, "DATABASE_URL": "x"})
    assert (s.rpc_url, s.token, s.block, s.batch_size, s.timeout) == (
        URL, to_checksum_address(TOKEN), None, 100, 30.0
    )  # fmt: skip
    assert s.database_url == "x"
    assert "KEY" not in repr(s)
    given_options = settings({"SIETCH_RPC_URL": "https://other.example"}, rpc_url=URL, token=TOKEN)
    assert given_options.rpc_url == URL  # an option beats the environment


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"token": TOKEN}, "the EVM holder source needs the node's JSON-RPC URL; give --rpc URL "
         "or set SIETCH_RPC_URL"),
        ({"rpc_url": URL}, "the EVM holder source needs the token's address; give --token 0x... "
         "(the ERC-20 contract) or set SIETCH_TOKEN_ADDRESS"),
        ({"rpc_url": URL, "token": TOKEN, "block": "soon"},
         "--block 'soon' is not a block; give a block number (e.g. 4200000) or latest"),
        ({"rpc_url": URL, "token": TOKEN, "block": "-5"}, "--block '-5' is not a block"),
        ({"rpc_url": URL, "token": TOKEN, "batch_size": "0"},
         "--rpc-batch-size must be a whole number from 1 to 1000, not '0'; "
         "e.g. --rpc-batch-size 100"),
        ({"rpc_url": URL, "token": TOKEN, "batch_size": "1001"}, "from 1 to 1000, not '1001'"),
        ({"rpc_url": URL, "token": TOKEN, "timeout": "1.5"},
         "--rpc-timeout must be a whole number from 1 to 600, not '1.5'"),
    ],
)  # fmt: skip
def test_bad_options(options: dict[str, str], message: str) -> None:
    with pytest.raises(EvmSourceError) as caught:
        settings(**options)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "rpc.example.org/v2/KEY",
        "ftp://rpc.example.org/v2/KEY",
        "https:///v2/KEY",
        "http://rpc.example.org:port/KEY",
        "",
    ],
)
def test_a_url_that_is_not_http_is_refused_without_its_secrets(url: str) -> None:
    with pytest.raises(RpcError) as caught:
        check_url(url)
    message = str(caught.value)
    assert message.startswith("--rpc is not an http(s) URL (")
    assert message.endswith("give the node's JSON-RPC URL, e.g. --rpc https://rpc.example.org")
    assert "KEY" not in message


def test_addresses_are_checksummed() -> None:
    account = Account.create().address
    assert checksum_address(account.lower(), "--token") == account
    assert checksum_address(account, "--token") == account
    assert checksum_address("0x" + account[2:].upper(), "--token") == account


def test_a_mistyped_checksummed_address_is_refused() -> None:
    address = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # EIP-55's own example
    assert checksum_address(address, "--token") == address
    typo = address[:-1] + "e"  # one character mistyped, the case of the others kept
    assert to_checksum_address(typo) != typo
    with pytest.raises(EvmSourceError) as caught:
        checksum_address(typo, "--token")
    assert str(caught.value) == (
        f"--token {typo} fails its EIP-55 checksum (a mistyped character?); "
        "copy the address again, or write it in lower case to skip the check"
    )
    # The advice, followed: lower case skips the check.
    assert checksum_address(typo.lower(), "--token") == to_checksum_address(typo)


@pytest.mark.parametrize("text", ["0x1234", "ab" * 20, "0x" + "g" * 40, "0x" + "a" * 41])
def test_a_malformed_address_is_refused(text: str) -> None:
    with pytest.raises(EvmSourceError, match=r"is not an address; write 0x and 40 hex digits"):
        checksum_address(text, "--token")


@pytest.mark.parametrize(
    ("text", "block"), [("latest", None), ("LATEST", None), ("0", 0), ("4200000", 4200000),
                        ("0x10", 16)]
)  # fmt: skip
def test_blocks(text: str, block: int | None) -> None:
    assert parse_block(text) == block


_secret = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_",
                  min_size=12, max_size=40)  # fmt: skip


@given(secret=_secret, where=st.sampled_from(["path", "query", "user", "fragment"]))
def test_a_redacted_url_never_holds_its_secrets(secret: str, where: str) -> None:
    url = {
        "path": f"https://rpc.example.org/v2/{secret}",
        "query": f"https://rpc.example.org/?apikey={secret}",
        "user": f"https://user:{secret}@rpc.example.org:8545",
        "fragment": f"http://127.0.0.1:8545/#{secret}",
    }[where]
    shown = redact_url(url)
    assert secret not in shown
    assert shown.split("://")[1].split("/")[0] in ("rpc.example.org", "rpc.example.org:8545",
                                                   "127.0.0.1:8545")  # fmt: skip


def test_without_the_verify_extra_the_source_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "eth_utils", None)  # as if eth-utils were not installed
    with pytest.raises(EvmSourceError) as caught:
        settings(rpc_url=URL, token=TOKEN)
    assert str(caught.value) == (
        "the EVM holder source needs the 'verify' extra (eth-utils is missing); "
        "pip install 'gaib-theme-sietch[verify]'"
    )
