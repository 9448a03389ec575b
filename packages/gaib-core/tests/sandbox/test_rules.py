"""Discord's rules as the sandbox enforces them, each with Discord's status and error code."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from gaib_core.testing.fixtures import SandboxGuild

OWNER = {"X-Sandbox-Actor": "owner"}
ADMINISTRATOR = 1 << 3
BAN_MEMBERS = 1 << 2  # not in the bot's documented set
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_ROLES = 1 << 28
MANAGE_WEBHOOKS = 1 << 29


def assert_error(response: httpx.Response, status: int, code: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"]
    return body


def owner_role(api: httpx.Client, gid: str, name: str, position: int, perms: int = 0) -> str:
    """A role the owner creates and drags to ``position`` (e.g. above the bot)."""
    role = api.post(
        f"/guilds/{gid}/roles", json={"name": name, "permissions": str(perms)}, headers=OWNER
    )
    rid = role.json()["id"]
    moved = api.patch(
        f"/guilds/{gid}/roles", json=[{"id": rid, "position": position}], headers=OWNER
    )
    assert moved.status_code == 200
    return rid


def new_guild(admin: httpx.Client, **body: Any) -> dict[str, str]:
    answer = admin.post("/guilds", json=body)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


# ----------------------------------------------------------------- role hierarchy


def test_roles_at_or_above_the_bot_cannot_be_touched(
    api: httpx.Client, sandbox: SandboxGuild
) -> None:
    gid, bot_role = sandbox.guild_id, sandbox.info.bot_role_id
    above = owner_role(api, gid, "Admins", 251)
    for rid in (above, bot_role):
        assert_error(api.patch(f"/guilds/{gid}/roles/{rid}", json={"name": "x"}), 403, 50013)
        assert_error(
            api.patch(f"/guilds/{gid}/roles", json=[{"id": rid, "position": 3}]), 403, 50013
        )
    assert_error(api.delete(f"/guilds/{gid}/roles/{above}"), 403, 50013)
    # the owner is exempt
    assert (
        api.patch(f"/guilds/{gid}/roles/{above}", json={"name": "y"}, headers=OWNER).status_code
        == 200
    )


def test_same_position_tie_is_broken_by_id(api: httpx.Client, sandbox: SandboxGuild) -> None:
    """A role sharing the bot's position but with a LARGER id sorts below it: editable."""
    gid = sandbox.guild_id
    rid = owner_role(api, gid, "Twin", 250)
    assert int(rid) > int(sandbox.info.bot_role_id)
    assert api.patch(f"/guilds/{gid}/roles/{rid}", json={"name": "below"}).status_code == 200


