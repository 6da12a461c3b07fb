"""The review record: a format-neutral JSON account of one paper (or front sheet), written beside its
PDF and DOCX from the same resolved model. It holds what a reviewer compares (headings, numbered
paragraphs, recommendations, table cells, chart digests, marking, status) and nothing of how the
templates look, so restyling `templates/` cannot change what `panelpapers diff` reports.

`Record` is the file's typed model: written from it and read back through it, with the version of
its format in `format`. A record of another format is refused with one line saying to rebuild."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from panelpapers.model import (
    Block,
    Chart,
    FrontSheet,
    Heading,
    Image,
    Inlines,
    ItemList,
    Paper,
    Paragraph,
    Table,
    plain_text,
)

RECORD_SUFFIX = ".review.json"
RECORD_FORMAT = 1  # bumped when the structure below changes; a reader refuses other formats
PASSAGE_KINDS = ("section", "heading", "paragraph", "recommendation", "item", "text", "table", "chart")


@dataclass(frozen=True)
class TableCells:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    labels: tuple[str, ...] = ()  # what each row is called ("1 VIOLENT CRIME"), to name cells by


@dataclass(frozen=True)
class Passage:
    """One thing a reviewer would point at: a paragraph, a heading, a recommendation, a table …"""

    kind: str  # one of PASSAGE_KINDS
    section: str  # the title of the section it sits in
    number: str  # "1.3" for numbered paragraphs, "a" for recommendations, "" otherwise
    text: str
    table: TableCells | None = None
    image: str = ""  # digest of a chart's picture: a chart can change while its caption does not
    caption: str = ""  # "Table 2: Corporate risk register …" for tables and charts


class Record(BaseModel):
    """One `<paper>.review.json` (or `agenda.review.json`), as written and as read back."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    format: int = RECORD_FORMAT
    title: str
    marking: str
    status: Literal["draft", "final"]
    passages: tuple[Passage, ...]

    @field_validator("passages")
    @classmethod
    def known_kinds(cls, passages: tuple[Passage, ...]) -> tuple[Passage, ...]:
        for index, passage in enumerate(passages):
            if passage.kind not in PASSAGE_KINDS:
                kinds = ", ".join(PASSAGE_KINDS)
                raise ValueError(f"passage {index}: expected a kind, one of {kinds}; got {passage.kind!r}")
        return passages


def squash(text: str) -> str:
    return " ".join(text.split())


def words(inlines: Inlines) -> str:
    return squash(plain_text(inlines))


# Writing -------------------------------------------------------------------------------------------


def paper_record(paper: Paper) -> Record:
    words_ = paper.words
    out: list[Passage] = [
        Passage("text", "", "", squash(paper.meeting.upper())),
        Passage("text", "", "", paper.date_text),
        Passage("text", "", "", words(paper.report_by_line)),
    ]
    summary = words_.report_summary
    for part in paper.summary:
        out.append(Passage("heading", summary, "", part.title))
        out.extend(block_passages(part.blocks, summary))
    out.append(Passage("heading", summary, "", paper.recommendations_heading))
    if paper.recommendations_lead:
        out.append(Passage("text", summary, "", squash(paper.recommendations_lead)))
    for item in paper.recommendations.items:
        out.append(Passage("recommendation", summary, item.marker.rstrip(".)"), words(item.content)))
    for section in paper.sections:
        out.append(Passage("section", section.title, section.number, section.title))
        out.extend(block_passages(section.blocks, section.title))
    for appendix in paper.appendices:
        if appendix.blocks:
            out.append(Passage("heading", appendix.heading, "", appendix.heading))
            out.extend(block_passages(appendix.blocks, appendix.heading))
    return Record(title=paper.title, marking=paper.highest_marking, status=paper.status, passages=tuple(out))


def block_passages(blocks: tuple[Block, ...], section: str) -> list[Passage]:
    out: list[Passage] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            text = squash(" ".join(part for part in (words(block.lead), words(block.content)) if part))
            if block.items:
                text = squash(f"{text} {list_text(block.items)}")
            out.append(Passage("paragraph" if block.number else "text", section, block.number or "", text))
        elif isinstance(block, Heading):
            out.append(Passage("heading", section, "", words(block.content)))
        elif isinstance(block, ItemList):
            out.extend(item_passages(block, section))
        elif isinstance(block, Table):
            out.append(table_passage(block, section))
            if block.notes:
                out.append(Passage("text", section, "", squash(block.notes)))
        elif isinstance(block, Chart):
            digest = hashlib.sha256(block.svg).hexdigest()[:16]
            out.append(Passage("chart", section, "", block.label, image=digest, caption=block.label))
        elif isinstance(block, Image):  # compared like a chart: by its caption and its picture
            digest = hashlib.sha256(block.data).hexdigest()[:16]
            out.append(Passage("chart", section, "", block.label or block.alt, image=digest, caption=block.label))
    return out


