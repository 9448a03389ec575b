"""Helpers for the sandbox tests: a plain httpx client whose every exchange is checked against
Discord's OpenAPI description (vendored in ``tests/discord_openapi/``, loaded once per session).

Every response is validated against the spec. A request the sandbox ACCEPTED (status < 400) is
validated too: a body the sandbox takes must be one Discord's spec takes.

Spec quirk, handled on purpose: the spec types ``permissions`` (CreateRoleRequest,
UpdateRoleRequestPartial) and overwrite ``allow``/``deny`` (ChannelPermissionOverwriteRequest) as
integers, while Discord sends and accepts decimal strings (FACTS.md section 0). The sandbox, like
Discord, is sent strings; the validator is handed a COPY of the request body in which those
fields are converted to integers. Response schemas already say "string" for those.

Second quirk: the spec's ``Error.code`` (used for the leaves of a 50035 ``errors`` tree) is an
integer, while Discord's field errors carry string codes such as ``"BASE_TYPE_REQUIRED"``
(FACTS.md section 2). The validator gets a copy of such a response in which every leaf code is
replaced by 0; the sandbox's real body keeps Discord's strings (and tests assert on them).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from gaib_core.testing.fixtures import SandboxGuild
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPEC_PATH = Path(__file__).parents[1] / "discord_openapi" / "openapi.json"  # vendored, MIT
SPEC_HOST = "https://discord.com"  # the spec's server is https://discord.com/api/v10
_BITFIELDS = ("permissions", "allow", "deny")


@dataclass
class _SpecRequest:
    host_url: str
    path: str
    method: str
    content_type: str
    body: bytes | None
    parameters: RequestParameters = field(default_factory=RequestParameters)


@dataclass
class _SpecResponse:
    status_code: int
    content_type: str
    headers: Headers
    data: bytes | None


def _ints_for_spec(value: Any) -> Any:
    """A copy of a request body with bitfield strings turned into ints (the spec's quirk)."""
    if isinstance(value, list):
        return [_ints_for_spec(v) for v in value]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in _BITFIELDS and isinstance(item, str) and item.isdigit():
                out[key] = int(item)
            else:
                out[key] = _ints_for_spec(item)
        return out
    return value


def spec_request(request: httpx.Request) -> _SpecRequest:
    """An httpx request as openapi-core sees it, on Discord's host, quirk handled."""
    body = request.content or None
    if body:
        body = json.dumps(_ints_for_spec(json.loads(body))).encode()
    return _SpecRequest(
        host_url=SPEC_HOST,
        path=request.url.path,
        method=request.method.lower(),
        content_type=request.headers.get("content-type", ""),
        body=body,
        parameters=RequestParameters(
            query=ImmutableMultiDict(parse_qs(request.url.query.decode())),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict(),
        ),
    )


def _int_leaf_codes(tree: Any) -> Any:
    """A copy of a 50035 ``errors`` tree with string leaf codes replaced by 0 (the spec's quirk)."""
    if not isinstance(tree, dict):
        return tree
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if key == "_errors" and isinstance(value, list):
            out[key] = [{**leaf, "code": 0} for leaf in value]
        else:
            out[key] = _int_leaf_codes(value)
    return out


def spec_response(response: httpx.Response) -> _SpecResponse:
    """An httpx response as openapi-core sees it, quirk handled."""
    data = response.content or None
    if data and response.status_code == 400:
        body = json.loads(data)
        if isinstance(body, dict) and "errors" in body:
            body["errors"] = _int_leaf_codes(body["errors"])
            data = json.dumps(body).encode()
    return _SpecResponse(
        status_code=response.status_code,
        content_type=response.headers.get("content-type", ""),
        headers=Headers(dict(response.headers)),
        data=data,
    )


@pytest.fixture(scope="session")
def openapi() -> OpenAPI:
    """Discord's OpenAPI description, parsed once (it is 1.2 MB)."""
    # Discord's description as published: validating the 1.2 MB document itself (openapi-core's
    # default) costs about 4 s of CPU and checks the description, not what gaib sends or answers.
    return OpenAPI.from_dict(
        json.loads(SPEC_PATH.read_text()), config=Config(spec_validator_cls=None)
    )


class SpecCheck:
    """Validates exchanges; counts them so tests can prove validation actually ran."""

    def __init__(self, openapi: OpenAPI) -> None:
        self.openapi = openapi
        self.checked = 0

    def __call__(self, response: httpx.Response) -> None:
        response.read()
        if not response.request.url.path.startswith("/api/v10/"):
            return
        if response.status_code in (404, 405) and response.json().get("code") == 0:
            return  # an unknown route or method has no operation in the spec to check against
        request = spec_request(response.request)
        self.openapi.validate_response(request, spec_response(response))
        if response.status_code < 400:
            self.openapi.validate_request(request)
        self.checked += 1


@pytest.fixture
def spec_check(openapi: OpenAPI) -> SpecCheck:
    """A response hook validating against the spec."""
    return SpecCheck(openapi)


@pytest.fixture
def api(sandbox: SandboxGuild, spec_check: SpecCheck) -> Iterator[httpx.Client]:
    """A plain httpx client for the fresh guild's sandbox, every exchange checked against the spec."""
    with httpx.Client(
        base_url=sandbox.base_url,
        headers={**sandbox.headers, "User-Agent": "DiscordBot (https://gaib.test, 0.1) tests"},
        event_hooks={"response": [spec_check]},
        timeout=10.0,
    ) as client:
        yield client


@pytest.fixture
def admin(sandbox: SandboxGuild) -> Iterator[httpx.Client]:
    """A plain httpx client for the server's ``/_sandbox`` admin API."""
    with httpx.Client(base_url=sandbox.admin_url, timeout=10.0) as client:
        yield client


@pytest.fixture
def plain(sandbox: SandboxGuild) -> Iterator[httpx.Client]:
    """A plain httpx client for the fresh guild WITHOUT spec checks (for bulk setup)."""
    with httpx.Client(base_url=sandbox.base_url, headers=sandbox.headers, timeout=10.0) as client:
        yield client
