"""The resolved, format-neutral document: numbers, labels and text are decided here, once, so the
PDF and the DOCX cannot disagree. Holds no HTML and no Word XML."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from panelpapers.errors import Location
from panelpapers.house import House, Masthead, Wording

# Where text was written ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where a piece of text was written: a file of the paper's folder ("summary.yaml") and the path to
    its value in that file (("purpose", 0)). Writers may name it, so that a reviewer's edit to the
    printed text can be traced back to the value it came from."""

    file: str
    key: tuple[str | int, ...]

    @property
    def pointer(self) -> str:
        """The key as a JSON pointer, "/purpose/0"."""
        return "".join(f"/{str(part).replace('~', '~0').replace('/', '~1')}" for part in self.key)


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
    source: Source | None = None  # where `content` was written


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
    source: Source | None = None  # where `content` was written
    lead_source: Source | None = None


@dataclass(frozen=True)
class Heading:
    content: Inlines
    level: int = 1  # 1: a group's heading; 2 and 3: headings of groups nested under it
    source: Source | None = None


Align = Literal["left", "right", "center"]


@dataclass(frozen=True)
class TableRow:
    cells: tuple[Inlines, ...]
    total: bool = False  # a "Grand Total" row, set in bold
    # With the table's `group_column`: how many rows this row's group label spans, from this row
    # down (one cell, a row header); 0 inside a group begun above, whose cell covers this row.
    group_rows: int = 1


@dataclass(frozen=True)
class HeaderGroup:
    """A heading over several adjacent columns ("2021/22" over its four quarters); an empty label
    over columns that belong to no group."""

    label: str
    span: int


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
    label: str = ""  # "Table 2: …", set when the table is placed and numbered
    header_groups: tuple[HeaderGroup, ...] = ()  # a spanning header row above `headers`
    group_column: int | None = None  # the column whose repeated values are one spanning row header
    row_headers: bool = False  # the first column's cells head their rows
    markup_columns: tuple[int, ...] = ()  # columns whose cells are inline markup, parsed when placed
    source: Source | None = None  # its declaration in data.yaml, set when placed
    data_files: tuple[str, ...] = ()  # the data files its cells are computed from, set when placed


@dataclass(frozen=True)
class HeatMapCell:
    likelihood: str
    impact: str
    current: tuple[str, ...]  # refs of risks whose current position is this cell
    target: tuple[str, ...]  # refs of risks whose target position is this cell


@dataclass(frozen=True)
class ChartData:
    """The numbers a chart draws, as formatted text: printed as a table beside the chart where a reader
    may not see the picture (the public HTML edition)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    """A chart: the same picture as SVG (PDF, vector) and PNG (DOCX), with its alt text. Printed as
    "Figure N"; the numbers quoted in text are called figures elsewhere, never charts."""

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
    label: str = ""  # "Figure 1: …", set when the chart is placed and numbered
    data: ChartData | None = None  # what it draws, as a table
    source: Source | None = None  # its declaration in data.yaml, set when placed
    data_files: tuple[str, ...] = ()  # the data files it is drawn from, set when placed


@dataclass(frozen=True)
class Image:
    """A picture from the paper's folder (a diagram, an organisation chart): PNG, JPEG or a checked
    SVG, sized to the text width. With a caption it is numbered as a Figure, like the charts."""

    media_type: str  # image/png | image/jpeg | image/svg+xml
    data: bytes
    alt: str
    width_mm: float
    height_mm: float
    caption: str = ""
    number: int = 0
    label: str = ""  # "Figure 3: …", set when placed if it has a caption
    alt_source: Source | None = None
    caption_source: Source | None = None


Block = Paragraph | Heading | ItemList | Table | Chart | Image


@dataclass(frozen=True)
class Section:
    number: str  # "3"
    title: str
    blocks: tuple[Block, ...]
    marking: str  # of what it prints; pages holding it carry this marking or a higher one
    title_source: Source | None = None  # None for a title the house gives


# The paper --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Appendix:
    ref: str
    title: str
    marking: str
    blocks: tuple[Block, ...] = ()  # content printed after the paper's body, from a new page
    heading: str = ""  # "Appendix A – Risk register (OFFICIAL)", printed above its content
    withheld: bool = False  # left out of this variant: only its letter and marking are printed
    note: str = ""  # after its title in the list and the heading: its exemption, or "Released on …"
    short_title: str | None = None  # in the list of appendices, instead of the title
    title_source: Source | None = None

    @property
    def landscape(self) -> bool:
        """An appendix opening with a wide table starts on a landscape page."""
        return bool(self.blocks) and isinstance(self.blocks[0], Table | Chart) and self.blocks[0].landscape


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
    report_by: Inlines  # inline markup, like any text: a line break stays a line break
    organisation: str
    masthead: Masthead
    marking: str
    status: Literal["draft", "final"]
    author: str
    summary: tuple[SummaryPart, ...]
    recommendations_lead: str
    recommendations: ItemList
    sections: tuple[Section, ...]
    appendices: tuple[Appendix, ...]
    background_papers: tuple[str, ...]
    house: House  # the house style it is printed in: markings, fixed words
    contents: bool = False  # list the numbered sections, with their pages, after the summary
    date_with_weekday: bool = False  # "Monday 17 January 2022"
    title_source: Source | None = None
    report_by_source: Source | None = None
    # What the paper was made from: (file relative to the content folder, sha256), as its manifest lists.
    inputs: tuple[tuple[str, str], ...] = ()
    version_note: str = ""  # "Version 2 – corrected 20 January 2022", on a paper corrected after publication

    @property
    def words(self) -> Wording:
        return self.house.wording

    @property
    def date_text(self) -> str:
        return self.words.date_text(self.date, weekday=self.date_with_weekday)

    @property
    def recommendations_heading(self) -> str:
        """The heading "Recommendations", or "Recommendation" above a paper's only one."""
        single = len(self.recommendations.items) == 1
        return self.words.recommendation if single else self.words.recommendations

    @property
    def report_by_line(self) -> Inlines:
        """The cover's "Report by: …", with the author's markup kept (bold, a line break)."""
        before, found, after = self.words.report_by.partition("{report_by}")
        parts = (Text(before.format()), *(self.report_by if found else ()), Text(after.format()))
        return tuple(part for part in parts if not (isinstance(part, Text) and not part.text))

    @property
    def highest_marking(self) -> str:
        """The marking of everything the paper prints, appendices' content included: its cover, its
        manifest entry and its row on the restricted front sheet carry this."""
        return self.house.highest([self.marking, *(a.marking for a in self.appendices if a.blocks)])

    @property
    def status_line(self) -> str | None:
        """Printed on the cover under the title, as the house sets it for the paper's marking."""
        return self.house.marking(self.highest_marking).status_line

    def furniture(self, marking: str) -> str:
        """What the top and bottom of a page of this marking say."""
        return self.house.marking(marking).header

    def numbered_paragraphs(self) -> list[Paragraph]:
        return [
            block
            for section in self.sections
            for block in section.blocks
            if isinstance(block, Paragraph) and block.number
        ]


