"""Channel names as Discord stores them.

Discord lowercases text-like channel names, turns whitespace into dashes and collapses dashes
(FACTS.md section 4). Comparing a configured name with the stored one therefore goes through
:func:`canonical_name` on *both* sides: whatever small differences remain between our
normalisation and the server's (punctuation, leading dashes) cannot cause a perpetual diff.

The normalisation itself is CONFIG's ``gaib_core.config.validate.normalize_channel_name`` (one
definition for validation warnings and the engine); a private copy is kept only as a fallback
for an installation where that module is absent.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from gaib_core.provider.models import ANNOUNCEMENT, FORUM, MEDIA, STAGE, TEXT, VOICE

_KIND_BY_TYPE = {
    TEXT: "text",
    ANNOUNCEMENT: "announcement",
    FORUM: "forum",
    VOICE: "voice",
    STAGE: "stage",
    MEDIA: "forum",
}


def _fallback_normalize(name: str, kind: str | None) -> str:
    if kind not in ("text", "announcement", "forum"):
        return name
    text = re.sub(r"[!-,./:-@\[-^`{-~]", "", name.lower())
    text = re.sub(r"\s+", "-", text.strip())
    return re.sub(r"-{2,}", "-", text).strip("-")


def _load() -> Callable[[str, str | None], str]:
    try:
        from gaib_core.config.validate import normalize_channel_name
    except ImportError:  # pragma: no cover - only without CONFIG's module
        return _fallback_normalize
    return normalize_channel_name


_normalize = _load()


def canonical_name(name: str, discord_type: int) -> str:
    """The name Discord stores for a channel of ``discord_type`` called ``name``."""
    return _normalize(name, _KIND_BY_TYPE.get(discord_type))


def same_name(a: str, b: str, discord_type: int) -> bool:
    """True when two names denote the same channel name for Discord."""
    return canonical_name(a, discord_type) == canonical_name(b, discord_type)
