"""Symbolic references: how desired and observed objects name each other.

Diffs compare *references*, not raw ids, so a plan can be made before a role exists and reads
well: an overwrite target or a parent is one of

- an address of the config (``role.naib``, ``category.stillsuit``): a managed object, existing
  or still to be created in this apply;
- ``@everyone`` (the role whose id is the guild id) or ``@bot`` (the bot's managed role, or
  the bot's member when it has none);
- ``role#<id>``, ``member#<id>``, ``category#<id>``: an object gaib does not manage.

``apply`` turns references into ids with :class:`Resolver` once the ids are known.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gaib_core.config.models import BOT, EVERYONE
from gaib_core.errors import PlanError
from gaib_core.provider.models import Guild

EVERYONE_REF = EVERYONE
BOT_REF = BOT


def role_id_ref(role_id: str) -> str:
    """The reference of an unmanaged role."""
    return f"role#{role_id}"


def member_ref(user_id: str) -> str:
    """The reference of a member (member overwrites)."""
    return f"member#{user_id}"


def category_id_ref(channel_id: str) -> str:
    """The reference of an unmanaged category."""
    return f"category#{channel_id}"


def raw_id(ref: str) -> str | None:
    """The id inside ``role#<id>`` / ``member#<id>`` / ``category#<id>``, else None."""
    _, sep, tail = ref.partition("#")
    return tail if sep else None


def is_member(ref: str) -> bool:
    """True for a member reference (overwrite type 1)."""
    return ref.startswith("member#")


@dataclass
class Resolver:
    """Turns references into Discord ids: managed addresses through ``ids``, the rest directly."""

    guild: Guild
    ids: dict[str, str] = field(default_factory=dict)

    def overwrite_target(self, ref: str) -> tuple[str, int]:
        """(id, overwrite type) for an overwrite target reference."""
        if ref == EVERYONE_REF:
            return self.guild.id, 0
        if ref == BOT_REF:
            managed = self.guild.bot_managed_role
            if managed is not None:
                return managed.id, 0
            return self.guild.bot_user_id, 1
        inner = raw_id(ref)
        if inner is not None:
            return inner, 1 if is_member(ref) else 0
        return self.id_of(ref), 0

    def id_of(self, ref: str) -> str:
        """The id of a managed address or a ``kind#id`` reference."""
        inner = raw_id(ref)
        if inner is not None:
            return inner
        if ref in self.ids:
            return self.ids[ref]
        raise PlanError(
            f"{ref} has no Discord id yet",
            hint="it must be created earlier in the same apply; run `gaib server plan` again",
        )
