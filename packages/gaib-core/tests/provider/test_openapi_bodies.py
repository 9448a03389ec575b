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
from urllib.parse import parse_qs

import httpx
import pytest
from gaib_core.images import from_bytes
from gaib_core.provider.discord import DiscordProvider
from gaib_core.provider.http import build_client
from gaib_core.provider.models import (
    CATEGORY,
    VOICE,
    ChannelPosition,
    ChannelWrite,
    CommandOption,
    CommandWrite,
    GuildWrite,
    PermissionOverwrite,
    RolePosition,
    RoleWrite,
)
from gaib_core.testing.fixtures import SandboxGuild
from gaib_core.testing.images import png_bytes
from openapi_core import Config, OpenAPI
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


@dataclass
class SpecResponse:
    """An httpx response as openapi-core's response protocol sees it."""

    status_code: int
    content_type: str
    headers: Headers
    data: bytes | None


def as_spec_response(response: httpx.Response) -> SpecResponse:
    """The response with its headers and body, for ``validate_response``."""
    return SpecResponse(
        status_code=response.status_code,
        content_type=response.headers.get("content-type", ""),
        headers=Headers(dict(response.headers)),
        data=response.content or None,
    )


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
            query=ImmutableMultiDict(parse_qs(request.url.query.decode())),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict(),
        ),
    )


@pytest.fixture(scope="module")
def openapi() -> OpenAPI:
    """Discord's OpenAPI description, parsed once."""
    # Discord's description as published: validating the 1.2 MB document itself (openapi-core's
    # default) costs about 4 s of CPU and checks the description, not what gaib sends or answers.
    return OpenAPI.from_dict(
        json.loads(SPEC_PATH.read_text()), config=Config(spec_validator_cls=None)
    )


def test_every_request_fits_the_spec(sandbox: SandboxGuild, admin: Admin, openapi: OpenAPI) -> None:
    sent: list[httpx.Request] = []
    answers: list[httpx.Response] = []
    user = admin.add_member(sandbox.guild_id, "irulan")

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    async def answered(response: httpx.Response) -> None:
        await response.aread()
        answers.append(response)

    async def go() -> None:
        client = build_client(sandbox.token, sandbox.base_url)
        client.event_hooks = {"request": [record], "response": [answered]}
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
            await p.modify_guild(
                gid,
                GuildWrite(
                    name="Arrakis",
                    description="The desert planet",
                    icon=from_bytes(png_bytes()).data_uri(),
                    verification_level=1,
                    default_message_notifications=1,
                    explicit_content_filter=2,
                    afk_channel_id=voice.id,
                    afk_timeout=3600,
                    system_channel_id=text.id,
                ),
                reason=R,
            )
            await p.modify_guild(
                gid, GuildWrite(description=None, icon=None, afk_channel_id=None), reason=R
            )
            await p.get_member(gid, user)
            await p.list_members(gid, page_size=2)  # 2 pages: limit/after as the spec has them
            await p.add_member_role(gid, user, role.id, reason=R)
            await p.remove_member_role(gid, user, role.id, reason=R)
            await p.delete_channel(voice.id, reason=R)
            await p.delete_role(gid, role.id, reason=R)
            app = sandbox.info.bot_user_id
            option = CommandOption(type=5, name="again", description="Once more", required=False)
            verify = CommandWrite(
                name="verify", description="Verify", options=[option], contexts=[0]
            )
            await p.overwrite_commands(app, [verify], guild_id=gid)
            await p.list_commands(app, guild_id=gid)

    asyncio.run(go())
    operations = set()
    for request in sent:
        openapi.validate_request(as_spec_request(request))  # raises on any mismatch
        operations.add(request.method)
    assert len(sent) >= 21
    assert any(r.url.path.endswith("/members") and r.url.params["after"] for r in sent)
    # The sandbox's answers have Discord's shapes too (Modify Guild's guild object among them).
    for response in answers:
        openapi.validate_response(as_spec_request(response.request), as_spec_response(response))
    assert any(
        r.request.method == "PATCH" and r.url.path.endswith(sandbox.guild_id) for r in answers
    )
    assert operations == {"GET", "POST", "PATCH", "PUT", "DELETE"}
