"""A batched Ethereum JSON-RPC client over httpx, whose errors never show the endpoint's secrets.

RPC URLs often carry an API key in their path or query (``https://host/v2/KEY``), so the URL is
only ever shown redacted (:func:`redact_url`: scheme, host and port). Every failure is an
:class:`RpcError`: one line saying what went wrong and what to do about it.

Calls go out as JSON-RPC batches (a JSON array of requests, one HTTP request per batch) of at
most ``batch_size`` calls; with ``batch_size=1`` each call is a plain single request, for
endpoints that refuse batches. Answers are matched to calls by ``id``, whatever their order.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from gaib_core.errors import GaibError

#: Most public endpoints accept batches of 100 or more (geth's default limit is 1000).
DEFAULT_BATCH_SIZE = 100
MAX_BATCH_SIZE = 1000
DEFAULT_TIMEOUT = 30  # seconds
# Rate limits and overloaded gateways are worth a short wait; anything else is reported at once.
_RETRY_STATUSES = frozenset({429, 502, 503, 504})
_RETRIES = 3
_MAX_RETRY_WAIT = 10.0


class RpcError(GaibError):
    """The JSON-RPC endpoint could not be reached, refused, or answered with an error.

    ``code`` is the JSON-RPC error code when the endpoint sent one.
    """

    def __init__(self, message: str, *, hint: str | None = None, code: int | None = None) -> None:
        self.code = code
        super().__init__(message, hint=hint)


@dataclass(frozen=True, slots=True)
class Call:
    """One JSON-RPC call: ``method(params)``.

    ``purpose`` names it in messages (``balanceOf(0x...) at block 12``), ``hint`` is the advice
    when the node answers it with an error, and an ``optional`` call's error gives ``None``
    instead of raising (for optional ERC-20 functions such as ``decimals``).
    """

    method: str
    params: tuple[Any, ...]
    purpose: str = ""
    hint: str = ""
    optional: bool = False


def redact_url(url: str) -> str:
    """``https://host:port/…``: the URL without credentials, path or query (API keys live
    there). A URL that cannot be parsed is shown as ``the configured URL``."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return "the configured URL"
    if not parts.scheme or not host:
        return "the configured URL"
    shown = f"[{host}]" if ":" in host else host
    netloc = f"{shown}:{port}" if port is not None else shown
    rest = "/…" if parts.path.strip("/") or parts.query or parts.fragment else ""
    return f"{parts.scheme}://{netloc}{rest}"


