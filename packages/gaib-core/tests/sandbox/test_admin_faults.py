"""The /_sandbox admin API and every injected fault kind, over real HTTP and in-process."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from gaib_core.sandbox.core import Sandbox
from gaib_core.sandbox.faults import FaultSpec
from gaib_core.sandbox.transport import SandboxTransport
from gaib_core.testing.fixtures import SandboxGuild


def test_create_guild_and_member(admin: httpx.Client, sandbox: SandboxGuild) -> None:
    info = admin.post(
        "/guilds",
        json={"name": "Arrakis", "bot_role_name": "Shai-Hulud", "bot_permissions": "268435472"},
    ).json()
    assert set(info) == {"guild_id", "owner_id", "bot_user_id", "bot_role_id", "token"}
    with httpx.Client(
        base_url=sandbox.base_url, headers={"Authorization": f"Bot {info['token']}"}
    ) as api:
        guild = api.get(f"/guilds/{info['guild_id']}").json()
        assert guild["name"] == "Arrakis" and guild["owner_id"] == info["owner_id"]
        bot = next(r for r in guild["roles"] if r["id"] == info["bot_role_id"])
        assert bot["name"] == "Shai-Hulud" and bot["permissions"] == "268435472"
        role = api.post(f"/guilds/{info['guild_id']}/roles", json={"name": "r"}).json()
        added = admin.post(
            f"/guilds/{info['guild_id']}/members", json={"username": "alice", "roles": [role["id"]]}
        )
        uid = added.json()["user_id"]
        member = api.get(f"/guilds/{info['guild_id']}/members/{uid}").json()
        assert member["roles"] == [role["id"]] and member["user"]["username"] == "alice"
    listed = {g["id"]: g for g in admin.get("/guilds").json()}
    assert listed[info["guild_id"]]["members"] == 3


def test_admin_errors(admin: httpx.Client) -> None:
    assert admin.post("/guilds/1/members", json={"username": "x"}).status_code == 404
    assert admin.post("/guilds", json={"bogus": 1}).status_code == 400
    assert admin.post("/faults", json={"kind": "boom"}).status_code == 400
    assert admin.post("/faults", json={"kind": "429", "route": "GET ("}).status_code == 400
    assert admin.get("/nothing").status_code == 404
    assert admin.post("/guilds/1/roles", json={"name": "x"}).status_code == 404
    # The admin API goes through the same router as the API: a known path, another method.
    wrong = admin.get("/reset")
    assert wrong.status_code == 405 and wrong.json()["message"] == "405: Method Not Allowed"


def test_admin_status_comes_from_the_error_type_not_its_words(
    admin: httpx.Client, sandbox: SandboxGuild
) -> None:
    # The message of an unknown role mentions "has no" too; it is a bad request, not a 404.
    bad = admin.post(
        f"/guilds/{sandbox.guild_id}/members", json={"username": "x", "roles": ["123"]}
    )
    assert bad.status_code == 400 and "has no role 123" in bad.json()["message"]


def test_stats(admin: httpx.Client, api: httpx.Client, sandbox: SandboxGuild) -> None:
    api.get(f"/guilds/{sandbox.guild_id}/roles")
    api.get(f"/guilds/{sandbox.guild_id}/roles")
    api.post(f"/guilds/{sandbox.guild_id}/roles", json={})
    stats = admin.get("/stats").json()
    assert stats == {
        "requests": 3,
        "by_route": {"GET /guilds/{guild_id}/roles": 2, "POST /guilds/{guild_id}/roles": 1},
        "rate_limited": 0,
        "faults_fired": 0,
    }
    admin.post("/stats/reset")
    assert admin.get("/stats").json()["requests"] == 0


def test_reset(sandbox: SandboxGuild) -> None:
    # on a private server: resetting the shared one would pull guilds from under other tests
    core = Sandbox()
    gid = core.create_guild().guild_id
    core.add_fault(_spec({"kind": "drop"}))
    core.reset()
    assert core.guilds() == [] and core.pending_faults() == []
    assert (
        core.handle("GET", f"/api/v10/guilds/{gid}", {"Authorization": "Bot x"}, b"").status == 404
    )


def _spec(raw: dict[str, object]) -> FaultSpec:
    return FaultSpec.model_validate(raw)


def test_fault_429(admin: httpx.Client, plain: httpx.Client, sandbox: SandboxGuild) -> None:
    route = f"GET /guilds/{sandbox.guild_id}/roles"
    admin.post("/faults", json={"kind": "429", "count": 2, "retry_after": 2.5, "route": route})
    assert admin.get("/faults").json()[0]["remaining"] == 2
    answers = [plain.get(f"/guilds/{sandbox.guild_id}/roles") for _ in range(3)]
    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].json() == {
        "message": "You are being rate limited.",
        "retry_after": 2.5,
        "global": False,
        "code": 0,
    }
    assert answers[0].headers["retry-after"] == "3"
    assert answers[0].headers["x-ratelimit-scope"] == "user"
    assert admin.get("/stats").json()["faults_fired"] == 2
    assert (
        admin.get("/stats").json()["rate_limited"] == 0
    )  # only the limiter's own 429s count there


def test_fault_global_429(admin: httpx.Client, plain: httpx.Client) -> None:
    admin.post("/faults", json={"kind": "429", "global": True, "retry_after": 0.2})
    answer = plain.get("/users/@me")
    assert answer.status_code == 429 and answer.json()["global"] is True
    assert answer.headers["x-ratelimit-global"] == "true"
    assert answer.headers["x-ratelimit-scope"] == "global"


def test_fault_route_only_matches_its_route(
    admin: httpx.Client, plain: httpx.Client, sandbox: SandboxGuild
) -> None:
    admin.post("/faults", json={"kind": "5xx", "status": 502, "route": r"POST /guilds/\d+/roles"})
    assert plain.get(f"/guilds/{sandbox.guild_id}/roles").status_code == 200
    assert plain.post(f"/guilds/{sandbox.guild_id}/channels", json={"name": "c"}).status_code == 201
    failed = plain.post(f"/guilds/{sandbox.guild_id}/roles", json={"name": "r"})
    assert failed.status_code == 502 and failed.json()["code"] == 0
    assert plain.post(f"/guilds/{sandbox.guild_id}/roles", json={"name": "r"}).status_code == 200
    assert [r["name"] for r in plain.get(f"/guilds/{sandbox.guild_id}/roles").json()].count(
        "r"
    ) == 1


def test_fault_drop(admin: httpx.Client, plain: httpx.Client, sandbox: SandboxGuild) -> None:
    admin.post("/faults", json={"kind": "drop", "route": "POST /api/v10/guilds/[0-9]+/roles"})
    with pytest.raises(httpx.RemoteProtocolError):
        plain.post(f"/guilds/{sandbox.guild_id}/roles", json={"name": "lost"})
    names = [r["name"] for r in plain.get(f"/guilds/{sandbox.guild_id}/roles").json()]
    assert "lost" not in names  # dropped before it was performed


def test_fault_drop_after_performs_the_write(
    admin: httpx.Client, plain: httpx.Client, sandbox: SandboxGuild
) -> None:
    admin.post("/faults", json={"kind": "drop_after", "route": r"POST /guilds/\d+/roles"})
    with pytest.raises(httpx.RemoteProtocolError):
        plain.post(f"/guilds/{sandbox.guild_id}/roles", json={"name": "ambiguous"})
    names = [r["name"] for r in plain.get(f"/guilds/{sandbox.guild_id}/roles").json()]
    assert names.count("ambiguous") == 1  # it happened, the client just never heard


def test_fault_delay(admin: httpx.Client, plain: httpx.Client) -> None:
    admin.post("/faults", json={"kind": "delay", "delay": 0.3})
    started = time.monotonic()
    assert plain.get("/users/@me").status_code == 200
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    plain.get("/users/@me")
    assert time.monotonic() - started < 0.3


def test_clear_faults(admin: httpx.Client, plain: httpx.Client) -> None:
    admin.post("/faults", json={"kind": "5xx", "count": 5})
    admin.delete("/faults")
    assert plain.get("/users/@me").status_code == 200


def test_transport_serves_in_process() -> None:
    core = Sandbox()
    info = core.create_guild()

    async def main() -> tuple[int, list[str]]:
        async with httpx.AsyncClient(
            transport=SandboxTransport(core),
            base_url="http://sandbox/api/v10",
            headers={"Authorization": "Bot x"},
        ) as client:
            made = await client.post(f"/guilds/{info.guild_id}/roles", json={"name": "Naib"})
            roles = await client.get(f"/guilds/{info.guild_id}/roles")
            return made.status_code, [r["name"] for r in roles.json()]

    status, names = asyncio.run(main())
    assert status == 200 and "Naib" in names


def test_transport_drop_raises_remote_protocol_error() -> None:
    core = Sandbox()
    info = core.create_guild()
    core.add_fault(_spec({"kind": "drop_after"}))

    async def main() -> None:
        async with httpx.AsyncClient(
            transport=SandboxTransport(core), base_url="http://sandbox/api/v10"
        ) as client:
            await client.post(
                f"/guilds/{info.guild_id}/roles",
                json={"name": "x"},
                headers={"Authorization": "Bot x"},
            )

    with pytest.raises(httpx.RemoteProtocolError):
        asyncio.run(main())
    names = [
        r["name"]
        for r in core.handle(
            "GET", f"/api/v10/guilds/{info.guild_id}/roles", {"Authorization": "Bot x"}, b""
        ).json()
    ]
    assert "x" in names


def test_transport_delays_do_not_block_the_event_loop() -> None:
    core = Sandbox()
    core.add_fault(_spec({"kind": "delay", "delay": 0.4, "count": 4}))

    async def main() -> float:
        async with httpx.AsyncClient(
            transport=SandboxTransport(core),
            base_url="http://sandbox/api/v10",
            headers={"Authorization": "Bot x"},
        ) as client:
            started = time.monotonic()
            answers = await asyncio.gather(*(client.get("/users/@me") for _ in range(4)))
            assert {a.status_code for a in answers} == {200}
            return time.monotonic() - started

    assert asyncio.run(main()) < 1.2  # four 0.4 s delays overlapped, not 1.6 s in a row


def test_audit_log_records_writes_with_reason(
    admin: httpx.Client, plain: httpx.Client, sandbox: SandboxGuild
) -> None:
    gid = sandbox.guild_id
    plain.get(f"/guilds/{gid}/roles")  # reads are not recorded
    plain.post(
        f"/guilds/{gid}/roles",
        json={"name": "naib"},
        headers={
            "X-Audit-Log-Reason": "gaib%20apply%3A%20role.naib",
            "User-Agent": "DiscordBot (x, 1)",
        },
    )
    plain.post(f"/guilds/{gid}/roles", json={"permissions": "8"})  # refused: recorded with 403
    log = admin.get("/audit-log").json()
    assert log == [
        {
            "method": "POST",
            "route": "POST /guilds/{guild_id}/roles",
            "path": f"/guilds/{gid}/roles",
            "status": 200,
            "reason": "gaib apply: role.naib",
            "user_agent": "DiscordBot (x, 1)",
        },
        {
            "method": "POST",
            "route": "POST /guilds/{guild_id}/roles",
            "path": f"/guilds/{gid}/roles",
            "status": 403,
            "reason": None,
            "user_agent": log[1]["user_agent"],
        },
    ]
    admin.post("/stats/reset")
    assert admin.get("/audit-log").json() == []


def test_fault_after_lets_requests_through_first(
    admin: httpx.Client, plain: httpx.Client, sandbox: SandboxGuild
) -> None:
    route = f"GET /guilds/{sandbox.guild_id}/roles"
    admin.post("/faults", json={"kind": "5xx", "count": 1, "after": 2, "route": route})
    answers = [plain.get(f"/guilds/{sandbox.guild_id}/roles").status_code for _ in range(4)]
    assert answers == [200, 200, 500, 200]
    assert admin.get("/stats").json()["faults_fired"] == 1
