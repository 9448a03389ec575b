"""Characters a name or message must not carry to a terminal: one definition for gaib.

Imports only ``unicodedata``: plugins use it in code that runs at start-up.
"""

from __future__ import annotations

import unicodedata

# Bidirectional overrides and isolates: they make what follows display as something else.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def is_unsafe(char: str) -> bool:
    """True for a control character (C0, DEL, C1: e.g. a terminal escape) or a bidirectional
    override or isolate."""
    return unicodedata.category(char) == "Cc" or char in BIDI_CONTROLS
