"""What the bots say to ``/verify``: one wording for Discord and Telegram.

The reply carries the verification status (the linked wallet, shortened) or a fresh link.
"""

from __future__ import annotations

from gaib_theme_sietch.verify.models import Link, VerifySession


def session_url(session: VerifySession) -> str:
    """``{VERIFY_BASE_URL}/verify/{session}``: the page the member opens."""
    return session.uri


def new_link_reply(session: VerifySession, *, already: Link | None = None) -> str:
    """The link to the verification page, with what it does and when it expires."""
    minutes = max(1, round((session.expires_at - session.issued_at).total_seconds() / 60))
    lines = []
    if already is not None:
        lines.append(f"Your wallet {already.short} is verified; this link replaces it.")
    else:
        lines.append("Wallet not verified yet.")
    lines += [
        f"Open {session_url(session)} and sign the message in your wallet to verify it.",
        f"The link works once and expires in {minutes} minutes. Signing is free: it sends no "
        "transaction and asks for no approval.",
    ]
    return "\n".join(lines)


def verified_reply(link: Link, *, relink_hint: str) -> str:
    """The member's status when a wallet is linked already."""
    when = link.linked_at.strftime("%Y-%m-%d %H:%M UTC")
    return f"Your wallet {link.short} is verified (since {when}).\n{relink_hint}"
