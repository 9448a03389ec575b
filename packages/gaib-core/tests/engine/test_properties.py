"""Hypothesis: random valid configs A and B applied to a sandbox guild over loopback HTTP.

For each example: apply A -> plan empty; apply B over A -> the guild holds exactly B and plan is
empty; export the guild and adopt it in a fresh workspace -> plan of the export is empty;
destroy B -> only what was there before (the bot's role, @everyone) remains.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from gaib_core.config.models import ServerConfig
from gaib_core.config.validate import validate_config
from gaib_core.engine.export import adopt, export_guild
from gaib_core.engine.plan import Plan
from gaib_core.engine.workflow import plan_and_apply, refresh_plan
from gaib_core.provider.discord import DiscordProvider
from gaib_core.provider.models import Guild
from gaib_core.sandbox.server import SandboxServer
from gaib_core.state.backends import FsspecBackend
from gaib_core.state.manager import StateManager
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROLE_NAMES = ["Naib", "Fedaykin", "Sayyadina", "Water Seller", "Usul", "Fremen"]
CHANNEL_NAMES = [
    "General",
    "council",
    "Deep Desert",
    "sietch-tabr",
    "Spice Talk",
    "arrakeen",
    "Oasis",
    "the_door",
    "Lounge",
    "Muad Dib",
]
CATEGORY_NAMES = ["Stillsuit", "Cave of Ridges", "Spice Fields"]
ROLE_PERMS = ["SEND_MESSAGES", "ADD_REACTIONS", "EMBED_LINKS", "MANAGE_MESSAGES", "CONNECT"]
COMMON_PERMS = ["VIEW_CHANNEL", "SEND_MESSAGES", "ADD_REACTIONS"]
TYPE_PERMS = {
    "text": ["VIEW_CHANNEL", "SEND_MESSAGES", "READ_MESSAGE_HISTORY", "ADD_REACTIONS"],
    "announcement": ["VIEW_CHANNEL", "SEND_MESSAGES", "READ_MESSAGE_HISTORY"],
    "voice": ["VIEW_CHANNEL", "CONNECT", "SPEAK"],
}


@st.composite
def overwrites(draw: st.DrawFn, roles: list[str], perms: list[str]) -> dict[str, Any]:
    targets = draw(
        st.lists(st.sampled_from(["@everyone", "@bot", *roles]), unique=True, max_size=3)
    )
    out: dict[str, Any] = {}
    for target in targets:
        chosen = draw(st.lists(st.sampled_from(perms), unique=True, max_size=3))
        split = draw(st.integers(0, len(chosen)))
        out[target] = {"allow": chosen[:split], "deny": chosen[split:]}
    # Keep the bot able to see the channel and, in voice, to connect: Discord lets nobody
    # manage a channel they cannot see, or a voice channel they cannot connect to.
    for needed in ("VIEW_CHANNEL", "CONNECT"):
        if any(needed in ow["deny"] for ow in out.values()):
            bot = out.setdefault("@bot", {"allow": [], "deny": []})
            bot["deny"] = [p for p in bot["deny"] if p != needed]
            bot["allow"] = sorted({*bot["allow"], needed})
    return out


@st.composite
def channel(draw: st.DrawFn, name: str, roles: list[str]) -> dict[str, Any]:
    kind = draw(st.sampled_from(["text", "text", "voice", "announcement"]))
    data: dict[str, Any] = {"name": name, "type": kind, "nsfw": draw(st.booleans())}
    if kind != "voice":
        data["topic"] = draw(st.sampled_from([None, "spice must flow"]))
    if kind == "text":
        data["slowmode"] = draw(st.sampled_from([0, 10]))
    if kind == "voice":
        data["bitrate"] = draw(st.sampled_from([None, 32000, 64000]))
        data["user_limit"] = draw(st.sampled_from([None, 0, 10]))
    mode = draw(st.sampled_from(["inherit", "empty", "own"]))
    if mode == "empty":
        data["overwrites"] = {}
    elif mode == "own":
        data["overwrites"] = draw(overwrites(roles, TYPE_PERMS[kind]))
    return {k: v for k, v in data.items() if v is not None}


@st.composite
def configs(draw: st.DrawFn) -> ServerConfig:
    roles = draw(st.lists(st.sampled_from(ROLE_NAMES), unique=True, max_size=4))
    names = iter(draw(st.permutations(CHANNEL_NAMES)))
    categories = []
    for cat in draw(st.lists(st.sampled_from(CATEGORY_NAMES), unique=True, max_size=2)):
        count = draw(st.integers(0, 3))
        categories.append(
            {
                "name": cat,
                "overwrites": draw(overwrites(roles, COMMON_PERMS)),
                "channels": [draw(channel(next(names), roles)) for _ in range(count)],
            }
        )
    top = [draw(channel(next(names), roles)) for _ in range(draw(st.integers(0, 3)))]
    data = {
        "roles": [
            {
                "name": name,
                "color": draw(st.sampled_from(["#000000", "#FFD700", "#12AB34"])),
                "hoist": draw(st.booleans()),
                "mentionable": draw(st.booleans()),
                "permissions": draw(st.lists(st.sampled_from(ROLE_PERMS), unique=True, max_size=3)),
            }
            for name in roles
        ],
        "categories": categories,
        "channels": top,
    }
    config = ServerConfig.model_validate(data)
    validate_config(config)
    return config


class Rig:
    """One fresh guild and in-memory state per example."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.info = server.sandbox.create_guild()
        backend = FsspecBackend(f"memory://gaib-engine-props/{uuid.uuid4().hex}", {})
        self.backend = backend
        self.manager = StateManager(backend, "default")

    def provider(self) -> DiscordProvider:
        return DiscordProvider(token=self.info.token, base_url=self.server.base_url)

    def plan(self, config: ServerConfig, manager: StateManager | None = None) -> Plan:
        async def go() -> Plan:
            async with self.provider() as p:
                return await refresh_plan(config, p, self.info.guild_id, manager or self.manager)

        return asyncio.run(go())

    def apply(self, config: ServerConfig, *, destroy: bool = False) -> None:
        async def go() -> Any:
            async with self.provider() as p:
                return await plan_and_apply(
                    config, p, self.info.guild_id, self.manager, destroy=destroy
                )

        plan, result = asyncio.run(go())
        assert plan.errors == [] and result.errors == [], (plan.errors, result.errors)

    def guild(self) -> Guild:
        return self.plan(ServerConfig()).guild


