"""Load ``discord-server.yaml`` (and any other gaib YAML file) keeping where every value was written.

PyYAML composes the node tree; we build the plain Python data from it ourselves so that every
mapping key and list item keeps its ``file:line:column``. That lets each pydantic
``ValidationError`` and each cross-file rule point at the exact place to fix, in one line::

    discord-server.yaml:14:12: roles[3].color: 'gold' is not a color; write it as '#RRGGBB'

Arbitrary input (binary junk, tabs, a list at the top, duplicate keys, huge numbers, alias
bombs, recursive aliases, absurd nesting) ends as a ``ConfigError``, never a traceback.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from gaib_core.config.models import ChannelConfig, ServerConfig
from gaib_core.errors import ConfigError, ConfigErrors, ConfigIssue, SourceLocation

PathKey = tuple[str | int, ...]

MAX_FILE_BYTES = 5 * 1024 * 1024
# Aliases let a tiny file expand into billions of nodes ("billion laughs"); real configs have a
# few thousand nodes at most.
MAX_NODES = 200_000
MAX_DEPTH = 64
MAX_INT_DIGITS = 100
_MAX_MESSAGE = 240

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


class _ComposeLoader(yaml.SafeLoader):
    """SafeLoader used only to compose nodes; construction happens in ``_Builder``."""


def read_yaml_text(path: Path) -> str:
    """The text of ``path``, or a ``ConfigError`` saying why it cannot be read."""
    where = SourceLocation(str(path))
    if not path.exists():
        raise ConfigError("file not found", location=where, hint="check the path")
    if path.is_dir():
        raise ConfigError("is a directory, not a YAML file", location=where)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read file: {exc.strerror}", location=where) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(
            f"file is {len(raw)} bytes; gaib reads YAML files up to {MAX_FILE_BYTES} bytes",
            location=where,
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
    loader: _ComposeLoader | None = None
    try:
        loader = _ComposeLoader(text)
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, file) from None
    except yaml.YAMLError as exc:  # ReaderError: a character YAML does not allow
        raise _reader_error(exc, text, file) from None
    except RecursionError:
        raise ConfigError(
            f"nesting is deeper than {MAX_DEPTH} levels", location=SourceLocation(file)
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
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
    return ConfigError(f"invalid YAML: {_clip(problem)}", location=where, hint=hint)


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
        mark = node.start_mark
        return SourceLocation(self.file, mark.line + 1, mark.column + 1)

    def fail(self, node: yaml.Node, message: str, path: PathKey, hint: str | None = None) -> None:
        raise ConfigError(message, location=self.where(node), field=format_path(path), hint=hint)

    def build(self, node: yaml.Node, path: PathKey = ()) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.fail(
                node,
                f"document expands to more than {MAX_NODES} values",
                path,
                "do not nest aliases (*name) inside anchors this deep",
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
        tag = node.tag
        if tag == f"{_TAG}timestamp" and node.style is None:
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
                node, f"cannot read {_clip(repr(node.value), 60)} as {tag.rsplit(':', 1)[-1]}", path
            )
        return None  # pragma: no cover

    def mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
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
                    f"duplicate key '{_clip(key, 60)}' (first at line {first.line})",
                    (*path, key),
                    "keep one of them",
                )
            seen[key] = key_node
            self.loaded.key_locations[(*path, key)] = self.where(key_node)
            out[key] = self.build(value_node, (*path, key))
        # `<<: *base` merge keys: explicit keys win over merged ones.
        return {**{k: v for k, v in merged.items() if k not in out}, **out}

    def merge_sources(self, node: yaml.Node, path: PathKey) -> dict[str, Any]:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        merged: dict[str, Any] = {}
        for source in reversed(sources):
            if not isinstance(source, yaml.MappingNode):
                self.fail(source, "a merge key (<<) needs a mapping or list of mappings", path)
            value = self.build(source, path)
            merged.update(value)
        return merged

    def key(self, node: yaml.Node, path: PathKey) -> str:
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


# --- from pydantic errors to one-line issues ---------------------------------------------------

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
        return repr(_clip(value, 40))
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def _clip(text: str, limit: int = _MAX_MESSAGE) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _strip_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def model_at(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The pydantic model describing the mapping at ``loc`` (None if it is not a model)."""
    current: Any = model
    steps = list(loc)
    index = 0
    while index < len(steps):
        step = steps[index]
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        if not isinstance(step, str) or step not in current.model_fields:
            return None
        annotation = _strip_optional(current.model_fields[step].annotation)
        index += 1
        if typing.get_origin(annotation) in (list, dict):
            if index >= len(steps):
                return None
            index += 1  # the list index or dict key
            annotation = _strip_optional(typing.get_args(annotation)[-1])
        current = annotation
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def issues_from_validation(
    exc: ValidationError,
    model: type[BaseModel],
    source: LoadedYaml,
    prefix: PathKey = (),
) -> list[ConfigIssue]:
    """One ``ConfigIssue`` per pydantic error, located in ``source``."""
    issues: list[ConfigIssue] = []
    for error in exc.errors(include_url=False, include_context=False):
        loc: PathKey = (*prefix, *(step for step in error["loc"] if isinstance(step, str | int)))
        issues.append(_issue(error, loc, model, source, prefix))
    return issues


