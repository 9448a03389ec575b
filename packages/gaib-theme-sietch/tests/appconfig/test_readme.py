"""The README's gate table is the gates file's."""

from __future__ import annotations

import re
from pathlib import Path

from gaib_theme_sietch.appconfig.models import gates

README = Path(__file__).parents[2] / "README.md"


def test_the_gate_table_lists_every_gate_with_its_description() -> None:
    table = README.read_text().split("<!-- gates:start -->", 1)[1].split("<!-- gates:end -->")[0]
    rows = re.findall(r"^\| `(\w+)` \| (.+) \|$", table, flags=re.M)
    assert rows == [(g.name, g.description) for g in gates().values()]
