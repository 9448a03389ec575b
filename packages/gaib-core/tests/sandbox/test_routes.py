"""Every /api/v10 route of the sandbox, happy path, over real loopback HTTP.

The ``api`` client validates each exchange against Discord's OpenAPI description (conftest).
"""

from __future__ import annotations

import httpx
import pytest
from gaib_core.testing.fixtures import SandboxGuild
from openapi_core import OpenAPI
from openapi_core.validation.response.exceptions import InvalidData

from .conftest import SpecCheck, spec_request, spec_response

BOT_ROLE_PERMS = 2252109356985968  # the documented default bot permissions (data/permissions.json)
EVERYONE_PERMS = 309341834305


def test_get_me_is_the_bot(api: httpx.Client, sandbox: SandboxGuild) -> None:
    me = api.get("/users/@me").json()
    assert me["id"] == sandbox.info.bot_user_id
    assert me["bot"] is True


def test_get_guild_has_roles_not_channels(api: httpx.Client, sandbox: SandboxGuild) -> None:
    api.post(f"/guilds/{sandbox.guild_id}/channels", json={"name": "general"})
    guild = api.get(f"/guilds/{sandbox.guild_id}", params={"with_counts": "true"}).json()
    assert guild["id"] == sandbox.guild_id
    assert guild["owner_id"] == sandbox.info.owner_id != sandbox.info.bot_user_id
    assert {r["id"] for r in guild["roles"]} == {sandbox.guild_id, sandbox.info.bot_role_id}
    assert "channels" not in guild
    assert guild["approximate_member_count"] == 2


def test_new_guild_is_fresh_server_with_bot(api: httpx.Client, sandbox: SandboxGuild) -> None:
    roles = {r["id"]: r for r in api.get(f"/guilds/{sandbox.guild_id}/roles").json()}
    everyone = roles[sandbox.guild_id]
    assert everyone == everyone | {"name": "@everyone", "position": 0, "managed": False}
    assert int(everyone["permissions"]) == EVERYONE_PERMS
    bot = roles[sandbox.info.bot_role_id]
    assert bot["managed"] is True and bot["tags"]["bot_id"] == sandbox.info.bot_user_id
    assert int(bot["permissions"]) == BOT_ROLE_PERMS
    assert not int(bot["permissions"]) & 8  # not ADMINISTRATOR
    assert bot["position"] == max(r["position"] for r in roles.values())
    member = api.get(f"/guilds/{sandbox.guild_id}/members/{sandbox.info.bot_user_id}").json()
    assert member["roles"] == [sandbox.info.bot_role_id]
    assert api.get(f"/guilds/{sandbox.guild_id}/channels").json() == []


