"""Discord's effective permissions: the one implementation gaib has of the algorithm.

The sandbox enforces with it, ``gaib server permissions`` prints it, the plan states its changes
with it and the theme matrix summarises it. The steps (FACTS.md section 5, Discord's
"Permission Overwrites" and "Implicit Permissions"):

1. guild permissions: @everyone's permissions OR those of each of the member's roles;
2. the guild owner, or ADMINISTRATOR among them, means every permission, everywhere (channel
   overwrites do not apply);
3. in a channel: the @everyone overwrite (deny, then allow); then the overwrites of all the
   member's roles combined (their denies, then their allows); then the member's own overwrite
   (deny, then allow);
4. implicit denies: without SEND_MESSAGES, the permissions that only make sense when sending
   are lost; without VIEW_CHANNEL, everything in the channel is; in a voice or stage channel,
   without CONNECT the voice permissions are (and so is managing the channel). The lists are
   data (``data/permissions.json``, ``implicit``).

Pure functions over bits: callers bring overwrites as anything with ``allow`` and ``deny``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from gaib_core.permissions import all_bits, flag, implicit_denies, is_voice_type

ADMINISTRATOR = flag("ADMINISTRATOR")
VIEW_CHANNEL = flag("VIEW_CHANNEL")
SEND_MESSAGES = flag("SEND_MESSAGES")
CONNECT = flag("CONNECT")


class OverwriteBits(Protocol):
    """A permission overwrite as bits (the provider's, the sandbox's and the engine's fit)."""

    @property
    def allow(self) -> int:
        """Allowed bits."""
        ...

    @property
    def deny(self) -> int:
        """Denied bits."""
        ...


@dataclass(frozen=True)
class Bits:
    """A plain overwrite: ``allow`` and ``deny`` bits."""

    allow: int = 0
    deny: int = 0


def guild_permissions(everyone: int, roles: Iterable[int] = (), *, owner: bool = False) -> int:
    """A member's guild-wide permissions: @everyone's OR each role's; all for the owner or an
    administrator."""
    if owner:
        return all_bits()
    bits = everyone
    for role in roles:
        bits |= role
    if bits & ADMINISTRATOR:
        return all_bits()
    return bits


def apply_overwrite(bits: int, overwrite: OverwriteBits | None) -> int:
    """``bits`` after one overwrite: its deny first, then its allow."""
    if overwrite is None:
        return bits
    return (bits & ~overwrite.deny) | overwrite.allow


def channel_permissions(
    guild_bits: int,
    channel_type: int,
    *,
    everyone: OverwriteBits | None = None,
    roles: Iterable[OverwriteBits] = (),
    member: OverwriteBits | None = None,
) -> int:
    """A member's permissions in a channel of ``channel_type`` (a Discord type number).

    ``guild_bits`` comes from :func:`guild_permissions`; ``everyone`` is the channel's @everyone
    overwrite, ``roles`` the overwrites of the member's roles (others left out), ``member`` the
    member's own overwrite.
    """
    if guild_bits & ADMINISTRATOR:
        return all_bits()
    bits = apply_overwrite(guild_bits, everyone)
    allow = deny = 0
    for overwrite in roles:
        allow |= overwrite.allow
        deny |= overwrite.deny
    bits = (bits & ~deny) | allow
    bits = apply_overwrite(bits, member)
    return implicit(bits, channel_type)


def implicit(bits: int, channel_type: int) -> int:
    """``bits`` after Discord's implicit denies in a channel of ``channel_type``."""
    without_send, without_connect = implicit_denies()
    if not bits & VIEW_CHANNEL:
        return 0
    if not bits & SEND_MESSAGES:
        bits &= ~without_send
    if is_voice_type(channel_type) and not bits & CONNECT:
        bits &= ~without_connect
    return bits
