"""Rendering a theme: interpolate, apply ``when:`` flags, merge its files, validate.

Each file in the manifest's ``files`` is a partial ``discord-server.yaml`` (keys ``server``,
``roles``, ``categories``, ``channels``). They merge in order: ``server`` key by key (later files
win), lists concatenated. The rendered document keeps, for every value, the theme file and line
it came from, so a problem in the result is reported where the theme author can fix it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gaib_core.config.document import config_from_document
from gaib_core.config.models import ServerConfig
from gaib_core.config.source import (
    LoadedYaml,
    PathKey,
    describe_value,
    format_path,
    load_yaml,
)
from gaib_core.errors import ThemeError, VariableError
from gaib_core.themes.interpolate import evaluate_when, interpolate, references
from gaib_core.themes.manifest import Theme
from gaib_core.themes.variables import VariableValue, resolve_values

SECTIONS = ("server", "roles", "categories", "channels")
_LISTS = ("roles", "categories", "channels")
WHEN = "when"


class _Drop:
    """Marker for a list item switched off by ``when:``."""


_DROPPED = _Drop()


@dataclass
class RenderedTheme:
    """The merged document (before model validation) and where each value came from."""

    document: dict[str, Any]
    source: LoadedYaml
    values: dict[str, VariableValue] = field(default_factory=dict)


def render_theme_document(
    theme: Theme, values: Mapping[str, str | bool | int] | None = None
) -> dict[str, Any]:
    """The merged plain dict of ``theme`` rendered with ``values``, in discord-server.yaml order."""
    return render_theme_source(theme, values).document


def render_theme(
    theme: Theme, values: Mapping[str, str | bool | int] | None = None
) -> ServerConfig:
    """``theme`` rendered with ``values`` (text from ``--var`` is coerced) and fully validated.

    The result's ``theme`` is ``ThemeRef(name, version, variables)`` with every variable's value
    (given or default).
    """
    rendered = render_theme_source(theme, values)
    return config_from_document(rendered.source)


def render_theme_source(
    theme: Theme, values: Mapping[str, str | bool | int] | None = None
) -> RenderedTheme:
    """Like ``render_theme_document``, also returning positions and the resolved values."""
    resolved = resolve_values(theme.variables, dict(values or {}))
    out = LoadedYaml(file=str(theme.manifest_path), data=None)
    server: dict[str, Any] = {}
    lists: dict[str, list[Any]] = {name: [] for name in _LISTS}
    for name in theme.files:
        source = _load_file(theme, name)
        check_references(source, resolved)
        renderer = _Renderer(resolved, source, out)
        data = source.data or {}
        if "server" in data:
            rendered = renderer.render(data["server"], ("server",), ("server",))
            if not isinstance(rendered, dict):
                raise _section_error(source, "server", "a mapping")
            server.update(rendered)
        for section in _LISTS:
            if section not in data:
                continue
            items = data[section]
            if not isinstance(items, list):
                raise _section_error(source, section, "a list")
            target = lists[section]
            for index, item in enumerate(items):
                result = renderer.render(item, (section, index), (section, len(target)), item=True)
                if result is not _DROPPED:
                    target.append(result)
    document: dict[str, Any] = {"version": 1}
    if server:
        document["server"] = server
    document["theme"] = {"name": theme.name, "version": theme.version, "variables": dict(resolved)}
    out.locations[("theme",)] = out.locate(())
    for section in _LISTS:
        if lists[section]:
            document[section] = lists[section]
    out.data = document
    return RenderedTheme(document=document, source=out, values=resolved)


def _load_file(theme: Theme, name: str) -> LoadedYaml:
    path = theme.path / name
    if not path.is_file():
        raise ThemeError(
            f"theme '{theme.name}' lists {name} but {path} does not exist",
            location=theme.file_location(name),
            field="files",
            hint="add the file or remove it from `files:`",
        )
    source = _parsed(str(path), *_stamp(path))
    if source.data is not None and not isinstance(source.data, dict):
        raise ThemeError(
            f"a theme file must be a mapping with {', '.join(SECTIONS)}; got "
            f"{describe_value(source.data)}",
            location=source.locate(()),
        )
    for key in source.data or {}:
        if key not in SECTIONS:
            raise ThemeError(
                f"unknown section '{key}'",
                location=source.locate((key,), key=True),
                field=key,
                hint=f"a theme file holds only {', '.join(SECTIONS)}",
            )
    return source


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


@functools.lru_cache(maxsize=64)
def _parsed(path: str, mtime_ns: int, size: int) -> LoadedYaml:
    """A theme file, parsed once per version of it on disk (themes render at every load).

    Rendering only reads the result, so the cached object is shared.
    """
    return load_yaml(Path(path))


def _section_error(source: LoadedYaml, section: str, expected: str) -> ThemeError:
    return ThemeError(
        f"'{section}' must be {expected}, got {describe_value(source.get((section,)))}",
        location=source.locate((section,)),
        field=section,
    )


def check_references(source: LoadedYaml, values: Mapping[str, VariableValue]) -> None:
    """``VariableError`` (file:line) for the first reference to an undeclared variable.

    Checked over the whole file, so a reference inside an item switched off by a flag is caught.
    """
    for path, text in _strings(source.data, ()):
        for name, well_formed in references(text):
            if not well_formed or name not in values:
                # interpolate() words the error (unknown name, bad syntax, unclosed brace).
                interpolate(
                    text, values, location=source.locate(path), field=format_path(path) or None
                )


def _strings(data: Any, path: PathKey) -> Iterator[tuple[PathKey, str]]:
    """Every string (keys too) in file order, with its path."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield (*path, key), key
            yield from _strings(value, (*path, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _strings(item, (*path, index))


class _Renderer:
    """Renders one theme file's values into the merged document, recording positions."""

    def __init__(
        self, values: Mapping[str, VariableValue], source: LoadedYaml, out: LoadedYaml
    ) -> None:
        self.values = values
        self.source = source
        self.out = out

    def render(self, node: Any, src: PathKey, dst: PathKey, *, item: bool = False) -> Any:
        """``node`` rendered (or ``_DROPPED`` when a ``when:`` switches the item off)."""
        if isinstance(node, dict) and item and WHEN in node:
            where = self.source.locate((*src, WHEN))
            keep = evaluate_when(
                node[WHEN], self.values, location=where, field=format_path((*src, WHEN))
            )
            if not keep:
                return _DROPPED
        self.out.locations[dst] = self.source.locate(src)
        if isinstance(node, dict):
            return self._mapping(node, src, dst, item)
        if isinstance(node, list):
            items: list[Any] = []
            for i, child in enumerate(node):
                result = self.render(child, (*src, i), (*dst, len(items)), item=True)
                if result is not _DROPPED:
                    items.append(result)
            return items
        if isinstance(node, str):
            return interpolate(
                node, self.values, location=self.source.locate(src), field=format_path(src)
            )
        return node

    def _mapping(self, node: dict[str, Any], src: PathKey, dst: PathKey, item: bool) -> Any:
        out: dict[str, Any] = {}
        for key, value in node.items():
            if item and key == WHEN:
                continue
            where = self.source.locate((*src, key), key=True)
            new_key = interpolate(key, self.values, location=where, field=format_path((*src, key)))
            text_key = new_key if isinstance(new_key, str) else str(new_key)
            if text_key in out:
                raise VariableError(
                    f"key '{text_key}' appears twice once variables are filled in",
                    location=where,
                    field=format_path((*src, key)),
                )
            self.out.key_locations[(*dst, text_key)] = where
            out[text_key] = self.render(value, (*src, key), (*dst, text_key))
        return out
