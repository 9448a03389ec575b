"""The verification page (``GET /verify/{session}``), rendered from ``data/verify.html``.

The page asks the browser wallet (``window.ethereum``) for an account, fetches the exact message
for it, has the wallet ``personal_sign`` it and posts the result; it then shows success or the
service's reason for refusing. Its only script carries a per-response CSP nonce.
"""

from __future__ import annotations

import html
import json
import secrets
from importlib import resources
from string import Template

from gaib_theme_sietch.verify.errors import VerificationError
from gaib_theme_sietch.verify.models import VerifySession

TEMPLATE = Template(
    resources.files("gaib_theme_sietch.verify").joinpath("data/verify.html").read_text()
)
PLATFORM_NAMES = {"discord": "Discord", "telegram": "Telegram"}


def content_security_policy(nonce: str) -> str:
    """Only our own inline script and style (by nonce) and requests to this service."""
    return (
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
        "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )


def render_page(
    session_id: str,
    session: VerifySession | None,
    error: VerificationError | None = None,
) -> tuple[str, str]:
    """The page's HTML and its CSP header; with ``error`` the button is disabled, reason shown."""
    nonce = secrets.token_urlsafe(16)
    config = {"api": f"../api/verify/{session_id}"}
    # "<" escaped so that no string can close the <script> element.
    config_json = json.dumps(config).replace("<", "\\u003c")
    values = {
        "nonce": nonce,
        "platform": html.escape(PLATFORM_NAMES.get(session.platform, "") if session else "your"),
        "user_id": html.escape(session.user_id if session else "?"),
        "domain": html.escape(session.domain if session else "this site"),
        "expires": html.escape(
            session.expires_at.strftime("%H:%M UTC on %Y-%m-%d") if session else "-"
        ),
        "disabled": " disabled" if error is not None else "",
        "status": html.escape(error.message) if error is not None else "",
        "status_class": "error" if error is not None else "",
        "config": config_json,
    }
    return TEMPLATE.substitute(values), content_security_policy(nonce)
