"""Discord's effective permissions (gaib_core.effective): properties of the algorithm, and the
sandbox's enforcement giving the same answers as the matrix gaib prints for random guilds."""

from __future__ import annotations

from typing import Any

from gaib_core import effective
from gaib_core.effective import Bits, channel_permissions, guild_permissions
from gaib_core.engine.access import from_guild
from gaib_core.permissions import all_bits, channel_bits, flag, implicit_denies
from gaib_core.provider.models import Channel, Guild, Member, PermissionOverwrite, Role
from gaib_core.sandbox import rules
from gaib_core.sandbox.store import (
    StoredChannel,
    StoredGuild,
    StoredMember,
    StoredOverwrite,
    StoredRole,
)
from hypothesis import given, settings
from hypothesis import strategies as st

ALL = all_bits()
VIEW, SEND, CONNECT = flag("VIEW_CHANNEL"), flag("SEND_MESSAGES"), flag("CONNECT")
ADMIN = flag("ADMINISTRATOR")
TYPES = st.sampled_from([0, 2, 4, 5, 13, 15, 16])
permission_bits = st.integers(min_value=0, max_value=ALL).map(lambda b: b & ~ADMIN)
overwrites = st.builds(Bits, allow=permission_bits, deny=permission_bits)
maybe_overwrite = st.none() | overwrites


@settings(max_examples=60, deadline=None)
@given(permission_bits, TYPES, maybe_overwrite, st.lists(overwrites, max_size=3), maybe_overwrite)
def test_administrator_gives_every_permission_whatever_the_overwrites(
    base: int, kind: int, everyone: Bits | None, roles: list[Bits], member: Bits | None
) -> None:
    guild = guild_permissions(base, [ADMIN])
    assert guild == ALL
    got = channel_permissions(guild, kind, everyone=everyone, roles=roles, member=member)
    assert got == ALL


@settings(max_examples=60, deadline=None)
@given(permission_bits, permission_bits)
def test_the_owner_has_every_permission(everyone: int, role: int) -> None:
    assert guild_permissions(everyone, [role], owner=True) == ALL


@settings(max_examples=80, deadline=None)
@given(
    permission_bits,
    TYPES,
    maybe_overwrite,
    st.lists(overwrites, min_size=1, max_size=3),
    maybe_overwrite,
    permission_bits,
)
def test_an_allow_on_a_role_overwrite_never_removes_a_permission(
    base: int,
    kind: int,
    everyone: Bits | None,
    roles: list[Bits],
    member: Bits | None,
    extra: int,
) -> None:
    before = channel_permissions(base, kind, everyone=everyone, roles=roles, member=member)
    widened = [Bits(roles[0].allow | extra, roles[0].deny), *roles[1:]]
    after = channel_permissions(base, kind, everyone=everyone, roles=widened, member=member)
    assert before & ~after == 0


@settings(max_examples=80, deadline=None)
@given(permission_bits, TYPES, maybe_overwrite, st.lists(overwrites, max_size=3), overwrites)
def test_the_member_overwrite_wins_over_role_overwrites(
    base: int, kind: int, everyone: Bits | None, roles: list[Bits], member: Bits
) -> None:
    # The member is allowed to see, send and connect so no implicit deny hides the result.
    deny = member.deny & ~(VIEW | SEND | CONNECT)
    mine = Bits((member.allow | VIEW | SEND | CONNECT) & ~deny, deny)
    got = channel_permissions(base, kind, everyone=everyone, roles=roles, member=mine)
    assert got & mine.allow == mine.allow
    assert got & mine.deny == 0


@settings(max_examples=80, deadline=None)
@given(permission_bits, TYPES, maybe_overwrite, st.lists(overwrites, max_size=3), maybe_overwrite)
def test_implicit_denies(
    base: int, kind: int, everyone: Bits | None, roles: list[Bits], member: Bits | None
) -> None:
    got = channel_permissions(base, kind, everyone=everyone, roles=roles, member=member)
    without_send, without_connect = implicit_denies()
    if not got & VIEW:
        assert got == 0  # no VIEW_CHANNEL: nothing at all in the channel
    if not got & SEND:
        assert got & without_send == 0
    if kind in (2, 13) and not got & CONNECT:
        assert got & without_connect == 0


