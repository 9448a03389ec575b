"""Signatures from keys generated here, on SQLite and PostgreSQL: the happy path, and every
refusal with its own error and no link written."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from gaib_theme_sietch.verify.errors import VerificationError
from gaib_theme_sietch.verify.message import parse_message
from gaib_theme_sietch.verify.models import VerifySession
from gaib_theme_sietch.verify.store import SqlStore
from gaib_theme_sietch.verify.testing import Clock, high_s, link_wallet, sign
from gaib_theme_sietch.verify.verifier import Verifier

USER = "712345678901234567"


def _start(verifier: Verifier, wallet: LocalAccount, user: str = USER) -> tuple[VerifySession, str]:
    session = verifier.start("discord", user)
    return session, verifier.message_for(session.id, wallet.address).text()


def _refused(
    verifier: Verifier, code: str, session_id: str, address: str, text: str, signature: str
) -> VerificationError:
    with pytest.raises(VerificationError) as caught:
        verifier.verify(session_id, address, text, signature)
    assert caught.value.code == code, str(caught.value)
    return caught.value


def _no_links(store: SqlStore) -> None:
    assert store.links() == []


def test_happy_path_links_the_wallet_once(
    verifier: Verifier, store: SqlStore, wallet: LocalAccount
) -> None:
    session, text = _start(verifier, wallet)
    message = parse_message(text)
    assert message.domain == "verify.sietch.test"
    assert message.uri == f"https://verify.sietch.test/verify/{session.id}"
    assert message.chain_id == 80094 and message.nonce == session.nonce
    assert message.address == wallet.address  # EIP-55 checksummed

    link = verifier.verify(session.id, wallet.address.lower(), text, sign(wallet, text))

    assert (link.platform, link.user_id, link.address) == ("discord", USER, wallet.address)
    assert store.links() == [replace(link, linked_at=store.links()[0].linked_at)]
    assert store.link_for("discord", USER) is not None
    assert store.link_for_address("discord", wallet.address) is not None
    used = store.get_session(session.id)
    assert used is not None and used.used_at is not None and used.address == wallet.address


def test_claimed_address_is_checksum_agnostic(verifier: Verifier, wallet: LocalAccount) -> None:
    session, text = _start(verifier, wallet)
    upper = "0x" + wallet.address[2:].upper()
    assert verifier.verify(session.id, upper, text, sign(wallet, text)).address == wallet.address


def test_wrong_address(
    verifier: Verifier, store: SqlStore, wallet: LocalAccount, other_wallet: LocalAccount
) -> None:
    """The message names the claimed wallet, but another key signed it."""
    session, text = _start(verifier, wallet)
    error = _refused(
        verifier, "wrong_address", session.id, wallet.address, text, sign(other_wallet, text)
    )
    assert other_wallet.address in str(error) and error.status == 401
    _no_links(store)
    assert store.get_session(session.id).used_at is None  # type: ignore[union-attr]


def test_signature_over_another_sessions_message(
    verifier: Verifier, store: SqlStore, wallet: LocalAccount
) -> None:
    first, first_text = _start(verifier, wallet)
    second, _ = _start(verifier, wallet)
    error = _refused(
        verifier, "message_nonce", second.id, wallet.address, first_text, sign(wallet, first_text)
    )
    assert "another session" in str(error) and first.nonce in str(error)
    _no_links(store)


def test_reused_nonce(verifier: Verifier, store: SqlStore, wallet: LocalAccount) -> None:
    session, text = _start(verifier, wallet)
    signature = sign(wallet, text)
    first = verifier.verify(session.id, wallet.address, text, signature)
    error = _refused(verifier, "session_used", session.id, wallet.address, text, signature)
    assert error.status == 409
    assert [link.session_id for link in store.links()] == [first.session_id]


def test_expired_session(
    verifier: Verifier, store: SqlStore, clock: Clock, wallet: LocalAccount
) -> None:
    session, text = _start(verifier, wallet)
    clock.advance(15 * 60)  # the default expiry: 15 minutes
    error = _refused(
        verifier, "session_expired", session.id, wallet.address, text, sign(wallet, text)
    )
    assert error.status == 410
    _no_links(store)


def test_just_before_expiry_is_accepted(
    verifier: Verifier, clock: Clock, wallet: LocalAccount
) -> None:
    session, text = _start(verifier, wallet)
    clock.advance(15 * 60 - 1)
    assert verifier.verify(session.id, wallet.address, text, sign(wallet, text))


@pytest.mark.parametrize(
    ("mangle", "code"),
    [
        (lambda s: "0x" + "zz" + s[4:], "malformed_signature"),
        (lambda s: s[:-1], "malformed_signature"),  # odd number of digits
        (lambda s: "", "signature_length"),
        (lambda s: s[:-2], "signature_length"),  # 64 bytes
        (lambda s: s + "00", "signature_length"),  # 66 bytes
        (lambda s: s[:-2] + "1d", "signature_v"),  # v = 29
        (lambda s: "0x" + "00" * 32 + s[66:], "signature_range"),  # r = 0
        (high_s, "signature_high_s"),
    ],
    ids=["not-hex", "odd-length", "empty", "64-bytes", "66-bytes", "bad-v", "r-zero", "high-s"],
)
def test_malformed_signatures(
    verifier: Verifier, store: SqlStore, wallet: LocalAccount, mangle: object, code: str
) -> None:
    session, text = _start(verifier, wallet)
    bad = mangle(sign(wallet, text))  # type: ignore[operator]
    _refused(verifier, code, session.id, wallet.address, text, bad)
    _no_links(store)
    assert store.get_session(session.id).used_at is None  # type: ignore[union-attr]


def test_high_s_twin_would_otherwise_recover_the_same_wallet(wallet: LocalAccount) -> None:
    """The refusal of high-s is a rule, not luck: the twin is a valid signature of the key."""
    text = "any text"
    twin = bytes.fromhex(high_s(sign(wallet, text))[2:])
    assert Account.recover_message(encode_defunct(text=text), signature=twin) == wallet.address


def test_v_as_0_or_1_is_accepted(verifier: Verifier, wallet: LocalAccount) -> None:
    """Some wallets (hardware ones) return v = 0/1 instead of 27/28."""
    session, text = _start(verifier, wallet)
    raw = bytes.fromhex(sign(wallet, text)[2:])
    legacy = "0x" + (raw[:64] + bytes([raw[64] - 27])).hex()
    assert verifier.verify(session.id, wallet.address, text, legacy).address == wallet.address


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("domain", "verify.evil.test", "message_domain"),
        ("chain_id", 1, "message_chain_id"),
        ("uri", "https://verify.evil.test/verify/x", "message_uri"),
        ("expiration_time", "2099-01-01T00:00:00Z", "message_expiration_time"),
        ("statement", "Something else", "message_statement"),
    ],
)
def test_changed_fields_are_named(
    verifier: Verifier,
    store: SqlStore,
    wallet: LocalAccount,
    field: str,
    value: object,
    code: str,
) -> None:
    """A validly signed message with one field changed (e.g. by a phishing page) is refused."""
    session, text = _start(verifier, wallet)
    changed = replace(parse_message(text), **{field: value}).text()
    error = _refused(verifier, code, session.id, wallet.address, changed, sign(wallet, changed))
    assert repr(value) in str(error) or str(value) in str(error)
    _no_links(store)


def test_malformed_message_and_address(
    verifier: Verifier, store: SqlStore, wallet: LocalAccount
) -> None:
    session, text = _start(verifier, wallet)
    _refused(verifier, "message_format", session.id, wallet.address, "hello", sign(wallet, "hello"))
    spaced = text + "\n"
    _refused(verifier, "message_format", session.id, wallet.address, spaced, sign(wallet, spaced))
    _refused(verifier, "malformed_address", session.id, "0x1234", text, sign(wallet, text))
    _no_links(store)


def test_unknown_session(verifier: Verifier, wallet: LocalAccount) -> None:
    _, text = _start(verifier, wallet)
    error = _refused(
        verifier, "unknown_session", "A" * 32, wallet.address, text, sign(wallet, text)
    )
    assert error.status == 404


def test_wallet_of_another_user_is_refused(
    verifier: Verifier, store: SqlStore, wallet: LocalAccount
) -> None:
    link_wallet(verifier, "discord", USER, wallet)
    session, text = _start(verifier, wallet, user="812345678901234567")
    error = _refused(
        verifier, "wallet_in_use", session.id, wallet.address, text, sign(wallet, text)
    )
    assert error.status == 409
    assert [link.user_id for link in store.links()] == [USER]
    assert store.get_session(session.id).used_at is None  # type: ignore[union-attr]


def test_same_wallet_on_discord_and_telegram(verifier: Verifier, store: SqlStore) -> None:
    wallet, _ = link_wallet(verifier, "discord", USER)
    link_wallet(verifier, "telegram", "4242", wallet)
    assert {(link.platform, link.address) for link in store.links()} == {
        ("discord", wallet.address),
        ("telegram", wallet.address),
    }


def test_relinking_replaces_the_users_wallet(verifier: Verifier, store: SqlStore) -> None:
    link_wallet(verifier, "discord", USER)
    second, _ = link_wallet(verifier, "discord", USER)
    assert [link.address for link in store.links("discord")] == [second.address]


def test_concurrent_verifications_of_one_session_link_once(
    verifier: Verifier, store: SqlStore, wallet: LocalAccount
) -> None:
    session, text = _start(verifier, wallet)
    signature = sign(wallet, text)
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def attempt() -> None:
        barrier.wait()
        try:
            verifier.verify(session.id, wallet.address, text, signature)
            outcomes.append("linked")
        except VerificationError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["linked"] + ["session_used"] * 7
    assert len(store.links()) == 1
