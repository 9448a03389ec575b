"""The ``--json`` outputs of ``gaib sietch`` and ``gaib restore`` are what this package's README
documents: each command runs (in-process, through gaib's real command tree) in a project
against the sandbox, and its stdout is validated against the README's JSON Schema of that title.
Every schema of the README is exercised."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import gaib_theme_sietch
import jsonschema
import pytest
from gaib_cli.app import build_app
from gaib_core.project import Project
from gaib_theme_sietch.appconfig.models import AppConfig
from gaib_theme_sietch.appconfig.store import open_config_store
from gaib_theme_sietch.verify.settings import VerifySettings
from gaib_theme_sietch.verify.store import open_store as open_verify_store
from gaib_theme_sietch.verify.testing import link_wallet
from gaib_theme_sietch.verify.verifier import Verifier
from typer.testing import CliRunner

from .conftest import SietchGuild, whales

README = Path(gaib_theme_sietch.__file__).resolve().parents[2] / "README.md"


def readme_schemas() -> dict[str, dict[str, Any]]:
    """Title -> schema, for every ```json block of the README with a title."""
    blocks = re.findall(r"```json\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    schemas = [json.loads(block) for block in blocks]
    return {schema["title"]: schema for schema in schemas if "title" in schema}


SCHEMAS = readme_schemas()


class Gaib:
    """``gaib ...`` in a project targeting the sandbox guild; each output checked."""

    def __init__(self, guild: SietchGuild) -> None:
        self.app = build_app()
        self.env = {
            "DISCORD_API_BASE": guild.sandbox.base_url,
            "DISCORD_TOKEN": guild.sandbox.token,
        }
        self.checked: set[str] = set()

    def check(self, title: str, *args: str, env: dict[str, str] | None = None) -> Any:
        """Run; exit 0 and stdout one document valid against the schema ``title``."""
        result = CliRunner().invoke(self.app, list(args), env={**self.env, **(env or {})})
        assert result.exit_code == 0, (args, result.output, result.exception)
        document = json.loads(result.stdout)  # exactly one JSON document
        jsonschema.validate(document, SCHEMAS[title])
        self.checked.add(title)
        return document


def test_every_json_output_in_the_readme_matches_its_schema(
    sietch_guild: SietchGuild, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    guild = sietch_guild.guild_id
    monkeypatch.chdir(tmp_path)
    member = sietch_guild.add_member("alia", ["hajra", "veteran"])
    rows = [f"{h.wallet},{5000 + i},," for i, h in enumerate(whales())]
    rows.append(f"0x{1:040x},69,{member},water-sharer")
    (tmp_path / "holders.csv").write_text(
        "wallet,amount,discord_user_id,badges\n" + "\n".join(rows)
    )
    gaib = Gaib(sietch_guild)
    made = CliRunner().invoke(gaib.app, ["server", "init", "--guild", guild], env=gaib.env)
    assert made.exit_code == 0, made.output  # the project, as a user makes it

    assert gaib.check("sietch-tier", "sietch", "tier", "--bgt", "6.9", "--json")["tier"] == "hajra"
    one = gaib.check("sietch-tier", "sietch", "tier", "--holders", "holders.csv", "--member",
                     member, "--json")  # fmt: skip
    assert (one["tier"], one["rank"]) == ("ichwan", 101)
    listed = gaib.check(
        "sietch-tier-holders", "sietch", "tier", "--holders", "holders.csv", "--json"
    )
    assert len(listed["holders"]) == 101
    gaib.check("sietch-sources", "sietch", "sources", "--json")
    dry = gaib.check("sietch-sync", "sietch", "sync", "--holders", "holders.csv", "--dry-run",
                     "--json")  # fmt: skip
    assert dry["left_as_they_are"] == [{"fact": "joined_at", "roles": ["veteran"]}]
    assert {(c["action"], c["role"]) for c in dry["role_changes"]} == {
        ("remove", "hajra"), ("add", "ichwan"), ("add", "water_sharer")
    }  # fmt: skip
    synced = gaib.check("sietch-sync", "sietch", "sync", "--holders", "holders.csv", "--json")
    assert synced["applied"]["added"] == 2 and synced["applied"]["errors"] == []

    assert gaib.check("sietch-config", "sietch", "config", "show", "--json")["stored"] is False
    changed = gaib.check("sietch-config", "sietch", "config", "set", "gates.veteran=off", "--json")
    assert changed["changes"] == [{"key": "gates.veteran", "before": "on", "after": "off"}]
    gaib.check("sietch-config", "sietch", "config", "unset", "gates.veteran", "--json")
    mapped = gaib.check("sietch-config", "sietch", "config", "map-roles", "--dry-run", "--json")
    assert mapped["missing"] == [] and mapped["dry_run"] is True

    naib = sietch_guild.roles["naib"]
    with open_config_store(Project(tmp_path), None) as store:
        saved = store.create_checkpoint(guild, AppConfig(roles={"Naib": "1" * 18}), "test")
    listed_checkpoints = gaib.check("restore-list", "restore", "list", "--json")
    assert [c["id"] for c in listed_checkpoints] == [saved.id]
    preview = gaib.check("restore-plan", "restore", "preview", "--checkpoint", saved.id, "--json")
    assert preview["remapped"] == [{"name": "Naib", "checkpoint_id": "1" * 18, "guild_id": naib}]
    done = gaib.check("restore-plan", "restore", "exec", "--checkpoint", saved.id, "--json")
    assert done["dry_run"] is False and done["backup_checkpoint"]

    database = f"sqlite:///{tmp_path / 'verify.sqlite3'}"
    settings = VerifySettings(base_url="https://verify.example.org", database_url=database)
    with open_verify_store(database) as verify:
        wallet, _ = link_wallet(Verifier(verify, settings), "discord", member)
    env = {"DATABASE_URL": database}
    who = gaib.check("sietch-whois", "sietch", "whois", member, "--json", env=env)
    assert who["verified"] is True and who["wallet"] == wallet.address
    linked = gaib.check("sietch-whois-wallet", "sietch", "whois", wallet.address, "--json", env=env)
    assert [link["user_id"] for link in linked["links"]] == [member]
    assert gaib.checked == set(SCHEMAS), set(SCHEMAS) - gaib.checked  # every schema exercised
