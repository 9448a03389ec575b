"""Every .tf file parses (python-hcl2) and the module has the files the README promises."""

from __future__ import annotations

from pathlib import Path

import hcl2
import pytest

TERRAFORM = Path(__file__).resolve().parents[1] / "terraform"
FILES = sorted(TERRAFORM.rglob("*.tf"))


def test_the_module_has_its_files() -> None:
    names = {path.name for path in TERRAFORM.glob("*.tf")}
    assert {"versions.tf", "variables.tf", "outputs.tf"} <= names
    assert (TERRAFORM / "README.md").is_file()
    hardened = {path.name for path in (TERRAFORM / "modules" / "hardened_bucket").glob("*.tf")}
    assert {"main.tf", "versions.tf", "variables.tf", "outputs.tf"} <= hardened


@pytest.mark.parametrize("path", FILES, ids=[str(path.relative_to(TERRAFORM)) for path in FILES])
def test_every_tf_file_parses(path: Path) -> None:
    parsed = hcl2.loads(path.read_text())
    assert set(parsed) - {"__comments__"}, f"{path.name} declares nothing"


def test_versions_pin_terraform_and_the_aws_provider(module) -> None:
    (terraform,) = module.blocks["terraform"]
    assert terraform["required_version"].startswith(">= 1.")
    (providers,) = terraform["required_providers"]
    assert providers["aws"]["source"] == "hashicorp/aws"
    assert providers["aws"]["version"].startswith("~> 5.")