def list_text(items: ItemList) -> str:
    parts: list[str] = []
    for item in items.items:
        parts.append(f"{item.marker} {words(item.content)}")
        if item.sublist:
            parts.append(list_text(item.sublist))
    return " ".join(parts)


def item_passages(items: ItemList, section: str) -> list[Passage]:
    out: list[Passage] = []
    for item in items.items:
        out.append(Passage("item", section, "", squash(f"{item.marker} {words(item.content)}")))
        if item.sublist:
            out.extend(item_passages(item.sublist, section))
    return out


def table_passage(table: Table, section: str) -> Passage:
    rows = tuple(tuple(words(cell) for cell in row.cells) for row in table.rows)
    labels = tuple(row_label(row.cells) for row in table.rows)
    text = squash(" ".join([table.label, *table.headers, *(" ".join(row) for row in rows)]))
    cells = TableCells(table.label, table.headers, rows, labels)
    return Passage("table", section, "", text, table=cells, caption=table.label)


def row_label(cells: tuple[Inlines, ...]) -> str:
    """The first cell names the row; a bare reference number borrows the first wordy cell's opening
    ("1" becomes "1 VIOLENT CRIME") so that a reviewer knows which row is meant."""
    if not cells:
        return ""
    first = opening(cells[0])
    if len(first) <= 3:
        for cell in cells[1:]:
            text = opening(cell)
            if len(text) > 3 and any(ch.isalpha() for ch in text):
                return f"{first} {text}".strip()  # an empty first cell: a row group's later rows
    return first


def opening(cell: Inlines) -> str:
    """A cell's words up to its first line break."""
    return squash(plain_text(cell).split("\n", 1)[0])


def front_sheet_record(sheet: FrontSheet) -> Record:
    """The agenda as a reviewer reads it; the Page column follows the papers' length and is left out."""
    meeting = sheet.meeting
    words_ = meeting.words
    out = [
        Passage("heading", "", "", meeting.panel.upper()),
        Passage("text", "", "", meeting.when_text),
        Passage("text", "", "", meeting.venue),
        Passage("heading", words_.membership, "", words_.membership),
    ]
    out += [
        Passage("text", words_.membership, "", f"{m.name} ({m.role})" if m.role else m.name) for m in meeting.membership
    ]
    if meeting.attendees:
        out.append(Passage("heading", words_.attendees, "", words_.attendees))
        for group in meeting.attendees:
            out.append(Passage("text", words_.attendees, "", f"{group.organisation}: {', '.join(group.people)}"))
    if meeting.audit_representatives:
        heading = words_.audit_representatives
        out.append(Passage("heading", heading, "", heading))
        out += [Passage("text", heading, "", person) for person in meeting.audit_representatives]
    rows = tuple(
        (squash(" ".join(part for part in (f"{row.number}. {row.title}", row.presenter, row.marking) if part)),)
        for row in sheet.rows
    )
    header = (words_.item_column,)
    text = squash(" ".join([*header, *(row[0] for row in rows)]))
    table = TableCells("", header, rows, tuple(row[0] for row in rows))
    out.append(Passage("table", words_.business, "", text, table=table))
    contact = f"{words_.contact} {meeting.contact_name} {meeting.contact_email}"
    out.append(Passage("text", words_.business, "", contact))
    if meeting.next_meeting_text:
        out.append(Passage("text", words_.business, "", words_.next_meeting.format(date=meeting.next_meeting_text)))
    title = words_.agenda_docx_title.format(panel=meeting.panel)
    return Record(title=title, marking=sheet.marking, status="draft" if sheet.draft else "final", passages=tuple(out))


def record_json(record: Record) -> bytes:
    data = record.model_dump(mode="json")
    return (json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


# Reading -------------------------------------------------------------------------------------------


class RecordError(ValueError):
    """A record that cannot be read: damaged, or written by another version of the format."""


def read_record(path: Path) -> Record:
    """The record in `path`; RecordError with one line if it is unreadable, damaged or of another format."""
    try:
        text = path.read_bytes()
        data = json.loads(text)
    except (OSError, ValueError) as err:
        raise RecordError(f"{path}: cannot read review record: {err}") from None
    # The format is looked at first: a record of another format is told as that, not as damage.
    found = data.get("format", "missing") if isinstance(data, dict) else "missing"
    if type(found) is not int or found != RECORD_FORMAT:
        shown = found if found == "missing" else json.dumps(found, ensure_ascii=False)
        raise RecordError(
            f"{path}: review record format {shown} is not one this panelpapers reads ({RECORD_FORMAT}); "
            "rebuild the drafts"
        )
    try:
        return Record.model_validate_json(text)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the record"
        raise RecordError(f"{path}: damaged review record: {where}: {first['msg']}; rebuild the drafts") from None
