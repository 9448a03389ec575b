"""YAML with positions: plain data plus the ``file:line:column`` of every value and key.

PyYAML composes the node tree; we build the plain Python data from it ourselves so that every
mapping key and list item keeps where it was written. Arbitrary input (binary junk, tabs, a list
at the top, duplicate keys, huge numbers, alias bombs, recursive aliases, absurd nesting) ends
as a ``ConfigError``, never a traceback.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gaib_core.errors import ConfigError, SourceLocation

PathKey = tuple[str | int, ...]

MAX_FILE_BYTES = 5 * 1024 * 1024
# Aliases let a tiny file expand into billions of nodes ("billion laughs"); real configs have a
# few thousand nodes at most.
MAX_NODES = 200_000
MAX_DEPTH = 64
MAX_INT_DIGITS = 100
MAX_MESSAGE = 240

_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = {f"{_TAG}str", f"{_TAG}null", f"{_TAG}bool", f"{_TAG}int", f"{_TAG}float"}


@dataclass
class LoadedYaml:
    """Plain YAML data plus where each value (and each mapping key) was written.

    Paths are tuples of mapping keys and list indexes, e.g. ``("roles", 3, "color")``.
    ``locations`` holds the position of each value, ``key_locations`` the position of the key
    that introduced it. A rendered theme document mixes files, so each location names its file.
    """

    file: str
    data: Any
    locations: dict[PathKey, SourceLocation] = field(default_factory=dict)
    key_locations: dict[PathKey, SourceLocation] = field(default_factory=dict)

    def locate(self, path: Sequence[str | int], *, key: bool = False) -> SourceLocation:
        """The location of ``path``, or of its nearest written ancestor (then the file)."""
        current = tuple(path)
        while True:
            if key and current in self.key_locations:
                return self.key_locations[current]
            if current in self.locations:
                return self.locations[current]
            if not current:
                return SourceLocation(self.file)
            current = current[:-1]

    def get(self, path: Sequence[str | int]) -> Any:
        """The data at ``path`` (``None`` when it does not exist)."""
        node = self.data
        for step in path:
            in_dict = isinstance(node, dict) and step in node
            in_list = isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
            if not (in_dict or in_list):
                return None
            node = node[step]
        return node

    def subtree(self, path: Sequence[str | int]) -> LoadedYaml:
        """A copy of the data at ``path`` with its positions, paths made relative to it.

        Merging documents (a theme and a community's changes) moves parts around; each part
        carries where it was written, so the merged result still reports the right file:line.
        """
        prefix = tuple(path)
        size = len(prefix)
        part = LoadedYaml(file=self.file, data=copy.deepcopy(self.get(prefix)))
        part.locations = {p[size:]: at for p, at in self.locations.items() if p[:size] == prefix}
        part.key_locations = {
            p[size:]: at for p, at in self.key_locations.items() if p[:size] == prefix
        }
        if () not in part.locations:
            part.locations[()] = self.locate(prefix)
        return part

    def drop(self, path: Sequence[str | int]) -> None:
        """Forget the positions recorded at and under ``path``."""
        prefix = tuple(path)
        size = len(prefix)
        for table in (self.locations, self.key_locations):
            for p in [p for p in table if p[:size] == prefix]:
                del table[p]

    def graft(self, path: Sequence[str | int], part: LoadedYaml) -> None:
        """Record ``part``'s positions under ``path``, replacing what was recorded there."""
        prefix = tuple(path)
        self.drop(prefix)
        self.locations.update({(*prefix, *p): at for p, at in part.locations.items()})
        self.key_locations.update({(*prefix, *p): at for p, at in part.key_locations.items()})


class _ComposeLoader(yaml.SafeLoader):
    """SafeLoader used only to compose nodes; construction happens in ``_Builder``."""


# libyaml composes a 4 MB file in a fraction of a second where pure Python takes half a minute;
# its composer recurses in C, so the nesting depth is checked first from its (flat) event stream.
_CLoader: type[Any] | None = getattr(yaml, "CSafeLoader", None)


def _compose(text: str, file: str) -> yaml.Node | None:
    """The document's node tree (``MarkedYAMLError``/``YAMLError`` for bad YAML)."""
    if _CLoader is None:
        loader: Any = _ComposeLoader(text)
    else:
        _check_depth(text, file)
        loader = _CLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


_OPENING = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSING = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _check_depth(text: str, file: str) -> None:
    """``ConfigError`` when lists and mappings nest deeper than ``MAX_DEPTH``, or the document
    holds more than ``MAX_NODES`` values, judged from the parser's events before composing (so
    a huge file is refused in a moment)."""
    assert _CLoader is not None
    events = _CLoader(text)
    depth = 0
    count = 0
    try:
        while events.check_event():
            event = events.get_event()
            count += 1
            kind = type(event)
            if kind in _OPENING:
                depth += 1
                if depth > MAX_DEPTH:
                    _too_much(event, file, f"nesting is deeper than {MAX_DEPTH} levels")
            elif kind in _CLOSING:
                depth -= 1
            if count > MAX_NODES * 2:  # a key and its value are two events
                _too_much(event, file, f"the document has more than {MAX_NODES} values")
    finally:
        events.dispose()


def _too_much(event: yaml.Event, file: str, message: str) -> None:
    mark = event.start_mark
    where = SourceLocation(file, mark.line + 1, mark.column + 1) if mark else SourceLocation(file)
    raise ConfigError(
        message,
        location=where,
        hint="a config has a few thousand values; check that the path names your config",
    )


def read_yaml_text(path: Path) -> str:
    """The text of ``path``, or a ``ConfigError`` saying why it cannot be read."""
    where = SourceLocation(str(path))
    if not path.exists():
        raise ConfigError("file not found", location=where, hint="check the path")
    if path.is_dir():
        raise ConfigError("is a directory, not a YAML file", location=where)
    try:
        # Never more than the limit + 1 bytes: /dev/zero or a runaway pipe must not fill memory.
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read file: {exc.strerror}", location=where) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(
            f"file is larger than {MAX_FILE_BYTES} bytes, the most gaib reads from a YAML file",
            location=where,
            hint="split it, or check that the path names your config",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"byte {exc.start} is not valid UTF-8",
            location=SourceLocation(str(path), line),
            hint="save the file as UTF-8 text",
        ) from None