def test_cannot_move_a_role_to_or_above_the_bot(api: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    rid = api.post(f"/guilds/{gid}/roles", json={"name": "a"}).json()["id"]
    assert_error(api.patch(f"/guilds/{gid}/roles", json=[{"id": rid, "position": 250}]), 403, 50013)
    assert_error(api.patch(f"/guilds/{gid}/roles", json=[{"id": rid, "position": 400}]), 403, 50013)
    assert api.patch(f"/guilds/{gid}/roles", json=[{"id": rid, "position": 249}]).status_code == 200


def test_bulk_reorder_is_all_or_nothing(api: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    rid = api.post(f"/guilds/{gid}/roles", json={"name": "a"}).json()["id"]
    body = [{"id": rid, "position": 5}, {"id": sandbox.info.bot_role_id, "position": 1}]
    assert_error(api.patch(f"/guilds/{gid}/roles", json=body), 403, 50013)
    assert api.get(f"/guilds/{gid}/roles/{rid}").json()["position"] == 1


def test_everyone_cannot_move_or_be_deleted(api: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    assert_error(api.patch(f"/guilds/{gid}/roles", json=[{"id": gid, "position": 3}]), 400, 50028)
    assert_error(api.delete(f"/guilds/{gid}/roles/{gid}"), 400, 50028)
    # sending its current position is a no-op, as in a full-order request
    assert api.patch(f"/guilds/{gid}/roles", json=[{"id": gid, "position": 0}]).status_code == 200


def test_managed_roles_cannot_be_deleted_or_assigned(
    api: httpx.Client, sandbox: SandboxGuild
) -> None:
    gid = sandbox.guild_id
    # a managed role below the bot (another integration's), created by the sandbox's owner API
    other = new_guild_role_managed(sandbox)
    uid = sandbox.server.sandbox.add_member(gid, "alice")
    assert_error(api.delete(f"/guilds/{gid}/roles/{other}"), 403, 50013)
    assert_error(api.put(f"/guilds/{gid}/members/{uid}/roles/{other}"), 403, 50013)
    assert_error(api.patch(f"/guilds/{gid}/members/{uid}", json={"roles": [other]}), 403, 50013)


def new_guild_role_managed(sandbox: SandboxGuild) -> str:
    """An integration's managed role below the bot, made through the admin API."""
    with httpx.Client(base_url=sandbox.admin_url) as admin:
        answer = admin.post(
            f"/guilds/{sandbox.guild_id}/roles",
            json={"name": "Booster", "managed": True, "position": 2},
        )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["role_id"])


def test_member_roles_at_or_above_the_bot(api: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    above = owner_role(api, gid, "Admins", 251)
    below = api.post(f"/guilds/{gid}/roles", json={"name": "hajra"}).json()["id"]
    uid = sandbox.server.sandbox.add_member(gid, "alice", roles=[above])
    assert_error(api.put(f"/guilds/{gid}/members/{uid}/roles/{above}"), 403, 50013)
    assert_error(api.delete(f"/guilds/{gid}/members/{uid}/roles/{above}"), 403, 50013)
    # PATCH roles: removing the high role is refused, keeping it while adding a low one is fine
    assert_error(api.patch(f"/guilds/{gid}/members/{uid}", json={"roles": [below]}), 403, 50013)
    ok = api.patch(f"/guilds/{gid}/members/{uid}", json={"roles": [above, below]})
    assert ok.status_code == 200 and set(ok.json()["roles"]) == {above, below}


# ----------------------------------------------------------------- permissions the bot may grant


def test_roles_only_get_permissions_the_bot_has(api: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    for bits in (ADMINISTRATOR, BAN_MEMBERS):
        assert_error(api.post(f"/guilds/{gid}/roles", json={"permissions": str(bits)}), 403, 50013)
    rid = api.post(f"/guilds/{gid}/roles", json={"permissions": str(VIEW_CHANNEL)}).json()["id"]
    assert_error(
        api.patch(
            f"/guilds/{gid}/roles/{rid}", json={"permissions": str(VIEW_CHANNEL | BAN_MEMBERS)}
        ),
        403,
        50013,
    )
    ok = api.patch(
        f"/guilds/{gid}/roles/{rid}", json={"permissions": str(VIEW_CHANNEL | MANAGE_ROLES)}
    )
    assert ok.status_code == 200


def test_an_administrator_bot_may_grant_anything(
    admin: httpx.Client, sandbox: SandboxGuild
) -> None:
    info = new_guild(admin, bot_permissions=str(ADMINISTRATOR))
    with httpx.Client(base_url=sandbox.base_url, headers=sandbox.headers) as api:
        gid = info["guild_id"]
        ok = api.post(f"/guilds/{gid}/roles", json={"permissions": str(BAN_MEMBERS)})
        assert ok.status_code == 200
        ow = [{"id": gid, "type": 0, "allow": str(MANAGE_ROLES | MANAGE_WEBHOOKS)}]
        made = api.post(f"/guilds/{gid}/channels", json={"name": "x", "permission_overwrites": ow})
        assert made.status_code == 201


def test_missing_manage_roles_or_channels(admin: httpx.Client, sandbox: SandboxGuild) -> None:
    info = new_guild(admin, bot_permissions=str(VIEW_CHANNEL))
    gid = info["guild_id"]
    with httpx.Client(base_url=sandbox.base_url, headers=sandbox.headers) as api:
        assert_error(api.post(f"/guilds/{gid}/roles", json={"name": "x"}), 403, 50013)
        assert_error(api.patch(f"/guilds/{gid}/roles", json=[]), 403, 50013)
        assert_error(api.post(f"/guilds/{gid}/channels", json={"name": "x"}), 403, 50013)
        assert_error(api.patch(f"/guilds/{gid}/channels", json=[]), 403, 50013)
        uid = sandbox.server.sandbox.add_member(gid, "alice")
        assert_error(api.put(f"/guilds/{gid}/members/{uid}/roles/{gid}"), 403, 50013)


def test_overwrites_may_not_set_permissions_the_bot_lacks(
    api: httpx.Client, sandbox: SandboxGuild
) -> None:
    gid = sandbox.guild_id
    for bits in (MANAGE_WEBHOOKS, MANAGE_ROLES):  # lacks webhooks; MANAGE_ROLES is admin-only here
        for key in ("allow", "deny"):
            ow = [{"id": gid, "type": 0, key: str(bits)}]
            created = api.post(
                f"/guilds/{gid}/channels", json={"name": "x", "permission_overwrites": ow}
            )
            assert_error(created, 403, 50013)
    ch = api.post(f"/guilds/{gid}/channels", json={"name": "ok"}).json()
    bad = [{"id": gid, "type": 0, "allow": str(MANAGE_WEBHOOKS)}]
    assert_error(
        api.patch(f"/channels/{ch['id']}", json={"permission_overwrites": bad}), 403, 50013
    )
    put = api.put(
        f"/channels/{ch['id']}/permissions/{gid}", json={"type": 0, "deny": str(MANAGE_ROLES)}
    )
    assert_error(put, 403, 50013)


def test_unchanged_overwrite_bits_may_be_resent(api: httpx.Client, sandbox: SandboxGuild) -> None:
    """Only bits that change are checked: what the owner set may be sent back unchanged."""
    gid = sandbox.guild_id
    ow = [{"id": gid, "type": 0, "allow": "0", "deny": str(MANAGE_WEBHOOKS)}]
    ch = api.post(
        f"/guilds/{gid}/channels", json={"name": "x", "permission_overwrites": ow}, headers=OWNER
    )
    assert ch.status_code == 201
    again = [{"id": gid, "type": 0, "allow": str(SEND_MESSAGES), "deny": str(MANAGE_WEBHOOKS)}]
    assert (
        api.patch(f"/channels/{ch.json()['id']}", json={"permission_overwrites": again}).status_code
        == 200
    )


# ----------------------------------------------------------------- channels the bot cannot see


def test_channels_the_bot_cannot_view_cannot_be_managed(
    api: httpx.Client, sandbox: SandboxGuild
) -> None:
    gid = sandbox.guild_id
    hidden = api.post(
        f"/guilds/{gid}/channels",
        json={
            "name": "secret",
            "permission_overwrites": [{"id": gid, "type": 0, "deny": str(VIEW_CHANNEL)}],
        },
    )
    assert hidden.status_code == 201  # creating it is allowed ...
    cid = hidden.json()["id"]
    cat = api.post(f"/guilds/{gid}/channels", json={"name": "cat", "type": 4}).json()["id"]
    # ... managing it afterwards is not
    assert_error(api.get(f"/channels/{cid}"), 403, 50001)
    assert_error(api.patch(f"/channels/{cid}", json={"name": "x"}), 403, 50001)
    assert_error(api.delete(f"/channels/{cid}"), 403, 50001)
    assert_error(api.put(f"/channels/{cid}/permissions/{gid}", json={"type": 0}), 403, 50001)
    assert_error(api.delete(f"/channels/{cid}/permissions/{gid}"), 403, 50001)
    move = [{"id": cid, "parent_id": cat}]
    assert_error(api.patch(f"/guilds/{gid}/channels", json=move), 403, 50001)
    # a position-only entry does not need to see the channel
    assert (
        api.patch(f"/guilds/{gid}/channels", json=[{"id": cid, "position": 9}]).status_code == 204
    )
    # it is still listed, and the owner can fix it
    assert cid in {c["id"] for c in api.get(f"/guilds/{gid}/channels").json()}
    assert api.delete(f"/channels/{cid}", headers=OWNER).status_code == 200


def test_a_bot_allow_overwrite_restores_access(api: httpx.Client, sandbox: SandboxGuild) -> None:
    gid, bot_role = sandbox.guild_id, sandbox.info.bot_role_id
    ow = [
        {"id": gid, "type": 0, "deny": str(VIEW_CHANNEL)},
        {"id": bot_role, "type": 0, "allow": str(VIEW_CHANNEL)},
    ]
    cid = api.post(
        f"/guilds/{gid}/channels", json={"name": "private", "permission_overwrites": ow}
    ).json()["id"]
    assert api.patch(f"/channels/{cid}", json={"name": "still-mine"}).status_code == 200


# ----------------------------------------------------------------- names, types, parents, limits


@pytest.mark.parametrize(
    ("ctype", "name", "stored"),
    [
        (0, "Water  Discipline", "water-discipline"),
        (0, "a - - b", "a-b"),
        (0, "Hello, World! (v2)", "hello-world-v2"),
        (0, " -Rules_and Info- ", "rules_and-info"),
        (5, "Sietch News", "sietch-news"),
        (15, "Ask The  Fremen", "ask-the-fremen"),
        (2, "Sietch  Voice", "Sietch  Voice"),
        (13, "Stage Of Arrakis", "Stage Of Arrakis"),
        (4, "The Stillsuit", "The Stillsuit"),
    ],
)
def test_channel_name_normalisation(
    api: httpx.Client, sandbox: SandboxGuild, ctype: int, name: str, stored: str
) -> None:
    made = api.post(f"/guilds/{sandbox.guild_id}/channels", json={"name": name, "type": ctype})
    assert made.status_code == 201, made.text
    assert made.json()["name"] == stored


def test_a_name_of_only_punctuation_is_refused(api: httpx.Client, sandbox: SandboxGuild) -> None:
    body = assert_error(
        api.post(f"/guilds/{sandbox.guild_id}/channels", json={"name": "!!!"}), 400, 50035
    )
    assert "name" in body["errors"]


def test_type_change_only_between_text_and_announcement(
    api: httpx.Client, sandbox: SandboxGuild
) -> None:
    cid = api.post(f"/guilds/{sandbox.guild_id}/channels", json={"name": "news"}).json()["id"]
    assert api.patch(f"/channels/{cid}", json={"type": 5}).json()["type"] == 5
    assert api.patch(f"/channels/{cid}", json={"type": 0}).json()["type"] == 0
    body = assert_error(api.patch(f"/channels/{cid}", json={"type": 2}), 400, 50035)
    assert "type" in body["errors"]


def test_category_parent_rules(api: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    cat = api.post(f"/guilds/{gid}/channels", json={"name": "c", "type": 4}).json()["id"]
    text = api.post(f"/guilds/{gid}/channels", json={"name": "t"}).json()["id"]
    for parent in (cat, text):  # a category cannot have a parent; a parent must be a category
        body = assert_error(
            api.post(
                f"/guilds/{gid}/channels",
                json={"name": "c2", "type": 4 if parent == cat else 0, "parent_id": parent},
            ),
            400,
            50035,
        )
        assert "_errors" in body["errors"]["parent_id"]
    assert_error(api.patch(f"/channels/{cat}", json={"parent_id": cat}), 400, 50035)


def test_deleting_a_category_orphans_its_children(api: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    cat = api.post(f"/guilds/{gid}/channels", json={"name": "c", "type": 4}).json()["id"]
    kids = [
        api.post(f"/guilds/{gid}/channels", json={"name": f"k{i}", "parent_id": cat}).json()["id"]
        for i in range(2)
    ]
    assert api.delete(f"/channels/{cat}").status_code == 200
    for kid in kids:
        assert api.get(f"/channels/{kid}").json()["parent_id"] is None


def test_one_parent_change_per_bulk_request(api: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    cat = api.post(f"/guilds/{gid}/channels", json={"name": "c", "type": 4}).json()["id"]
    a, b = (api.post(f"/guilds/{gid}/channels", json={"name": n}).json()["id"] for n in "ab")
    two = [{"id": a, "parent_id": cat}, {"id": b, "parent_id": cat}]
    assert_error(api.patch(f"/guilds/{gid}/channels", json=two), 400, 40009)
    assert api.get(f"/channels/{a}").json()["parent_id"] is None
    # naming the current parent is not a change
    one = [{"id": a, "parent_id": cat}, {"id": b, "parent_id": None}]
    assert api.patch(f"/guilds/{gid}/channels", json=one).status_code == 204


def test_fifty_channels_per_category(
    api: httpx.Client, plain: httpx.Client, sandbox: SandboxGuild
) -> None:
    gid = sandbox.guild_id
    cat = api.post(f"/guilds/{gid}/channels", json={"name": "full", "type": 4}).json()["id"]
    for i in range(50):
        assert (
            plain.post(
                f"/guilds/{gid}/channels", json={"name": f"c{i}", "parent_id": cat}
            ).status_code
            == 201
        )
    body = assert_error(
        api.post(f"/guilds/{gid}/channels", json={"name": "c50", "parent_id": cat}), 400, 50035
    )
    assert body["errors"]["parent_id"]["_errors"][0]["code"] == "CHANNEL_PARENT_MAX_CHANNELS"
    outside = api.post(f"/guilds/{gid}/channels", json={"name": "outside"}).json()["id"]
    assert_error(api.patch(f"/channels/{outside}", json={"parent_id": cat}), 400, 50035)
    assert_error(
        api.patch(f"/guilds/{gid}/channels", json=[{"id": outside, "parent_id": cat}]), 400, 50035
    )


def test_250_roles(api: httpx.Client, plain: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    for i in range(248):  # + @everyone + the bot's role = 250
        assert plain.post(f"/guilds/{gid}/roles", json={"name": f"r{i}"}).status_code == 200
    assert_error(api.post(f"/guilds/{gid}/roles", json={"name": "one-too-many"}), 400, 30005)


def test_500_channels(api: httpx.Client, plain: httpx.Client, sandbox: SandboxGuild) -> None:
    gid = sandbox.guild_id
    for i in range(500):
        assert (
            plain.post(
                f"/guilds/{gid}/channels", json={"name": f"c{i}", "type": 4 if i % 50 == 0 else 0}
            ).status_code
            == 201
        )
    assert_error(api.post(f"/guilds/{gid}/channels", json={"name": "too-many"}), 400, 30013)


def test_new_roles_at_position_one_without_renumbering(
    api: httpx.Client, sandbox: SandboxGuild
) -> None:
    gid = sandbox.guild_id
    first = api.post(f"/guilds/{gid}/roles", json={"name": "first"}).json()
    api.patch(f"/guilds/{gid}/roles", json=[{"id": first["id"], "position": 1}])
    made = [api.post(f"/guilds/{gid}/roles", json={"name": f"r{i}"}).json() for i in range(3)]
    assert [r["position"] for r in made] == [1, 1, 1]
    roles = api.get(f"/guilds/{gid}/roles").json()
    assert {r["id"]: r["position"] for r in roles}[first["id"]] == 1  # nobody was renumbered
    ordered = [r["id"] for r in roles]
    assert ordered == [r["id"] for r in sorted(roles, key=lambda r: (r["position"], int(r["id"])))]


def test_a_manage_roles_overwrite_lets_the_bot_set_anything_there(
    api: httpx.Client, sandbox: SandboxGuild
) -> None:
    gid, bot_role = sandbox.guild_id, sandbox.info.bot_role_id
    grant = [{"id": bot_role, "type": 0, "allow": str(MANAGE_ROLES | VIEW_CHANNEL)}]
    cid = api.post(
        f"/guilds/{gid}/channels", json={"name": "x", "permission_overwrites": grant}, headers=OWNER
    ).json()["id"]
    webhooks = {"type": 0, "allow": str(MANAGE_WEBHOOKS)}
    assert api.put(f"/channels/{cid}/permissions/{gid}", json=webhooks).status_code == 204
