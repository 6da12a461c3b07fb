"""The meeting pack of one variant: the agenda front sheet with the page where each paper starts,
then every paper as already rendered. Page numbers come from the rendered PDFs themselves, and the
front sheet is rendered again until its own length stops moving them. The pack carries bookmarks for
every agenda item and every paper's sections, page labels, and a pack page number on every page."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panelpapers.model import FrontSheet, Meeting, Paper
from panelpapers.pack.front_sheet import front_sheet

if TYPE_CHECKING:
    from panelpapers.render.pdf import Printer

PACK_FILE = "pack.pdf"
AGENDA_FILE = "agenda.docx"
# A longer front sheet pushes papers later, which can only lengthen page numbers by a digit or so:
# it settles in two rounds in practice; more means something is wrong.
MAX_ROUNDS = 5


@dataclass(frozen=True)
class Pack:
    sheet: FrontSheet
    pdf: bytes
    agenda_docx: bytes
    pages: int


@dataclass(frozen=True)
class Bookmark:
    title: str
    page: int  # zero-based page index within its own PDF
    children: tuple[Bookmark, ...] = ()


def _reader(pdf: bytes) -> Any:
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(pdf))


def first_pages(front_pages: int, papers: list[tuple[Paper, int]]) -> dict[str, int]:
    """One-based pack page on which each paper starts, papers following the front sheet in order."""
    starts: dict[str, int] = {}
    page = front_pages + 1
    for paper, pages in papers:
        starts[paper.slug] = page
        page += pages
    return starts


def settle_front_sheet(
    meeting: Meeting,
    papers: list[tuple[Paper, int]],
    show_markings: bool,
    templates: Path | None = None,
    printer: Printer | None = None,
) -> tuple[FrontSheet, bytes]:
    """Each round is laid out and its pages counted; only the round that settles is written as PDF."""
    from panelpapers.render.agenda_html import render_agenda_html
    from panelpapers.render.pdf import Printer

    printer = printer or Printer(templates)
    by_slug = {paper.slug: paper for paper, _ in papers}
    front_pages = 1
    for _ in range(MAX_ROUNDS):
        sheet = front_sheet(meeting, by_slug, first_pages(front_pages, papers), show_markings)
        html = render_agenda_html(sheet, templates)
        rendered_pages = printer.pages(html)
        if rendered_pages == front_pages:
            return sheet, printer.pdf(html)
        front_pages = rendered_pages
    raise RuntimeError(f"the front sheet of {meeting.slug} did not settle in {MAX_ROUNDS} rounds")


def paper_bookmarks(reader: Any) -> tuple[Bookmark, ...]:
    """A paper's own outline (WeasyPrint makes it from the headings), without the title entry on
    top: in the pack the agenda item stands in for the title."""

    def convert(entries: list[Any]) -> list[Bookmark]:
        out: list[Bookmark] = []
        for entry in entries:
            if isinstance(entry, list):
                if out:
                    last = out[-1]
                    out[-1] = Bookmark(last.title, last.page, tuple(convert(entry)))
            else:
                out.append(Bookmark(str(entry.title), reader.get_destination_page_number(entry)))
        return out

    roots = convert(reader.outline)
    if len(roots) == 1:
        return roots[0].children
    return tuple(roots)


def add_bookmarks(writer: Any, bookmarks: tuple[Bookmark, ...], offset: int, parent: Any) -> None:
    for mark in bookmarks:
        node = writer.add_outline_item(title=mark.title, page_number=mark.page + offset, parent=parent, is_open=False)
        add_bookmarks(writer, mark.children, offset, node)


def pin_internal_links(reader: Any) -> None:
    """Points a paper's internal links (its contents, paragraph references) straight at their pages.
    WeasyPrint links by name, and every paper has a "section-1": merged, the names would collide and
    a link could land in another paper."""
    from pypdf.generic import ArrayObject, NameObject

    named = reader.named_destinations
    for page in reader.pages:
        for annotation in page.get("/Annots", []) or []:
            link = annotation.get_object()
            name = link.get("/Dest")
            if link.get("/Subtype") == "/Link" and isinstance(name, str) and name in named:
                link[NameObject("/Dest")] = ArrayObject(named[name].dest_array)


def stamp_page_numbers(
    writer: Any, pattern: str, templates: Path | None = None, printer: Printer | None = None
) -> None:
    """Overlays "Pack page N of T" on every page, from one rendered sheet of blank numbered pages."""
    from panelpapers.render.agenda_html import render_page_numbers_html
    from panelpapers.render.pdf import Printer

    sizes = [(round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) for page in writer.pages]
    html = render_page_numbers_html(sizes, pattern, templates)
    overlay = _reader((printer or Printer(templates)).pdf(html))
    for page, numbers in zip(writer.pages, overlay.pages, strict=True):
        page.merge_page(numbers)
        page.compress_content_streams()  # merging leaves the page's content uncompressed


def ready_for_pack(pdf: bytes) -> tuple[bytes, tuple[Bookmark, ...]]:
    """A paper's PDF as the pack takes it, made once per paper, with the bookmarks the pack gives
    it: internal links pointed at their pages, and without the structure tree (the pack is not
    tagged; see README). Reading a tagged PDF means parsing its whole structure tree, so a pack
    merged from these reads each paper in a fraction of the time, and a paper taken from the build
    cache brings its ready PDF and bookmarks along."""
    from pypdf import PdfWriter

    reader = _reader(pdf)
    bookmarks = paper_bookmarks(reader)
    pin_internal_links(reader)
    writer = PdfWriter()
    writer.append(reader, import_outline=True)
    writer.root_object.pop("/StructTreeRoot", None)
    writer.root_object.pop("/MarkInfo", None)
    for page in writer.pages:
        page.pop("/StructParents", None)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), bookmarks


def merge(
    sheet: FrontSheet,
    front_pdf: bytes,
    papers: list[tuple[Paper, bytes]],
    templates: Path | None = None,
    printer: Printer | None = None,
    bookmarks: dict[str, tuple[Bookmark, ...]] | None = None,
) -> bytes:
    """`bookmarks`: each paper's, by folder name, where known (`ready_for_pack`); else read from its PDF."""
    from pypdf import PdfWriter
    from pypdf.constants import PageLabelStyle
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter()
    writer.append(_reader(front_pdf), import_outline=False)
    outlines: dict[str, tuple[Bookmark, ...]] = {}
    for paper, pdf in papers:
        reader = _reader(pdf)
        known = bookmarks.get(paper.slug) if bookmarks is not None else None
        outlines[paper.slug] = known if known is not None else paper_bookmarks(reader)
        pin_internal_links(reader)
        writer.append(reader, import_outline=False)
    writer.root_object.pop("/Names", None)  # the papers' destination names clash; links no longer use them
    meeting = sheet.meeting
    words = meeting.words
    stamp_page_numbers(writer, words.pack_page_number, templates, printer)

    writer.add_outline_item(title=words.pack_agenda_bookmark, page_number=0)
    for row in sheet.rows:
        if row.paper is None:
            writer.add_outline_item(title=f"{row.number}. {row.title}", page_number=0)  # oral: its front sheet line
            continue
        start = int(row.page) - 1
        item = writer.add_outline_item(title=f"{row.number}. {row.title}", page_number=start, is_open=False)
        add_bookmarks(writer, outlines[row.paper], start, item)
    # Labels say the pack page number a reader sees stamped on the page and in the agenda.
    writer.set_page_label(0, len(writer.pages) - 1, style=PageLabelStyle.DECIMAL, start=1)
    writer.page_mode = "/UseOutlines"
    writer.root_object[NameObject("/Lang")] = TextStringObject("en-GB")  # as each paper declares
    writer.add_metadata(
        {
            "/Title": words.pack_title.format(panel=meeting.panel, when=meeting.when_text),
            "/Author": meeting.contact_name,
            "/Subject": words.pack_subject.format(panel=meeting.panel),
            "/Keywords": sheet.marking,
            "/Producer": "panelpapers",
        }
    )
    writer.compress_identical_objects()  # e.g. the same font subset or logo repeated by each paper
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render_pack(
    meeting: Meeting,
    papers: list[tuple[Paper, bytes]],
    show_markings: bool,
    templates: Path | None = None,
    pages: list[int] | None = None,
    printer: Printer | None = None,
    bookmarks: dict[str, tuple[Bookmark, ...]] | None = None,
) -> Pack:
    """`papers` are one variant's papers with their rendered PDFs (or those PDFs made ready by
    `ready_for_pack`); the pack follows agenda order. `show_markings`: the front sheet says each
    paper's marking (the restricted pack). `pages`: each paper's page count, in the order of
    `papers`, if the caller knows it (else the PDFs are read). `printer`: how the front sheet and
    the page numbers are printed (default: through WeasyPrint, every time). `bookmarks`: each
    paper's, where known (else read from its PDF)."""
    from panelpapers.render.agenda_docx import render_agenda_docx

    order = {item.paper: index for index, item in enumerate(meeting.items) if item.paper}
    known = pages if pages is not None else [len(_reader(pdf).pages) for _, pdf in papers]
    entries = sorted(zip(papers, known, strict=True), key=lambda entry: order[entry[0][0].slug])
    papers = [paper for paper, _ in entries]
    counted = [(paper, count) for (paper, _), count in entries]
    sheet, front_pdf = settle_front_sheet(meeting, counted, show_markings, templates, printer)
    pdf = merge(sheet, front_pdf, papers, templates, printer, bookmarks)
    front_pages = min((int(row.page) for row in sheet.rows if row.paper), default=1) - 1 if counted else None
    total = (front_pages + sum(count for _, count in counted)) if front_pages is not None else len(_reader(pdf).pages)
    return Pack(sheet, pdf, render_agenda_docx(sheet, templates), total)