def load_yaml(path: Path) -> LoadedYaml:
    """Read and parse one YAML file, keeping positions."""
    return parse_yaml(read_yaml_text(path), str(path))


def parse_yaml(text: str, file: str) -> LoadedYaml:
    """Parse YAML ``text`` (one document) named ``file`` in messages, keeping positions.

    An empty document gives ``data=None``.
    """
    try:
        node = _compose(text, file)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, file) from None
    except yaml.YAMLError as exc:  # ReaderError: a character YAML does not allow
        raise _reader_error(exc, text, file) from None
    except RecursionError:
        raise ConfigError(
            f"nesting is deeper than {MAX_DEPTH} levels", location=SourceLocation(file)
        ) from None
    loaded = LoadedYaml(file=file, data=None)
    if node is not None:
        loaded.data = _Builder(file, loaded).build(node)
    return loaded


def _yaml_error(exc: yaml.MarkedYAMLError, file: str) -> ConfigError:
    mark = exc.problem_mark or exc.context_mark
    where = SourceLocation(file, mark.line + 1, mark.column + 1) if mark else SourceLocation(file)
    problem = " ".join(str(part) for part in (exc.context, exc.problem) if part)
    hint = "fix the YAML syntax"
    if "\t" in problem or "tab" in problem:
        hint = "indent with spaces, not tabs"
    return ConfigError(f"invalid YAML: {clip(problem)}", location=where, hint=hint)


def _reader_error(exc: yaml.YAMLError, text: str, file: str) -> ConfigError:
    position = getattr(exc, "position", None)
    where = SourceLocation(file)
    if isinstance(position, int):
        before = text[:position]
        where = SourceLocation(file, before.count("\n") + 1, position - before.rfind("\n"))
    character = getattr(exc, "character", None)
    what = f"character U+{character:04X}" if isinstance(character, int) else "a character"
    return ConfigError(
        f"{what} is not allowed in YAML",
        location=where,
        hint="remove control characters; this does not look like a text YAML file",
    )


