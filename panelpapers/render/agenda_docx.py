"""The agenda front sheet as DOCX, from the same FrontSheet as the PDF. Its page numbers are plain
text decided by the pack, never a Word field that someone must remember to refresh."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from panelpapers.model import FrontSheet
from panelpapers.render.docx import add_masthead, finish, new_document, set_page_furniture, set_properties
from panelpapers.render.docx_xml import add_hyperlink, repeat_as_header, set_outline_level


def add_people(doc: Any, heading: str, people: list[str]) -> None:
    doc.add_paragraph(heading, style="Heading 1")
    for person in people:
        doc.add_paragraph(person, style="Agenda Entry")


def add_attendees(doc: Any, groups: Sequence[Any]) -> None:
    """Each organisation as a heading with its people under it, one after another (the PDF front sheet
    sets them side by side; a table here would be a layout table that a screen reader reads as data)."""
    for group in groups:
        organisation = doc.add_paragraph(group.organisation, style="Summary Part")
        # Level 2 under the Attendees heading (Heading 1); in a paper the style is level 3.
        set_outline_level(organisation._p.get_or_add_pPr(), 1)
        for person in group.people:
            doc.add_paragraph(person, style="Agenda Entry")


def add_business(doc: Any, sheet: FrontSheet) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    words = sheet.meeting.words
    doc.add_paragraph(words.business, style="Heading 1")
    table = doc.add_table(rows=1, cols=2)
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    usable = doc.sections[0].page_width - doc.sections[0].left_margin - doc.sections[0].right_margin
    page_width = usable // 6
    widths = (usable - page_width, page_width)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid LibreOffice reads; Word reads the cells' widths
    for cell, text, width in zip(table.rows[0].cells, (words.item_column, words.page_column), widths, strict=True):
        cell.width = width
        cell.paragraphs[0].add_run(text).bold = True
    table.rows[0].cells[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    repeat_as_header(table.rows[0])  # a header row: repeated on each page and announced as headers
    for row in sheet.rows:
        item, page = table.add_row().cells
        item.width, page.width = widths
        item.paragraphs[0].style = page.paragraphs[0].style = doc.styles["Agenda Entry"]
        item.paragraphs[0].add_run(f"{row.number}. {row.title}")
        if row.presenter:
            item.add_paragraph(row.presenter, style="Agenda Entry").runs[0].italic = True
        if row.marking:
            item.add_paragraph(row.marking, style="Agenda Entry").runs[0].bold = True
        page.paragraphs[0].add_run(row.page)
        page.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def render_agenda_docx(sheet: FrontSheet, templates: Path | None = None) -> bytes:
    meeting = sheet.meeting
    words = meeting.words
    doc = new_document(templates, meeting.house.fonts)

    add_masthead(doc, meeting.masthead)
    title = doc.add_paragraph(meeting.panel.upper(), style="Panel Name")
    set_outline_level(title._p.get_or_add_pPr(), 0)  # the front sheet's title: a level 1 heading
    doc.add_paragraph(meeting.when_text, style="Meeting Date").runs[0].bold = True
    doc.add_paragraph(meeting.venue, style="Agenda Entry")
    if meeting.version_note:
        doc.add_paragraph(style="Agenda Entry").add_run(meeting.version_note).bold = True
    add_people(doc, words.membership, [f"{m.name} ({m.role})" if m.role else m.name for m in meeting.membership])
    if meeting.attendees:
        doc.add_paragraph(words.attendees, style="Heading 1")
        add_attendees(doc, meeting.attendees)
    if meeting.audit_representatives:
        add_people(doc, words.audit_representatives, list(meeting.audit_representatives))
    add_business(doc, sheet)

    contact = doc.add_paragraph()
    contact.paragraph_format.space_before = doc.styles["Heading 1"].paragraph_format.space_before
    contact.add_run(f"{words.contact} ").bold = True
    contact.add_run(f"{meeting.contact_name} ")
    add_hyperlink(contact, f"mailto:{meeting.contact_email}", meeting.contact_email)
    if meeting.next_meeting_text:
        doc.add_paragraph().add_run(words.next_meeting.format(date=meeting.next_meeting_text)).bold = True

    set_page_furniture(doc, [sheet.furniture], sheet.furniture, sheet.draft, words)
    set_properties(
        doc,
        title=words.agenda_docx_title.format(panel=meeting.panel),
        author=meeting.contact_name,
        subject=f"{meeting.panel}, {meeting.when_text}",
        marking=sheet.marking,
        date=meeting.date,
    )
    return finish(doc)