def format_date(date: dt.date, weekday: bool = False) -> str:
    """A date as the papers print it, "17 January 2022", or with `weekday` "Monday 17 January 2022"."""
    return f"{date:%A} {date.day} {date:%B %Y}" if weekday else f"{date.day} {date:%B %Y}"


# The meeting and its front sheet ---------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    name: str
    role: str | None


@dataclass(frozen=True)
class AttendeeGroup:
    organisation: str
    people: tuple[str, ...]


@dataclass(frozen=True)
class AgendaItem:
    number: int  # 1, 2, … in agenda order, the same in every variant
    title: str  # the oral item's words, or the paper's title
    presenter: str | None
    paper: str | None  # the paper's folder name; None for an oral item
    withheld_note: str = ""  # a paper withheld from the public variant: its exemption, after "Paper not published"


@dataclass(frozen=True)
class Meeting:
    slug: str  # the folder name, e.g. "2022-01-17-audit-panel"
    panel: str
    date: dt.date
    time: str
    venue: str
    membership: tuple[Member, ...]
    attendees: tuple[AttendeeGroup, ...]
    audit_representatives: tuple[str, ...]
    contact_name: str
    contact_email: str
    next_meeting: dt.date | None
    items: tuple[AgendaItem, ...]
    location: Location  # meeting.yaml
    masthead: Masthead
    house: House
    version_note: str = ""  # on the front sheet of a corrected version: "Version 2 – corrected …"

    @property
    def words(self) -> Wording:
        return self.house.wording

    @property
    def when_text(self) -> str:
        words = self.words
        with_weekday, plain = words.date_text(self.date, weekday=True), words.date_text(self.date)
        return words.meeting_when.format(date_with_weekday=with_weekday, date=plain, time=self.time)

    @property
    def next_meeting_text(self) -> str | None:
        return self.words.date_text(self.next_meeting) if self.next_meeting else None


@dataclass(frozen=True)
class AgendaRow:
    number: int
    title: str
    presenter: str | None
    page: str  # "12", "Oral", or "Not published" for a paper left out of this variant
    paper: str | None = None  # the paper's folder name when the paper is in this pack
    marking: str | None = None  # the paper's marking, where the front sheet shows it


@dataclass(frozen=True)
class FrontSheet:
    """The agenda front sheet of one pack variant."""

    meeting: Meeting
    marking: str  # the highest marking of anything in the pack
    draft: bool  # any paper in the pack is a draft
    rows: tuple[AgendaRow, ...]

    @property
    def furniture(self) -> str:
        """What the top and bottom of the front sheet's pages say."""
        return self.meeting.house.marking(self.marking).header
