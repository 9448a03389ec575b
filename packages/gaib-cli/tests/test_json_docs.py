"""Every JSON output is what docs/json.md documents: each command runs as a subprocess against
the sandbox and its stdout is validated against the schema in the doc (jsonschema)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from gaib_core.testing.fixtures import SandboxGuild

DOC = Path(__file__).resolve().parents[3] / "docs" / "json.md"


def documented_schemas() -> dict[str, dict[str, Any]]:
    """Title -> schema, for every ```json block of docs/json.md."""
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text(), flags=re.S)
    schemas = [json.loads(block) for block in blocks]
    return {schema["title"]: schema for schema in schemas}


SCHEMAS = documented_schemas()


class Cli:
    """``gaib ...`` in a project directory, the sandbox server as Discord."""

    def __init__(self, cwd: Path, sandbox: SandboxGuild) -> None:
        self.cwd = cwd
        self.sandbox = sandbox
        self.checked: set[str] = set()

    def run(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "DISCORD_API_BASE": self.sandbox.base_url,
            "DISCORD_TOKEN": self.sandbox.token,
        }
        return subprocess.run(
            [sys.executable, "-m", "gaib_cli", *args],
            cwd=cwd or self.cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def check(self, title: str, *args: str, code: int = 0, **kw: Any) -> Any:
        """Run; the exit code is ``code`` and stdout one document valid against ``title``."""
        result = self.run(*args, **kw)
        assert result.returncode == code, (args, result.stdout, result.stderr)
        document = json.loads(result.stdout)  # exactly one JSON document
        jsonschema.validate(document, SCHEMAS[title])
        self.checked.add(title)
        return document


@pytest.fixture
def cli(tmp_path: Path, sandbox: SandboxGuild, base: dict[str, Any]) -> Cli:
    (tmp_path / "discord-server.yaml").write_text(yaml.safe_dump(base, sort_keys=False))
    made = Cli(tmp_path, sandbox)
    init = made.run(
        "server", "init", "--guild", sandbox.guild_id
    )  # the project, as a user makes it
    assert init.returncode == 0, init.stderr
    return made


def test_every_documented_json_output_matches_its_schema(cli: Cli, tmp_path: Path) -> None:
    guild = ["--guild", cli.sandbox.guild_id]
    cli.check("validate", "server", "validate", "--json")
    plan = cli.check("plan", "server", "plan", "--json", *guild)
    assert plan["summary"]["add"] == 8
    cli.check("diff", "server", "diff", "--json", *guild)
    cli.check("permissions", "server", "permissions", "--json")
    applied = cli.check("apply", "server", "apply", "--json", "--auto-approve", *guild)
    assert applied["applied"] and applied["summary"]["added"] == 8
    assert {r["address"] for r in applied["results"]} >= {"role.naib", "channel.general"}
    cli.check("state-ls", "server", "state", "ls", "--json")
    cli.check("state-show", "server", "state", "show", "role.naib", "--json")
    cli.check("workspace-ls", "server", "workspace", "ls", "--json")
    cli.check("workspace-show", "server", "workspace", "show", "--json")
    rendered = cli.run("server", "render", "--json")
    assert rendered.returncode == 0, rendered.stderr
    schema = json.loads(cli.run("server", "schema").stdout)
    jsonschema.validate(json.loads(rendered.stdout), schema)
    cli.check("theme-ls", "server", "theme", "ls", "--json")
    cli.check("theme-info", "server", "theme", "info", "sietch", "--json")
    cli.check("plugins", "plugins", "--json")
    made = cli.check("sandbox-guild", "sandbox", "create-guild", "--json")
    cli.check(
        "sandbox-member", "sandbox", "add-member", "alice", "--guild", made["guild_id"], "--json"
    )
    cli.check("sandbox-stats", "sandbox", "stats")
    cli.check("sandbox-faults", "sandbox", "faults", "ls")
    dry = cli.check("apply", "server", "destroy", "--json", "--dry-run", *guild)
    assert dry["applied"] is False and dry["results"] == []
    destroyed = cli.check("apply", "server", "destroy", "--json", "--auto-approve", *guild)
    assert destroyed["operation"] == "destroy" and destroyed["summary"]["destroyed"] == 8
    cli.check("teardown", "server", "teardown", "--json", "--confirm-teardown", "--dry-run", *guild)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    cli.check("init", "server", "init", "--json", cwd=fresh)
    template = {"serialized_source_guild": {"name": "Old", "roles": [], "channels": []}}
    (fresh / "template.json").write_text(json.dumps(template))
    converted = cli.check(
        "convert", "server", "convert", "template.json", "-o", "t.yaml", "--json", cwd=fresh
    )
    assert converted["format"] == "Discord server template" and (fresh / "t.yaml").is_file()
    # errors: one object on stdout, the same exit code as without --json
    asked = cli.check("error", "server", "apply", "--json", *guild, code=1)
    assert "--auto-approve" in asked["message"] and asked["hint"]
    usage = cli.check("error", "server", "plan", "--json", "--no-such-option", code=2)
    assert usage["code"] == "usage_error"
    (cli.cwd / "discord-server.yaml").write_text("roles:\n  - name: A\n    colour: red\n")
    invalid = cli.check("error", "server", "validate", "--json", code=1)
    jsonschema.validate(invalid["details"], SCHEMAS["validate"])
    assert invalid["details"]["valid"] is False
    assert cli.checked == set(SCHEMAS), set(SCHEMAS) - cli.checked  # every schema exercised


def test_an_error_is_the_same_with_and_without_json(cli: Cli) -> None:
    (cli.cwd / "discord-server.yaml").write_text("roles:\n  - name: A\n    hoist: maybe\n")
    guild = ["--guild", cli.sandbox.guild_id]
    plain = cli.run("server", "plan", *guild)
    as_json = cli.run("server", "plan", "--json", *guild)
    assert plain.returncode == as_json.returncode == 1
    assert plain.stdout == "" and plain.stderr.startswith("Error: ")
    error = json.loads(as_json.stdout)
    jsonschema.validate(error, SCHEMAS["error"])
    assert error["code"].startswith("config_error")
    # the one line without --json is the object's message and hint
    text = f"Error: {error['message']}" + (f"; {error['hint']}" if error["hint"] else "")
    assert plain.stderr.strip() == text
