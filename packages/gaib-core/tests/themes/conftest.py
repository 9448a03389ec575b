"""A small theme written into tmp_path, and a factory for variants of it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

TINY_FILES: dict[str, str] = {
    "theme.yaml": """\
name: tiny
version: 1.2.0
description: A tiny theme for tests.
files:
  - server.yaml
  - roles.yaml
  - channels.yaml
variables:
  community:
    type: string
    default: Tiny
    min: 2
    max: 40
    description: Name of the community (it names the server, so 2 characters or more).
  accent:
    type: color
    default: "#112233"
    description: Color of the Lead role.
  enable_voice:
    type: boolean
    default: true
    description: Create the voice channels.
  slowmode:
    type: integer
    default: 5
    min: 0
    max: 600
    description: Seconds between messages in general.
  size:
    type: enum
    values: [small, large]
    default: small
    description: Community size, shown in the topic.
""",
    "server.yaml": """\
server:
  name: "${community}"
  unmanaged: keep
""",
    "roles.yaml": """\
roles:
  - name: "${community} Lead"
    key: lead
    color: "${accent}"
    hoist: true
  - name: Member
    key: member
""",
    "channels.yaml": """\
categories:
  - name: "${community} Hall"
    key: hall
    overwrites:
      "@everyone": {deny: [VIEW_CHANNEL]}
      "${community} Lead": {allow: [VIEW_CHANNEL]}
    channels:
      - name: general
        topic: "Welcome to ${community} (${size})! Write $${price} for prices."
        slowmode: ${slowmode}
      - name: voice
        type: voice
        when: ${enable_voice}
      - name: text-only
        when: "!${enable_voice}"
  - name: Voice
    key: voice_cat
    when: ${enable_voice}
    channels:
      - name: lounge
        type: voice
""",
    "README.md": "# tiny\n\nA test theme.\n",
}

ThemeFactory = Callable[..., Path]


@pytest.fixture
def make_theme(tmp_path: Path) -> ThemeFactory:
    """``make_theme({"roles.yaml": text}, drop=("README.md",))`` writes a variant of the theme."""
    counter = iter(range(1000))

    def make(files: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> Path:
        directory = tmp_path / f"theme{next(counter)}"
        directory.mkdir()
        merged = {**TINY_FILES, **(files or {})}
        for name, text in merged.items():
            if name not in drop:
                (directory / name).write_text(text, encoding="utf-8")
        return directory

    return make


@pytest.fixture(scope="session")
def tiny_files() -> dict[str, str]:
    """The tiny theme's files (name -> text), to edit into variants."""
    return dict(TINY_FILES)


@pytest.fixture
def tiny(make_theme: ThemeFactory) -> Path:
    """The tiny theme's directory."""
    return make_theme()
