"""Bad input and the operating system's refusals are one line with the fix (issue 8, item 14).

The real command in subprocesses. Durations are not asserted here: see
``benchmarks/bench_config.py`` for how long judging a large config takes.
"""

from __future__ import annotations

import errno
import socket
from pathlib import Path

import pytest
from gaib_cli.oserrors import describe_os_error
from gaib_cli.testing import Gaib


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in err, err
    return lines[0]


def test_dev_zero_as_config_is_refused_without_reading_it_all(gaib: Gaib, tmp_path: Path) -> None:
    result = gaib("server", "validate", "-c", "/dev/zero", cwd=tmp_path, timeout=60)
    assert result.code == 1, result
    assert "larger than 5242880 bytes" in result.err


def test_a_huge_alias_free_config_is_refused_with_its_position(gaib: Gaib, tmp_path: Path) -> None:
    lines = ["server:", "  name: Big", "notes:"]
    lines += [f"  - {{k: {i}, v: yyyyyyyyyy}}" for i in range(150_000)]
    (tmp_path / "big.yaml").write_text("\n".join(lines) + "\n")
    result = gaib("server", "validate", "-c", "big.yaml", cwd=tmp_path)
    assert result.code == 1, result
    line = result.err.splitlines()[0]
    assert line.startswith("Error: big.yaml:") and "more than 200000 values" in line
    assert "aliases" not in line  # it has none


def test_deep_nesting_is_refused_not_crashed(gaib: Gaib, tmp_path: Path) -> None:
    (tmp_path / "deep.yaml").write_text("roles: " + "[" * 5000 + "]" * 5000 + "\n")
    result = gaib("server", "validate", "-c", "deep.yaml", cwd=tmp_path)
    assert result.code == 1, result
    assert "nesting" in _one_line(result.err)


@pytest.mark.parametrize(
    ("written", "what"),
    [
        ('"Admin\\e[31m"', "terminal escape (ESC) U+001B"),
        ('"Admin\\x9b2J"', "control character U+009B"),
        ('"\\u202eevil"', "bidirectional override U+202E"),
        ('"tab\\there"', "control character U+0009"),
    ],
)
def test_names_with_control_characters_are_refused(
    gaib: Gaib, tmp_path: Path, written: str, what: str
) -> None:
    (tmp_path / "discord-server.yaml").write_text(f"roles:\n  - name: {written}\n")
    result = gaib("server", "validate", cwd=tmp_path)
    assert result.code == 1, result
    first = result.err.splitlines()[0]
    assert "discord-server.yaml:2:" in first and "roles[0].name" in first and what in first
    assert "\x1b" not in result.err and "\x9b" not in result.err


def test_topics_keep_line_breaks_but_not_escapes(gaib: Gaib, tmp_path: Path) -> None:
    config = 'channels:\n  - name: general\n    topic: "line one\\nline two"\n'
    (tmp_path / "discord-server.yaml").write_text(config)
    assert gaib("server", "validate", cwd=tmp_path).code == 0
    (tmp_path / "discord-server.yaml").write_text(config.replace("\\n", "\\e[2J"))
    result = gaib("server", "validate", cwd=tmp_path)
    assert result.code == 1 and "channels[0].topic" in result.err, result


def test_a_busy_or_out_of_range_port_is_one_line(gaib: Gaib, tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = gaib("sandbox", "serve", "--port", str(port), cwd=tmp_path)
    assert result.code == 1, result
    line = _one_line(result.err)
    assert f"cannot listen on 127.0.0.1:{port}" in line and "--port" in line
    result = gaib("sandbox", "serve", "--port", "70000", cwd=tmp_path)
    assert result.code == 1, result
    assert "--port 70000 is out of range" in _one_line(result.err)


def test_a_config_path_that_is_a_directory_is_one_line(gaib: Gaib, tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    result = gaib("server", "validate", "-c", "conf", cwd=tmp_path)
    assert result.code == 1 and "is a directory" in result.err, result


def test_os_errors_read_as_what_and_how_to_fix() -> None:
    with pytest.raises(OSError) as full, open("/dev/full", "w") as handle:
        handle.write("x")
        handle.flush()
    assert full.value.errno == errno.ENOSPC
    assert "no space left on the device; free some disk space" in describe_os_error(full.value)
    with pytest.raises(OSError) as isdir:
        open("/", "w")  # noqa: SIM115 - the error is the point
    line = describe_os_error(isdir.value)
    assert line.startswith("cannot use /: it is a directory; give the path of a file")
    readonly = OSError(errno.EROFS, "Read-only file system", "/mnt/ro/.gaib")
    assert "read-only; run gaib in a writable directory" in describe_os_error(readonly)
