"""Discord's error answers: unknown ids, bad bodies, wrong methods, auth, content type."""

from __future__ import annotations

import httpx
import pytest
from gaib_core.testing.fixtures import SandboxGuild

from .test_rules import assert_error

MISSING = "1234567890123456789"


def test_unknown_ids(api: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    assert_error(api.get(f"/guilds/{MISSING}"), 404, 10004)
    assert_error(api.get(f"/guilds/{MISSING}/roles"), 404, 10004)
    assert_error(api.get(f"/guilds/{gid}/roles/{MISSING}"), 404, 10011)
    assert_error(api.patch(f"/guilds/{gid}/roles/{MISSING}", json={"name": "x"}), 404, 10011)
    assert_error(api.delete(f"/guilds/{gid}/roles/{MISSING}"), 404, 10011)
    assert_error(
        api.patch(f"/guilds/{gid}/roles", json=[{"id": MISSING, "position": 2}]), 404, 10011
    )
    assert_error(api.get(f"/channels/{MISSING}"), 404, 10003)
    assert_error(api.patch(f"/channels/{MISSING}", json={"name": "x"}), 404, 10003)
    assert_error(api.delete(f"/channels/{MISSING}"), 404, 10003)
    assert_error(api.put(f"/channels/{MISSING}/permissions/{gid}", json={"type": 0}), 404, 10003)
    assert_error(
        api.patch(f"/guilds/{gid}/channels", json=[{"id": MISSING, "position": 1}]), 404, 10003
    )
    assert_error(api.get(f"/guilds/{gid}/members/{MISSING}"), 404, 10007)
    assert_error(api.put(f"/guilds/{gid}/members/{MISSING}/roles/{gid}"), 404, 10007)
    uid = sandbox.info.owner_id
    assert_error(api.put(f"/guilds/{gid}/members/{uid}/roles/{MISSING}"), 404, 10011)
    cid = api.post(f"/guilds/{gid}/channels", json={"name": "c"}).json()["id"]
    assert_error(api.put(f"/channels/{cid}/permissions/{MISSING}", json={"type": 0}), 404, 10011)
    assert_error(api.put(f"/channels/{cid}/permissions/{MISSING}", json={"type": 1}), 404, 10007)


def test_bad_bodies_get_an_errors_tree(api: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    body = assert_error(api.post(f"/guilds/{gid}/channels", json={}), 400, 50035)
    assert body["message"] == "Invalid Form Body"
    assert body["errors"] == {
        "name": {"_errors": [{"code": "BASE_TYPE_REQUIRED", "message": "This field is required"}]}
    }
    body = assert_error(api.post(f"/guilds/{gid}/roles", json={"name": "x" * 101}), 400, 50035)
    assert body["errors"]["name"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    body = assert_error(api.post(f"/guilds/{gid}/roles", json={"permissions": "lots"}), 400, 50035)
    assert body["errors"]["permissions"]["_errors"][0]["code"] == "NUMBER_TYPE_COERCE"
    body = assert_error(api.post(f"/guilds/{gid}/roles", json={"color": 0x1000000}), 400, 50035)
    assert body["errors"]["color"]["_errors"][0]["code"] == "NUMBER_TYPE_MAX"
    # nested arrays use index keys
    ow = [{"id": gid, "type": 0}, {"type": 0}]
    body = assert_error(
        api.post(f"/guilds/{gid}/channels", json={"name": "x", "permission_overwrites": ow}),
        400,
        50035,
    )
    assert (
        body["errors"]["permission_overwrites"]["1"]["id"]["_errors"][0]["code"]
        == "BASE_TYPE_REQUIRED"
    )
    body = assert_error(api.patch(f"/guilds/{gid}/roles", json=[{"position": 1}]), 400, 50035)
    assert "id" in body["errors"]["0"]
    body = assert_error(
        api.post(f"/guilds/{gid}/channels", json={"name": "x", "type": 3}), 400, 50035
    )
    assert "type" in body["errors"]
    body = assert_error(api.patch(f"/guilds/{gid}/channels", json={"id": gid}), 400, 50035)
    body = assert_error(api.get(f"/guilds/{gid}/members", params={"limit": 1001}), 400, 50035)
    assert body["errors"]["limit"]["_errors"][0]["code"] == "NUMBER_TYPE_MAX"


def test_unknown_overwrite_target_in_body(api: httpx.Client, sandbox: SandboxGuild) -> None:
    ow = [{"id": MISSING, "type": 0, "allow": "1024"}]
    body = assert_error(
        api.post(
            f"/guilds/{sandbox.guild_id}/channels", json={"name": "x", "permission_overwrites": ow}
        ),
        400,
        50035,
    )
    assert "id" in body["errors"]["permission_overwrites"]["0"]


def test_content_type_must_be_json(api: httpx.Client, sandbox: SandboxGuild) -> None:
    answer = api.post(
        f"/guilds/{sandbox.guild_id}/roles",
        content=b'{"name": "x"}',
        headers={"Content-Type": "text/plain"},
    )
    body = assert_error(answer, 400, 50035)
    assert body["errors"]["_errors"][0]["code"] == "CONTENT_TYPE_INVALID"


def test_invalid_json(plain: httpx.Client, sandbox: SandboxGuild) -> None:
    answer = plain.post(
        f"/guilds/{sandbox.guild_id}/roles",
        content=b"{nope",
        headers={"Content-Type": "application/json"},
    )
    assert_error(answer, 400, 50109)


def test_bodyless_put_needs_no_content_type(api: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    rid = api.post(f"/guilds/{gid}/roles", json={"name": "x"}).json()["id"]
    assert api.put(f"/guilds/{gid}/members/{sandbox.info.owner_id}/roles/{rid}").status_code == 204


def test_wrong_method_and_unknown_route(plain: httpx.Client, sandbox: SandboxGuild) -> None:
    assert_error(plain.post(f"/guilds/{sandbox.guild_id}", json={}), 405, 0)
    assert_error(plain.put(f"/guilds/{sandbox.guild_id}/roles", json={}), 405, 0)
    assert_error(plain.get("/no/such/route"), 404, 0)


def test_non_snowflake_path_parameter(plain: httpx.Client) -> None:
    body = assert_error(plain.get("/guilds/abc/roles"), 400, 50035)
    assert "guild_id" in body["errors"]


@pytest.mark.parametrize("auth", [None, "Bearer abc", "Bot", "abc"])
def test_unauthorized(sandbox: SandboxGuild, auth: str | None) -> None:
    headers = {"Authorization": auth} if auth is not None else {}
    answer = httpx.get(f"{sandbox.base_url}/users/@me", headers=headers)
    assert answer.status_code == 401
    assert answer.json() == {"message": "401: Unauthorized", "code": 0}


def test_admin_routes_are_not_under_the_api(plain: httpx.Client) -> None:
    assert plain.post("/_sandbox/guilds", json={}).status_code == 404
    assert plain.get("/guilds").status_code in (404, 405)


def test_negative_bulk_channel_position(api: httpx.Client, sandbox: SandboxGuild) -> None:
    cid = api.post(f"/guilds/{sandbox.guild_id}/channels", json={"name": "c"}).json()["id"]
    body = assert_error(
        api.patch(f"/guilds/{sandbox.guild_id}/channels", json=[{"id": cid, "position": -1}]),
        400,
        50035,
    )
    assert body["errors"]["0"]["position"]["_errors"][0]["code"] == "NUMBER_TYPE_MIN"
