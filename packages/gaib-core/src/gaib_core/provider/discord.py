"""``DiscordProvider``: the provider interface over Discord's REST API v10 (or the sandbox).

The same class talks to Discord and to the sandbox; only the base URL (or an in-process
transport) differs. Requests go through ``RestClient`` (rate limits, retries, error mapping).

Two things this module adds on top:

* **Ambiguous creates are never blindly repeated.** When a POST was sent but its answer was lost
  (dropped connection, timeout, 5xx), the guild's roles or channels are read back and an object
  matching what was sent (name and type, and for roles the other fields sent) that the provider
  had not seen before is adopted; only if there is none is the request sent again.
* **50013 explained.** On a Missing Permissions answer to a role or overwrite operation the guild
  is read again to name the role above the bot and what to move.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

import httpx

from gaib_core.config.validate import normalize_channel_name
from gaib_core.errors import AmbiguousWrite, DiscordAPIError, MissingPermissions
from gaib_core.permissions import all_permissions
from gaib_core.provider.errors import error_from_response, hierarchy_hint, server_error
from gaib_core.provider.http import DEFAULT_API_BASE, build_client
from gaib_core.provider.models import (
    ADMINISTRATOR,
    Channel,
    ChannelPosition,
    ChannelWrite,
    Guild,
    Member,
    PermissionOverwrite,
    Role,
    RolePosition,
    RoleWrite,
)
from gaib_core.provider.ratelimit import RateLimiter, Route
from gaib_core.provider.rest import AmbiguousOutcome, RestClient

log = logging.getLogger(__name__)

MANAGE_ROLES = 1 << 28
DISCORD_EPOCH_MS = 1420070400000
# How far behind ours the server's clock may be when we judge an object's age by its snowflake.
CLOCK_SKEW = 30.0

T = TypeVar("T")


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
        )
        self._remember(guild_id, [r.id for r in guild.roles] + [c.id for c in guild.channels])
        return guild

    async def get_member(self, guild_id: str, user_id: str) -> Member:
        """One member of the guild."""
        data = await self._call(
            Route("GET", "/guilds/{guild_id}/members/{user_id}", guild_id=guild_id, user_id=user_id)
        )
        return Member.from_api(data)

    # -- roles ------------------------------------------------------------------------------

    async def create_role(self, guild_id: str, role: RoleWrite, *, reason: str) -> Role:
        """``POST /guilds/{id}/roles``; Discord puts the new role at position 1."""
        route = Route("POST", "/guilds/{guild_id}/roles", guild_id=guild_id)
        body = role.to_json()

        since = time.time()

        async def find() -> Role | None:
            return await self._find_role(guild_id, body, since)

        try:
            created = await self._create(route, body, reason, find, Role.from_api)
        except MissingPermissions as err:
            raise await self._explain(err, route, guild_id, grant=role) from None
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
            return await self._find_channel(guild_id, body, since)

        try:
            created = await self._create(route, body, reason, find, Channel.from_api)
        except MissingPermissions as err:
            raise await self._explain(err, route, guild_id, overwrites=channel) from None
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
            raise await self._explain(err, route, guild_id, overwrites=channel) from None
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
            raise await self._explain(
                err, route, guild_id, roles=roles, positions=positions, grant=grant
            ) from None

    async def _create(
        self,
        route: Route,
        body: dict[str, Any],
        reason: str,
        find: Callable[[], Awaitable[T | None]],
        parse: Callable[[dict[str, Any]], T],
    ) -> T:
        """POST ``body``; after an unknown outcome, adopt the object if it exists, else resend."""
        attempts = self.rest.max_retries
        last: AmbiguousOutcome | None = None
        for attempt in range(1, attempts + 1):
            try:
                return parse(await self._call(route, json=body, reason=reason))
            except AmbiguousOutcome as amb:
                last = amb
                log.warning("%s: outcome unknown (%s); checking before retrying", route, amb.cause)
                if "Timeout" in amb.cause:
                    await asyncio.sleep(self.ambiguous_settle)
                try:
                    found = await find()
                except DiscordAPIError as exc:
                    raise AmbiguousWrite(
                        f"{route} may or may not have been performed ({amb.cause}) and reading "
                        f"the guild back failed: {exc}",
                        hint="run `gaib server plan`: it shows whether the object exists",
                    ) from None
                if found is not None:
                    log.warning("%s: the object was created after all; adopting it", route)
                    return found
                if attempt < attempts:
                    await asyncio.sleep(self.rest.backoff(attempt))
        assert last is not None
        raise server_error(route, last.status, attempts, last.cause)

    async def _find_role(self, guild_id: str, body: dict[str, Any], since: float) -> Role | None:
        """The new role matching a create body (name and every field sent), newest first."""
        data = await self._call(Route("GET", "/guilds/{guild_id}/roles", guild_id=guild_id))
        roles = [Role.from_api(r) for r in data or []]
        wanted = RoleWrite.model_validate(body)
        name = wanted.name if wanted.name is not None else "new role"
        seen = self._seen.get(guild_id, set())

        def matches(role: Role) -> bool:
            if role.managed or role.id == guild_id or role.name != name:
                return False
            if role.id in seen or not _created_since(role.id, since):
                return False
            fields = wanted.model_dump(exclude_unset=True, exclude={"name"})
            return all(getattr(role, key) == value for key, value in fields.items())

        return _newest([r for r in roles if matches(r)])

    async def _find_channel(
        self, guild_id: str, body: dict[str, Any], since: float
    ) -> Channel | None:
        """The new channel matching a create body (name, type and parent), newest first."""
        data = await self._call(Route("GET", "/guilds/{guild_id}/channels", guild_id=guild_id))
        channels = [Channel.from_api(c) for c in data or []]
        kind = int(body.get("type") or 0)
        name = str(body.get("name", ""))
        name = normalize_channel_name(name, kind)
        parent = body.get("parent_id")
        seen = self._seen.get(guild_id, set())

        def matches(ch: Channel) -> bool:
            got = normalize_channel_name(ch.name, ch.type)
            return (
                ch.id not in seen
                and _created_since(ch.id, since)
                and ch.type == kind
                and got == name
                and ("parent_id" not in body or ch.parent_id == (str(parent) if parent else None))
            )

        return _newest([c for c in channels if matches(c)])

    def _remember(self, guild_id: str, ids: list[str]) -> None:
        self._seen.setdefault(guild_id, set()).update(ids)

    async def _guild_of_channel(self, channel_id: str) -> str | None:
        try:
            data = await self._call(Route("GET", "/channels/{channel_id}", channel_id=channel_id))
        except DiscordAPIError:
            return None
        return str(data.get("guild_id")) if data.get("guild_id") else None

    async def _explain(
        self,
        err: MissingPermissions,
        route: Route,
        guild_id: str,
        *,
        roles: list[str] | None = None,
        positions: list[RolePosition] | None = None,
        overwrites: ChannelWrite | None = None,
        grant: RoleWrite | None = None,
    ) -> DiscordAPIError:
        """Re-read the guild and say which role is above the bot, or which bits it lacks."""
        try:
            guild = await self.read_guild(guild_id)
        except DiscordAPIError:
            return err
        bot_top = guild.bot_top_role
        bot_name = bot_top.name if bot_top else "(the bot has no role)"
        top = guild.bot_top_position
        subject: str | None = None
        hint: str | None = None
        if not guild.bot_is_owner:
            blocking = _blocking_roles(guild, roles or [], positions or [], top)
            if blocking:
                target = blocking[0]
                subject = f"role '{target.name}' ({target.id})"
                hint = hierarchy_hint(bot_name, target.name)
                if bot_top is not None and target.id == bot_top.id:
                    hint = (
                        f"'{target.name}' is the bot's own highest role: the bot cannot edit or "
                        "move it; change it in Server Settings > Roles or leave it out of the config"
                    )
            elif (
                grant is not None
                and grant.permissions is not None
                and (missing := _names(grant.permissions & ~guild.bot_permissions()))
            ):
                subject = f"role '{grant.name}'" if grant.name else subject
                hint = (
                    f"the role asks for {', '.join(missing)}, which the bot's role '{bot_name}' "
                    f"does not have: give '{bot_name}' those permissions in Server Settings > "
                    "Roles or remove them from the role"
                )
            elif overwrites is not None and overwrites.permission_overwrites:
                lacking = _lacking(guild, overwrites.permission_overwrites)
                if lacking:
                    subject = f"channel '{overwrites.name}'" if overwrites.name else None
                    hint = (
                        f"the overwrites allow or deny {', '.join(lacking)}, which the bot's "
                        f"role '{bot_name}' does not have: give '{bot_name}' those permissions "
                        "in Server Settings > Roles or drop them from the overwrites"
                    )
            elif roles:
                role = guild.role(roles[0])
                if role is not None:
                    subject = f"role '{role.name}' ({role.id})"
        rebuilt = error_from_response(err.status, err.body, route, subject=subject)
        if hint is not None:
            rebuilt.hint = hint
            rebuilt.args = (str(rebuilt),)
        return rebuilt


def _created_since(snowflake: str, since: float) -> bool:
    """False for an id whose snowflake says it was made well before ``since`` (epoch seconds).

    Only objects created by our request can be adopted; CLOCK_SKEW allows for the server's clock
    being behind ours. Ids that are not snowflakes pass (nothing to tell from them).
    """
    try:
        created_ms = (int(snowflake) >> 22) + DISCORD_EPOCH_MS
    except ValueError:
        return True
    return created_ms >= (since - CLOCK_SKEW) * 1000


def _newest(items: list[T]) -> T | None:
    if not items:
        return None
    return max(items, key=lambda item: int(getattr(item, "id", 0)))


def _blocking_roles(
    guild: Guild, role_ids: list[str], positions: list[RolePosition], bot_top: int
) -> list[Role]:
    """Roles the bot may not touch: at or above its highest role (now or where asked to go)."""
    wanted = {p.id: p.position for p in positions}
    out = []
    for role_id in role_ids:
        role = guild.role(role_id)
        if role is None or role.id == guild.id:
            continue
        if role.position >= bot_top or wanted.get(role_id, -1) >= bot_top:
            out.append(role)
    return sorted(out, key=lambda r: -r.position)


def _lacking(guild: Guild, overwrites: list[PermissionOverwrite]) -> list[str]:
    """Names of permissions the overwrites set that the bot does not hold guild-wide."""
    have = guild.bot_permissions()
    if not have & ADMINISTRATOR:
        # Only administrators may put Manage Roles ("Manage Permissions") in an overwrite.
        have &= ~MANAGE_ROLES
    used = 0
    for ow in overwrites:
        used |= ow.allow | ow.deny
    return _names(used & ~have)


def _names(bits: int) -> list[str]:
    return [p.name for p in all_permissions() if bits & p.value]


def _position_batches(positions: list[ChannelPosition]) -> list[list[ChannelPosition]]:
    """Split so that each request changes at most one parent."""
    plain = [p for p in positions if "parent_id" not in p.model_fields_set]
    moves = [p for p in positions if "parent_id" in p.model_fields_set]
    if not moves:
        return [plain] if plain else []
    return [plain + moves[:1], *([m] for m in moves[1:])]
