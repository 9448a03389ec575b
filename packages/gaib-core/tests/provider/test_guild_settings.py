"""The provider's Modify Guild against the sandbox over real loopback HTTP."""

from __future__ import annotations

import hashlib

import pytest
from gaib_core.errors import MissingPermissions
from gaib_core.images import from_bytes
from gaib_core.permissions import default_bot, to_bits
from gaib_core.provider.discord import DiscordProvider
from gaib_core.provider.models import VOICE, ChannelWrite, GuildSettings, GuildWrite
from gaib_core.sandbox.server import SandboxServer
from gaib_core.testing.fixtures import SandboxGuild
from gaib_core.testing.images import png_bytes

from .conftest import run

REASON = "gaib apply: test"
MANAGE_GUILD = 1 << 5


def test_settings_are_read_changed_and_cleared(sandbox: SandboxGuild) -> None:
    icon = png_bytes()

    async def go(p: DiscordProvider) -> tuple[GuildSettings, GuildSettings, GuildSettings]:
        gid = sandbox.guild_id
        fresh = (await p.read_guild(gid)).settings
        afk = await p.create_channel(gid, ChannelWrite(name="AFK", type=VOICE), reason=REASON)
        text = await p.create_channel(gid, ChannelWrite(name="welcome"), reason=REASON)
        changed = await p.modify_guild(
            gid,
            GuildWrite(
                name="Arrakis",
                description="The desert planet",
                icon=from_bytes(icon).data_uri(),
                verification_level=3,
                default_message_notifications=1,
                explicit_content_filter=1,
                afk_channel_id=afk.id,
                afk_timeout=1800,
                system_channel_id=text.id,
            ),
            reason=REASON,
        )
        assert (await p.read_guild(gid)).settings == changed
        cleared = await p.modify_guild(
            gid,
            GuildWrite(description=None, icon=None, afk_channel_id=None, system_channel_id=None),
            reason=REASON,
        )
        return fresh, changed, cleared

    fresh, changed, cleared = run(sandbox, go)
    assert fresh == GuildSettings(name="Sandbox")
    assert changed.name == "Arrakis" and changed.description == "The desert planet"
    assert changed.icon == hashlib.md5(icon).hexdigest()
    assert (changed.verification_level, changed.default_message_notifications) == (3, 1)
    assert (changed.explicit_content_filter, changed.afk_timeout) == (1, 1800)
    assert changed.afk_channel_id and changed.system_channel_id
    assert cleared == changed.model_copy(
        update={
            "description": None,
            "icon": None,
            "afk_channel_id": None,
            "system_channel_id": None,
        }
    )


def test_only_the_fields_set_are_sent(sandbox: SandboxGuild) -> None:
    assert GuildWrite(name="x").to_json() == {"name": "x"}
    assert GuildWrite(icon=None).to_json() == {"icon": None}
    assert "data:" not in repr(GuildWrite(icon=from_bytes(png_bytes()).data_uri()))


def test_missing_manage_guild_says_what_to_grant(sandbox_server: SandboxServer) -> None:
    info = sandbox_server.sandbox.create_guild(
        bot_permissions=to_bits(default_bot()) & ~MANAGE_GUILD
    )
    guild = SandboxGuild(sandbox_server, info, sandbox_server.base_url, info.token)

    async def go(p: DiscordProvider) -> None:
        await p.modify_guild(info.guild_id, GuildWrite(name="Mine"), reason=REASON)

    with pytest.raises(MissingPermissions, match=r"MANAGE_GUILD.*Manage Server"):
        run(guild, go)
