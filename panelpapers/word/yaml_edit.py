"""Edits one value of a YAML file in place, leaving every other byte as it was: comments, key order,
quoting and line breaks of everything else. The file is composed (never constructed) to find where
the value lies; only its characters are replaced. Block text (`>-`, `|`) keeps its style, indent and
line width."""

from __future__ import annotations

import json
import textwrap
from typing import Any

import yaml

Key = tuple[str | int, ...]


class EditError(Exception):
    """The value cannot be edited where the key says."""


def compose(text: str) -> Any:
    return yaml.compose(text, Loader=yaml.SafeLoader)


def find(root: Any, key: Key) -> tuple[Any, Key]:
    """The scalar node at `key` and the key it really has: a paragraph written as a plain string
    stands where the key names its `text`."""
    node: Any = root
    walked: Key = ()
    for part in key:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if k.value == part), None)
            if found is None:
                break
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        walked = (*walked, part)
    if isinstance(node, yaml.MappingNode):  # {text: …} or {paragraph: …}
        for name in ("text", "paragraph"):
            found = next((v for k, v in node.value if k.value == name), None)
            if found is not None:
                return found, (*walked, name)
    if not isinstance(node, yaml.ScalarNode):
        raise EditError(f"no text at {'/'.join(map(str, key))}")
    return node, walked


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def replace_value(text: str, key: Key, value: str) -> str:
    node, _ = find(compose(text), key)
    start, end = node.start_mark.index, node.end_mark.index
    if node.style in (">", "|"):
        old = text[start:end]
        header = old.split("\n", 1)[0]
        body_lines = [line for line in old.split("\n")[1:] if line.strip()]
        indent = len(body_lines[0]) - len(body_lines[0].lstrip(" ")) if body_lines else node.start_mark.column + 2
        width = max((len(line) for line in body_lines), default=100)
        if node.style == ">":
            lines = textwrap.wrap(value, width=max(width, 40), initial_indent=" " * indent,
                                  subsequent_indent=" " * indent, break_long_words=False, break_on_hyphens=False)
        else:
            lines = [" " * indent + line if line else "" for line in value.split("\n")]
        trailing = old[len(old.rstrip()):]  # the line break(s) the block ends with
        return text[:start] + header + "\n" + "\n".join(lines) + trailing + text[end:]
    return text[:start] + scalar(value) + text[end:]


def scalar(value: str) -> str:
    """A one-line YAML scalar for `value`: plain where that reads back the same text, else quoted."""
    plain_safe = (
        value
        and value == value.strip()
        and "\n" not in value
        and ": " not in value
        and " #" not in value
        and value[0] not in "!&*{}[]|>'\"%@`#,?-:"
    )
    if plain_safe:
        try:
            node = yaml.compose(value, Loader=yaml.SafeLoader)
            if isinstance(node, yaml.ScalarNode) and node.value == value:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _item(root: Any, key: Key) -> tuple[Any, int, Key]:
    """The sequence the value at `key` is an item of (or lies in an item of), and its index."""
    for cut in range(len(key), 0, -1):
        if isinstance(key[cut - 1], int):
            parent, _ = _node(root, key[: cut - 1])
            if isinstance(parent, yaml.SequenceNode):
                return parent, int(key[cut - 1]), key[: cut - 1]
    raise EditError("the text is not an item of a list")


def _node(root: Any, key: Key) -> tuple[Any, Key]:
    node: Any = root
    for part in key:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part] if part < len(node.value) else None
        if node is None:
            raise EditError(f"nothing at {'/'.join(map(str, key))}")
    return node, key


def _item_span(text: str, sequence: Any, index: int) -> tuple[int, int]:
    """Where the item's lines are: from its dash line to the next item's (or the list's end)."""
    item = sequence.value[index]
    start = _line_start(text, item.start_mark.index)
    if index + 1 < len(sequence.value):
        end = _line_start(text, sequence.value[index + 1].start_mark.index)
    else:
        end = item.end_mark.index
        end = end if end == 0 or text[end - 1] == "\n" else text.find("\n", end) + 1 or len(text)
    return start, end


def insert_after(text: str, key: Key, value: str) -> str:
    """A new item, `value` as block text, in the list after the item holding `key`."""
    root = compose(text)
    sequence, index, _ = _item(root, key)
    start, end = _item_span(text, sequence, index)
    dash_line = text[start:end].split("\n", 1)[0]
    dash = len(dash_line) - len(dash_line.lstrip(" "))
    lines = textwrap.wrap(value, width=96, initial_indent=" " * (dash + 2), subsequent_indent=" " * (dash + 2),
                          break_long_words=False, break_on_hyphens=False)
    new = " " * dash + "- >-\n" + "\n".join(lines) + "\n"
    return text[:end] + new + text[end:]


def remove_item(text: str, key: Key) -> str:
    root = compose(text)
    sequence, index, _ = _item(root, key)
    if len(sequence.value) == 1:
        raise EditError("it is the list's only item; a list needs one")
    start, end = _item_span(text, sequence, index)
    return text[:start] + text[end:]


def list_item(text: str, key: Key) -> tuple[Key, int, tuple[str, ...]]:
    """The list whose item the text at `key` is, its index there, and the item's own keys (none for a
    plain string). EditError when the text is not an item's whole text (a title, a heading, a lead)."""
    root = compose(text)
    _, walked = find(root, key)
    sequence, index, list_key = _item(root, walked)
    if walked[len(list_key) + 1 :] not in ((), ("text",), ("paragraph",)):
        raise EditError("it is not an item of a list")
    item = sequence.value[index]
    keys = tuple(str(k.value) for k, _ in item.value) if isinstance(item, yaml.MappingNode) else ()
    return list_key, index, keys


def split_item(text: str, key: Key, parts: tuple[str, ...]) -> str:
    """The item holding `key` keeps the first part; each other part becomes a new item after it."""
    for part in reversed(parts[1:]):
        text = insert_after(text, key, part)
    return replace_value(text, key, parts[0])


def join_with_next(text: str, key: Key, value: str) -> str:
    """The item holding `key` takes `value` (its text and the next item's) and the next item goes."""
    list_key, index, _ = list_item(text, key)
    text = remove_item(text, (*list_key, index + 1))
    return replace_value(text, key, value)
