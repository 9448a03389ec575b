"""Who can do what in a Sietch server, read from the effective-permission matrix that
`gaib server permissions` prints (gaib_core.engine.access over the rendered theme)."""

from __future__ import annotations

import pytest
from gaib_core.config.models import ServerConfig
from gaib_core.engine.access import Access, from_desired
from gaib_core.engine.desired import build_desired
from gaib_core.permissions import flag

VIEW, SEND, CONNECT, SPEAK = (
    flag(n) for n in ("VIEW_CHANNEL", "SEND_MESSAGES", "CONNECT", "SPEAK")
)


@pytest.fixture(scope="module")
def access(sietch: ServerConfig) -> Access:
    return from_desired(build_desired(sietch))


def who(access: Access, channel: str, bits: int) -> list[str]:
    """The roles (as a member holding only that role) that hold ``bits`` in ``channel``."""
    where = access.find_channel(channel)
    return [r.name for r in access.columns() if access.cell(r, where) & bits == bits]


def test_only_the_naib_sees_the_naib_council(access: Access) -> None:
    assert who(access, "NAIB COUNCIL", VIEW) == ["Naib"]
    assert who(access, "#council-rock", VIEW | SEND) == ["Naib"]
    assert who(access, "council-chamber", VIEW | CONNECT | SPEAK) == ["Naib"]


def test_the_depths_qanat_reads_sihaya_and_up_write_hajra_sees_nothing(access: Access) -> None:
    tiers = ["Naib", "Fedaykin", "Usul", "Sayyadina", "Mushtamal", "Sihaya"]
    assert who(access, "#the-depths", VIEW) == [*tiers, "Qanat"]
    assert who(access, "#the-depths", VIEW | SEND) == tiers
    hajra = access.find_role("Hajra")
    assert access.cell(hajra, access.find_channel("#the-depths")) == 0


def test_sanctum_voices_sayyadina_listens_only(access: Access) -> None:
    assert who(access, "sanctum-voices", CONNECT) == ["Naib", "Fedaykin", "Usul", "Sayyadina"]
    assert who(access, "sanctum-voices", CONNECT | SPEAK) == ["Naib", "Fedaykin", "Usul"]


def test_everyone_without_a_tier_reads_the_stillsuit_only(access: Access) -> None:
    everyone = access.find_role("@everyone")
    visible = [c.label for c in access.channels if access.cell(everyone, c) & VIEW]
    assert visible == ["STILLSUIT", "#water-discipline", "#announcements"]
    channels = [c for c in access.channels if not c.is_category]
    assert not any(access.cell(everyone, c) & SEND for c in channels)
