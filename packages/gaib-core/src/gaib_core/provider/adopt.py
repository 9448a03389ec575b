"""Adopting ambiguous creates: a create whose answer was lost is never blindly repeated.

When a POST was sent but its answer was lost (dropped connection, timeout, 5xx), the guild's
roles or channels are read back and an object matching what was sent (name and type, and for
roles the other fields sent) that the provider had not seen before, created since the request
was sent, is adopted; only if there is none is the request sent again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from gaib_core.config.validate import normalize_channel_name
from gaib_core.errors import AmbiguousWrite, DiscordAPIError
from gaib_core.provider.errors import server_error
from gaib_core.provider.models import Channel, Role, RoleWrite
from gaib_core.provider.ratelimit import Route
from gaib_core.provider.rest import AmbiguousOutcome, RestClient

log = logging.getLogger(__name__)

DISCORD_EPOCH_MS = 1420070400000
# How far behind ours the server's clock may be when we judge an object's age by its snowflake.
CLOCK_SKEW = 30.0

T = TypeVar("T")
Call = Callable[..., Awaitable[Any]]
"""The provider's request function: ``call(route, *, json=None, reason=None)`` -> JSON data."""


async def create_or_adopt(
    call: Call,
    rest: RestClient,
    settle: float,
    route: Route,
    body: dict[str, Any],
    reason: str,
    find: Callable[[], Awaitable[T | None]],
    parse: Callable[[dict[str, Any]], T],
) -> T:
    """POST ``body``; after an unknown outcome, adopt the object if it exists, else resend."""
    attempts = rest.max_retries
    last: AmbiguousOutcome | None = None
    for attempt in range(1, attempts + 1):
        try:
            return parse(await call(route, json=body, reason=reason))
        except AmbiguousOutcome as amb:
            last = amb
            log.warning("%s: outcome unknown (%s); checking before retrying", route, amb.cause)
            if "Timeout" in amb.cause:
                await asyncio.sleep(settle)
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
                await asyncio.sleep(rest.backoff(attempt))
    assert last is not None
    raise server_error(route, last.status, attempts, last.cause)


async def find_role(
    call: Call, seen: set[str], guild_id: str, body: dict[str, Any], since: float
) -> Role | None:
    """The new role matching a create body (name and every field sent), newest first."""
    data = await call(Route("GET", "/guilds/{guild_id}/roles", guild_id=guild_id))
    roles = [Role.from_api(r) for r in data or []]
    wanted = RoleWrite.model_validate(body)
    name = wanted.name if wanted.name is not None else "new role"

    def matches(role: Role) -> bool:
        if role.managed or role.id == guild_id or role.name != name:
            return False
        if role.id in seen or not created_since(role.id, since):
            return False
        fields = wanted.model_dump(exclude_unset=True, exclude={"name"})
        return all(getattr(role, key) == value for key, value in fields.items())

    return newest([r for r in roles if matches(r)])


async def find_channel(
    call: Call, seen: set[str], guild_id: str, body: dict[str, Any], since: float
) -> Channel | None:
    """The new channel matching a create body (name, type and parent), newest first."""
    data = await call(Route("GET", "/guilds/{guild_id}/channels", guild_id=guild_id))
    channels = [Channel.from_api(c) for c in data or []]
    kind = int(body.get("type") or 0)
    name = str(body.get("name", ""))
    name = normalize_channel_name(name, kind)
    parent = body.get("parent_id")

    def matches(ch: Channel) -> bool:
        got = normalize_channel_name(ch.name, ch.type)
        return (
            ch.id not in seen
            and created_since(ch.id, since)
            and ch.type == kind
            and got == name
            and ("parent_id" not in body or ch.parent_id == (str(parent) if parent else None))
        )

    return newest([c for c in channels if matches(c)])


def created_since(snowflake: str, since: float) -> bool:
    """False for an id whose snowflake says it was made well before ``since`` (epoch seconds).

    Only objects created by our request can be adopted; CLOCK_SKEW allows for the server's clock
    being behind ours. Ids that are not snowflakes pass (nothing to tell from them).
    """
    try:
        created_ms = (int(snowflake) >> 22) + DISCORD_EPOCH_MS
    except ValueError:
        return True
    return created_ms >= (since - CLOCK_SKEW) * 1000


def newest(items: list[T]) -> T | None:
    if not items:
        return None
    return max(items, key=lambda item: int(getattr(item, "id", 0)))
