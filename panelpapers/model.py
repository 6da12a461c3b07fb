"""The resolved, format-neutral document: numbers, labels and text are decided here, once, so the
PDF and the DOCX cannot disagree. Holds no HTML and no Word XML."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from panelpapers.errors import Location

# Inline content ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Strong:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Emph:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Link:
    href: str
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class LineBreak:
    pass


Inline = Text | Strong | Emph | Link | LineBreak
Inlines = tuple[Inline, ...]


def plain_text(inlines: Inlines) -> str:
    """The words of inline content, as a reader sees them."""
    parts: list[str] = []
    for node in inlines:
        if isinstance(node, Text):
            parts.append(node.text)
        elif isinstance(node, LineBreak):
            parts.append("\n")
        else:
            parts.append(plain_text(node.children))
    return "".join(parts)


# Blocks -----------------------------------------------------------------------------------------

ListStyle = Literal["letter", "roman", "bullet"]


@dataclass(frozen=True)
class ListItem:
    marker: str  # "a)", "i.", "•" - decided here so every writer shows the same
    content: Inlines
    sublist: ItemList | None = None


@dataclass(frozen=True)
class ItemList:
    style: ListStyle
    items: tuple[ListItem, ...]


@dataclass(frozen=True)
class Paragraph:
    content: Inlines
    number: str | None = None  # "1.12", for numbered paragraphs of the body
    lead: Inlines = ()  # a bold lead-in such as "Money (risk 6 – long-term):"
    items: ItemList | None = None
    location: Location | None = None


@dataclass(frozen=True)
class Heading:
    content: Inlines


Block = Paragraph | Heading | ItemList


@dataclass(frozen=True)
class Section:
    number: str  # "3"
    title: str
    blocks: tuple[Block, ...]


# The paper --------------------------------------------------------------------------------------

Organisation = Literal["MPS", "MOPAC", "joint"]
MARKINGS = ("OFFICIAL", "OFFICIAL-SENSITIVE")


@dataclass(frozen=True)
class Appendix:
    ref: str
    title: str
    marking: str


@dataclass(frozen=True)
class SummaryPart:
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Paper:
    slug: str  # the folder name, e.g. "02-risk-management"
    title: str
    meeting: str
    date: dt.date
    report_by: str
    organisation: Organisation
    marking: str
    status: Literal["draft", "final"]
    author: str
    summary: tuple[SummaryPart, ...]
    recommendations_lead: str
    recommendations: ItemList
    sections: tuple[Section, ...]
    appendices: tuple[Appendix, ...]
    background_papers: tuple[str, ...]

    @property
    def date_text(self) -> str:
        return format_date(self.date)

    def numbered_paragraphs(self) -> list[Paragraph]:
        return [
            block
            for section in self.sections
            for block in section.blocks
            if isinstance(block, Paragraph) and block.number
        ]


def format_date(date: dt.date) -> str:
    return f"{date.day} {date:%B %Y}"
