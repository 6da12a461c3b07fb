"""The agenda front sheet as DOCX, from the same FrontSheet as the PDF. Its page numbers are plain
text decided by the pack, never a Word field that someone must remember to refresh."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from panelpapers.agenda import FrontSheet
from panelpapers.writers.docx import MASTHEADS, REFERENCE_DOCX
from panelpapers.writers.docx_xml import add_field, add_hyperlink, fix_zip_times


def add_people(doc: Any, heading: str, people: list[str]) -> None:
    doc.add_paragraph(heading, style="Heading 1")
    for person in people:
        doc.add_paragraph(person, style="Agenda Entry")


def add_business(doc: Any, sheet: FrontSheet) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc.add_paragraph("Business to be considered", style="Heading 1")
    table = doc.add_table(rows=1, cols=2)
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    usable = doc.sections[0].page_width - doc.sections[0].left_margin - doc.sections[0].right_margin
    page_width = usable // 6
    widths = (usable - page_width, page_width)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid LibreOffice reads; Word reads the cells' widths
    for cell, text, width in zip(table.rows[0].cells, ("Item", "Page"), widths, strict=True):
        cell.width = width
        cell.paragraphs[0].add_run(text).bold = True
    table.rows[0].cells[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in sheet.rows:
        item, page = table.add_row().cells
        item.width, page.width = widths
        item.paragraphs[0].add_run(f"{row.number}. {row.title}")
        if row.presenter:
            item.add_paragraph(row.presenter).runs[0].italic = True
        page.paragraphs[0].add_run(row.page)
        page.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def set_furniture(doc: Any, sheet: FrontSheet) -> None:
    for section in doc.sections:
        header = section.header.paragraphs[0]
        header.style = doc.styles["Marking Header"]
        header.add_run(f"\t{sheet.marking}\t{'DRAFT' if sheet.draft else ''}")
        footer = section.footer.paragraphs[0]
        footer.style = doc.styles["Marking Footer"]
        footer.add_run(f"\t{sheet.marking}\tPage ")
        add_field(footer, "PAGE")
        footer.add_run(" of ")
        add_field(footer, "NUMPAGES")


def set_properties(doc: Any, sheet: FrontSheet) -> None:
    # Dates come from the meeting, never the clock, so two builds are byte-identical.
    meeting = sheet.meeting
    when = dt.datetime.combine(meeting.date, dt.time(0, 0))
    props = doc.core_properties
    props.title = f"{meeting.panel}: agenda"
    props.author = meeting.contact_name
    props.last_modified_by = meeting.contact_name
    props.subject = f"{meeting.panel}, {meeting.when_text}"
    props.keywords = sheet.marking
    props.category = sheet.marking
    props.comments = ""
    props.created = when
    props.modified = when
    props.revision = 1
    props.language = "en-GB"


def render_agenda_docx(sheet: FrontSheet) -> bytes:
    from docx import Document

    meeting = sheet.meeting
    doc = Document(str(REFERENCE_DOCX))
    body = doc.element.body
    for child in list(body):
        if child.tag.endswith("}p") or child.tag.endswith("}tbl"):
            body.remove(child)

    for line in MASTHEADS["joint"]:
        doc.add_paragraph(line, style="Masthead")
    doc.add_paragraph(meeting.panel.upper(), style="Panel Name")
    doc.add_paragraph(meeting.when_text, style="Meeting Date").runs[0].bold = True
    doc.add_paragraph(meeting.venue, style="Agenda Entry")
    add_people(doc, "Membership", [f"{m.name} ({m.role})" if m.role else m.name for m in meeting.membership])
    if meeting.attendees:
        doc.add_paragraph("Attendees", style="Heading 1")
        for group in meeting.attendees:
            doc.add_paragraph(group.organisation, style="Summary Part")
            for person in group.people:
                doc.add_paragraph(person, style="Agenda Entry")
    if meeting.audit_representatives:
        add_people(doc, "Audit Representatives", list(meeting.audit_representatives))
    add_business(doc, sheet)

    contact = doc.add_paragraph()
    contact.paragraph_format.space_before = doc.styles["Heading 1"].paragraph_format.space_before
    contact.add_run("Contact: ").bold = True
    contact.add_run(f"{meeting.contact_name} ")
    add_hyperlink(contact, f"mailto:{meeting.contact_email}", meeting.contact_email)
    if meeting.next_meeting_text:
        doc.add_paragraph().add_run(
            f"The next meeting of the Audit Panel is scheduled to be held on {meeting.next_meeting_text}"
        ).bold = True

    set_furniture(doc, sheet)
    set_properties(doc, sheet)
    out = io.BytesIO()
    doc.save(out)
    return fix_zip_times(out.getvalue())
