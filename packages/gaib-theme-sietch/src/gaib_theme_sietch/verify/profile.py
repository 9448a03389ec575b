"""A member's verification profile (``gaib sietch whois``): the wallet, shortened and in full."""

from __future__ import annotations

import re
from typing import Any

from gaib_theme_sietch.verify.models import Platform, short_address
from gaib_theme_sietch.verify.store import SqlStore
from gaib_theme_sietch.verify.verifier import checksum, utc_now

_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_TIME = "%Y-%m-%d %H:%M UTC"


def whois_data(store: SqlStore, platform: Platform, who: str) -> dict[str, Any]:
    """The profile of a platform user, or for a wallet address the users it is linked to."""
    if _ADDRESS.match(who):
        address = checksum(who)
        links = [
            {"platform": name, "user_id": link.user_id, "linked_at": link.linked_at.isoformat()}
            for name in ("discord", "telegram")
            if (link := store.link_for_address(name, address)) is not None
        ]
        return {"wallet": address, "short": short_address(address), "links": links}
    link = store.link_for(platform, who)
    now = utc_now()
    pending = [s for s in store.sessions(platform, who) if s.used_at is None and not s.expired(now)]
    return {
        "platform": platform,
        "user_id": who,
        "verified": link is not None,
        "wallet": link.address if link else None,
        "short": link.short if link else None,
        "linked_at": link.linked_at.isoformat() if link else None,
        "pending_session_expires_at": pending[0].expires_at.isoformat() if pending else None,
    }


def profile_lines(data: dict[str, Any]) -> list[str]:
    """``whois USER`` as text."""
    head = f"{data['platform']} user {data['user_id']}"
    if not data["verified"]:
        lines = [f"{head}: not verified"]
        if data["pending_session_expires_at"]:
            lines.append(
                f"  a verification link is open until {data['pending_session_expires_at']}"
            )
        else:
            lines.append("  the member can run /verify to link a wallet")
        return lines
    return [
        f"{head}: verified",
        f"  wallet:   {data['short']} ({data['wallet']})",
        f"  since:    {data['linked_at']}",
    ]


def wallet_lines(data: dict[str, Any]) -> list[str]:
    """``whois 0x...`` as text."""
    if not data["links"]:
        return [f"wallet {data['wallet']}: not linked to any member"]
    lines = [f"wallet {data['short']} ({data['wallet']}):"]
    lines += [
        f"  {link['platform']} user {link['user_id']} since {link['linked_at']}"
        for link in data["links"]
    ]
    return lines