def test_role_crud(api: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    created = api.post(
        f"/guilds/{gid}/roles",
        json={"name": "Naib", "permissions": "1024", "color": 0xFFD700, "hoist": True},
    )
    assert created.status_code == 200
    role = created.json()
    assert role | {"name": "Naib", "permissions": "1024", "color": 0xFFD700, "hoist": True} == role
    assert role["position"] == 1 and role["managed"] is False
    assert role["colors"]["primary_color"] == 0xFFD700
    assert api.get(f"/guilds/{gid}/roles/{role['id']}").json() == role
    changed = api.patch(
        f"/guilds/{gid}/roles/{role['id']}", json={"name": "Fedaykin", "mentionable": True}
    ).json()
    assert changed["name"] == "Fedaykin" and changed["mentionable"] is True
    assert changed["permissions"] == "1024" and changed["hoist"] is True
    assert api.delete(f"/guilds/{gid}/roles/{role['id']}").status_code == 204
    assert role["id"] not in {r["id"] for r in api.get(f"/guilds/{gid}/roles").json()}


def test_create_role_defaults(api: httpx.Client, sandbox: SandboxGuild) -> None:
    role = api.post(f"/guilds/{sandbox.guild_id}/roles", json={}).json()
    assert role["name"] == "new role"
    assert role["permissions"] == str(EVERYONE_PERMS)  # the guild's @everyone permissions
    assert role["color"] == 0 and role["hoist"] is False and role["mentionable"] is False


def test_everyone_permissions_can_be_patched(api: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    changed = api.patch(f"/guilds/{gid}/roles/{gid}", json={"permissions": "1024"}).json()
    assert changed["permissions"] == "1024" and changed["name"] == "@everyone"


def test_bulk_role_positions_returns_all_roles(api: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    a, b = (api.post(f"/guilds/{gid}/roles", json={"name": n}).json() for n in ("a", "b"))
    answer = api.patch(
        f"/guilds/{gid}/roles",
        json=[{"id": a["id"], "position": 7}, {"id": b["id"], "position": 3}],
    )
    assert answer.status_code == 200
    positions = {r["id"]: r["position"] for r in answer.json()}
    assert positions == {gid: 0, sandbox.info.bot_role_id: 250, a["id"]: 7, b["id"]: 3}


def test_channel_crud(api: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    category = api.post(f"/guilds/{gid}/channels", json={"name": "The Stillsuit", "type": 4})
    assert category.status_code == 201
    cat = category.json()
    assert cat["name"] == "The Stillsuit" and cat["parent_id"] is None  # categories keep case
    text = api.post(
        f"/guilds/{gid}/channels",
        json={"name": "Water  Discipline", "parent_id": cat["id"], "topic": "drink", "nsfw": True},
    ).json()
    assert text | {"name": "water-discipline", "type": 0, "parent_id": cat["id"]} == text
    assert text["topic"] == "drink" and text["nsfw"] is True and text["guild_id"] == gid
    voice = api.post(
        f"/guilds/{gid}/channels", json={"name": "Sietch Voice", "type": 2, "user_limit": 10}
    ).json()
    assert (
        voice["name"] == "Sietch Voice" and voice["user_limit"] == 10 and voice["bitrate"] == 64000
    )
    assert api.get(f"/channels/{text['id']}").json() == text
    changed = api.patch(f"/channels/{text['id']}", json={"name": "Deep Desert", "topic": None})
    assert changed.status_code == 200
    assert changed.json()["name"] == "deep-desert" and changed.json()["topic"] is None
    listed = api.get(f"/guilds/{gid}/channels").json()
    assert {c["id"] for c in listed} == {cat["id"], text["id"], voice["id"]}
    deleted = api.delete(f"/channels/{voice['id']}")
    assert deleted.status_code == 200 and deleted.json()["id"] == voice["id"]
    assert api.get(f"/channels/{voice['id']}").json()["code"] == 10003


def test_channel_overwrites_inside_create_and_modify(
    api: httpx.Client, sandbox: SandboxGuild
) -> None:
    gid, bot_role = sandbox.guild_id, sandbox.info.bot_role_id
    role = api.post(f"/guilds/{gid}/roles", json={"name": "naib"}).json()
    overwrites = [
        {"id": gid, "type": 0, "allow": "0", "deny": "1024"},
        {"id": bot_role, "type": 0, "allow": "1024", "deny": "0"},
        {"id": role["id"], "type": 0, "allow": "3072"},
    ]
    ch = api.post(
        f"/guilds/{gid}/channels",
        json={"name": "naib-council", "permission_overwrites": overwrites},
    ).json()
    got = {o["id"]: (o["type"], o["allow"], o["deny"]) for o in ch["permission_overwrites"]}
    assert got == {gid: (0, "0", "1024"), bot_role: (0, "1024", "0"), role["id"]: (0, "3072", "0")}
    changed = api.patch(
        f"/channels/{ch['id']}", json={"permission_overwrites": overwrites[:2]}
    ).json()
    assert {o["id"] for o in changed["permission_overwrites"]} == {gid, bot_role}


def test_put_and_delete_overwrite(api: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    ch = api.post(f"/guilds/{gid}/channels", json={"name": "general"}).json()
    uid = sandbox.server.sandbox.add_member(gid, "alice")
    assert (
        api.put(
            f"/channels/{ch['id']}/permissions/{gid}", json={"type": 0, "deny": "2048"}
        ).status_code
        == 204
    )
    assert (
        api.put(
            f"/channels/{ch['id']}/permissions/{uid}", json={"type": 1, "allow": "2048"}
        ).status_code
        == 204
    )
    # PUT replaces (idempotent create-or-replace)
    api.put(f"/channels/{ch['id']}/permissions/{gid}", json={"type": 0, "deny": "64"})
    got = {o["id"]: o for o in api.get(f"/channels/{ch['id']}").json()["permission_overwrites"]}
    assert got[gid] == {"id": gid, "type": 0, "allow": "0", "deny": "64"}
    assert got[uid] == {"id": uid, "type": 1, "allow": "2048", "deny": "0"}
    assert api.delete(f"/channels/{ch['id']}/permissions/{uid}").status_code == 204
    left = api.get(f"/channels/{ch['id']}").json()["permission_overwrites"]
    assert [o["id"] for o in left] == [gid]


def test_bulk_channel_positions_is_204(api: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    cat = api.post(f"/guilds/{gid}/channels", json={"name": "c", "type": 4}).json()
    a, b = (api.post(f"/guilds/{gid}/channels", json={"name": n}).json() for n in ("a", "b"))
    answer = api.patch(
        f"/guilds/{gid}/channels",
        json=[
            {"id": a["id"], "position": 5},
            {"id": b["id"], "position": 2, "parent_id": cat["id"]},
        ],
    )
    assert answer.status_code == 204 and answer.content == b""
    by_id = {c["id"]: c for c in api.get(f"/guilds/{gid}/channels").json()}
    assert by_id[a["id"]]["position"] == 5 and by_id[a["id"]]["parent_id"] is None
    assert by_id[b["id"]]["position"] == 2 and by_id[b["id"]]["parent_id"] == cat["id"]


def test_lock_permissions_syncs_with_category(api: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    ow = [{"id": gid, "type": 0, "deny": "2048"}]
    cat = api.post(
        f"/guilds/{gid}/channels", json={"name": "c", "type": 4, "permission_overwrites": ow}
    ).json()
    ch = api.post(f"/guilds/{gid}/channels", json={"name": "a"}).json()
    api.patch(
        f"/guilds/{gid}/channels",
        json=[{"id": ch["id"], "parent_id": cat["id"], "lock_permissions": True}],
    )
    synced = cat["permission_overwrites"]
    assert api.get(f"/channels/{ch['id']}").json()["permission_overwrites"] == synced
    # a channel already in the category is re-synced too
    api.patch(f"/channels/{ch['id']}", json={"permission_overwrites": []})
    api.patch(f"/guilds/{gid}/channels", json=[{"id": ch["id"], "lock_permissions": True}])
    assert api.get(f"/channels/{ch['id']}").json()["permission_overwrites"] == synced


def test_members_list_get_modify_and_role_routes(api: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    role = api.post(f"/guilds/{gid}/roles", json={"name": "hajra"}).json()
    uids = [sandbox.server.sandbox.add_member(gid, f"user{i}") for i in range(3)]
    everyone = api.get(f"/guilds/{gid}/members", params={"limit": 1000}).json()
    assert len(everyone) == 5  # owner, bot and three users
    ids = [m["user"]["id"] for m in everyone]
    assert ids == sorted(ids, key=int)
    assert len(api.get(f"/guilds/{gid}/members").json()) == 1  # limit defaults to 1
    page = api.get(f"/guilds/{gid}/members", params={"limit": 2, "after": ids[1]}).json()
    assert [m["user"]["id"] for m in page] == ids[2:4]
    uid = uids[0]
    assert api.put(f"/guilds/{gid}/members/{uid}/roles/{role['id']}").status_code == 204
    assert (
        api.put(f"/guilds/{gid}/members/{uid}/roles/{role['id']}").status_code == 204
    )  # idempotent
    member = api.get(f"/guilds/{gid}/members/{uid}").json()
    assert member["roles"] == [role["id"]] and member["user"]["username"] == "user0"
    assert api.delete(f"/guilds/{gid}/members/{uid}/roles/{role['id']}").status_code == 204
    assert api.get(f"/guilds/{gid}/members/{uid}").json()["roles"] == []
    patched = api.patch(
        f"/guilds/{gid}/members/{uid}", json={"roles": [role["id"]], "nick": "Stilgar"}
    )
    assert patched.status_code == 200
    assert patched.json()["roles"] == [role["id"]] and patched.json()["nick"] == "Stilgar"


def test_listing_members_needs_the_members_intent(api: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    admin = httpx.post(f"{sandbox.admin_url}/intents", json={"members": False}, timeout=10)
    assert admin.json() == {"members": False}
    try:
        refused = api.get(f"/guilds/{gid}/members", params={"limit": 10})
        assert refused.status_code == 403
        assert refused.json() == {"message": "Missing Access", "code": 50001}
        # one member by id needs no intent
        assert api.get(f"/guilds/{gid}/members/{sandbox.info.bot_user_id}").status_code == 200
    finally:
        httpx.post(f"{sandbox.admin_url}/intents", json={"members": True}, timeout=10)
    assert len(api.get(f"/guilds/{gid}/members", params={"limit": 10}).json()) == 2


def test_deleting_a_role_removes_it_from_members_and_overwrites(
    api: httpx.Client, sandbox: SandboxGuild
) -> None:
    gid = sandbox.guild_id
    role = api.post(f"/guilds/{gid}/roles", json={"name": "x"}).json()
    uid = sandbox.server.sandbox.add_member(gid, "alice", roles=[role["id"]])
    ch = api.post(
        f"/guilds/{gid}/channels",
        json={
            "name": "c",
            "permission_overwrites": [{"id": role["id"], "type": 0, "allow": "1024"}],
        },
    ).json()
    api.delete(f"/guilds/{gid}/roles/{role['id']}")
    assert api.get(f"/guilds/{gid}/members/{uid}").json()["roles"] == []
    assert api.get(f"/channels/{ch['id']}").json()["permission_overwrites"] == []


def test_spec_validation_really_runs(
    api: httpx.Client, sandbox: SandboxGuild, spec_check: SpecCheck
) -> None:
    api.get(f"/guilds/{sandbox.guild_id}/roles")
    api.get("/users/@me")
    assert spec_check.checked == 2


def test_spec_validation_can_fail(openapi: OpenAPI, sandbox: SandboxGuild) -> None:
    """A role without ``permissions`` is not a GuildRoleResponse: the validator must say so."""
    with httpx.Client(base_url=sandbox.base_url, headers=sandbox.headers) as client:
        good = client.get(f"/guilds/{sandbox.guild_id}/roles")
    openapi.validate_response(spec_request(good.request), spec_response(good))
    broken = [dict(r) for r in good.json()]
    del broken[0]["permissions"]
    bad = httpx.Response(200, json=broken, request=good.request)
    with pytest.raises(InvalidData):
        openapi.validate_response(spec_request(good.request), spec_response(bad))


def test_overwrite_type_may_be_omitted_or_null(api: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    ow = [
        {"id": gid, "deny": "2048"},
        {"id": sandbox.info.bot_role_id, "type": None, "allow": "1024"},
    ]
    made = api.post(f"/guilds/{gid}/channels", json={"name": "c", "permission_overwrites": ow})
    assert made.status_code == 201
    assert {o["type"] for o in made.json()["permission_overwrites"]} == {0}
