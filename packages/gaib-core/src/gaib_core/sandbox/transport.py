"""``SandboxTransport``: an ``httpx.AsyncBaseTransport`` serving a ``Sandbox`` in-process.

The request never touches a socket, but goes through the same ``Sandbox.handle`` as the HTTP
server, in a worker thread so that injected delays do not block the event loop. A dropped
connection surfaces as ``httpx.RemoteProtocolError``, as it would over the network.
"""

from __future__ import annotations

import asyncio

import httpx

from gaib_core.sandbox.core import Sandbox


class SandboxTransport(httpx.AsyncBaseTransport):
    """Route httpx requests to ``sandbox`` (any host; the path must start with ``/api/v10``)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request`` from the sandbox."""
        body = await request.aread()
        path = request.url.raw_path.decode("ascii")
        headers = dict(request.headers.items())
        response = await asyncio.to_thread(self.sandbox.handle, request.method, path, headers, body)
        if response.drop:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        return httpx.Response(
            response.status, headers=response.headers, content=response.body, request=request
        )
