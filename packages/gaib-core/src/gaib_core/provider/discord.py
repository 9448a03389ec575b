"""``DiscordProvider``: the provider interface over Discord's REST API v10 (or the sandbox).

The same class talks to Discord and to the sandbox; only the base URL (or an in-process
transport) differs. Requests go through ``RestClient`` (rate limits, retries, error mapping).
This module holds the REST operations; two ideas they rely on live next to it:

* :mod:`gaib_core.provider.adopt`: ambiguous creates are never blindly repeated (an object
  created by a request whose answer was lost is found and adopted);
* :mod:`gaib_core.provider.explain`: a 50013 (Missing Permissions) answer is explained by naming
  the role above the bot, or the permissions its role lacks.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, cast

import httpx

from gaib_core.errors import DiscordAPIError, MissingAccess, MissingPermissions
from gaib_core.provider.adopt import create_or_adopt, find_channel, find_role
from gaib_core.provider.explain import explain_missing_permissions
from gaib_core.provider.http import DEFAULT_API_BASE, build_client
from gaib_core.provider.models import (
    ApplicationCommand,
    Channel,
    ChannelPosition,
    ChannelWrite,
    CommandWrite,
    Guild,
    GuildSettings,
    GuildWrite,
    Member,
    Role,
    RolePosition,
    RoleWrite,
)
from gaib_core.provider.ratelimit import RateLimiter, Route
from gaib_core.provider.rest import RestClient

#: The most members Discord returns per page of List Guild Members.
MEMBER_PAGE = 1000


class DiscordProvider:
    """Discord's REST API through one httpx client.

    Safe for concurrent calls from many tasks (requests are queued per bucket); use one provider
    within one event loop, as its httpx client and rate-limit timers belong to that loop.

    :param client: an ``httpx.AsyncClient`` to use (not closed by ``aclose``); by default one is
        built with ``build_client(token, base_url, transport)`` and closed by ``aclose``.
    :param token: the bot token (never logged, never in messages).
    :param base_url: the API root (Discord's v10, or a sandbox's).
    :param transport: an httpx transport for the built client (e.g. ``SandboxTransport``).
    :param max_ratelimit_wait: longest wait (seconds) for a rate limit before ``RateLimited``.
    :param app_name: the audit-log reason used when a write gives none.
    :param name: the provider's registered name (``discord`` or ``sandbox``).
    :param token_env: the variable the token came from, named when Discord rejects it.
    :param max_retries: attempts per request on 5xx, connection errors and 429s.
    :param retry_delay: first backoff delay in seconds (doubles per failure).
    :param global_limit: requests per second allowed by the global limit.
    :param ambiguous_settle: after a create timed out, seconds to let the server finish before
        looking for the object (a timed-out request may still be running).
    """

    def __init__(
        self,
        client: httpx.AsyncClient | None = None,
        *,
        token: str,
        base_url: str = DEFAULT_API_BASE,
        transport: httpx.AsyncBaseTransport | None = None,
        max_ratelimit_wait: float = 60.0,
        app_name: str = "gaib",
        name: str = "discord",
        token_env: str = "DISCORD_TOKEN",
        max_retries: int = 5,
        retry_delay: float = 0.5,
        global_limit: int = 50,
        ambiguous_settle: float = 2.0,
    ) -> None:
        self.name = name
        self.app_name = app_name
        self._owns_client = client is None
        self.client = client if client is not None else build_client(token, base_url, transport)
        self.limiter = RateLimiter(max_wait=max_ratelimit_wait, global_limit=global_limit)
        self.rest = RestClient(
            self.client,
            self.limiter,
            max_retries=max_retries,
            retry_delay=retry_delay,
            token_env=token_env,
            redact=(token,) if token else (),
        )
        self.ambiguous_settle = ambiguous_settle
        self._bot_user_id: str | None = None
        # Ids this provider has seen per guild: an ambiguous create only adopts an unseen object.
        self._seen: dict[str, set[str]] = {}

    def __repr__(self) -> str:
        return f"<DiscordProvider {self.name} {self.client!r}>"

    @property
    def request_count(self) -> int:
        """HTTP requests sent so far (retries included)."""
        return self.rest.request_count

    async def aclose(self) -> None:
        """Close the HTTP client if this provider built it."""
        if self._owns_client:
            await self.client.aclose()

    async def __aenter__(self) -> DiscordProvider:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- reading ----------------------------------------------------------------------------

    async def bot_user_id(self) -> str:
        """The bot's user id (``GET /users/@me``, asked once)."""
        if self._bot_user_id is None:
            me = await self._call(Route("GET", "/users/@me"))
            self._bot_user_id = str(me["id"])
        return self._bot_user_id

    async def read_guild(self, guild_id: str) -> Guild:
        """Guild (with its roles), channels and the bot's member: 3 requests (+1 the first time)."""
        bot_id = await self.bot_user_id()
        results = await asyncio.gather(
            self._call(Route("GET", "/guilds/{guild_id}", guild_id=guild_id)),
            self._call(Route("GET", "/guilds/{guild_id}/channels", guild_id=guild_id)),
            self._call(
                Route(
                    "GET", "/guilds/{guild_id}/members/{user_id}", guild_id=guild_id, user_id=bot_id
                )
            ),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result
        guild_data, channel_data, member_data = cast(list[Any], results)
        guild = Guild(
            id=str(guild_data["id"]),
            name=guild_data.get("name", ""),
            owner_id=str(guild_data.get("owner_id", "")),
            roles=[Role.from_api(r) for r in guild_data.get("roles") or []],
            channels=[Channel.from_api(c) for c in channel_data or []],
            bot_user_id=bot_id,
            bot_member=Member.from_api(member_data),
            settings=GuildSettings.from_api(guild_data),
        )
        self._remember(guild_id, [r.id for r in guild.roles] + [c.id for c in guild.channels])
        return guild

    async def get_member(self, guild_id: str, user_id: str) -> Member:
        """One member of the guild."""
        data = await self._call(
            Route("GET", "/guilds/{guild_id}/members/{user_id}", guild_id=guild_id, user_id=user_id)
        )
        return Member.from_api(data)

    async def list_members(self, guild_id: str, *, page_size: int = MEMBER_PAGE) -> list[Member]:
        """Every member, in user-id order: ``GET /guilds/{id}/members?limit=&after=`` per page.

        Discord pages by user id (``after`` = the last id of the previous page) and a page
        shorter than ``limit`` is the last, so ``n`` members cost ``n // page_size + 1``
        requests. The pages go one after another (each needs the last id of the one before)
        through the route's bucket like every other call. Without the Server Members intent
        Discord answers 50001; the error then says where to turn it on.
        """
        if not 1 <= page_size <= MEMBER_PAGE:
            raise ValueError(f"page_size {page_size} is not in 1..{MEMBER_PAGE}")
        route = Route("GET", "/guilds/{guild_id}/members", guild_id=guild_id)
        members: list[Member] = []
        after = "0"
        while True:
            try:
                page = await self._call(route.with_query(limit=page_size, after=after))
            except MissingAccess as err:
                err.hint = (
                    "listing members needs the Server Members intent: turn on 'Server Members "
                    "Intent' in the Developer Portal > your application > Bot > Privileged "
                    "Gateway Intents (and check that the bot is in that guild)"
                )
                err.args = (str(err),)
                raise
            members.extend(Member.from_api(m) for m in page or [])
            if len(page or []) < page_size:
                return members
            after = members[-1].user_id

    # -- the guild's own settings -------------------------------------------------------------

    async def modify_guild(
        self, guild_id: str, settings: GuildWrite, *, reason: str
    ) -> GuildSettings:
        """``PATCH /guilds/{id}`` with the fields set on ``settings``; returns the new settings.

        A 50013 answer names the permission this needs (MANAGE_GUILD) and where to give it.
        """
        route = Route("PATCH", "/guilds/{guild_id}", guild_id=guild_id)
        try:
            data = await self._call(route, json=settings.to_json(), reason=reason)
        except MissingPermissions as err:
            err.hint = (
                "Modify Guild needs MANAGE_GUILD: give the bot's role 'Manage Server' in "
                "Server Settings > Roles"
            )
            err.args = (str(err),)
            raise
        return GuildSettings.from_api(data)

    # -- roles ------------------------------------------------------------------------------

    async def create_role(self, guild_id: str, role: RoleWrite, *, reason: str) -> Role:
        """``POST /guilds/{id}/roles``; Discord puts the new role at position 1."""
        route = Route("POST", "/guilds/{guild_id}/roles", guild_id=guild_id)
        body = role.to_json()

        since = time.time()

        async def find() -> Role | None:
            return await find_role(self._call, self._seen_in(guild_id), guild_id, body, since)

        try:
            created = await create_or_adopt(
                self._call,
                self.rest,
                self.ambiguous_settle,
                route,
                body,
                reason,
                find,
                Role.from_api,
            )
        except MissingPermissions as err:
            raise await explain_missing_permissions(
                self.read_guild, err, route, guild_id, grant=role
            ) from None
        self._remember(guild_id, [created.id])
        return created

    async def modify_role(
        self, guild_id: str, role_id: str, role: RoleWrite, *, reason: str
    ) -> Role:
        """``PATCH /guilds/{id}/roles/{role_id}`` with the fields set on ``role``."""
        route = Route(
            "PATCH", "/guilds/{guild_id}/roles/{role_id}", guild_id=guild_id, role_id=role_id
        )
        data = await self._write(
            route, role.to_json(), reason, guild_id, roles=[role_id], grant=role
        )
        return Role.from_api(data)

    async def delete_role(self, guild_id: str, role_id: str, *, reason: str) -> None:
        """``DELETE /guilds/{id}/roles/{role_id}``."""
        route = Route(
            "DELETE", "/guilds/{guild_id}/roles/{role_id}", guild_id=guild_id, role_id=role_id
        )
        await self._write(route, None, reason, guild_id, roles=[role_id])

    async def reorder_roles(
        self, guild_id: str, positions: list[RolePosition], *, reason: str
    ) -> list[Role]:
        """One bulk ``PATCH /guilds/{id}/roles``; returns every role of the guild."""
        route = Route("PATCH", "/guilds/{guild_id}/roles", guild_id=guild_id)
        body = [p.model_dump() for p in positions]
        data = await self._write(
            route, body, reason, guild_id, roles=[p.id for p in positions], positions=positions
        )
        return [Role.from_api(r) for r in data or []]

    # -- channels ---------------------------------------------------------------------------

    async def create_channel(self, guild_id: str, channel: ChannelWrite, *, reason: str) -> Channel:
        """``POST /guilds/{id}/channels`` (overwrites included)."""
        route = Route("POST", "/guilds/{guild_id}/channels", guild_id=guild_id)
        body = channel.to_json()

        since = time.time()

        async def find() -> Channel | None:
            return await find_channel(self._call, self._seen_in(guild_id), guild_id, body, since)

        try:
            created = await create_or_adopt(
                self._call,
                self.rest,
                self.ambiguous_settle,
                route,
                body,
                reason,
                find,
                Channel.from_api,
            )
        except MissingPermissions as err:
            raise await explain_missing_permissions(
                self.read_guild, err, route, guild_id, overwrites=channel
            ) from None
        self._remember(guild_id, [created.id])
        return created

    async def modify_channel(
        self, channel_id: str, channel: ChannelWrite, *, reason: str
    ) -> Channel:
        """``PATCH /channels/{id}`` with the fields set on ``channel`` (overwrites included)."""
        route = Route("PATCH", "/channels/{channel_id}", channel_id=channel_id)
        try:
            data = await self._call(route, json=channel.to_json(), reason=reason)
        except MissingPermissions as err:
            guild_id = await self._guild_of_channel(channel_id)
            if guild_id is None:
                raise
            raise await explain_missing_permissions(
                self.read_guild, err, route, guild_id, overwrites=channel
            ) from None
        return Channel.from_api(data)

    async def delete_channel(self, channel_id: str, *, reason: str) -> None:
        """``DELETE /channels/{id}`` (a category's children move to no parent)."""
        await self._call(
            Route("DELETE", "/channels/{channel_id}", channel_id=channel_id), reason=reason
        )

    async def reorder_channels(
        self, guild_id: str, positions: list[ChannelPosition], *, reason: str
    ) -> None:
        """Bulk ``PATCH /guilds/{id}/channels``.

        Discord accepts one parent change per request (error 40009), so entries that set
        ``parent_id`` beyond the first go in requests of their own; usually this is one request.
        """
        route = Route("PATCH", "/guilds/{guild_id}/channels", guild_id=guild_id)
        for batch in _position_batches(positions):
            await self._call(route, json=[p.to_json() for p in batch], reason=reason)

    # -- members ----------------------------------------------------------------------------

    async def add_member_role(
        self, guild_id: str, user_id: str, role_id: str, *, reason: str
    ) -> None:
        """``PUT /guilds/{id}/members/{user_id}/roles/{role_id}``."""
        route = Route(
            "PUT",
            "/guilds/{guild_id}/members/{user_id}/roles/{role_id}",
            guild_id=guild_id,
            user_id=user_id,
            role_id=role_id,
        )
        await self._write(route, None, reason, guild_id, roles=[role_id])

    async def remove_member_role(
        self, guild_id: str, user_id: str, role_id: str, *, reason: str
    ) -> None:
        """``DELETE /guilds/{id}/members/{user_id}/roles/{role_id}``."""
        route = Route(
            "DELETE",
            "/guilds/{guild_id}/members/{user_id}/roles/{role_id}",
            guild_id=guild_id,
            user_id=user_id,
            role_id=role_id,
        )
        await self._write(route, None, reason, guild_id, roles=[role_id])

    # -- application commands ---------------------------------------------------------------

    @staticmethod
    def _commands_route(method: str, application_id: str, guild_id: str | None) -> Route:
        if guild_id is None:
            return Route(
                method, "/applications/{application_id}/commands", application_id=application_id
            )
        return Route(
            method,
            "/applications/{application_id}/guilds/{guild_id}/commands",
            application_id=application_id,
            guild_id=guild_id,
        )

    async def list_commands(
        self, application_id: str, *, guild_id: str | None = None
    ) -> list[ApplicationCommand]:
        """The application's commands: global, or of one guild."""
        data = await self._call(self._commands_route("GET", application_id, guild_id))
        return [ApplicationCommand.from_api(c) for c in data or []]

    async def upsert_command(
        self, application_id: str, command: CommandWrite, *, guild_id: str | None = None
    ) -> ApplicationCommand:
        """``POST``: create the command, or update the one with its name and type (Discord
        matches by name, so repeating it never makes a duplicate). Other commands stay."""
        route = self._commands_route("POST", application_id, guild_id)
        data = await self._call(route, json=command.to_json(), reason=self.app_name)
        return ApplicationCommand.from_api(data)

    async def overwrite_commands(
        self,
        application_id: str,
        commands: list[CommandWrite],
        *,
        guild_id: str | None = None,
    ) -> list[ApplicationCommand]:
        """One bulk ``PUT``: the scope's commands become exactly ``commands``.

        Commands already registered with the same name and type keep their id (no duplicate,
        no churn for members); others are deleted. Idempotent, so safe to repeat. Global
        commands reach every guild the application is in; guild ones (``guild_id``) only that
        guild, and need the bot in it.
        """
        route = self._commands_route("PUT", application_id, guild_id)
        data = await self._call(route, json=[c.to_json() for c in commands], reason=self.app_name)
        return [ApplicationCommand.from_api(c) for c in data or []]

    # -- plumbing ---------------------------------------------------------------------------

    async def _call(self, route: Route, *, json: Any = None, reason: str | None = None) -> Any:
        if route.method != "GET" and not reason:
            reason = self.app_name
        return (await self.rest.request(route, json=json, reason=reason)).data

    async def _write(
        self,
        route: Route,
        body: Any,
        reason: str,
        guild_id: str,
        *,
        roles: list[str],
        positions: list[RolePosition] | None = None,
        grant: RoleWrite | None = None,
    ) -> Any:
        """A role-related write; a 50013 is explained with the role hierarchy."""
        try:
            return await self._call(route, json=body, reason=reason)
        except MissingPermissions as err:
            raise await explain_missing_permissions(
                self.read_guild, err, route, guild_id, roles=roles, positions=positions, grant=grant
            ) from None

    def _seen_in(self, guild_id: str) -> set[str]:
        return self._seen.get(guild_id, set())

    def _remember(self, guild_id: str, ids: list[str]) -> None:
        self._seen.setdefault(guild_id, set()).update(ids)

    async def _guild_of_channel(self, channel_id: str) -> str | None:
        try:
            data = await self._call(Route("GET", "/channels/{channel_id}", channel_id=channel_id))
        except DiscordAPIError:
            return None
        return str(data.get("guild_id")) if data.get("guild_id") else None


def _position_batches(positions: list[ChannelPosition]) -> list[list[ChannelPosition]]:
    """Split so that each request changes at most one parent."""
    plain = [p for p in positions if "parent_id" not in p.model_fields_set]
    moves = [p for p in positions if "parent_id" in p.model_fields_set]
    if not moves:
        return [plain] if plain else []
    return [plain + moves[:1], *([m] for m in moves[1:])]
