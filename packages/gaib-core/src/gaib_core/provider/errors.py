"""Turn Discord's error answers into gaib's exceptions, with messages a person can act on.

Discord's error body is ``{"code": 50013, "message": "...", "errors": {...}}``; the ``errors`` tree
of a 50035 is flattened into ``field.path: message`` items. Messages name the request and the
object (and, where the provider knows it, the role to move); they never contain the token.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gaib_core.errors import (
    DiscordAPIError,
    DiscordErrorDetail,
    InvalidFormBody,
    LimitReached,
    MissingAccess,
    MissingPermissions,
    RateLimited,
    ServerError,
    Unauthorized,
    UnknownObject,
)
from gaib_core.provider.ratelimit import Route

MISSING_PERMISSIONS = 50013
MISSING_ACCESS = 50001
INVALID_FORM_BODY = 50035
UNAUTHORIZED = 40001
CLOUDFLARE_BLOCKED = 40333
CHANNEL_WRITE_LIMIT = 20028
SERVER_WRITE_LIMIT = 20029

# Unknown-object codes -> (kind, route parameter naming the id).
UNKNOWN: dict[int, tuple[str, str]] = {
    10003: ("channel", "channel_id"),
    10004: ("guild", "guild_id"),
    10007: ("member", "user_id"),
    10009: ("permission overwrite", "overwrite_id"),
    10011: ("role", "role_id"),
    10013: ("user", "user_id"),
}

# Guild limits -> what is full and Discord's maximum.
LIMITS: dict[int, tuple[str, int]] = {
    30005: ("roles", 250),
    30013: ("channels", 500),
    30060: ("permission overwrites", 1000),
}

STATUS_URL = "https://discordstatus.com"


def flatten_form_errors(tree: Any, prefix: str = "") -> list[DiscordErrorDetail]:
    """Discord's nested ``errors`` tree as ``[DiscordErrorDetail("name", code, message), ...]``.

    ``{"permission_overwrites": {"0": {"allow": {"_errors": [...]}}}}`` becomes the path
    ``permission_overwrites.0.allow``.
    """
    out: list[DiscordErrorDetail] = []
    if not isinstance(tree, Mapping):
        return out
    for key, value in tree.items():
        if key == "_errors" and isinstance(value, list):
            for item in value:
                if isinstance(item, Mapping):
                    out.append(
                        DiscordErrorDetail(
                            path=prefix or "(body)",
                            code=str(item.get("code", "")),
                            message=str(item.get("message", "")),
                        )
                    )
            continue
        out.extend(flatten_form_errors(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def describe_target(route: Route) -> str:
    """The object a route acts on, from its parameters: ``role 123 in guild 456``."""
    p = route.params
    for name, kind in (
        ("role_id", "role"),
        ("overwrite_id", "overwrite"),
        ("user_id", "member"),
        ("channel_id", "channel"),
    ):
        if name in p:
            where = f" in guild {p['guild_id']}" if "guild_id" in p and kind != "channel" else ""
            if kind == "overwrite" and "channel_id" in p:
                where = f" on channel {p['channel_id']}"
            return f"{kind} {p[name]}{where}"
    if "guild_id" in p:
        return f"guild {p['guild_id']}"
    return route.path


def hierarchy_hint(bot_role: str, target_role: str) -> str:
    """The fix for a 50013 caused by the role hierarchy."""
    return (
        f"role '{target_role}' is at or above the bot's highest role '{bot_role}': "
        f"move the bot's role '{bot_role}' above '{target_role}' in Server Settings > Roles"
    )


def error_from_response(
    status: int,
    body: Any,
    route: Route,
    *,
    subject: str | None = None,
    token_env: str = "DISCORD_TOKEN",
    redact: tuple[str, ...] = (),
) -> DiscordAPIError:
    """The exception for an error answer ``status``/``body`` to ``route``.

    :param subject: how to name the object in the message (default: from the route's ids).
    :param token_env: the variable the token came from, named in the 401 hint.
    :param redact: strings (the token) that must never appear in the message.
    """
    data: dict[str, Any] = dict(body) if isinstance(body, Mapping) else {}
    code = _as_int(data.get("code"))
    discord_message = _scrub(str(data.get("message") or ""), redact)
    target = subject or describe_target(route)
    kwargs: dict[str, Any] = {
        "status": status,
        "code": code,
        "method": route.method,
        "route": route.template,
        "body": data,
    }
    where = f"{route.method} {route.path}"

    if status == 401 or code == UNAUTHORIZED:
        return Unauthorized(
            f"Discord rejected the bot token (401 Unauthorized) on {where}",
            hint=f"set {token_env} to the bot token from the Developer Portal (Bot > Reset Token)",
            **kwargs,
        )
    if code == CLOUDFLARE_BLOCKED:
        return DiscordAPIError(
            f"Discord's edge blocked {where} (error 40333)",
            hint="requests need a 'DiscordBot (url, version)' User-Agent; if gaib's is intact, "
            "this IP may be banned for too many invalid requests: wait and retry",
            **kwargs,
        )
    if code == MISSING_PERMISSIONS:
        return MissingPermissions(
            f"missing permissions for {target} ({where}, error 50013)",
            hint="give the bot's role the permission this needs (Manage Roles for roles and "
            "overwrites, Manage Channels for channels) and keep it above the roles it manages "
            "in Server Settings > Roles",
            **kwargs,
        )
    if code == MISSING_ACCESS:
        hint = (
            "allow View Channel for the bot's role on that channel (or its category)"
            if "channel_id" in route.params
            else "check the guild id and that the bot was invited to that guild"
        )
        return MissingAccess(
            f"missing access to {target} ({where}, error 50001): the bot cannot see it",
            hint=hint,
            **kwargs,
        )
    if code in UNKNOWN:
        kind, param = UNKNOWN[code]
        ident = route.params.get(param, "?")
        if kind == "guild":
            hint = "check server.guild_id or --guild, and that the bot is a member of that guild"
        elif kind in ("member", "user"):
            hint = f"user {ident} is not a member of guild {route.params.get('guild_id', '?')}"
        else:
            hint = (
                f"the {kind} was deleted outside gaib or the id is wrong; "
                "run `gaib server plan` to refresh"
            )
        return UnknownObject(
            f"unknown {kind} {ident} ({where}, error {code}): it does not exist",
            hint=hint,
            **kwargs,
        )
    if code == INVALID_FORM_BODY or (status == 400 and "errors" in data):
        details = flatten_form_errors(data.get("errors"))
        items = "; ".join(f"{d.path}: {_scrub(d.message, redact)}" for d in details)
        return InvalidFormBody(
            f"Discord rejected the request body of {where} (error {code or 50035}): "
            f"{items or discord_message or 'invalid form body'}",
            hint=f"fix the field(s) named for {target}",
            details=details,
            **kwargs,
        )
    if code in LIMITS:
        what, maximum = LIMITS[code]
        scope = (
            f"channel {route.params['channel_id']}"
            if code == 30060 and "channel_id" in route.params
            else f"guild {route.params.get('guild_id', '?')}"
        )
        return LimitReached(
            f"{scope} has reached Discord's maximum of {maximum} {what} ({where}, error {code})",
            hint=f"delete unused {what} or remove some from the config",
            **kwargs,
        )
    if code in (CHANNEL_WRITE_LIMIT, SERVER_WRITE_LIMIT):
        scope = "channel" if code == CHANNEL_WRITE_LIMIT else "server"
        return RateLimited(
            f"Discord's {scope} write limit was hit on {where} (error {code})",
            hint="wait a few minutes and run the command again",
            **kwargs,
        )
    if status >= 500:
        return ServerError(
            f"Discord answered {status} to {where}",
            hint=f"Discord may be having trouble ({STATUS_URL}); try again later",
            **kwargs,
        )
    text = discord_message or "no error message"
    return DiscordAPIError(
        f"{where} failed: {status} {text}" + (f" (error {code})" if code else ""),
        **kwargs,
    )


def server_error(route: Route, status: int, attempts: int, cause: str = "") -> ServerError:
    """Discord kept answering 5xx (or the connection kept failing) ``attempts`` times."""
    what = f"answered {status}" if status else f"could not be reached ({cause})"
    return ServerError(
        f"Discord {what} to {route.method} {route.path} after {attempts} attempts",
        hint=f"Discord may be having trouble ({STATUS_URL}); try again later "
        "(what was already done is kept and adopted by the next plan)",
        status=status,
        method=route.method,
        route=route.template,
    )


def rate_limited(route: Route, wait: float, scope: str, max_wait: float) -> RateLimited:
    """A rate limit would make ``route`` wait ``wait`` seconds, more than ``max_wait``."""
    return RateLimited(
        f"{route.method} {route.path} is rate limited ({scope}) for {_duration(wait)}, "
        f"longer than the {_duration(max_wait)} gaib waits",
        hint="try again later, or allow a longer wait with max_ratelimit_wait"
        + (
            " (role creation is limited to 250 per 48 hours per guild)"
            if _is_role_create(route)
            else ""
        ),
        status=429,
        method=route.method,
        route=route.template,
    )


def _is_role_create(route: Route) -> bool:
    return route.key == "POST /guilds/{guild_id}/roles"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f}s"
    minutes = int(seconds // 60)
    if minutes < 120:
        return f"{minutes}m {int(seconds % 60)}s"
    return f"{minutes // 60}h {minutes % 60}m"


def _as_int(raw: Any) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return 0


def _scrub(text: str, redact: tuple[str, ...]) -> str:
    for secret in redact:
        if secret:
            text = text.replace(secret, "***")
    return text
