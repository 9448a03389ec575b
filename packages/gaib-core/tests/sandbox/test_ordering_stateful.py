"""hypothesis: for any sequence of create / modify / reorder / delete calls on roles and channels,
the sandbox orders them as Discord documents it (position, then id; new roles at position 1; no
renumbering of anyone else), and after one bulk positions request the order is exactly the one
asked. Runs against the session's sandbox server over real loopback HTTP.
"""

from __future__ import annotations

from typing import Any

import httpx
from gaib_core.sandbox.server import SandboxServer
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

MAX_ROLES = 10
MAX_CHANNELS = 10
TEXT, VOICE, CATEGORY = 0, 2, 4
BUCKET = {TEXT: 0, VOICE: 2, CATEGORY: 4}
names = st.text(alphabet="abcdef XYZ-", min_size=1, max_size=12).filter(
    lambda s: any(c.isalnum() for c in s)
)


class OrderingMachine(RuleBasedStateMachine):
    """A dict model of positions next to a real sandbox guild."""

    server: SandboxServer

    @initialize()
    def new_guild(self) -> None:
        info = self.server.sandbox.create_guild()
        self.gid = info.guild_id
        self.bot_role = info.bot_role_id
        self.api = httpx.Client(base_url=self.server.base_url, headers={"Authorization": "Bot x"})
        self.roles: dict[str, int] = {self.gid: 0, self.bot_role: 250}
        self.channels: dict[str, dict[str, Any]] = {}

    def teardown(self) -> None:
        if hasattr(self, "api"):
            self.api.close()

    # ------------------------------------------------------------------ roles

    def _movable(self) -> list[str]:
        return sorted((r for r in self.roles if r not in (self.gid, self.bot_role)), key=int)

    @precondition(lambda self: len(self.roles) < MAX_ROLES + 2)
    @rule(name=names)
    def create_role(self, name: str) -> None:
        made = self.api.post(f"/guilds/{self.gid}/roles", json={"name": name})
        assert made.status_code == 200, made.text
        assert made.json()["position"] == 1
        self.roles[made.json()["id"]] = 1

    @precondition(lambda self: len(self.roles) > 2)
    @rule(data=st.data(), name=names, color=st.integers(0, 0xFFFFFF))
    def modify_role(self, data: st.DataObject, name: str, color: int) -> None:
        rid = data.draw(st.sampled_from(self._movable()))
        answer = self.api.patch(
            f"/guilds/{self.gid}/roles/{rid}", json={"name": name, "color": color}
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["position"] == self.roles[rid]

    @precondition(lambda self: len(self.roles) > 2)
    @rule(data=st.data())
    def delete_role(self, data: st.DataObject) -> None:
        rid = data.draw(st.sampled_from(self._movable()))
        assert self.api.delete(f"/guilds/{self.gid}/roles/{rid}").status_code == 204
        del self.roles[rid]

    @precondition(lambda self: len(self.roles) > 2)
    @rule(data=st.data())
    def move_some_roles(self, data: st.DataObject) -> None:
        """A partial bulk request: only the roles named move, to (possibly colliding) positions."""
        chosen = data.draw(st.lists(st.sampled_from(self._movable()), min_size=1, unique=True))
        positions = data.draw(
            st.lists(st.integers(1, 249), min_size=len(chosen), max_size=len(chosen))
        )
        body = [{"id": r, "position": p} for r, p in zip(chosen, positions, strict=True)]
        answer = self.api.patch(f"/guilds/{self.gid}/roles", json=body)
        assert answer.status_code == 200, answer.text
        self.roles.update(dict(zip(chosen, positions, strict=True)))
        self._check_roles(answer.json())  # the answer is every role, already in the new order

    @precondition(lambda self: len(self.roles) > 2)
    @rule(data=st.data())
    def reorder_all_roles(self, data: st.DataObject) -> None:
        """One full bulk request: afterwards the order is exactly the one asked."""
        wanted = data.draw(st.permutations(self._movable()))  # bottom to top
        body = [{"id": r, "position": i + 1} for i, r in enumerate(wanted)]
        answer = self.api.patch(f"/guilds/{self.gid}/roles", json=body)
        assert answer.status_code == 200, answer.text
        got = [r["id"] for r in answer.json() if r["id"] not in (self.gid, self.bot_role)]
        assert got == list(wanted)
        self.roles.update({r: i + 1 for i, r in enumerate(wanted)})

    # ------------------------------------------------------------------ channels

    def _bucket_ids(self, bucket: int) -> list[str]:
        return sorted((c for c, v in self.channels.items() if BUCKET[v["type"]] == bucket), key=int)

    @precondition(lambda self: len(self.channels) < MAX_CHANNELS)
    @rule(name=names, ctype=st.sampled_from([TEXT, VOICE, CATEGORY]), data=st.data())
    def create_channel(self, name: str, ctype: int, data: st.DataObject) -> None:
        categories = [c for c, v in self.channels.items() if v["type"] == CATEGORY]
        parent = None
        if ctype != CATEGORY and categories:
            parent = data.draw(st.sampled_from([None, *sorted(categories, key=int)]))
        made = self.api.post(
            f"/guilds/{self.gid}/channels", json={"name": name, "type": ctype, "parent_id": parent}
        )
        assert made.status_code == 201, made.text
        same = [v["position"] for v in self.channels.values() if BUCKET[v["type"]] == BUCKET[ctype]]
        expected = max(same, default=-1) + 1  # appended at the end of its sorting bucket
        assert made.json()["position"] == expected
        self.channels[made.json()["id"]] = {"type": ctype, "position": expected, "parent": parent}

    @precondition(lambda self: bool(self.channels))
    @rule(data=st.data(), position=st.integers(0, 30))
    def move_one_channel(self, data: st.DataObject, position: int) -> None:
        cid = data.draw(st.sampled_from(sorted(self.channels, key=int)))
        answer = self.api.patch(f"/channels/{cid}", json={"position": position})
        assert answer.status_code == 200, answer.text
        self.channels[cid]["position"] = position

    @precondition(lambda self: bool(self.channels))
    @rule(data=st.data(), bucket=st.sampled_from([0, 2, 4]))
    def reorder_bucket(self, data: st.DataObject, bucket: int) -> None:
        """One bulk request with a full order for a sorting bucket: exactly that order results."""
        ids = self._bucket_ids(bucket)
        if not ids:
            return
        wanted = data.draw(st.permutations(ids))
        body = [{"id": c, "position": i} for i, c in enumerate(wanted)]
        assert self.api.patch(f"/guilds/{self.gid}/channels", json=body).status_code == 204
        for i, cid in enumerate(wanted):
            self.channels[cid]["position"] = i
        listed = self.api.get(f"/guilds/{self.gid}/channels").json()
        assert [c["id"] for c in listed if c["id"] in set(ids)] == list(wanted)

    @precondition(lambda self: bool(self.channels))
    @rule(data=st.data())
    def delete_channel(self, data: st.DataObject) -> None:
        cid = data.draw(st.sampled_from(sorted(self.channels, key=int)))
        assert self.api.delete(f"/channels/{cid}").status_code == 200
        gone = self.channels.pop(cid)
        if gone["type"] == CATEGORY:
            for child in self.channels.values():
                if child["parent"] == cid:
                    child["parent"] = None

    # ------------------------------------------------------------------ invariants

    def _check_roles(self, roles: list[dict[str, Any]]) -> None:
        assert {r["id"]: r["position"] for r in roles} == self.roles
        keys = [(r["position"], int(r["id"])) for r in roles]
        assert keys == sorted(keys)

    @invariant()
    def roles_in_discord_order(self) -> None:
        self._check_roles(self.api.get(f"/guilds/{self.gid}/roles").json())

    @invariant()
    def channels_in_discord_order(self) -> None:
        listed = self.api.get(f"/guilds/{self.gid}/channels").json()
        got = {
            c["id"]: {"type": c["type"], "position": c["position"], "parent": c["parent_id"]}
            for c in listed
        }
        assert got == self.channels
        keys = [(c["position"], int(c["id"])) for c in listed]
        assert keys == sorted(keys)


def test_roles_and_channels_keep_discord_order(sandbox_server: SandboxServer) -> None:
    class Machine(OrderingMachine):
        server = sandbox_server

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