def check_url(url: str, option: str = "--rpc") -> str:
    """``url`` if it is an ``http(s)://`` URL with a host; else :class:`RpcError`."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        host = None
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not host:
        raise RpcError(
            f"{option} is not an http(s) URL ({redact_url(url)})",
            hint=f"give the node's JSON-RPC URL, e.g. {option} https://rpc.example.org",
        )
    return url.strip()


class JsonRpcClient:
    """Batched JSON-RPC calls to one endpoint.

    :param url: the endpoint (may hold an API key; shown only as :func:`redact_url` gives it).
    :param batch_size: calls per HTTP request (1 sends single requests, not batches).
    :param client: an ``httpx.Client`` to use (closed by its owner); by default one is built
        here with ``timeout`` and closed by :meth:`close`.
    """

    def __init__(
        self,
        url: str,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        timeout: float = DEFAULT_TIMEOUT,
        client: httpx.Client | None = None,
    ) -> None:
        self.url = check_url(url)
        self.label = redact_url(self.url)
        self.batch_size = batch_size
        self.timeout = timeout
        self._own = client is None
        self._client = client or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": _user_agent(), "Accept": "application/json"},
            follow_redirects=False,
        )
        self._next_id = 1

    def __repr__(self) -> str:
        return f"<JsonRpcClient {self.label} batch_size={self.batch_size}>"

    def close(self) -> None:
        """Close the HTTP client if it was built here."""
        if self._own:
            self._client.close()

    def __enter__(self) -> JsonRpcClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, method: str, *params: Any, purpose: str = "") -> Any:
        """One call's result."""
        return self.batch([Call(method, params, purpose)])[0]

    def batch(self, calls: Sequence[Call]) -> list[Any]:
        """The results of ``calls``, in order, sent ``batch_size`` at a time."""
        results: list[Any] = []
        for chunk in _chunks(calls, self.batch_size):
            results.extend(self._send(chunk))
        return results

    def _send(self, calls: Sequence[Call]) -> list[Any]:
        ids = list(range(self._next_id, self._next_id + len(calls)))
        self._next_id += len(calls)
        requests = [
            {"jsonrpc": "2.0", "id": i, "method": c.method, "params": list(c.params)}
            for i, c in zip(ids, calls, strict=True)
        ]
        body = self._post(requests if self.batch_size > 1 else requests[0])
        if isinstance(body, dict) and self.batch_size > 1 and body.get("id") is None:
            # The whole batch refused with one error object (e.g. "batch too large").
            self._raise_for(body, calls[0], batch=len(calls))
        answers = body if isinstance(body, list) else [body]
        by_id = {a.get("id"): a for a in answers if isinstance(a, dict)}
        results: list[Any] = []
        for i, c in zip(ids, calls, strict=True):
            answer = by_id.get(i)
            if answer is None:
                raise RpcError(
                    f"the RPC endpoint {self.label} sent no answer to {c.method} "
                    f"in a batch of {len(calls)}",
                    hint="lower --rpc-batch-size (1 sends no batches)",
                )
            if "error" in answer or "result" not in answer:
                if c.optional:
                    results.append(None)
                    continue
                self._raise_for(answer, c)
            results.append(answer["result"])
        return results

    def _post(self, payload: Any) -> Any:
        for attempt in range(_RETRIES):
            try:
                response = self._client.post(self.url, json=payload)
            except httpx.TimeoutException:
                raise RpcError(
                    f"the RPC endpoint {self.label} did not answer within {self.timeout:g} s",
                    hint="retry, raise --rpc-timeout, or lower --rpc-batch-size",
                ) from None
            except httpx.TransportError as exc:
                raise RpcError(
                    f"cannot reach the RPC endpoint {self.label} ({_reason(exc)})",
                    hint="check the URL given by --rpc (or SIETCH_RPC_URL) and that the node is up",
                ) from None
            if response.status_code in _RETRY_STATUSES and attempt + 1 < _RETRIES:
                time.sleep(_retry_wait(response, attempt))
                continue
            return self._decode(response)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _decode(self, response: httpx.Response) -> Any:
        status = response.status_code
        if status in (401, 403):
            raise RpcError(
                f"the RPC endpoint {self.label} refused the request (HTTP {status})",
                hint="check the API key in the RPC URL",
            )
        if status == 429:
            raise RpcError(
                f"the RPC endpoint {self.label} is rate-limiting (HTTP 429) after {_RETRIES} tries",
                hint="retry later, lower --rpc-batch-size, or use an endpoint with a higher limit",
            )
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        if not isinstance(body, (dict, list)):
            kind = response.headers.get("content-type", "no content type").split(";")[0]
            raise RpcError(
                f"the RPC endpoint {self.label} did not answer JSON-RPC (HTTP {status}, {kind})",
                hint="check that --rpc is the node's JSON-RPC URL",
            )
        return body

    def _raise_for(self, answer: Any, call: Call, *, batch: int = 0) -> None:
        error = answer.get("error") if isinstance(answer, dict) else None
        if not isinstance(error, dict):
            raise RpcError(
                f"the RPC endpoint {self.label} answered {call.method} without a result",
                hint="check that --rpc is the node's JSON-RPC URL",
            )
        code = error.get("code")
        message = " ".join(str(error.get("message", "no message")).split())[:300]
        what = f"a batch of {batch} calls" if batch else (call.purpose or call.method)
        hint = "lower --rpc-batch-size (1 sends no batches)" if batch else call.hint or None
        raise RpcError(
            f"the RPC endpoint {self.label} refused {what}: error {code}: {message}",
            hint=hint,
            code=code if isinstance(code, int) else None,
        )


def _chunks(calls: Sequence[Call], size: int) -> Iterator[Sequence[Call]]:
    for start in range(0, len(calls), size):
        yield calls[start : start + size]


def _retry_wait(response: httpx.Response, attempt: int) -> float:
    """Seconds to wait: the endpoint's ``Retry-After`` (capped), else 0.5 s, 1 s, ..."""
    header = response.headers.get("retry-after", "")
    try:
        wait = float(header)
    except ValueError:
        wait = 0.5 * 2**attempt
    return max(0.0, min(wait, _MAX_RETRY_WAIT))


def _reason(exc: httpx.TransportError) -> str:
    """The transport error in a few words (httpx's messages never hold the URL's path)."""
    if isinstance(exc, httpx.ConnectError):
        text = str(exc).lower()
        if "refused" in text:
            return "connection refused"
        if "name or service" in text or "nodename" in text or "resolution" in text:
            return "unknown host"
        return "cannot connect"
    return type(exc).__name__


def _user_agent() -> str:
    from importlib.metadata import version

    return f"gaib-theme-sietch/{version('gaib-theme-sietch')} httpx/{httpx.__version__}"
