"""The verification service as an ASGI app (Starlette), run by ``gaib sietch serve`` on uvicorn.

Routes:

- ``GET /verify/{session}``: the page that has the browser wallet sign;
- ``GET /api/verify/{session}?address=0x...``: the exact message that wallet must sign;
- ``POST /api/verify/{session}``: ``{"address", "message", "signature"}`` -> the link, or
  ``{"error": code, "message": reason}`` with 400/401/404/409/410;
- ``POST /discord/interactions``: Discord's interactions endpoint (when ``DISCORD_PUBLIC_KEY``);
- ``POST /telegram/webhook``: Telegram's webhook (when ``TELEGRAM_BOT_TOKEN``);
- ``GET /healthz``: ``{"ok": true}`` once the database is open.

Database work and signature recovery are blocking; they run in Starlette's thread pool.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from gaib_theme_sietch.verify import interactions, telegram
from gaib_theme_sietch.verify.errors import VerificationError
from gaib_theme_sietch.verify.models import Link, VerifySession
from gaib_theme_sietch.verify.page import PLATFORM_NAMES, render_page
from gaib_theme_sietch.verify.settings import VerifySettings
from gaib_theme_sietch.verify.store import SqlStore, open_store
from gaib_theme_sietch.verify.verifier import Verifier, utc_now

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _json_body(body: bytes) -> Any:
    """The parsed JSON body, or None if it is not JSON."""
    try:
        return json.loads(body)
    except ValueError:
        return None


def _error(exc: VerificationError) -> JSONResponse:
    return JSONResponse(
        {"error": exc.code, "message": exc.message}, exc.status, headers=_SECURITY_HEADERS
    )


def _bad_request(code: str, message: str, status: int = 400) -> JSONResponse:
    return _error(VerificationError(code, message, status=status))


def link_json(link: Link) -> dict[str, Any]:
    """A link as the API returns it."""
    return {
        "linked": True,
        "platform": link.platform,
        "platform_name": PLATFORM_NAMES[link.platform],
        "user_id": link.user_id,
        "address": link.address,
        "short": link.short,
        "linked_at": link.linked_at.isoformat(),
    }


class Service:
    """The service's state: settings, the store and verifier, the Telegram client."""

    def __init__(
        self,
        settings: VerifySettings,
        store: SqlStore | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self.settings = settings
        self._given_store = store
        self._clock = clock
        self._given_client = http_client
        self._verifier: Verifier | None = None
        self._client: httpx.AsyncClient | None = None
        self.interaction_check = (
            interactions.InteractionVerifier(settings.discord_public_key)
            if settings.discord_public_key
            else None
        )

    @property
    def verifier(self) -> Verifier:
        """The verifier (available while the app runs)."""
        assert self._verifier is not None, "the service is not started"
        return self._verifier

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        """Open the store and HTTP client at start-up; close what was opened here at shutdown."""
        store = self._given_store
        if store is None:
            store = await run_in_threadpool(open_store, self.settings.database_url)
        self._verifier = Verifier(store, self.settings, clock=self._clock)
        self._client = self._given_client or httpx.AsyncClient(timeout=httpx.Timeout(10.0))
        try:
            yield
        finally:
            if self._given_client is None:
                await self._client.aclose()
            if self._given_store is None:
                store.close()

    # -- the page and its API ---------------------------------------------------------------

    async def page(self, request: Request) -> Response:
        session_id = request.path_params["session_id"]
        session: VerifySession | None = None
        error: VerificationError | None = None
        try:
            session = await run_in_threadpool(self.verifier.open_session, session_id)
        except VerificationError as exc:
            error = exc
            session = await run_in_threadpool(self._session_or_none, session_id)
        body, csp = render_page(session_id, session, error)
        status = error.status if error is not None else 200
        headers = {**_SECURITY_HEADERS, "Content-Security-Policy": csp}
        return HTMLResponse(body, status, headers=headers)

    def _session_or_none(self, session_id: str) -> VerifySession | None:
        if len(session_id) > 64:
            return None
        return self.verifier.store.get_session(session_id)

    async def message(self, request: Request) -> Response:
        session_id = request.path_params["session_id"]
        address = request.query_params.get("address")
        if not address:
            return _bad_request("missing_address", "add ?address=0x... (the wallet that signs)")
        try:
            message = await run_in_threadpool(self.verifier.message_for, session_id, address)
        except VerificationError as exc:
            return _error(exc)
        return JSONResponse(
            {"message": message.text(), "expires_at": message.expiration_time},
            headers=_SECURITY_HEADERS,
        )

    async def verify(self, request: Request) -> Response:
        session_id = request.path_params["session_id"]
        body = await request.body()
        if len(body) > MAX_BODY:
            return _bad_request("body_too_large", f"the request body exceeds {MAX_BODY} bytes", 413)
        data = _json_body(body)
        if not isinstance(data, dict):
            return _bad_request(
                "malformed_body", 'send JSON: {"address": ..., "message": ..., "signature": ...}'
            )
        missing = [key for key in ("address", "message", "signature") if key not in data]
        if missing:
            return _bad_request("malformed_body", f"the JSON body lacks {', '.join(missing)}")
        try:
            link = await run_in_threadpool(
                self.verifier.verify,
                session_id,
                data["address"],
                data["message"],
                data["signature"],
            )
        except VerificationError as exc:
            return _error(exc)
        log.info("linked %s user %s to %s", link.platform, link.user_id, link.address)
        return JSONResponse(link_json(link), headers=_SECURITY_HEADERS)

    # -- Discord ----------------------------------------------------------------------------

    async def discord(self, request: Request) -> Response:
        if self.interaction_check is None:
            return _bad_request("discord_disabled", "DISCORD_PUBLIC_KEY is not set", 404)
        body = await request.body()
        headers = {key.lower(): value for key, value in request.headers.items()}
        try:
            self.interaction_check.check(headers, body)
        except interactions.InteractionRefused as exc:
            return _bad_request("unauthorized", exc.reason, 401)
        answer = await run_in_threadpool(
            interactions.handle_interaction, _json_body(body), self.verifier
        )
        return JSONResponse(answer)

    # -- Telegram ---------------------------------------------------------------------------

    async def telegram(self, request: Request) -> Response:
        settings = self.settings
        if settings.telegram_bot_token is None or settings.telegram_webhook_secret is None:
            return _bad_request("telegram_disabled", "TELEGRAM_BOT_TOKEN is not set", 404)
        given = request.headers.get(telegram.SECRET_HEADER)
        if not telegram.secret_matches(settings.telegram_webhook_secret, given):
            return _bad_request("unauthorized", "wrong or missing secret token", 401)
        update = _json_body(await request.body())
        reply = await run_in_threadpool(telegram.handle_update, update, self.verifier)
        if reply is not None:
            assert self._client is not None
            api = telegram.BotAPI(
                self._client, settings.telegram_api_base, settings.telegram_bot_token
            )
            await api.send_message(reply)
        return JSONResponse({"ok": True})

    async def health(self, request: Request) -> Response:
        return JSONResponse({"ok": True, "database": self.verifier.store.label})


def create_app(
    settings: VerifySettings,
    store: SqlStore | None = None,
    *,
    clock: Callable[[], datetime] = utc_now,
    http_client: httpx.AsyncClient | None = None,
) -> Starlette:
    """The ASGI app. ``store`` and ``http_client``, when given, are used and not closed."""
    service = Service(settings, store, clock=clock, http_client=http_client)
    routes = [
        Route("/verify/{session_id}", service.page, methods=["GET"]),
        Route("/api/verify/{session_id}", service.message, methods=["GET"]),
        Route("/api/verify/{session_id}", service.verify, methods=["POST"]),
        Route("/discord/interactions", service.discord, methods=["POST"]),
        Route("/telegram/webhook", service.telegram, methods=["POST"]),
        Route("/healthz", service.health, methods=["GET"]),
    ]
    app = Starlette(routes=routes, lifespan=service.lifespan)
    app.state.service = service
    return app
