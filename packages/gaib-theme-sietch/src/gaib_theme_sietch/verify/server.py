"""Running the service on uvicorn (``gaib sietch serve``), in the foreground or in a thread.

The listening socket is bound before uvicorn starts, so a taken port is one clear line, and the
store is opened before the first request, so a bad ``DATABASE_URL`` is too.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import uvicorn
from gaib_core.errors import GaibError

from gaib_theme_sietch.verify.settings import VerifySettings
from gaib_theme_sietch.verify.store import open_store


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0 = any free port).

    :raises GaibError: the address cannot be used (one line).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise GaibError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}",
            hint="pick another --port, or stop what is using it",
        ) from None
    sock.set_inheritable(True)
    return sock


def uvicorn_config(
    app: Any, *, log_level: str = "info", access_log: bool = False
) -> uvicorn.Config:
    """uvicorn's settings for the service (behind a proxy: forwarded headers trusted)."""
    return uvicorn.Config(
        app,
        log_level=log_level,
        access_log=access_log,
        proxy_headers=True,
        server_header=False,
        timeout_graceful_shutdown=10,
        lifespan="on",
    )


def serve(
    settings: VerifySettings,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    log_level: str = "info",
    access_log: bool = False,
    announce: Callable[[str], None] | None = None,
) -> None:
    """Run the service until interrupted (SIGINT/SIGTERM stop it gracefully).

    :param announce: called with a one-line summary once the socket and the database are open.
    """
    from gaib_theme_sietch.verify.app import create_app

    settings.require_service()
    sock = bind(host, port)
    with open_store(settings.database_url) as store:
        if announce is not None:
            announce(
                f"serving wallet verification on http://{host}:{sock.getsockname()[1]} for "
                f"{settings.base_url} (database {store.label}; Discord "
                f"{'on' if settings.discord_enabled else 'off'}, Telegram "
                f"{'on' if settings.telegram_enabled else 'off'})"
            )
        app = create_app(settings, store)
        server = uvicorn.Server(uvicorn_config(app, log_level=log_level, access_log=access_log))
        server.run(sockets=[sock])


@contextlib.contextmanager
def serve_in_thread(
    app: Any, host: str = "127.0.0.1", *, sock: socket.socket | None = None
) -> Iterator[str]:
    """Run ``app`` in a background thread on ``sock`` (default: a new one on a free port of
    ``host``); yields its base URL (tests, demos). Pass a socket from :func:`bind` when the app
    must know its own URL before it is built."""
    sock = sock if sock is not None else bind(host, 0)
    host, port = sock.getsockname()[:2]
    server = uvicorn.Server(uvicorn_config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the verification service did not start")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