def assert_empty(plan: Plan) -> None:
    assert plan.errors == []
    assert not plan.has_changes, [(c.address, c.action, c.changes) for c in plan.actionable()]


def shape(guild: Guild) -> tuple[list[str], set[tuple[str, int, str | None]]]:
    """Role names top to bottom (without @everyone) and (channel, type, parent name)."""
    names = {c.id: c.name for c in guild.channels}
    roles = [r.name for r in guild.sorted_roles() if r.id != guild.id]
    channels = {(c.name, c.type, names.get(c.parent_id or "")) for c in guild.channels}
    return roles, channels


def expected(
    config: ServerConfig, bot_role: str
) -> tuple[list[str], set[tuple[str, int, str | None]]]:
    from gaib_core.engine.desired import build_desired

    desired = build_desired(config)
    cat_names = {c.address: c.name for c in desired.categories}
    channels = {(c.name, c.type, None) for c in desired.categories}
    channels |= {(c.name, c.type, cat_names.get(c.parent or "")) for c in desired.channels}
    return [bot_role, *(r.name for r in desired.roles)], channels


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(a=configs(), b=configs())
def test_apply_a_then_b_then_export_then_destroy(
    sandbox_server: SandboxServer, a: ServerConfig, b: ServerConfig
) -> None:
    rig = Rig(sandbox_server)
    before = shape(rig.guild())
    rig.apply(a)
    assert_empty(rig.plan(a))
    rig.apply(b)
    assert_empty(rig.plan(b))
    assert shape(rig.guild()) == expected(b, "gaib")
    exported = export_guild(rig.guild())
    other = StateManager(rig.backend, "exported")
    state = other.read()
    adopt(exported, state)
    other.write(state)
    assert_empty(rig.plan(exported.config, other))
    rig.apply(b, destroy=True)
    assert shape(rig.guild()) == before
    assert rig.manager.read().resources == {}


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    a=configs(),
    b=configs(),
    stray_roles=st.lists(st.integers(1, 6), max_size=3),
    stray_channels=st.lists(st.tuples(st.sampled_from([0, 2]), st.integers(0, 6)), max_size=3),
)
def test_unmanaged_objects_keep_their_place(
    sandbox_server: SandboxServer,
    a: ServerConfig,
    b: ServerConfig,
    stray_roles: list[int],
    stray_channels: list[tuple[int, int]],
) -> None:
    import httpx

    rig = Rig(sandbox_server)
    api = f"{sandbox_server.base_url}/guilds/{rig.info.guild_id}"
    headers = {"Authorization": f"Bot {rig.info.token}"}
    rig.apply(a)
    for i, position in enumerate(stray_roles):
        role = httpx.post(f"{api}/roles", json={"name": f"Stray {i}"}, headers=headers).json()
        httpx.patch(
            f"{api}/roles", json=[{"id": role["id"], "position": position}], headers=headers
        ).raise_for_status()
    for i, (kind, position) in enumerate(stray_channels):
        httpx.post(
            f"{api}/channels",
            json={"name": f"stray-{i}", "type": kind, "position": position},
            headers=headers,
        ).raise_for_status()
    strays_before = [r for r in shape(rig.guild())[0] if r.startswith("Stray")]
    # a stray sharing a managed role's position gets renumbered once, keeping its place
    rig.apply(a)
    assert_empty(rig.plan(a))  # strays in between: no diff
    assert [r for r in shape(rig.guild())[0] if r.startswith("Stray")] == strays_before
    rig.apply(b)
    assert_empty(rig.plan(b))
    roles_after = shape(rig.guild())[0]
    assert [r for r in roles_after if r.startswith("Stray")] == strays_before
    rig.apply(b, destroy=True)
    roles, channels = shape(rig.guild())
    assert [r for r in roles if r != "gaib"] == strays_before
    assert {c[0] for c in channels} == {f"stray-{i}" for i in range(len(stray_channels))}
