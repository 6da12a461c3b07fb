"""What a page prints that is not the paper's content: page numbers, protective markings and
"DRAFT", running heads (a short line printed again and again), rules, and contents pages. Each is
recognised here so that it is not copied as text; the marking and draft status it shows are kept
for the cover."""

from __future__ import annotations

import re
from collections import Counter

from panelpapers.house import House, Marking
from panelpapers.wordimport.lines import Line

PAGE_NUMBER = re.compile(r"^(?:(?:pack\s+)?page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)
RULE = re.compile(r"^[-_=*·.\s]{3,}$")
CONTENTS_ENTRY = re.compile(r"(?:\t|\.{3,}|…+)\s*\d{1,4}\s*$")
CONTENTS_STYLE = re.compile(r"^(?:toc\s*\d|contents entry|contents \d)", re.IGNORECASE)
DRAFT = "DRAFT"
RUNNING_HEAD_REPEATS = 3  # a short line printed this often is a running head, not text


def markings_in(texts: list[str], house: House) -> list[str]:
    """The house markings that `texts` print, by label or by the house's own header or cover line
    for it ("Restricted paper – not for publication"), in the house's order (lowest first)."""
    words = {word for text in texts for word in re.split(r"[\s\t]+", text.upper()) if word}
    lines = {" ".join(text.split()).casefold() for text in texts}
    return [
        marking.label
        for marking in house.markings
        if marking.label.upper() in words or bool(marking_lines(marking) & lines)
    ]


def marking_lines(marking: Marking) -> set[str]:
    """The lines a house prints for a marking: its page header and its cover's status line."""
    return {" ".join(line.split()).casefold() for line in (marking.header, marking.status_line) if line}


def says_draft(texts: list[str]) -> bool:
    return any(DRAFT in re.split(r"[\s\t]+", text.upper()) for text in texts)


def repeated_lines(lines: list[Line]) -> set[str]:
    """Short lines printed several times over: running heads copied into the body. A heading is
    not one (a statement may head each principle's parts "Current position" and so on)."""
    counts = Counter(
        line.text for line in lines if 0 < len(line.text) <= 80 and line.kind is None and line.heading_level is None
    )
    return {text for text, count in counts.items() if count >= RUNNING_HEAD_REPEATS}


def furniture_reason(line: Line, house: House, running_heads: set[str]) -> str | None:
    """Why `line` is page furniture, or None when it is text."""
    text = line.text
    if not text:
        return "an empty paragraph"
    if PAGE_NUMBER.match(text):
        return "a page number"
    if RULE.match(text):
        return "a rule"
    words = [word for word in re.split(r"[\s\t]+", text.upper()) if word]
    if words and all(word in {label.upper() for label in house.labels} | {DRAFT} for word in words):
        return "a marking"
    if any(" ".join(text.split()).casefold() in marking_lines(marking) for marking in house.markings):
        return "a marking"
    if text in running_heads:
        return "a running head"
    return None


def is_contents_entry(line: Line) -> bool:
    """An entry of a contents page: in Word's contents field, in a contents style, or a line that ends
    in a page number after a tab or dot leaders."""
    block = line.block
    if block.in_contents_control or CONTENTS_STYLE.match(block.style):
        return True
    return bool(CONTENTS_ENTRY.search(block.text)) and len(line.text) < 200
