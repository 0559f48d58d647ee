"""Safe YAML loading that remembers where every value came from.

Registry (and later policy and waiver) files are edited by hand; a useful error names the file,
the line and the field. PyYAML's composer gives nodes with positions; we build plain dicts and
lists from them ourselves so that duplicate keys and object-constructing tags are refused.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import Composer

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_DEPTH = 64  # nesting of mappings and lists: a registry needs four or five
ALIAS_BUDGET = 10_000  # values that aliases (*name) may repeat in one document: a few
# shared contacts take dozens; "billion laughs" takes billions


@dataclass(frozen=True)
class Problem:
    """One input error, printed as `file:line: field: message`."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class LDict(dict):
    """A mapping from YAML that knows its own line and the line of each key."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LList(list):
    """A sequence from YAML that knows its own line and the line of each item."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class YamlError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


def _read_text(path: str) -> str:
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise YamlError(Problem(path, 0, "file", f"cannot read: {exc.strerror}")) from None
    if size > MAX_FILE_BYTES:
        raise YamlError(
            Problem(path, 0, "file", f"file is {size} bytes, over the {MAX_FILE_BYTES} limit")
        )
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except UnicodeDecodeError as exc:
        raise YamlError(
            Problem(path, 0, "file", f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")
        ) from None
    except OSError as exc:
        raise YamlError(Problem(path, 0, "file", f"cannot read: {exc.strerror}")) from None
    return text


def load_yaml_file(path: str) -> Any:
    """Load one YAML document; raise YamlError naming file and line on any problem."""
    return load_yaml_text(_read_text(path), path)


# libyaml's C parser when PyYAML was built with it (several times faster), else PyYAML's own
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _invalid(exc: yaml.YAMLError, path: str) -> YamlError:
    """A parser's complaint as a Problem naming the file and, when known, the line."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        return YamlError(Problem(path, line, "yaml", f"not valid YAML: {exc.problem}"))
    return YamlError(Problem(path, 0, "yaml", f"not valid YAML: {exc}"))


def load_yaml_text(text: str, path: str = "<string>") -> Any:
    try:
        node = yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError as exc:
        raise _invalid(exc, path) from None
    except RecursionError:
        raise YamlError(Problem(path, 0, "yaml", _TOO_DEEP)) from None
    if node is None:
        return None
    return _build(node, path, yaml.SafeLoader(""), "document")


_TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"


class _Expansion:
    """What aliases have repeated so far in one document, and the size of each value built
    (an alias repeats its anchor's whole value)."""

    def __init__(self) -> None:
        self.sizes: dict[int, int] = {}
        self.repeated = 0
        self.alias_at = 0  # the line of the outermost alias being repeated


def _build(
    node: yaml.Node,
    path: str,
    loader: yaml.SafeLoader,
    where: str,
    depth: int = 0,
    expansion: _Expansion | None = None,
    used_at: int = 0,
) -> Any:
    """Plain values from a node; refuses tags that construct objects, merge keys, duplicate
    keys, nesting past MAX_DEPTH and aliases that repeat more than ALIAS_BUDGET values."""
    line = node.start_mark.line + 1
    expansion = expansion or _Expansion()
    if depth > MAX_DEPTH:
        raise YamlError(Problem(path, line, where, _TOO_DEEP))
    outermost = False
    if id(node) in expansion.sizes:  # an alias: its anchor's value again
        outermost = not expansion.alias_at
        expansion.alias_at = expansion.alias_at or used_at or line
        expansion.repeated += expansion.sizes[id(node)]
        if expansion.repeated > ALIAS_BUDGET:
            raise YamlError(
                Problem(
                    path,
                    expansion.alias_at,
                    where,
                    f"YAML aliases repeat more than {ALIAS_BUDGET} values (an alias bomb?)",
                )
            )
    value = _build_node(node, path, loader, where, depth, expansion, line)
    if outermost:
        expansion.alias_at = 0
    if isinstance(node, yaml.CollectionNode):
        expansion.sizes[id(node)] = 1 + sum(expansion.sizes.get(id(n), 1) for n in _children(node))
    return value


def _children(node: yaml.CollectionNode) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            yield key_node
            yield value_node
    else:
        yield from node.value


def _build_node(node, path, loader, where, depth, expansion, line) -> Any:
    if node.tag not in _SAFE_TAGS:
        raise YamlError(Problem(path, line, where, f"YAML tag {node.tag!r} is not allowed"))
    if isinstance(node, yaml.MappingNode):
        out = LDict()
        out.line = line
        out.key_lines = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError(Problem(path, line, where, "YAML merge keys (<<) are not allowed"))
            key = _build(key_node, path, loader, where, depth + 1, expansion, line)
            if isinstance(key, (dict, list)):
                raise YamlError(
                    Problem(path, key_node.start_mark.line + 1, where, "a key must be a scalar")
                )
            key_line = key_node.start_mark.line + 1
            if key in out:
                raise YamlError(
                    Problem(
                        path,
                        key_line,
                        str(key),
                        f"duplicate key (first at line {out.key_lines[key]})",
                    )
                )
            at = value_node.start_mark.line + 1 if value_node.start_mark else line
            out[key] = _build(value_node, path, loader, str(key), depth + 1, expansion, at)
            out.key_lines[key] = key_line
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LList()
        seq.line = line
        seq.item_lines = []
        for item in node.value:
            seq.append(_build(item, path, loader, where, depth + 1, expansion, line))
            seq.item_lines.append(item.start_mark.line + 1)
        return seq
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise YamlError(Problem(path, line, where, f"bad value: {exc}")) from None
    finally:  # the constructor remembers every node it built: forget them (memory)
        loader.constructed_objects.clear()


class _StreamLoader(_FAST_LOADER):  # type: ignore[misc,valid-type]
    """The fast parser's events, composed into nodes by PyYAML's Python composer one top-level
    value (or one list item) at a time, so that a large file never exists as one node graph."""

    compose_scalar_node = Composer.compose_scalar_node
    compose_sequence_node = Composer.compose_sequence_node
    compose_mapping_node = Composer.compose_mapping_node

    def __init__(self, text: str):
        super().__init__(text)
        self.anchors: dict = {}
        self.depth = 0

    def compose_node(self, parent, index):
        """Composer.compose_node, refusing nesting past MAX_DEPTH where it starts."""
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH + 1:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(None, None, _TOO_DEEP, mark)
            return Composer.compose_node(self, parent, index)
        finally:
            self.depth -= 1


@dataclass(frozen=True)
class Part:
    """One piece of a streamed document: `value` (a top-level key and its value), `list` (the
    streamed key holds a list; its items follow as `item` parts) or `document` (the document
    is not a mapping: its whole value)."""

    kind: str
    key: Any
    line: int
    value: Any = None


def iter_mapping_file(path: str, streamed: str) -> Iterator[Part]:
    """Read a top-level mapping key by key; the list under `streamed` comes item by item.

    Memory stays that of one item however long the list is. Raises YamlError (file, line) on
    the same problems as load_yaml_file, duplicate top-level keys included."""
    text = _read_text(path)
    loader = _StreamLoader(text)
    del text
    build = yaml.SafeLoader("")
    try:
        loader.get_event()  # stream start
        if loader.check_event(yaml.StreamEndEvent):
            yield Part("document", None, 0, None)
            return
        loader.get_event()  # document start
        if not loader.check_event(yaml.MappingStartEvent):
            node = loader.compose_node(None, None)
            yield Part(
                "document", None, node.start_mark.line + 1, _build(node, path, build, "document")
            )
            return
        start = loader.get_event()
        if start.tag not in (None, "!", "tag:yaml.org,2002:map"):
            raise YamlError(
                Problem(
                    path,
                    start.start_mark.line + 1,
                    "document",
                    f"YAML tag {start.tag!r} is not allowed",
                )
            )
        seen: dict[Any, int] = {}
        while not loader.check_event(yaml.MappingEndEvent):
            key_node = loader.compose_node(None, None)
            key = _build(key_node, path, build, "document")
            line = key_node.start_mark.line + 1
            if isinstance(key, (dict, list)):
                raise YamlError(Problem(path, line, "document", "a key must be a scalar"))
            if key in seen:
                raise YamlError(
                    Problem(path, line, str(key), f"duplicate key (first at line {seen[key]})")
                )
            seen[key] = line
            if key == streamed and loader.check_event(yaml.SequenceStartEvent):
                event = loader.peek_event()
                if event.tag not in (None, "!", "tag:yaml.org,2002:seq"):
                    raise YamlError(
                        Problem(path, line, str(key), f"YAML tag {event.tag!r} is not allowed")
                    )
                loader.get_event()
                yield Part("list", key, line)
                index = 0
                while not loader.check_event(yaml.SequenceEndEvent):
                    node = loader.compose_node(None, index)
                    yield Part(
                        "item", index, node.start_mark.line + 1, _build(node, path, build, str(key))
                    )
                    index += 1
                loader.get_event()
            else:
                node = loader.compose_node(None, key)
                yield Part("value", key, line, _build(node, path, build, str(key)))
        loader.get_event()  # mapping end
        loader.get_event()  # document end
        if not loader.check_event(yaml.StreamEndEvent):
            event = loader.peek_event()
            raise YamlError(
                Problem(
                    path,
                    event.start_mark.line + 1,
                    "yaml",
                    "not valid YAML: expected a single document",
                )
            )
    except yaml.YAMLError as exc:
        raise _invalid(exc, path) from None
    except RecursionError:
        raise YamlError(Problem(path, 0, "yaml", _TOO_DEEP)) from None
    finally:
        loader.dispose()