class _Builder:
    """Turns a composed node tree into plain data, recording positions and enforcing limits."""

    def __init__(self, file: str, loaded: LoadedYaml) -> None:
        self.file = file
        self.loaded = loaded
        self.nodes = 0
        self.active: set[int] = set()
        self.constructor = yaml.constructor.SafeConstructor()

    def where(self, node: yaml.Node) -> SourceLocation:
        """The 1-based position of ``node``."""
        mark = node.start_mark
        return SourceLocation(self.file, mark.line + 1, mark.column + 1)

    def fail(self, node: yaml.Node, message: str, path: PathKey, hint: str | None = None) -> None:
        """Raise a located ``ConfigError`` about ``node``."""
        raise ConfigError(message, location=self.where(node), field=format_path(path), hint=hint)

    def build(self, node: yaml.Node, path: PathKey = ()) -> Any:
        """Plain data for ``node`` at ``path``, recording positions and enforcing limits."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.fail(
                node,
                f"document expands to more than {MAX_NODES} values",
                path,
                "a config has a few thousand values: remove the bulk, or aliases (*name) that "
                "expand into it",
            )
        if len(path) > MAX_DEPTH:
            self.fail(node, f"nesting is deeper than {MAX_DEPTH} levels", path)
        self.loaded.locations.setdefault(path, self.where(node))
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if id(node) in self.active:
            self.fail(node, "an alias refers to a value that contains it", path)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                if node.tag != f"{_TAG}seq":
                    self.fail(node, f"YAML tag {node.tag!r} is not supported", path)
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, path)
            self.fail(node, "unsupported YAML node", path)
        finally:
            self.active.discard(id(node))
        return None  # pragma: no cover - fail() always raises

    def scalar(self, node: yaml.ScalarNode, path: PathKey) -> Any:
        """A scalar as str, int, float, bool or None (other tags are refused)."""
        tag = node.tag
        if tag == f"{_TAG}timestamp" and not node.style:  # plain: None (Python) or "" (libyaml)
            return node.value  # an unquoted date is text to gaib, not a datetime
        if tag not in _PLAIN_TAGS:
            self.fail(
                node, f"YAML tag {tag!r} is not supported", path, "write plain text or a number"
            )
        if tag == f"{_TAG}int" and len(re.sub(r"[^0-9a-fA-F]", "", node.value)) > MAX_INT_DIGITS:
            self.fail(node, f"number has more than {MAX_INT_DIGITS} digits", path)
        try:
            return self.constructor.construct_object(node)
        except Exception:  # PyYAML's constructors fail in many ways on odd input (`!!int ''`)
            self.fail(
                node, f"cannot read {clip(repr(node.value), 60)} as {tag.rsplit(':', 1)[-1]}", path
            )
        return None  # pragma: no cover

    def mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        """A mapping with text keys, refusing duplicates and honouring ``<<`` merges."""
        if node.tag != f"{_TAG}map":
            self.fail(node, f"YAML tag {node.tag!r} is not supported", path)
        out: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        seen: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if key_node.tag == f"{_TAG}merge":
                merged.update(self.merge_sources(value_node, path))
                continue
            key = self.key(key_node, path)
            if key in seen:
                first = self.where(seen[key])
                self.fail(
                    key_node,
                    f"duplicate key '{clip(key, 60)}' (first at line {first.line})",
                    (*path, key),
                    "keep one of them",
                )
            seen[key] = key_node
            self.loaded.key_locations[(*path, key)] = self.where(key_node)
            out[key] = self.build(value_node, (*path, key))
        # `<<: *base` merge keys: explicit keys win over merged ones.
        return {**{k: v for k, v in merged.items() if k not in out}, **out}

    def merge_sources(self, node: yaml.Node, path: PathKey) -> dict[str, Any]:
        """The mappings a ``<<`` key merges in (earlier ones win)."""
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        merged: dict[str, Any] = {}
        for source in reversed(sources):
            if not isinstance(source, yaml.MappingNode):
                self.fail(source, "a merge key (<<) needs a mapping or list of mappings", path)
            value = self.build(source, path)
            merged.update(value)
        return merged

    def key(self, node: yaml.Node, path: PathKey) -> str:
        """A mapping key, which must read as text."""
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, "a mapping key must be text, not a list or mapping", path)
        value = self.scalar(node, path)  # type: ignore[arg-type]
        if not isinstance(value, str):
            self.fail(
                node,
                f"key {node.value!r} is read as {type(value).__name__}, not text",
                path,
                f"quote it: '{node.value}'",
            )
        return str(value)


_IDENT = re.compile(r"^[A-Za-z_@#][\w@#-]*$")


def format_path(path: Sequence[str | int]) -> str:
    """A data path as people write it: ``categories[1].channels[0].overwrites.Naib.allow[0]``."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        elif _IDENT.match(step):
            out += f".{step}" if out else step
        else:
            out += f"[{step!r}]"
    return out


def describe_value(value: Any) -> str:
    """A short, safe description of a value for messages (never huge, never a traceback)."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if value.bit_length() < 64 else "a very large number"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return repr(clip(value, 40))
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def clip(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
