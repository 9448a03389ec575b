"""Channel names as Discord stores them.

Discord lowercases text-like channel names, turns whitespace into dashes and collapses dashes
(FACTS.md section 4). Comparing a configured name with the stored one therefore goes through
:func:`canonical_name` on *both* sides: whatever small differences remain between our
normalisation and the server's (punctuation, leading dashes) cannot cause a perpetual diff.

The normalisation itself is ``gaib_core.config.validate.normalize_channel_name``: one definition
for validation warnings, the engine, the provider and the sandbox.
"""

from __future__ import annotations

from gaib_core.config.validate import normalize_channel_name


def canonical_name(name: str, discord_type: int) -> str:
    """The name Discord stores for a channel of ``discord_type`` called ``name``."""
    return normalize_channel_name(name, discord_type)


def same_name(a: str, b: str, discord_type: int) -> bool:
    """True when two names denote the same channel name for Discord."""
    return canonical_name(a, discord_type) == canonical_name(b, discord_type)
