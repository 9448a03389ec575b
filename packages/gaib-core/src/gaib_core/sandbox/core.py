"""``Sandbox``: the Discord-compatible sandbox's state, lock and request dispatch.

``Sandbox.handle(method, path, headers, body)`` answers one HTTP request exactly as the server
and the in-process transport both need it: API routes under ``/api/v10`` (auth, injected faults,
rate limits, the route, persistence), admin routes under ``/_sandbox``. It is thread-safe: one
lock serialises every read and write of the data; injected delays sleep outside the lock.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from filelock import FileLock, Timeout

from gaib_core.sandbox import rules
from gaib_core.sandbox.admin import build_admin_router, handle_admin
from gaib_core.sandbox.errors import SandboxBusy, SandboxError, UnknownSandboxGuild
from gaib_core.sandbox.faults import FaultQueue, FaultSpec, fault_response
from gaib_core.sandbox.ratelimit import RateLimiter
from gaib_core.sandbox.responses import APIError, SandboxResponse, json_response
from gaib_core.sandbox.routes import build_router
from gaib_core.sandbox.routing import Match, Request, split_query
from gaib_core.sandbox.store import Store, StoredGuild, StoredMember, StoredRole, now_iso

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
ADMIN_PREFIX = "/_sandbox"
# Sandbox-only header: "X-Sandbox-Actor: owner" makes an API request act as the guild's owner, so
# tests can make "hand edits" (drift, roles above the bot) through the ordinary routes.
ACTOR_HEADER = "x-sandbox-actor"
SANDBOX_TOKEN = "sandbox-token"
# How long a request waits for another process's hold on the sandbox file.
FILE_LOCK_TIMEOUT = 30.0
AUDIT_LOG_SIZE = 1000  # any "Bot <token>" is accepted; this one is just handed out


@dataclass(frozen=True)
class GuildInfo:
    """What a new sandbox guild is: its id, owner, the bot user and its managed role, a token."""

    guild_id: str
    owner_id: str
    bot_user_id: str
    bot_role_id: str
    token: str = SANDBOX_TOKEN

    def to_json(self) -> dict[str, str]:
        """As the admin API returns it."""
        return asdict(self)


class Sandbox:
    """A Discord-compatible guild server in memory, optionally persisted to a JSON file."""

    def __init__(
        self,
        data_path: Path | None = None,
        limits: str = "relaxed",
        *,
        token: str | None = None,
        load: bool = True,
    ) -> None:
        # With a token, only "Bot <token>" is accepted (Discord's 401 otherwise); without one,
        # any non-empty bot token is.
        self.token = token
        self._lock = threading.RLock()
        # load=False: start empty without reading the file (``reset`` of a corrupt file).
        self.store = Store(data_path, load=load)
        # Another process (`gaib sandbox serve`, the embedded sandbox of a command) may use the
        # same file: every access holds its lock and first reloads what the other one saved.
        self._file_lock = (
            FileLock(str(data_path) + ".lock", timeout=FILE_LOCK_TIMEOUT) if data_path else None
        )
        self.limiter = RateLimiter(limits)
        self.faults = FaultQueue()
        self.router = build_router()
        self.admin_router = build_admin_router(self)
        self._requests = 0
        self._by_route: Counter[str] = Counter()
        self._rate_limited = 0
        self._faults_base = 0
        self._audit: deque[dict[str, Any]] = deque(maxlen=AUDIT_LOG_SIZE)

    @contextlib.contextmanager
    def synced(self) -> Iterator[None]:
        """Hold the sandbox (threads and, for a file, other processes) with the data current."""
        with self._lock:
            if self._file_lock is None:
                yield
                return
            try:
                self._file_lock.acquire()
            except Timeout:
                raise SandboxBusy(
                    f"the sandbox file {self.store.path} stayed locked for "
                    f"{FILE_LOCK_TIMEOUT:.0f}s by another process",
                    hint="wait for the other gaib command to finish, or stop the "
                    "`gaib sandbox serve` that uses the file",
                ) from None
            try:
                self.store.refresh()
                yield
            finally:
                self._file_lock.release()

    # ----------------------------------------------------------------- Python helpers

    def create_guild(
        self,
        name: str = "Sandbox",
        bot_role_name: str = "gaib",
        bot_permissions: int | None = None,
        members: Iterable[str] = (),
        guild_id: str | None = None,
    ) -> GuildInfo:
        """A guild as Discord makes it with the bot invited: owner, @everyone, bot + managed role.

        ``guild_id`` gives the guild a chosen id (to bring back a guild a project targets after
        a reset); it must be a snowflake no guild has.
        """
        with self.synced():
            store = self.store
            if guild_id is not None and (not guild_id.isdigit() or store.guild(guild_id)):
                raise SandboxError(f"cannot create guild {guild_id}: not a free snowflake")
            if guild_id is not None:
                store.data.last_id = max(store.data.last_id, int(guild_id))
            bot = store.bot_user()
            owner = store.add_user(f"{name.lower().replace(' ', '-')}-owner")
            guild = StoredGuild(id=guild_id or store.snowflake(), name=name, owner_id=owner.id)
            guild.roles[guild.id] = StoredRole(
                id=guild.id, name="@everyone", permissions=rules.EVERYONE_DEFAULT, position=0
            )
            bot_role = StoredRole(
                id=store.snowflake(),
                name=bot_role_name,
                permissions=rules.BOT_DEFAULT if bot_permissions is None else bot_permissions,
                managed=True,
                position=rules.BOT_ROLE_POSITION,
                bot_id=bot.id,
            )
            guild.roles[bot_role.id] = bot_role
            guild.members[owner.id] = StoredMember(user_id=owner.id, joined_at=now_iso())
            guild.members[bot.id] = StoredMember(
                user_id=bot.id, roles=[bot_role.id], joined_at=now_iso()
            )
            store.data.guilds[guild.id] = guild
            for username in members:
                self._add_member(guild, username, ())
            store.save()
            return GuildInfo(guild.id, owner.id, bot.id, bot_role.id)

    def add_member(self, guild_id: str, username: str, roles: Iterable[str] = ()) -> str:
        """Add a user named ``username`` to the guild with ``roles``; returns the user id."""
        with self.synced():
            guild = self.store.guild(guild_id)
            if guild is None:
                raise UnknownSandboxGuild(
                    f"sandbox has no guild {guild_id}", hint=self._other_guilds_hint()
                )
            user_id = self._add_member(guild, username, roles)
            self.store.save()
            return user_id

    def add_role(
        self,
        guild_id: str,
        name: str,
        *,
        permissions: int = 0,
        position: int = 1,
        managed: bool = False,
    ) -> str:
        """A role made by the owner (any position, e.g. above the bot; ``managed`` for an
        integration's role); returns its id. No hierarchy rule applies: the owner is above all."""
        with self.synced():
            guild = self.store.guild(guild_id)
            if guild is None:
                raise UnknownSandboxGuild(f"sandbox has no guild {guild_id}")
            role = StoredRole(
                id=self.store.snowflake(),
                name=name,
                permissions=permissions,
                position=position,
                managed=managed,
            )
            guild.roles[role.id] = role
            self.store.save()
            return role.id

    def grant_bot(self, guild_id: str, permissions: int) -> tuple[str, int]:
        """Add ``permissions`` to the bot's managed role, as the owner would in Server Settings >
        Roles; returns the role's id and its permissions now."""
        with self.synced():
            guild = self.store.guild(guild_id)
            if guild is None:
                raise UnknownSandboxGuild(
                    f"sandbox has no guild {guild_id}", hint=self._other_guilds_hint()
                )
            bot_id = self.store.bot_user().id
            role = next((r for r in guild.roles.values() if r.managed and r.bot_id == bot_id), None)
            if role is None:
                raise SandboxError(f"guild {guild_id} has no managed role of the bot")
            role.permissions |= permissions
            self.store.save()
            return role.id, role.permissions

    def _other_guilds_hint(self) -> str:
        # Creating a guild gives a new id, so the advice names the ids that do exist too.
        ids = sorted(self.store.data.guilds, key=int)
        if not ids:
            return "create one with `gaib sandbox create-guild`"
        return (
            f"pass --guild with one of its guilds ({', '.join(ids)}), or create another with "
            "`gaib sandbox create-guild`"
        )

    def _add_member(self, guild: StoredGuild, username: str, roles: Iterable[str]) -> str:
        role_ids = [str(r) for r in roles]
        for role_id in role_ids:
            if role_id not in guild.roles or role_id == guild.id:
                raise SandboxError(f"guild {guild.id} has no role {role_id} to give {username}")
        user = self.store.add_user(username)
        guild.members[user.id] = StoredMember(user_id=user.id, roles=role_ids, joined_at=now_iso())
        return user.id

    def guilds(self) -> list[dict[str, Any]]:
        """A summary of every guild (id, name, counts)."""
        with self.synced():
            return [
                {
                    "id": g.id,
                    "name": g.name,
                    "owner_id": g.owner_id,
                    "roles": len(g.roles),
                    "channels": len(g.channels),
                    "members": len(g.members),
                }
                for g in self.store.data.guilds.values()
            ]

    def reset(self) -> None:
        """Forget all guilds, faults and statistics (also repairs an unreadable data file)."""
        with self._lock, self._file_lock or contextlib.nullcontext():
            self.store.reset()
            self.store.save()
            self.faults.clear()
            self.limiter.set_profile(self.limiter.profile.name)
            self.reset_stats()

    def set_members_intent(self, enabled: bool) -> None:
        """Turn the application's Server Members intent on or off (List Guild Members needs it)."""
        with self.synced():
            self.store.data.members_intent = enabled
            self.store.save()

    def set_limits(self, profile: str) -> None:
        """Switch the rate-limit profile (``strict``, ``relaxed`` or ``off``)."""
        with self._lock:
            self.limiter.set_profile(profile)

    def add_fault(self, spec: FaultSpec) -> None:
        """Queue an injected fault."""
        with self._lock:
            self.faults.add(spec)

    def clear_faults(self) -> None:
        """Drop every queued fault."""
        with self._lock:
            self.faults.clear()

    def pending_faults(self) -> list[dict[str, object]]:
        """The queued faults, as JSON."""
        with self._lock:
            return self.faults.pending()

    def stats(self) -> dict[str, Any]:
        """Request counts: total, by route template, limiter 429s, faults fired."""
        with self._lock:
            return {
                "requests": self._requests,
                "by_route": dict(self._by_route),
                "rate_limited": self._rate_limited,
                "faults_fired": self.faults.fired - self._faults_base,
            }

    def reset_stats(self) -> None:
        """Zero the statistics."""
        with self._lock:
            self._requests = 0
            self._by_route.clear()
            self._rate_limited = 0
            self._faults_base = self.faults.fired
            self._audit.clear()

    def audit_log(self) -> list[dict[str, Any]]:
        """The writes the routes performed (oldest first, at most 1000 since the stats reset):
        method, route template, path, status, the URL-decoded ``X-Audit-Log-Reason`` (or None)
        and the User-Agent, so tests can check what a client sends with each write."""
        with self._lock:
            return list(self._audit)

    # ----------------------------------------------------------------- HTTP entry point

    def handle(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> SandboxResponse:
        """Answer one request (``path`` may carry a query string)."""
        method = method.upper()
        lowered = {k.lower(): v for k, v in headers.items()}
        plain, query = split_query(path)
        if plain == ADMIN_PREFIX or plain.startswith(ADMIN_PREFIX + "/"):
            path = plain[len(ADMIN_PREFIX) :] or "/"
            req = Request(method, path, {}, query, lowered, body, self.store)
            return handle_admin(self, self.admin_router, method, path, req)
        if not plain.startswith(API_PREFIX + "/"):
            return json_response(404, {"message": "404: Not Found", "code": 0})
        response = self._handle_api(method, plain, query, lowered, body)
        # Discord's API answers come through Google's front end; clients such as discord.py
        # treat a 429 WITHOUT this header as a Cloudflare ban, so the sandbox sends it too.
        response.headers.setdefault("Via", "1.1 google")
        return response

    def _handle_api(
        self,
        method: str,
        plain: str,
        query: dict[str, list[str]],
        lowered: dict[str, str],
        body: bytes,
    ) -> SandboxResponse:
        api_path = plain[len(API_PREFIX) :]
        with self._lock:
            self._requests += 1
            try:
                match = self.router.match(method, api_path)
            except APIError as exc:
                return exc.response()
            if match is None:
                return json_response(404, {"message": "404: Not Found", "code": 0})
            self._by_route[match.route.key] += 1
            fault = self.faults.take(method, plain, api_path)
        if fault is not None and fault.kind != "drop_after":
            answer = fault_response(fault)
            if answer is not None:
                return answer
            time.sleep(fault.delay)
        response = self._dispatch(method, api_path, query, lowered, body, match)
        if fault is not None and fault.kind == "drop_after":
            response.drop = True
        return response

    def _dispatch(
        self,
        method: str,
        api_path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
        match: Match,
    ) -> SandboxResponse:
        auth = headers.get("authorization", "")
        presented = auth[4:].strip() if auth.startswith("Bot ") else ""
        if not presented or (self.token is not None and presented != self.token):
            return json_response(401, {"message": "401: Unauthorized", "code": 0})
        with self.synced():
            decision = self.limiter.check(
                method,
                match.route.key,
                match.params,
                name_or_topic=_renames(match, headers, body),
            )
            if decision.rejected is not None:
                self._rate_limited += 1
                return decision.rejected
            req = Request(
                method=method,
                path=api_path,
                params=match.params,
                query=query,
                headers=headers,
                body=body,
                store=self.store,
                actor_id=self.store.bot_user().id,
                as_owner=headers.get(ACTOR_HEADER, "").lower() == "owner",
            )
            try:
                response = match.route.handler(req)
            except APIError as exc:
                response = exc.response()
            except Exception:
                log.exception("sandbox route %s failed", match.route.key)
                response = json_response(500, {"message": "500: Internal Server Error", "code": 0})
            if match.route.write and response.status < 400:
                self.store.save()
            if match.route.write:
                self._audit.append(_audit_entry(match, api_path, headers, response.status))
        response.headers.update(decision.headers)
        return response


def _audit_entry(
    match: Match, api_path: str, headers: Mapping[str, str], status: int
) -> dict[str, Any]:
    reason = headers.get("x-audit-log-reason")
    return {
        "method": match.route.method,
        "route": match.route.key,
        "path": api_path,
        "status": status,
        "reason": unquote(reason) if reason is not None else None,
        "user_agent": headers.get("user-agent"),
    }


def _renames(match: Match, headers: Mapping[str, str], body: bytes) -> bool:
    """True for a channel PATCH whose JSON body sets ``name`` or ``topic`` (its own sub-limit)."""
    if match.route.key != "PATCH /channels/{channel_id}" or not body:
        return False
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, dict) and ("name" in data or "topic" in data)
