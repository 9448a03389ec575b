"""The ``evm`` holder source against a real EVM (eth-tester on py-evm) over loopback HTTP: an
ERC-20 deployed from the shipped bytecode, wallets linked through real verifications."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from gaib_theme_sietch.tiers.amounts import bgt_to_wei
from gaib_theme_sietch.tiers.evm import EvmHolderSource, EvmSourceError
from gaib_theme_sietch.tiers.rpc import RpcError
from gaib_theme_sietch.verify.store import open_store

DATA = Path(__file__).parent / "data"
USERS = [str(400_000_000_000_000_000 + n) for n in range(12)]


def source(evm: Any, links: Any, token: str, **options: str) -> EvmHolderSource:
    return EvmHolderSource.from_options(
        {"rpc_url": evm.url, "token": token, "database_url": links.database_url, **options}
    )


def balance_posts(evm: Any) -> list[Any]:
    """The HTTP requests that carried balanceOf calls."""

    def is_balance(request: dict[str, Any]) -> bool:
        return request["method"] == "eth_call" and request["params"][0]["data"].startswith(
            "0x70a08231"
        )

    return [p for p in evm.posts if any(is_balance(r) for r in (p if isinstance(p, list) else [p]))]


def test_contracts_json_is_compiled_from_the_shipped_source() -> None:
    compiled = json.loads((DATA / "contracts.json").read_text())
    source_text = (DATA / compiled["source"]).read_bytes()
    assert compiled["source_sha256"] == hashlib.sha256(source_text).hexdigest(), (
        "TestToken.sol changed: run `npm install && node compile.js` in tests/tiers/evm/data"
    )
    assert compiled["solc"].startswith(json.loads((DATA / "package.json").read_text())[
        "dependencies"]["solc"] + "+")  # fmt: skip


def test_balances_of_the_linked_wallets_exactly(evm: Any, links: Any, token: Any) -> None:
    amounts = {USERS[0]: bgt_to_wei("1111"), USERS[1]: bgt_to_wei("6.9") - 1, USERS[2]: 0}
    wallets = {user: links.link(user) for user in amounts}
    for user, wei in amounts.items():
        if wei:
            evm.mint(token, wallets[user], wei)
    stranger = Account.create().address  # holds the most, but verified nobody
    evm.mint(token, stranger, bgt_to_wei("100000"))
    telegram = links.link_telegram("5550001")  # linked on Telegram only: not a Discord member
    evm.mint(token, telegram, bgt_to_wei("500"))

    held = source(evm, links, token.address).read()

    got = {h.discord_user_id: (h.wallet, h.wei) for h in held.holders}
    assert got == {user: (wallets[user].lower(), wei) for user, wei in amounts.items()}
    with open_store(links.database_url) as store:  # joined: when they verified; no badges
        verified = {link.user_id: link.linked_at for link in store.links("discord")}
    assert {h.discord_user_id: h.joined_at for h in held.holders} == verified
    assert all(h.badges == () for h in held.holders)
    assert held.provides == {"joined_at"}  # badges unknown (not "none"): a sync leaves them
    assert f"at block {evm.head()}" in held.origin
    assert f"token {token.address}" in held.origin


def test_links_from_postgresql(evm: Any, postgres_links: Any, token: Any) -> None:
    wallet = postgres_links.link(USERS[0])
    evm.mint(token, wallet, bgt_to_wei("69"))
    held = source(evm, postgres_links, token.address).read()
    assert [(h.discord_user_id, h.wallet, h.wei) for h in held.holders] == [
        (USERS[0], wallet.lower(), bgt_to_wei("69"))
    ]


@pytest.mark.parametrize(("wallets", "batch_size"), [(7, 3), (6, 3), (5, 100), (3, 1)])
def test_batches(evm: Any, links: Any, token: Any, wallets: int, batch_size: int) -> None:
    for user in USERS[:wallets]:
        evm.mint(token, links.link(user), 10**18)
    evm.posts.clear()

    held = source(evm, links, token.address, batch_size=str(batch_size)).read()

    assert [h.wei for h in held.holders] == [10**18] * wallets
    posts = balance_posts(evm)
    assert len(posts) == math.ceil(wallets / batch_size)
    if batch_size == 1:
        assert all(isinstance(p, dict) for p in evm.posts)  # no batches at all
    else:
        assert [len(p) for p in posts] == [
            min(batch_size, wallets - i) for i in range(0, wallets, batch_size)
        ]
    # Besides the balances: one request for chain id and head, one for code and decimals.
    assert len(evm.posts) == len(posts) + (2 if batch_size > 1 else 4)


def test_a_fixed_block_reads_the_balances_of_then(evm: Any, links: Any, token: Any) -> None:
    alice, bob = links.link(USERS[0]), links.link(USERS[1])
    minted = evm.mint(token, alice, bgt_to_wei("100"))
    evm.mint(token, bob, bgt_to_wei("60"))  # a later block
    evm.mint(token, alice, bgt_to_wei("1"))

    then = source(evm, links, token.address, block=str(minted)).read()
    now = source(evm, links, token.address).read()

    assert {h.discord_user_id: h.wei for h in then.holders} == {
        USERS[0]: bgt_to_wei("100"),
        USERS[1]: 0,
    }
    assert f"at block {minted}" in then.origin
    assert {h.discord_user_id: h.wei for h in now.holders} == {
        USERS[0]: bgt_to_wei("101"),
        USERS[1]: bgt_to_wei("60"),
    }
    evm.mint(token, bob, 1)
    again = source(evm, links, token.address, block=hex(minted)).read()
    assert again == then  # a fixed block reads the same, whatever happened since


def test_latest_is_read_once_so_every_balance_is_of_one_block(
    evm: Any, links: Any, token: Any
) -> None:
    for user in USERS[:4]:
        evm.mint(token, links.link(user), 1)
    evm.posts.clear()
    source(evm, links, token.address, batch_size="2").read()
    tags = {
        r["params"][1]
        for p in evm.posts
        for r in (p if isinstance(p, list) else [p])
        if r["method"] in ("eth_call", "eth_getCode")
    }
    assert tags == {hex(evm.head())}


def test_no_linked_wallets_reads_no_balance(evm: Any, links: Any, token: Any) -> None:
    evm.mint(token, Account.create().address, 10**18)
    evm.posts.clear()
    held = source(evm, links, token.address).read()
    assert held.holders == []
    assert balance_posts(evm) == []


# -- errors: one line, what is wrong and how to fix it, never the URL's secrets ----------------


def test_a_block_after_the_head_is_refused(evm: Any, links: Any, token: Any) -> None:
    head = evm.head()
    with pytest.raises(EvmSourceError) as caught:
        source(evm, links, token.address, block=str(head + 5)).read()
    assert str(caught.value) == (
        f"--block {head + 5} is after the chain's latest block ({head}) at {evm.url}; "
        f"give a block number up to {head}, or latest"
    )


def test_an_address_without_code_is_not_a_token(evm: Any, links: Any) -> None:
    links.link(USERS[0])
    nobody = Account.create().address
    with pytest.raises(EvmSourceError) as caught:
        source(evm, links, nobody).read()
    message = str(caught.value)
    assert message.startswith(f"no contract at --token {nobody} on chain ")
    assert "check the token address, and that --rpc is a node of the token's chain" in message


def test_a_contract_that_is_no_token_is_a_json_rpc_error(evm: Any, links: Any) -> None:
    links.link(USERS[0])
    other = evm.deploy("NotAToken")
    with pytest.raises(RpcError) as caught:
        source(evm, links, other.address).read()
    message = str(caught.value)
    assert caught.value.code == 3
    assert "refused balanceOf(" in message and "error 3: execution reverted" in message
    assert message.endswith(
        "check that --token is an ERC-20 token; an old --block needs an archive node"
    )


def test_a_token_without_18_decimals_is_refused(evm: Any, links: Any) -> None:
    links.link(USERS[0])
    usdc_like = evm.deploy("TestToken", 6)
    with pytest.raises(EvmSourceError, match=r"has 6 decimals; Sietch's tiers count 18-decimal"):
        source(evm, links, usdc_like.address).read()


def test_a_batch_too_large_for_the_node_says_to_lower_the_batch_size(
    evm: Any, links: Any, token: Any
) -> None:
    for user in USERS[:5]:
        evm.mint(token, links.link(user), 7)
    evm.batch_limit = 3
    with pytest.raises(RpcError) as caught:
        source(evm, links, token.address, batch_size="5").read()
    assert "refused a batch of 5 calls: error -32600: batch too large" in str(caught.value)
    assert str(caught.value).endswith("lower --rpc-batch-size (1 sends no batches)")
    # The advice, followed: a batch size within the node's limit reads everything.
    held = source(evm, links, token.address, batch_size="3").read()
    assert [h.wei for h in held.holders] == [7] * 5


def test_an_unreachable_node_is_one_line_without_the_api_key(links: Any, unused_port: int) -> None:
    links.link(USERS[0])
    url = f"http://127.0.0.1:{unused_port}/v2/sk-live-SECRET?apikey=SECRET2"
    token = "0x" + "ab" * 20
    with pytest.raises(RpcError) as caught:
        EvmHolderSource.from_options(
            {"rpc_url": url, "token": token, "database_url": links.database_url}
        ).read()
    assert str(caught.value) == (
        f"cannot reach the RPC endpoint http://127.0.0.1:{unused_port}/… (connection refused); "
        "check the URL given by --rpc (or SIETCH_RPC_URL) and that the node is up"
    )
