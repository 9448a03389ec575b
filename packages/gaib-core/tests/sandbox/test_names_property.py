"""The sandbox stores a text-like channel's name exactly as configs and the engine predict it
(``normalize_channel_name``), so a plan after apply never shows a rename."""

from __future__ import annotations

import httpx
from gaib_core.config.validate import normalize_channel_name
from gaib_core.testing.fixtures import SandboxGuild
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=names, ctype=st.sampled_from([0, 2, 4, 5, 13, 15]))
def test_created_channel_has_the_predicted_name(
    sandbox: SandboxGuild, name: str, ctype: int
) -> None:
    expected = normalize_channel_name(name, ctype)
    with httpx.Client(base_url=sandbox.base_url, headers=sandbox.headers) as api:
        answer = api.post(
            f"/guilds/{sandbox.guild_id}/channels", json={"name": name, "type": ctype}
        )
        if not expected:
            assert answer.status_code == 400 and answer.json()["code"] == 50035
            return
        assert answer.status_code == 201, answer.text
        assert answer.json()["name"] == expected
        api.delete(f"/channels/{answer.json()['id']}").raise_for_status()
