"""Error lines reach the terminal literally: no emoji codes, no markup."""

from __future__ import annotations

import pytest
from gaib_cli import context


def test_error_line_is_printed_literally(capsys: pytest.CaptureFixture[str]) -> None:
    line = "Error: discord-server.yaml:100:21: roles[3].permissions[0]: unknown [b]permission[/b]"
    context.err(line)
    assert capsys.readouterr().err.strip() == line
