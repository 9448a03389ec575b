"""The README's tier examples are true: the thresholds file gives the defaults, the CSV loads."""

from __future__ import annotations

import re
from pathlib import Path

from gaib_theme_sietch.tiers.amounts import bgt_to_wei
from gaib_theme_sietch.tiers.holders import load_snapshot
from gaib_theme_sietch.tiers.thresholds import Thresholds, ThresholdService

README = Path(__file__).parents[2] / "README.md"


def _block(language: str) -> str:
    section = README.read_text().split("## Tiers\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(rf"```{language}\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1, language
    return str(blocks[0])


def test_thresholds_example_is_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "thresholds.yaml"
    path.write_text(_block("yaml"))
    assert ThresholdService.from_yaml(path).thresholds == Thresholds()


def test_snapshot_example_loads(tmp_path: Path) -> None:
    path = tmp_path / "holders.csv"
    path.write_text(_block("csv"))
    first, second = load_snapshot(path)
    assert (first.wei, first.badges) == (bgt_to_wei("1200.5"), ("spice", "water-sharer"))
    assert (second.wei, second.discord_user_id) == (bgt_to_wei("6.9"), None)