def _issue(
    error: Any, loc: PathKey, model: type[BaseModel], source: LoadedYaml, prefix: PathKey
) -> ConfigIssue:
    kind = error["type"]
    message = str(error["msg"]).removeprefix("Value error, ")
    hint: str | None = None
    key_position = False
    model_loc = loc[len(prefix) :]
    if kind == "missing":
        name = loc[-1] if loc else "value"
        message = f"'{name}' is required"
        hint = f"add `{name}:`"
    elif kind == "extra_forbidden":
        name = str(loc[-1])
        owner = model_at(model, model_loc[:-1])
        allowed = list(owner.model_fields) if owner else []
        guess = difflib.get_close_matches(name, allowed, n=1)
        message = f"unknown field '{_clip(name, 60)}'"
        hint = f"did you mean '{guess[0]}'?" if guess else None
        if allowed and not guess:
            hint = f"remove it; allowed here: {', '.join(allowed)}"
        key_position = True
    elif kind not in ("value_error", "assertion_error"):
        message = f"{message[:1].lower()}{message[1:]}, got {describe_value(source.get(loc))}"
    elif kind == "value_error":
        loc = _refine(loc, message, source)
    message = _clip(message)
    return ConfigIssue(
        message=message,
        location=source.locate(loc, key=key_position),
        field=format_path(loc) or None,
        hint=hint,
    )


def _refine(loc: PathKey, message: str, source: LoadedYaml) -> PathKey:
    """Point a model-level error at the field or list item it is about, when it says which."""
    value = source.get(loc)
    quoted = re.search(r"'([^']*)'", message)
    if isinstance(value, list) and quoted:
        for index, item in enumerate(value):
            if isinstance(item, str) and item == quoted.group(1):
                return (*loc, index)
    if isinstance(value, dict):
        first_word = message.split(" ", 1)[0]
        if first_word in value:
            return (*loc, first_word)
    return loc


def validate_document(
    model: type[BaseModel], data: Any, source: LoadedYaml, prefix: PathKey = ()
) -> Any:
    """``model.model_validate(data)``, turning every error into one located ``ConfigErrors``."""
    if not isinstance(data, dict):
        raise ConfigError(
            f"expected a mapping of fields, got {describe_value(data)}",
            location=source.locate(prefix),
            field=format_path(prefix) or None,
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigErrors(issues_from_validation(exc, model, source, prefix)) from None
    except (ValueError, TypeError, RecursionError) as exc:  # defensive: never a traceback
        raise ConfigError(
            f"invalid value: {_clip(str(exc))}", location=source.locate(prefix)
        ) from None


def config_from_document(source: LoadedYaml, *, check: bool = True) -> ServerConfig:
    """A ``ServerConfig`` from loaded data, with located errors; ``check`` runs the cross rules."""
    if source.data is None:
        raise ConfigError(
            "the file is empty",
            location=SourceLocation(source.file),
            hint="run `gaib server init --theme NAME` to create one",
        )
    if not isinstance(source.data, dict):
        raise ConfigError(
            f"the top level must be a mapping (version, server, roles, ...), got "
            f"{describe_value(source.data)}",
            location=source.locate(()),
        )
    config: ServerConfig = validate_document(ServerConfig, source.data, source)
    if check:
        from gaib_core.config.validate import validate_config

        validate_config(config, source)
    return config


def load_config_source(path: Path, *, check: bool = True) -> tuple[ServerConfig, LoadedYaml]:
    """The config at ``path`` and its positions (for callers that report their own findings)."""
    source = load_yaml(path)
    return config_from_document(source, check=check), source


def load_config(path: Path) -> ServerConfig:
    """Load and fully validate ``discord-server.yaml``; ``ConfigError``/``ConfigErrors`` if bad."""
    return load_config_source(path)[0]


# --- writing -----------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block style for structure, flow style for short lists of names, no anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
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
