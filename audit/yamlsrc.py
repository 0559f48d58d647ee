"""Safe YAML loading that remembers where every value came from.

Registry (and later policy and waiver) files are edited by hand; a useful error names the file,
the line and the field. PyYAML's composer gives nodes with positions; we build plain dicts and
lists from them ourselves so that duplicate keys and object-constructing tags are refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import yaml

MAX_FILE_BYTES = 50 * 1024 * 1024


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


def load_yaml_file(path: str) -> Any:
    """Load one YAML document; raise YamlError naming file and line on any problem."""
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
    return load_yaml_text(text, path)


def load_yaml_text(text: str, path: str = "<string>") -> Any:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise YamlError(Problem(path, line, "yaml", f"not valid YAML: {exc.problem}")) from None
    except yaml.YAMLError as exc:
        raise YamlError(Problem(path, 0, "yaml", f"not valid YAML: {exc}")) from None
    if node is None:
        return None
    return _build(node, path, yaml.SafeLoader(""), "document")


def _build(node: yaml.Node, path: str, loader: yaml.SafeLoader, where: str) -> Any:
    line = node.start_mark.line + 1
    if node.tag not in _SAFE_TAGS:
        raise YamlError(Problem(path, line, where, f"YAML tag {node.tag!r} is not allowed"))
    if isinstance(node, yaml.MappingNode):
        out = LDict()
        out.line = line
        out.key_lines = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError(Problem(path, line, where, "YAML merge keys (<<) are not allowed"))
            key = _build(key_node, path, loader, where)
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
            out[key] = _build(value_node, path, loader, str(key))
            out.key_lines[key] = key_line
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LList()
        seq.line = line
        seq.item_lines = []
        for item in node.value:
            seq.append(_build(item, path, loader, where))
            seq.item_lines.append(item.start_mark.line + 1)
        return seq
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise YamlError(Problem(path, line, where, f"bad value: {exc}")) from None
