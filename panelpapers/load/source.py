"""Reads content files safely, keeping the line of every value.

Every scalar is kept as the text the author typed (YAML 1.1 would turn `NO` into False and `0755`
into 493); the schema decides where a number or a date is wanted. Duplicate keys, anchors, aliases
and explicit tags are refused, as are oversized, non-UTF-8 and control-character files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from panelpapers.errors import Location, Problem
from panelpapers.load.boundary import outside_project

MAX_FILE_BYTES = 1_000_000
# Deeper than any content file needs (a paper's deepest values sit about ten levels down), and well
# short of the depth at which reading a nested value would exhaust Python's stack.
MAX_NESTING = 100
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

Path_ = tuple[str | int, ...]


@dataclass
class YamlFile:
    path: Path
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    # For `|` and `>` block text, the line its first line of text is on (the key is on the line before).
    text_lines: dict[Path_, int] = field(default_factory=dict)

    def location(self, path: Path_ = ()) -> Location:
        """The line of the deepest part of `path` that exists in the file."""
        best = self.lines.get((), 1)
        for end in range(1, len(path) + 1):
            if path[:end] in self.lines:
                best = self.lines[path[:end]]
        return Location(self.path, best)

    def text_location(self, path: Path_) -> Location:
        """Where the text at `path` starts, so a line within it can be counted from there."""
        if path in self.text_lines:
            return Location(self.path, self.text_lines[path])
        return self.location(path)


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _Composer(yaml.SafeLoader):
    """Composes nodes only (nothing is constructed), refusing anchors, aliases, tags and values
    nested more than MAX_NESTING deep."""

    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        line = event.start_mark.line + 1
        if self.depth >= MAX_NESTING:
            raise _Refused(line, f"values nested more than {MAX_NESTING} levels deep; flatten the structure")
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(line, "aliases (*name) are not allowed; write the value out in full")
        if getattr(event, "anchor", None):
            raise _Refused(line, "anchors (&name) are not allowed; write the value out in full")
        if getattr(event, "tag", None) not in (None, "!"):
            raise _Refused(line, f"YAML tags ({event.tag}) are not allowed; remove the tag")
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def read_text(path: Path) -> tuple[str | None, list[Problem]]:
    """The file's text, or the problems that stop it being read."""
    outside = outside_project(path)
    if outside is not None:
        return None, [outside]
    try:
        size = path.stat().st_size
    except OSError as err:
        return None, [Problem(Location(path), f"cannot read file: {err.strerror}")]
    if size > MAX_FILE_BYTES:
        return None, [
            Problem(
                Location(path),
                f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}: split it or move data to data/",
            )
        ]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        return None, [
            Problem(
                Location(path, line),
                f"not UTF-8 text (byte 0x{raw[err.start]:02x}); save the file as UTF-8",
            )
        ]
    problems = [
        Problem(
            Location(path, text[: m.start()].count("\n") + 1),
            f"control character U+{ord(m.group()):04X} in text; delete it (often pasted from elsewhere)",
        )
        for m in _CONTROL.finditer(text)
    ]
    return (None, problems) if problems else (text, [])


def load_yaml(path: Path) -> tuple[YamlFile | None, list[Problem]]:
    text, problems = read_text(path)
    if text is None:
        return None, problems
    try:
        loader = _Composer(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except _Refused as err:
        return None, [Problem(Location(path, err.line), err.message)]
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        if err.context_mark and "<stream end>" in str(err.problem):
            mark = err.context_mark  # an unclosed bracket or quote: point at where it opened
        line = mark.line + 1 if mark else None
        what = err.problem or err.context or "cannot parse"
        return None, [
            Problem(
                Location(path, line),
                f"invalid YAML: {what}; check indentation; quote text containing ': ' or starting with a symbol",
            )
        ]
    except yaml.YAMLError as err:
        return None, [Problem(Location(path), f"invalid YAML: {err}")]
    if node is None:
        empty = "file is empty; expected a mapping of keys (see `panelpapers docs content-format`)"
        return None, [Problem(Location(path, 1), empty)]
    result = YamlFile(path, None)
    problems = []
    result.data = _to_python(node, (), result, problems)
    return (None, problems) if problems else (result, [])


def _to_python(node: yaml.Node, path: Path_, out: YamlFile, problems: list[Problem]) -> Any:
    out.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.ScalarNode):
        # Only an empty plain value means "nothing"; `null`, `~`, `no` stay text.
        if node.value == "" and node.style is None:
            return None
        if node.style in ("|", ">"):
            out.text_lines[path] = node.start_mark.line + 2
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, (*path, i), out, problems) for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.MappingNode)
    mapping: dict[str, Any] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(Problem(Location(out.path, line), "a key must be plain text"))
            continue
        key = key_node.value
        if key in mapping:
            first = out.lines[(*path, key)]
            problems.append(
                Problem(
                    Location(out.path, line),
                    f"duplicate key '{key}' (first at line {first}); keep one of them",
                )
            )
            continue
        out.lines[(*path, key)] = line
        mapping[key] = _to_python(value_node, (*path, key), out, problems)
    return mapping
