"""The provider interface: everything the engine and the tier engine ask of Discord.

A provider is async and owns nothing it did not create: the Discord provider is handed an
``httpx.AsyncClient`` (built by ``gaib_core.provider.http.build_client``) and closes it only if it
built it. Every write takes ``reason``, sent as ``X-Audit-Log-Reason``.

Reading a guild costs a fixed handful of requests whatever its size (guild, roles, channels, the
bot's member). Overwrites travel inside channel create/modify; role order is one bulk request.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from gaib_core.provider.models import (
    Channel,
    ChannelPosition,
    ChannelWrite,
    Guild,
    GuildSettings,
    GuildWrite,
    Member,
    Role,
    RolePosition,
    RoleWrite,
)


@runtime_checkable
class Provider(Protocol):
    """What gaib needs from Discord. Methods raise ``gaib_core.errors.ProviderError`` subclasses."""

    name: str

    async def read_guild(self, guild_id: str) -> Guild:
        """The guild's roles, channels (with overwrites) and the bot's member, in <= 5 requests."""
        ...

    async def modify_guild(
        self, guild_id: str, settings: GuildWrite, *, reason: str
    ) -> GuildSettings:
        """Change the set fields of the guild's own settings (Modify Guild) and return them."""
        ...

    async def create_role(self, guild_id: str, role: RoleWrite, *, reason: str) -> Role:
        """Create a role (Discord puts it at position 1) and return it."""
        ...

    async def modify_role(
        self, guild_id: str, role_id: str, role: RoleWrite, *, reason: str
    ) -> Role:
        """Change the set fields of a role and return it."""
        ...

    async def delete_role(self, guild_id: str, role_id: str, *, reason: str) -> None:
        """Delete a role."""
        ...

    async def reorder_roles(
        self, guild_id: str, positions: list[RolePosition], *, reason: str
    ) -> list[Role]:
        """One bulk ``PATCH /guilds/{id}/roles``; returns every role of the guild."""
        ...

    async def create_channel(self, guild_id: str, channel: ChannelWrite, *, reason: str) -> Channel:
        """Create a channel or category (overwrites included) and return it."""
        ...

    async def modify_channel(
        self, channel_id: str, channel: ChannelWrite, *, reason: str
    ) -> Channel:
        """Change the set fields of a channel (overwrites included) and return it."""
        ...

    async def delete_channel(self, channel_id: str, *, reason: str) -> None:
        """Delete a channel or category (a category's children move to no parent)."""
        ...

    async def reorder_channels(
        self, guild_id: str, positions: list[ChannelPosition], *, reason: str
    ) -> None:
        """One bulk ``PATCH /guilds/{id}/channels`` (at most one parent change per request)."""
        ...

    async def get_member(self, guild_id: str, user_id: str) -> Member:
        """One member."""
        ...

    async def list_members(self, guild_id: str, *, page_size: int = 1000) -> list[Member]:
        """Every member of the guild, in user-id order, read in pages of ``page_size`` (1-1000).

        One request per page (``GET /guilds/{id}/members?limit=&after=``), plus one that comes
        back short. On Discord this needs the app's Server Members privileged intent.
        """
        ...

    async def add_member_role(
        self, guild_id: str, user_id: str, role_id: str, *, reason: str
    ) -> None:
        """Give a member a role."""
        ...

    async def remove_member_role(
        self, guild_id: str, user_id: str, role_id: str, *, reason: str
    ) -> None:
        """Take a role from a member."""
        ...

    async def aclose(self) -> None:
        """Release what the provider created (its HTTP client, if it built it)."""
        ...
