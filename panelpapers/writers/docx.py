"""DOCX with python-docx, starting from templates/reference.docx: every paragraph names a style
from that file, so a designer restyles the papers in Word without touching code."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from panelpapers.model import (
    Block,
    Emph,
    Heading,
    Inlines,
    ItemList,
    LineBreak,
    Link,
    Paper,
    Paragraph,
    Strong,
    Text,
)
from panelpapers.writers import TEMPLATES
from panelpapers.writers.docx_xml import add_field, add_hyperlink, fix_zip_times

REFERENCE_DOCX = TEMPLATES / "reference.docx"
MASTHEADS = {
    "MOPAC": ["MOPAC  MAYOR OF LONDON · OFFICE FOR POLICING AND CRIME"],
    "MPS": ["MET  METROPOLITAN POLICE SERVICE"],
    "joint": ["MOPAC  MAYOR OF LONDON · OFFICE FOR POLICING AND CRIME", "MET  METROPOLITAN POLICE SERVICE"],
}


def add_inlines(paragraph: Any, inlines: Inlines, bold: bool = False, italic: bool = False) -> None:
    for node in inlines:
        if isinstance(node, Text):
            run = paragraph.add_run(node.text)
            run.bold = bold or None
            run.italic = italic or None
        elif isinstance(node, LineBreak):
            paragraph.add_run().add_break()
        elif isinstance(node, Strong):
            add_inlines(paragraph, node.children, True, italic)
        elif isinstance(node, Emph):
            add_inlines(paragraph, node.children, bold, True)
        elif isinstance(node, Link):
            from panelpapers.model import plain_text

            add_hyperlink(paragraph, node.href, plain_text(node.children), bold, italic)


def add_list(doc: Any, item_list: ItemList, depth: int = 0) -> None:
    style = "Bullet Item" if item_list.style == "bullet" else ("List Item" if depth == 0 else "List Item 2")
    for item in item_list.items:
        paragraph = doc.add_paragraph(style=style)
        paragraph.add_run(f"{item.marker}\t")
        add_inlines(paragraph, item.content)
        if item.sublist:
            add_list(doc, item.sublist, depth + 1)


def add_blocks(doc: Any, blocks: tuple[Block, ...]) -> None:
    for block in blocks:
        if isinstance(block, Heading):
            add_inlines(doc.add_paragraph(style="Heading 2"), block.content)
        elif isinstance(block, ItemList):
            add_list(doc, block)
        elif isinstance(block, Paragraph):
            paragraph = doc.add_paragraph(style="Numbered Paragraph" if block.number else "Normal")
            if block.number:
                paragraph.add_run(f"{block.number}.\t")
            if block.lead:
                add_inlines(paragraph, block.lead, bold=True)
                paragraph.add_run(" ")
            add_inlines(paragraph, block.content)
            if block.items:
                add_list(doc, block.items)


def set_page_furniture(doc: Any, paper: Paper) -> None:
    for section in doc.sections:
        header = section.header.paragraphs[0]
        header.style = doc.styles["Marking Header"]
        header.add_run(f"\t{paper.marking}\t{'DRAFT' if paper.status == 'draft' else ''}")
        footer = section.footer.paragraphs[0]
        footer.style = doc.styles["Marking Footer"]
        footer.add_run(f"\t{paper.marking}\t")
        footer.add_run("Page ").bold = False
        add_field(footer, "PAGE")
        footer.add_run(" of ").bold = False
        add_field(footer, "NUMPAGES")


def set_properties(doc: Any, paper: Paper) -> None:
    # Dates come from the meeting, never the clock, so two builds are byte-identical.
    when = dt.datetime.combine(paper.date, dt.time(0, 0))
    props = doc.core_properties
    props.title = paper.title
    props.author = paper.author
    props.last_modified_by = paper.author
    props.subject = f"{paper.meeting}, {paper.date_text}"
    props.keywords = paper.marking
    props.category = paper.marking
    props.comments = f"Report by: {paper.report_by}"
    props.created = when
    props.modified = when
    props.revision = 1
    props.language = "en-GB"


def render_docx(paper: Paper) -> bytes:
    from docx import Document

    doc = Document(str(REFERENCE_DOCX))
    body = doc.element.body
    for child in list(body):
        if child.tag.endswith("}p") or child.tag.endswith("}tbl"):
            body.remove(child)

    for line in MASTHEADS[paper.organisation]:
        doc.add_paragraph(line, style="Masthead")
    doc.add_paragraph(paper.meeting.upper(), style="Panel Name")
    doc.add_paragraph(paper.date_text, style="Meeting Date")
    doc.add_paragraph(paper.title, style="Paper Title")
    doc.add_paragraph(f"Report by: {paper.report_by}", style="Report By")

    box = doc.add_table(rows=1, cols=1)
    box.style = doc.styles["Table Grid"]
    cell = box.cell(0, 0)
    page = doc.sections[0]
    assert page.page_width and page.left_margin and page.right_margin  # set in reference.docx
    cell.width = page.page_width - page.left_margin - page.right_margin
    cell.paragraphs[0].text = "Report Summary"
    cell.paragraphs[0].style = doc.styles["Summary Heading"]
    for part in paper.summary:
        cell.add_paragraph(part.title, style="Summary Part")
        add_blocks(cell, part.blocks)
    cell.add_paragraph("Recommendations", style="Summary Part")
    cell.add_paragraph(paper.recommendations_lead)
    for item in paper.recommendations.items:
        paragraph = cell.add_paragraph(style="Recommendation")
        paragraph.add_run(f"{item.marker}\t")
        add_inlines(paragraph, item.content)

    for section in paper.sections:
        doc.add_paragraph(f"{section.number}. {section.title}", style="Heading 1")
        add_blocks(doc, section.blocks)

    set_page_furniture(doc, paper)
    set_properties(doc, paper)
    out = io.BytesIO()
    doc.save(out)
    return fix_zip_times(out.getvalue())


class DocxWriter:
    name = "docx"
    suffix = ".docx"

    def render(self, paper: Paper) -> bytes:
        return render_docx(paper)
