"""The verification page in headless Chromium (Debian's ``chromium``), driven by Playwright.

A test-only ``window.ethereum`` is injected before the page loads. Like a real wallet it returns
the account in lowercase, checks that the message's domain is the page's own host (MetaMask's
Sign-In with Ethereum check), and signs with ``personal_sign`` -- here with a key generated in
the test. The user clicks; the link is recorded; the page says so. Screenshots are kept under
``artefacts/`` at the repository root (git-ignored).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from gaib_theme_sietch.verify.app import create_app
from gaib_theme_sietch.verify.message import parse_message
from gaib_theme_sietch.verify.server import bind, serve_in_thread
from gaib_theme_sietch.verify.settings import VerifySettings
from gaib_theme_sietch.verify.store import SqlStore
from gaib_theme_sietch.verify.testing import sign
from gaib_theme_sietch.verify.verifier import Verifier
from nacl.signing import SigningKey

ARTEFACTS = Path(__file__).resolve().parents[4] / "artefacts"
USER = "712345678901234567"
CHROMIUM_ARGS = [
    "--no-sandbox",  # root in CI
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# The injected wallet: a window.ethereum provider whose signing calls back into the test.
WALLET_JS = """
(() => {
  const address = "%s";
  window.ethereum = {
    isTestWallet: true,
    request: async ({ method, params }) => {
      if (method === "eth_requestAccounts" || method === "eth_accounts") return [address];
      if (method === "personal_sign") return await window.__testWalletSign(params[0], params[1]);
      const error = new Error("unsupported method " + method);
      error.code = 4200;
      throw error;
    },
  };
})();
"""
DECLINING_WALLET_JS = """
window.ethereum = {
  request: async ({ method }) => {
    if (method === "eth_requestAccounts") return ["%s"];
    const error = new Error("User rejected the request.");
    error.code = 4001;
    throw error;
  },
};
"""


def _missing(what: str) -> NoReturn:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is required under CI=true (make test installs it)")
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright (no browser download)."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        _missing("Debian's chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright (a dev dependency)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def site(store: SqlStore, database_url: str) -> Iterator[tuple[str, Verifier]]:
    """The service on loopback, its VERIFY_BASE_URL being its real address (so the domain in
    the message is the page's host, as in production)."""
    sock = bind("127.0.0.1", 0)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = VerifySettings(
        base_url=url,
        database_url=database_url,
        discord_public_key=SigningKey.generate().verify_key.encode().hex(),
    )
    with serve_in_thread(create_app(settings, store), sock=sock):
        yield url, Verifier(store, settings)


def _page(browser: Any, script: str) -> Any:
    context = browser.new_context(viewport={"width": 900, "height": 640})
    context.add_init_script(script)
    return context.new_page()


def test_click_links_the_wallet(
    browser: Any, site: tuple[str, Verifier], store: SqlStore, request: pytest.FixtureRequest
) -> None:
    url, verifier = site
    wallet: LocalAccount = Account.create()
    session = verifier.start("discord", USER)
    page = _page(browser, WALLET_JS % wallet.address.lower())
    signed: list[str] = []

    def wallet_sign(data: str, address: str) -> str:
        text = bytes.fromhex(data.removeprefix("0x")).decode()
        assert address.lower() == wallet.address.lower()
        host = page.evaluate("location.host")
        assert parse_message(text).domain == host  # what a wallet checks before signing
        signed.append(text)
        return sign(wallet, text)

    page.expose_function("__testWalletSign", wallet_sign)
    page.goto(f"{url}/verify/{session.id}")
    assert "Verify your wallet" in page.text_content("h1")
    page.click("#verify")
    page.wait_for_selector("#status.ok", timeout=30_000)

    status = page.text_content("#status")
    short = f"{wallet.address[:6]}…{wallet.address[-4:]}"
    assert f"Verified: wallet {short} is now linked to your Discord account" in status
    link = store.link_for("discord", USER)
    assert link is not None and link.address == wallet.address and link.session_id == session.id
    assert len(signed) == 1 and f"Nonce: {session.nonce}" in signed[0]
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"verify-page-{request.node.callspec.id}.png"))
    page.context.close()


def test_declined_signature_links_nothing(
    browser: Any, site: tuple[str, Verifier], store: SqlStore
) -> None:
    url, verifier = site
    session = verifier.start("telegram", "4242")
    page = _page(browser, DECLINING_WALLET_JS % Account.create().address.lower())
    page.goto(f"{url}/verify/{session.id}")
    page.click("#verify")
    page.wait_for_selector("#status.error", timeout=30_000)
    assert "You declined the request in your wallet; nothing was linked" in page.text_content(
        "#status"
    )
    assert page.is_enabled("#verify")  # the member can try again
    assert store.links() == []
    page.context.close()


def test_used_link_shows_the_reason(
    browser: Any, site: tuple[str, Verifier], store: SqlStore
) -> None:
    url, verifier = site
    wallet: LocalAccount = Account.create()
    session = verifier.start("discord", USER)
    text = verifier.message_for(session.id, wallet.address).text()
    verifier.verify(session.id, wallet.address, text, sign(wallet, text))
    page = _page(browser, WALLET_JS % wallet.address.lower())
    page.goto(f"{url}/verify/{session.id}")
    assert "already used" in page.text_content("#status")
    assert not page.is_enabled("#verify")
    page.context.close()
