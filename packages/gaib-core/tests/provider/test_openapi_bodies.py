"""Every request the provider sends fits Discord's OpenAPI description (``openapi.json``).

The requests are captured on the wire (an httpx request hook on the provider's own client) while
the provider runs every operation against the sandbox, then validated with openapi-core.

Spec quirk handled on purpose (FACTS.md section 0): the spec types ``permissions`` and overwrite
``allow``/``deny`` as integers while Discord sends and accepts decimal strings, which is what the
provider sends; the validator gets a copy of the body with those turned into integers.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from gaib_core.provider.discord import DiscordProvider
from gaib_core.provider.http import build_client
from gaib_core.provider.models import (
    CATEGORY,
    VOICE,
    ChannelPosition,
    ChannelWrite,
    PermissionOverwrite,
    RolePosition,
    RoleWrite,
)
from gaib_core.testing.fixtures import SandboxGuild
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from .conftest import Admin

SPEC_PATH = Path(__file__).parents[1] / "discord_openapi" / "openapi.json"  # vendored, MIT
BITFIELDS = ("permissions", "allow", "deny")
R = "gaib apply: test"


@dataclass
class SpecRequest:
    """An httpx request as openapi-core's request protocol sees it."""

    host_url: str
    path: str
    method: str
    content_type: str
    body: bytes | None
    parameters: RequestParameters = field(default_factory=RequestParameters)


def _ints(value: Any) -> Any:
    if isinstance(value, list):
        return [_ints(v) for v in value]
    if isinstance(value, dict):
        return {
            k: int(v) if k in BITFIELDS and isinstance(v, str) and v.isdigit() else _ints(v)
            for k, v in value.items()
        }
    return value


def as_spec_request(request: httpx.Request) -> SpecRequest:
    """On Discord's host (the spec's server), bitfield quirk handled."""
    body = request.content or None
    if body:
        body = json.dumps(_ints(json.loads(body))).encode()
    return SpecRequest(
        host_url="https://discord.com",
        path=request.url.path,
        method=request.method.lower(),
        content_type=request.headers.get("content-type", ""),
        body=body,
        parameters=RequestParameters(
            query=ImmutableMultiDict(),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict(),
        ),
    )


@pytest.fixture(scope="module")
def openapi() -> OpenAPI:
    """Discord's OpenAPI description, parsed once."""
    return OpenAPI.from_dict(json.loads(SPEC_PATH.read_text()))


def test_every_request_fits_the_spec(sandbox: SandboxGuild, admin: Admin, openapi: OpenAPI) -> None:
    sent: list[httpx.Request] = []
    user = admin.add_member(sandbox.guild_id, "irulan")

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    async def go() -> None:
        client = build_client(sandbox.token, sandbox.base_url)
        client.event_hooks = {"request": [record]}
        async with client:
            p = DiscordProvider(client, token=sandbox.token)
            gid = sandbox.guild_id
            await p.read_guild(gid)
            role = await p.create_role(
                gid,
                RoleWrite(name="Naib", permissions=1 << 10, color=0xFFD700, hoist=True),
                reason=R,
            )
            await p.modify_role(gid, role.id, RoleWrite(mentionable=True, permissions=0), reason=R)
            await p.reorder_roles(gid, [RolePosition(id=role.id, position=1)], reason=R)
            cat = await p.create_channel(
                gid,
                ChannelWrite(
                    name="Sietch",
                    type=CATEGORY,
                    permission_overwrites=[PermissionOverwrite(id=role.id, allow=1 << 10)],
                ),
                reason=R,
            )
            text = await p.create_channel(
                gid,
                ChannelWrite(name="general", parent_id=cat.id, topic="t", rate_limit_per_user=5),
                reason=R,
            )
            voice = await p.create_channel(
                gid, ChannelWrite(name="Voice", type=VOICE, bitrate=64000, user_limit=10), reason=R
            )
            await p.modify_channel(
                text.id,
                ChannelWrite(
                    nsfw=True, permission_overwrites=[PermissionOverwrite(id=gid, deny=1 << 11)]
                ),
                reason=R,
            )
            await p.reorder_channels(
                gid,
                [ChannelPosition(id=voice.id, position=0, parent_id=cat.id, lock_permissions=True)],
                reason=R,
            )
            await p.get_member(gid, user)
            await p.add_member_role(gid, user, role.id, reason=R)
            await p.remove_member_role(gid, user, role.id, reason=R)
            await p.delete_channel(voice.id, reason=R)
            await p.delete_role(gid, role.id, reason=R)

    asyncio.run(go())
    operations = set()
    for request in sent:
        openapi.validate_request(as_spec_request(request))  # raises on any mismatch
        operations.add(request.method)
    assert len(sent) >= 17
    assert operations == {"GET", "POST", "PATCH", "PUT", "DELETE"}
