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


Align = Literal["left", "right", "center"]


@dataclass(frozen=True)
class TableRow:
    cells: tuple[Inlines, ...]
    total: bool = False  # a "Grand Total" row, set in bold


@dataclass(frozen=True)
class Table:
    """A computed table: every cell is already formatted text (thousands, %, £ decided here)."""

    number: int
    caption: str
    headers: tuple[str, ...]
    align: tuple[Align, ...]
    rows: tuple[TableRow, ...]
    notes: str | None = None  # "Source: …" line under the table
    landscape: bool = False  # wide tables go on a landscape page
    id: str = ""

    @property
    def label(self) -> str:
        return f"Table {self.number}: {self.caption}"


@dataclass(frozen=True)
class HeatMapCell:
    likelihood: str
    impact: str
    current: tuple[str, ...]  # refs of risks whose current position is this cell
    target: tuple[str, ...]  # refs of risks whose target position is this cell


@dataclass(frozen=True)
class Figure:
    """A chart: the same picture as SVG (PDF, vector) and PNG (DOCX), with its alt text."""

    number: int
    caption: str
    alt: str
    svg: bytes
    png: bytes
    width_mm: float
    height_mm: float
    landscape: bool = False
    id: str = ""
    heat_map: tuple[HeatMapCell, ...] = ()  # for a risk heat map: which refs sit in which cell

    @property
    def label(self) -> str:
        return f"Figure {self.number}: {self.caption}"


Block = Paragraph | Heading | ItemList | Table | Figure


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
    blocks: tuple[Block, ...] = ()  # content printed after the paper's body, from a new page

    @property
    def landscape(self) -> bool:
        """An appendix opening with a wide table starts on a landscape page."""
        return bool(self.blocks) and isinstance(self.blocks[0], Table | Figure) and self.blocks[0].landscape


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
    contents: bool = False  # list the numbered sections, with their pages, after the summary

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
