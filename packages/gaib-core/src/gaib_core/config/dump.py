"""Writing ``discord-server.yaml``: stable key order, defaults omitted, loads back equal."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml
from pydantic import BaseModel

from gaib_core.config.models import ChannelConfig, ServerConfig

_TAG = "tag:yaml.org,2002:"


class _Dumper(yaml.SafeDumper):
    """Block style for structure, flow style for short lists of names, no anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        """Never write anchors: a config file should read top to bottom."""
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        """Indent list items under their key."""
        # Indent list items under their key, as people write YAML by hand.
        super().increase_indent(flow, False)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = bool(data) and all(isinstance(item, str | int | float | bool) for item in data)
    return dumper.represent_sequence(f"{_TAG}seq", data, flow_style=flow)


# Characters YAML treats as line breaks or drops (NEL, LS, PS, BOM) or that are not printable:
# such strings are written double-quoted, where they are escaped and survive a reload.
_UNSAFE = re.compile(
    "[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style: str | None = None
    if _UNSAFE.search(data):
        style = '"'
    elif "\n" in data:
        style = "|"
    return dumper.represent_scalar(f"{_TAG}str", data, style=style)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(str, _represent_str)


def config_document(config: ServerConfig) -> dict[str, Any]:
    """The config as plain data in file order, without defaults.

    Kept even when empty: ``version``, and a channel's ``overwrites`` when it was written, since
    ``overwrites: {}`` (no overwrites) differs from no key (synced with the category).
    """
    data = config.model_dump(mode="json", exclude_defaults=True)
    out: dict[str, Any] = {"version": config.version}
    out.update({k: v for k, v in data.items() if k != "version"})
    for (_, channel), dumped in zip(config.all_channels(), _dumped_channels(out), strict=True):
        if "overwrites" in channel.model_fields_set and "overwrites" not in dumped:
            dumped["overwrites"] = {}
            _reorder(dumped, ChannelConfig)
    return out


def _dumped_channels(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from data.get("channels", [])
    for category in data.get("categories", []):
        yield from category.get("channels", [])


def _reorder(data: dict[str, Any], model: type[BaseModel]) -> None:
    ordered = {name: data[name] for name in model.model_fields if name in data}
    data.clear()
    data.update(ordered)


def dump_yaml(data: Any) -> str:
    """YAML text for plain data, the way gaib writes its files."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2)


def dump_config(config: ServerConfig, *, header: str | None = None) -> str:
    """``discord-server.yaml`` text for ``config`` (stable key order; loads back equal).

    ``header`` lines are written first as ``#`` comments.
    """
    text = dump_yaml(config_document(config))
    if header:
        comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
        text = comment + text
    return text
