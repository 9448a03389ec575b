"""The JSON-RPC client's answers to endpoints that are not healthy nodes: refused keys, rate
limits, web pages. Each is one line naming the endpoint without its secrets, and the fix."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from gaib_theme_sietch.tiers.evm import read_balances
from gaib_theme_sietch.tiers.rpc import Call, JsonRpcClient, RpcError


@dataclass
class Endpoint:
    """An HTTP server answering every POST with ``status`` and ``body``; counts requests."""

    url: str
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    requests: int = 0
    delay: float = 0.0
    statuses: list[int] = field(default_factory=list)  # answered first, one per request


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    state = Endpoint("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.requests += 1
            time.sleep(state.delay)
            self.send_response(state.statuses.pop(0) if state.statuses else state.status)
            self.send_header("Content-Type", state.content_type)
            self.send_header("Content-Length", str(len(state.body)))
            for name, value in state.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def call(endpoint: Endpoint) -> str:
    with (
        JsonRpcClient(f"{endpoint.url}/v3/SECRET-KEY?key=SECRET2") as rpc,
        pytest.raises(RpcError) as caught,
    ):
        rpc.call("eth_blockNumber")
    message = str(caught.value)
    assert "SECRET" not in message
    assert "\n" not in message
    return message


def test_a_refused_api_key(endpoint: Endpoint) -> None:
    endpoint.status, endpoint.body = 401, b'{"error": "invalid project id"}'
    assert call(endpoint) == (
        f"the RPC endpoint {endpoint.url}/… refused the request (HTTP 401); "
        "check the API key in the RPC URL"
    )


def test_a_rate_limit_is_retried_then_reported(endpoint: Endpoint) -> None:
    endpoint.status, endpoint.headers = 429, {"Retry-After": "0"}
    assert call(endpoint) == (
        f"the RPC endpoint {endpoint.url}/… is rate-limiting (HTTP 429) after 3 tries; "
        "retry later, lower --rpc-batch-size, or use an endpoint with a higher limit"
    )
    assert endpoint.requests == 3


def test_a_web_page_is_not_json_rpc(endpoint: Endpoint) -> None:
    endpoint.body, endpoint.content_type = b"<html>Welcome</html>", "text/html; charset=utf-8"
    assert call(endpoint) == (
        f"the RPC endpoint {endpoint.url}/… did not answer JSON-RPC (HTTP 200, text/html); "
        "check that --rpc is the node's JSON-RPC URL"
    )


def test_a_json_rpc_error(endpoint: Endpoint) -> None:
    endpoint.body = b'{"jsonrpc": "2.0", "id": 1, "error": {"code": -32601, "message": "nope"}}'
    assert call(endpoint) == (
        f"the RPC endpoint {endpoint.url}/… refused eth_blockNumber: error -32601: nope"
    )


def test_a_slow_endpoint_times_out(endpoint: Endpoint) -> None:
    endpoint.delay, endpoint.body = 0.5, b'{"jsonrpc": "2.0", "id": 1, "result": "0x1"}'
    with JsonRpcClient(f"{endpoint.url}/SECRET", timeout=0.1) as rpc, pytest.raises(RpcError) as e:
        rpc.call("eth_blockNumber")
    assert str(e.value) == (
        f"the RPC endpoint {endpoint.url}/… did not answer within 0.1 s; "
        "retry, raise --rpc-timeout, or lower --rpc-batch-size"
    )


def test_a_busy_gateway_is_retried(endpoint: Endpoint) -> None:
    endpoint.statuses = [503]  # the first answer; then the body below with 200
    endpoint.headers = {"Retry-After": "0"}
    endpoint.body = b'{"jsonrpc": "2.0", "id": 1, "result": "0x2a"}'
    with JsonRpcClient(endpoint.url) as rpc:
        assert rpc.call("eth_blockNumber") == "0x2a"
    assert endpoint.requests == 2


def test_a_batch_answer_missing_a_call(endpoint: Endpoint) -> None:
    endpoint.body = b'[{"jsonrpc": "2.0", "id": 1, "result": "0x1"}]'
    with JsonRpcClient(f"{endpoint.url}/KEY") as rpc, pytest.raises(RpcError) as caught:
        rpc.batch([Call("eth_chainId", ()), Call("eth_blockNumber", ())])
    assert str(caught.value) == (
        f"the RPC endpoint {endpoint.url}/… sent no answer to eth_blockNumber in a batch of 2; "
        "lower --rpc-batch-size (1 sends no batches)"
    )


def test_an_answer_without_result_or_error(endpoint: Endpoint) -> None:
    endpoint.body = b'{"jsonrpc": "2.0", "id": 1}'
    assert call(endpoint) == (
        f"the RPC endpoint {endpoint.url}/… answered eth_blockNumber without a result; "
        "check that --rpc is the node's JSON-RPC URL"
    )


def test_a_head_that_is_not_a_hex_number(endpoint: Endpoint) -> None:
    endpoint.body = (
        b'[{"jsonrpc": "2.0", "id": 1, "result": "0x1"}, {"jsonrpc": "2.0", "id": 2, "result": 12}]'
    )
    with JsonRpcClient(endpoint.url) as rpc, pytest.raises(RpcError) as caught:
        read_balances(rpc, "0x" + "ab" * 20, [])
    assert str(caught.value) == (
        f"the RPC endpoint {endpoint.url} answered eth_blockNumber with '12', not a hex number; "
        "check that --rpc is an Ethereum JSON-RPC endpoint"
    )
