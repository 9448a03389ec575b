"""Matching ``METHOD /path`` to a route handler, and the request object handlers receive.

A route is declared with Discord's path template (``/guilds/{guild_id}/roles/{role_id}``); its
``METHOD template`` string is the key used for statistics, fault matching and rate limits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from gaib_core.sandbox.responses import APIError, SandboxResponse, field_error, invalid_form
from gaib_core.sandbox.store import Store

_PARAM = re.compile(r"\{([a-z_]+)\}")


@dataclass
class Request:
    """One API request as a handler sees it."""

    method: str
    path: str
    params: dict[str, str]
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    store: Store
    actor_id: str = ""
    as_owner: bool = False
    _parsed: Any = field(default=None, repr=False)

    def json(self, *, default: Any = None) -> Any:
        """The JSON body; Discord's 50035 if it is not ``application/json``, 50109 if invalid."""
        if not self.body.strip():
            return default
        ctype = self.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise invalid_form(
                field_error(
                    "CONTENT_TYPE_INVALID",
                    "Expected \"Content-Type\" header to be one of {'application/json', "
                    "'application/x-www-form-urlencoded', 'multipart/form-data'}.",
                )
            )
        if self._parsed is None:
            try:
                self._parsed = json.loads(self.body)
            except ValueError:
                raise APIError(400, 50109, "The request body contains invalid JSON.") from None
        return self._parsed

    def query_value(self, name: str) -> str | None:
        """The first value of a query parameter, or None."""
        values = self.query.get(name)
        return values[0] if values else None


Handler = Callable[[Request], SandboxResponse]


@dataclass(frozen=True)
class Route:
    """A method + path template and its handler."""

    method: str
    template: str
    handler: Handler
    write: bool = False

    @property
    def key(self) -> str:
        """``METHOD /template``, e.g. ``PATCH /channels/{channel_id}``."""
        return f"{self.method} {self.template}"


@dataclass
class Match:
    """The route a request matched and the path parameters it carried."""

    route: Route
    params: dict[str, str]


class Router:
    """An ordered table of routes."""

    def __init__(self) -> None:
        self._routes: list[tuple[re.Pattern[str], Route]] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        """Register ``handler`` for ``METHOD template``."""
        pattern = (
            "^"
            + _PARAM.sub(
                r"(?P<\1>[^/]+)", re.escape(template).replace(r"\{", "{").replace(r"\}", "}")
            )
            + "/?$"
        )
        route = Route(method, template, handler, write=method != "GET")
        self._routes.append((re.compile(pattern), route))

    def match(self, method: str, path: str) -> Match | None:
        """The route for ``METHOD path``; raises 405 if the path exists under another method."""
        path_known = False
        for pattern, route in self._routes:
            found = pattern.match(path)
            if found is None:
                continue
            path_known = True
            if route.method == method:
                return Match(route, found.groupdict())
        if path_known:
            raise APIError(405, 0, "405: Method Not Allowed")
        return None

    def routes(self) -> list[Route]:
        """Every registered route."""
        return [route for _, route in self._routes]


def split_query(raw_path: str) -> tuple[str, dict[str, list[str]]]:
    """``/a/b?x=1`` -> (``/a/b``, ``{"x": ["1"]}``)."""
    path, _, query = raw_path.partition("?")
    return path, parse_qs(query, keep_blank_values=True)
