"""``SandboxServer``: the sandbox over real HTTP (stdlib ``ThreadingHTTPServer``, HTTP/1.1).

Keep-alive connections are served by one thread each. An injected ``drop`` fault closes the
connection without an answer, the way a crashed proxy would, so clients see a real
"server disconnected" error.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

from gaib_core.sandbox.core import ADMIN_PREFIX, API_PREFIX, Sandbox

log = logging.getLogger(__name__)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "gaib-sandbox"
    sys_version = ""
    timeout = 60  # idle keep-alive connections give their thread back after a minute
    # Headers and body go out in one write with TCP_NODELAY: otherwise Nagle + delayed ACK add
    # 40 ms to every keep-alive exchange.
    disable_nagle_algorithm = True
    sandbox: Sandbox  # set on the subclass built per server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        headers = {k: v for k, v in self.headers.items()}
        response = self.sandbox.handle(self.command, self.path, headers, body)
        if response.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        reason = self.responses.get(response.status, ("",))[0]
        lines = [
            f"{self.protocol_version} {response.status} {reason}",
            f"Server: {self.server_version}",
            f"Date: {self.date_time_string()}",
            *(f"{name}: {value}" for name, value in response.headers.items()),
            f"Content-Length: {len(response.body)}",
        ]
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if self.command != "HEAD":
            payload += response.body
        self.wfile.write(payload)
        self.log_request(response.status)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: object) -> None:
        """Access log to the ``logging`` debug level instead of stderr."""
        log.debug("%s - %s", self.address_string(), format % args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # A burst of concurrent clients (a provider's 100-connection pool) must not overflow the
    # listen backlog: an overflow costs each late client a 1 s SYN retransmit.
    request_queue_size = 256


class SandboxServer:
    """The sandbox listening on loopback; a context manager (``with SandboxServer() as s``)."""

    def __init__(
        self,
        data_path: Path | None = None,
        limits: str = "relaxed",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        sandbox: Sandbox | None = None,
        token: str | None = None,
    ) -> None:
        self.sandbox = sandbox if sandbox is not None else Sandbox(data_path, limits, token=token)
        self.host = host
        self.port = port
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> SandboxServer:
        """Bind (port 0 = a free port) and serve in a background thread; returns self."""
        handler = type("SandboxHandler", (_Handler,), {"sandbox": self.sandbox})
        self._httpd = _Server((self.host, self.port), handler)
        self.port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name=f"sandbox-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (``gaib sandbox serve``)."""
        if self._httpd is None:
            handler = type("SandboxHandler", (_Handler,), {"sandbox": self.sandbox})
            self._httpd = _Server((self.host, self.port), handler)
            self.port = int(self._httpd.server_address[1])
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def url(self) -> str:
        """``http://HOST:PORT``."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The Discord API base: ``http://HOST:PORT/api/v10``."""
        return self.url + API_PREFIX

    @property
    def admin_url(self) -> str:
        """The admin API base: ``http://HOST:PORT/_sandbox``."""
        return self.url + ADMIN_PREFIX

    def __enter__(self) -> SandboxServer:
        return self.start() if self._httpd is None else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