def test_overwrite_levels_apply_deny_then_allow_in_order() -> None:
    base = VIEW | SEND | flag("ATTACH_FILES")
    everyone = Bits(allow=0, deny=VIEW)
    role_a = Bits(allow=VIEW, deny=SEND)
    role_b = Bits(allow=SEND, deny=0)  # roles combine: B's allow beats A's deny
    assert channel_permissions(base, 0, everyone=everyone, roles=[role_a]) == VIEW
    assert channel_permissions(base, 0, everyone=everyone, roles=[role_a, role_b]) == base | SEND
    member = Bits(allow=0, deny=SEND)
    got = channel_permissions(base, 0, everyone=everyone, roles=[role_a, role_b], member=member)
    assert got == VIEW  # and without SEND_MESSAGES, ATTACH_FILES goes too


def test_a_voice_channel_without_connect_cannot_be_managed() -> None:
    base = VIEW | CONNECT | flag("SPEAK") | flag("MANAGE_CHANNELS")
    got = channel_permissions(base, 2, everyone=Bits(deny=CONNECT))
    assert got == VIEW
    assert channel_permissions(base, 0, everyone=Bits(deny=CONNECT)) & flag("MANAGE_CHANNELS")


# --- the sandbox and the matrix agree ---------------------------------------------------------

GUILD, OWNER = "100", "101"


@st.composite
def guilds(draw: Any) -> tuple[list[int], int, int, list[tuple[int, int, int]]]:
    """(role permissions, @everyone permissions, channel type, overwrites (target, allow, deny))
    where target 0 is @everyone and n is role n."""
    roles = draw(st.lists(permission_bits | st.just(ADMIN), min_size=1, max_size=4))
    targets = st.integers(min_value=0, max_value=len(roles))
    rows = st.tuples(targets, permission_bits, permission_bits)
    unique = st.lists(rows, max_size=len(roles) + 1, unique_by=lambda row: row[0])
    return roles, draw(permission_bits), draw(TYPES), draw(unique)


def _role_id(n: int) -> str:
    return GUILD if n == 0 else str(200 + n)


@settings(max_examples=60, deadline=None)
@given(guilds())
def test_sandbox_enforcement_matches_the_matrix(
    drawn: tuple[list[int], int, int, list[tuple[int, int, int]]],
) -> None:
    role_bits, everyone, kind, rows = drawn
    stored = StoredGuild(
        id=GUILD,
        name="g",
        owner_id=OWNER,
        roles={
            GUILD: StoredRole(id=GUILD, name="@everyone", permissions=everyone),
            **{
                _role_id(n): StoredRole(id=_role_id(n), name=f"r{n}", permissions=bits, position=n)
                for n, bits in enumerate(role_bits, start=1)
            },
        },
        channels={
            "300": StoredChannel(
                id="300",
                type=kind,
                name="c",
                overwrites=[StoredOverwrite(id=_role_id(t), allow=a, deny=d) for t, a, d in rows],
            )
        },
        members={
            str(400 + n): StoredMember(user_id=str(400 + n), roles=[_role_id(n)], joined_at="x")
            for n in range(1, len(role_bits) + 1)
        }
        | {"400": StoredMember(user_id="400", joined_at="x")},
    )
    live = Guild(
        id=GUILD,
        name="g",
        owner_id=OWNER,
        bot_user_id="999",
        bot_member=Member(user_id="999"),
        roles=[
            Role(id=r.id, name=r.name, permissions=r.permissions) for r in stored.roles.values()
        ],
        channels=[
            Channel(
                id="300",
                type=kind,
                name="c",
                permission_overwrites=[
                    PermissionOverwrite(id=_role_id(t), allow=a, deny=d) for t, a, d in rows
                ],
            )
        ],
    )
    access = from_guild(live)
    channel = access.channels[0]
    for n in range(len(role_bits) + 1):
        column = access.find_role(_role_id(n) if n else "@everyone")
        enforced = rules.channel_permissions(stored, stored.channels["300"], str(400 + n))
        assert access.permissions(column, channel) == enforced
        assert access.cell(column, channel) == enforced & channel_bits(kind)
    owner = rules.channel_permissions(stored, stored.channels["300"], OWNER)
    assert owner == ALL == effective.guild_permissions(0, owner=True)
