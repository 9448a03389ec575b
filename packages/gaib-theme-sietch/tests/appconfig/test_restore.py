"""Restoring a checkpoint: role ids remapped by name, the preview is what exec does, the
replaced configuration kept, clear refusals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from gaib_core.provider.models import Role
from gaib_theme_sietch.appconfig.models import AppConfig, Checkpoint
from gaib_theme_sietch.appconfig.restore import RestoreError, execute, plan_restore
from gaib_theme_sietch.appconfig.store import ConfigStore
from hypothesis import given
from hypothesis import strategies as st

GUILD = "1100000000000000001"
WHEN = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)


def checkpoint(roles: dict[str, str], **changes: object) -> Checkpoint:
    config = AppConfig.model_validate({"roles": roles, **changes})
    return Checkpoint("ckpt-20261129-200000-0123abcd", GUILD, WHEN, "before teardown", config)


def role(name: str, role_id: str) -> Role:
    return Role(id=role_id, name=name)


def test_role_ids_are_remapped_to_the_recreated_roles_by_name() -> None:
    saved = checkpoint({"Naib": "11", "Hajra": "12"}, gates={"veteran": False})
    live = [role("@everyone", GUILD), role("Naib", "21"), role("Hajra", "22"), role("Extra", "23")]
    plan = plan_restore(saved, GUILD, live, AppConfig())
    assert plan.target.roles == {"Hajra": "22", "Naib": "21"}
    assert plan.target.gates["veteran"] is False
    assert plan.target.thresholds == saved.config.thresholds
    assert [c.line() for c in plan.changes] == [
        "~ gates.veteran: on -> off",
        "+ roles.Hajra: 22",
        "+ roles.Naib: 21",
    ]
    assert [(r.name, r.checkpoint_id, r.guild_id) for r in plan.remapped] == [
        ("Hajra", "12", "22"),
        ("Naib", "11", "21"),
    ]


def test_every_missing_role_is_named_and_nothing_is_planned() -> None:
    saved = checkpoint({"Naib": "11", "Hajra": "12", "Usul": "13"})
    with pytest.raises(RestoreError) as caught:
        plan_restore(saved, GUILD, [role("Hajra", "22")], AppConfig())
    message = str(caught.value)
    assert f"maps 2 roles that guild {GUILD} does not have: 'Naib', 'Usul'" in message
    assert "--drop-missing" in (caught.value.hint or "")
    assert "\n" not in message


def test_drop_missing_restores_without_those_mappings() -> None:
    saved = checkpoint({"Naib": "11", "Hajra": "12"})
    current = AppConfig(roles={"Naib": "99"})
    plan = plan_restore(saved, GUILD, [role("Hajra", "22")], current, drop_missing=True)
    assert plan.target.roles == {"Hajra": "22"}
    assert [c.line() for c in plan.changes] == ["+ roles.Hajra: 22", "- roles.Naib: 99"]


def test_a_name_held_by_two_roles_is_refused() -> None:
    saved = checkpoint({"Naib": "11"})
    with pytest.raises(RestoreError, match=r"has 2 roles named 'Naib' \(ids 21, 22\)"):
        plan_restore(saved, GUILD, [role("Naib", "21"), role("Naib", "22")], AppConfig())


names = st.lists(
    st.text(st.characters(codec="utf-8", categories=["L", "N"]), min_size=1, max_size=20),
    unique=True,
    max_size=8,
)


@given(names=names, seed=st.integers(0, 10**6))
def test_restored_mappings_point_at_the_live_ids_of_the_same_names(
    names: list[str], seed: int
) -> None:
    saved = checkpoint({n: str(1000 + i) for i, n in enumerate(names)})
    live = {n: str(10**17 + seed + i) for i, n in enumerate(reversed(names))}
    plan = plan_restore(saved, GUILD, [role(n, i) for n, i in live.items()], AppConfig())
    assert plan.target.roles == live
    again = plan_restore(saved, GUILD, [role(n, i) for n, i in live.items()], plan.target)
    assert not again.has_changes  # restoring twice changes nothing the second time


def test_exec_writes_exactly_the_preview_and_keeps_the_replaced_config(
    store: ConfigStore,
) -> None:
    current = AppConfig(roles={"Naib": "99"}, gates={"waitlist": False})
    store.put(GUILD, current)
    saved = checkpoint({"Naib": "11"})
    preview = plan_restore(saved, GUILD, [role("Naib", "21")], store.effective(GUILD))
    backup = execute(store, preview)
    assert backup is not None
    assert store.get(GUILD) == preview.target == AppConfig(roles={"Naib": "21"})
    assert store.checkpoint(backup.id).config == current
    assert backup.reason == f"before restore of {saved.id}"
    # the same restore again: nothing to change, nothing written
    again = plan_restore(saved, GUILD, [role("Naib", "21")], store.effective(GUILD))
    assert execute(store, again) is None
    assert len(store.checkpoints(GUILD)) == 1
