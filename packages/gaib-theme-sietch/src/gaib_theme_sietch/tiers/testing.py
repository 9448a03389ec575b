"""An in-process EVM served as a JSON-RPC node on loopback, for tests and benchmarks of holder
sources (this package's ``evm`` source, or a plugin's).

Needs the test tools: ``eth-tester[py-evm]`` and ``web3`` (gaib-theme-sietch's dev dependency
group). The EVM and the JSON-RPC semantics are eth-tester's (py-evm backend) through web3's
``EthereumTesterProvider`` and its request/result formatting; the HTTP server here only carries
requests to it: a JSON-RPC batch (a JSON array) is answered with an array, an exception
eth-tester raises (a revert, an unknown block) becomes a JSON-RPC error object as a node sends
it, and integers are written as hex quantities, as the JSON-RPC spec says. Like geth's
``--rpc.batch-request-limit``, a batch limit can be set, for the "batch too large" answer.

::

    with serve_evm(Path("contracts.json")) as node:   # solc output: {"contracts": {name: ...}}
        token = node.deploy("TestToken", 18)
        node.mint(token, wallet, 10**18)
        ... EvmHolderSource.from_options({"rpc_url": node.url, "token": token.address, ...})
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any


def _hexify(value: Any) -> Any:
    """eth-tester's Python values as JSON-RPC writes them: quantities and bytes in hex."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return hex(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, dict):
        return {key: _hexify(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_hexify(item) for item in value]
    return value


@dataclass
class EvmNode:
    """eth-tester behind an HTTP JSON-RPC endpoint; ``posts`` records every HTTP request body.

    ``w3`` is a ``web3.Web3`` on the same chain, for the caller's own transactions (deploying,
    minting); ``contracts`` the compiled contracts ``deploy`` knows.
    """

    url: str
    w3: Any
    request_func: Any
    contracts: dict[str, Any] = field(default_factory=dict)
    posts: list[Any] = field(default_factory=list)
    batch_limit: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        """One JSON-RPC request answered by eth-tester."""
        from eth_tester.exceptions import TransactionFailed

        rid = request.get("id")
        try:
            response = self.request_func(request["method"], request.get("params", []))
        except TransactionFailed as exc:
            return {"jsonrpc": "2.0", "id": rid, "error": {"code": 3, "message": str(exc)}}
        except Exception as exc:  # eth-tester's refusal (unknown block, bad params) is an error
            message = f"{type(exc).__name__}: {exc}"
            return {"jsonrpc": "2.0", "id": rid, "error": {"code": -32000, "message": message}}
        response = dict(response)
        response["id"] = rid
        if "result" in response:
            response["result"] = _hexify(response["result"])
        return response

    def handle(self, body: Any) -> Any:
        """A single request or a batch."""
        with self.lock:
            self.posts.append(body)
            if not isinstance(body, list):
                return self.answer(body)
            if self.batch_limit is not None and len(body) > self.batch_limit:
                return {
                    "jsonrpc": "2.0",
                    "id": None,
                    "error": {"code": -32600, "message": "batch too large"},
                }
            return [self.answer(item) for item in body]

    def deploy(self, name: str = "TestToken", *args: Any) -> Any:
        """Deploy one of ``contracts`` (by name) with constructor ``args``; its web3 contract."""
        compiled = self.contracts[name]
        factory = self.w3.eth.contract(abi=compiled["abi"], bytecode=compiled["bytecode"])
        tx = factory.constructor(*args).transact({"from": self.w3.eth.accounts[0]})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx)
        return self.w3.eth.contract(address=receipt["contractAddress"], abi=compiled["abi"])

    def mint(self, token: Any, wallet: str, wei: int) -> int:
        """Mint ``wei`` to ``wallet``; the block the mint was mined in."""
        # An explicit gas limit spares an eth_estimateGas run per mint (half its time).
        tx = token.functions.mint(wallet, wei).transact(
            {"from": self.w3.eth.accounts[0], "gas": 200_000}
        )
        return int(self.w3.eth.wait_for_transaction_receipt(tx)["blockNumber"])

    def head(self) -> int:
        """The latest block number."""
        return int(self.w3.eth.block_number)


def _serve(node_factory: Any) -> tuple[HTTPServer, threading.Thread]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            payload = json.dumps(node_factory().handle(body)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    return server, thread


@contextmanager
def serve_evm(contracts: Path | None = None) -> Iterator[EvmNode]:
    """A fresh chain served on a free loopback port until the block ends.

    :param contracts: a JSON file with ``{"contracts": {name: {"abi": [...], "bytecode":
        "0x..."}}}`` (what ``tests/tiers/evm/data/compile.js`` writes), for ``deploy``.
    """
    from eth_tester import EthereumTester, PyEVMBackend
    from web3 import Web3
    from web3.providers.eth_tester import EthereumTesterProvider

    tester = EthereumTester(PyEVMBackend())
    w3 = Web3(EthereumTesterProvider(tester))
    raw = EthereumTesterProvider(tester)
    # The provider's own middleware turns JSON-RPC's hex params into eth-tester's values (and
    # fills eth_call's "from", as nodes do); no web3 client middleware on top.
    bare = Web3(raw, middleware=[])
    request_func = raw.request_func(bare, bare.middleware_onion)
    compiled = json.loads(contracts.read_text())["contracts"] if contracts else {}
    holder: list[EvmNode] = []
    server, thread = _serve(lambda: holder[0])
    holder.append(
        EvmNode(f"http://127.0.0.1:{server.server_address[1]}", w3, request_func, compiled)
    )
    try:
        yield holder[0]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
