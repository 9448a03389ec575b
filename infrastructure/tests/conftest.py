"""Fixtures for the Terraform checks: the parsed module (python-hcl2) and the tools' paths."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import hcl2
import pytest
from hcl2.utils import SerializationOptions

INFRASTRUCTURE = Path(__file__).resolve().parents[1]
TERRAFORM = INFRASTRUCTURE / "terraform"
ROOT = INFRASTRUCTURE.parent
# Strings without their HCL quotes, blocks as plain dicts, no comments: easy to compare.
OPTIONS = SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True)


class Module:
    """Every top-level block of a Terraform module directory (``infrastructure/terraform`` or one
    of its ``modules/``), merged across its files."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.blocks: dict[str, list[dict[str, Any]]] = {}
        for path in sorted(directory.glob("*.tf")):
            for kind, entries in hcl2.loads(
                path.read_text(), serialization_options=OPTIONS
            ).items():
                self.blocks.setdefault(kind, []).extend(entries)

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        """``{name: body}`` of the resources of type ``kind`` (e.g. ``aws_s3_bucket``)."""
        return {
            name: body
            for entry in self.blocks.get("resource", [])
            if kind in entry
            for name, body in entry[kind].items()
        }

    def resource(self, kind: str, name: str) -> dict[str, Any]:
        """One resource's body."""
        return self.resources(kind)[name]

    def data(self, kind: str, name: str) -> dict[str, Any]:
        """One data source's body."""
        return next(
            entry[kind][name]
            for entry in self.blocks["data"]
            if kind in entry and name in entry[kind]
        )

    def call(self, name: str) -> dict[str, Any]:
        """The body of ``module "<name>"``."""
        return next(entry[name] for entry in self.blocks["module"] if name in entry)

    def child(self, name: str) -> Module:
        """The local module ``module "<name>"`` calls (its ``source`` directory), parsed."""
        return Module((self.directory / self.call(name)["source"]).resolve())

    @property
    def moves(self) -> dict[str, str]:
        """``{from: to}`` of the ``moved`` blocks (addresses without ``${}``)."""
        return {
            entry["from"].strip("${}"): entry["to"].strip("${}")
            for entry in self.blocks.get("moved", [])
        }

    @property
    def locals(self) -> dict[str, Any]:
        """All ``locals`` merged."""
        return {
            key: value for entry in self.blocks.get("locals", []) for key, value in entry.items()
        }

    @property
    def variables(self) -> dict[str, dict[str, Any]]:
        """``{name: body}`` of the variables."""
        return {name: body for entry in self.blocks["variable"] for name, body in entry.items()}

    @property
    def outputs(self) -> dict[str, dict[str, Any]]:
        """``{name: body}`` of the outputs."""
        return {name: body for entry in self.blocks["output"] for name, body in entry.items()}


@pytest.fixture(scope="session")
def module() -> Module:
    """The parsed Terraform module."""
    return Module(TERRAFORM)


@pytest.fixture(scope="session")
def uv() -> str:
    """The uv executable (``uv run`` exports ``UV``; ``make install`` puts it in .tools/bin)."""
    found = os.environ.get("UV") or shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
    if not Path(found).exists():
        pytest.fail("uv is required: run `make install` (it bootstraps .tools/bin/uv)")
    return found
