"""The meeting pack of one variant: the agenda front sheet with the page where each paper starts,
then every paper as already rendered. Page numbers come from the rendered PDFs themselves, and the
front sheet is rendered again until its own length stops moving them. The pack carries bookmarks for
every agenda item and every paper's sections, page labels, and a pack page number on every page."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panelpapers.house import House
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


@dataclass(frozen=True)
class PageNumbering:
    """How a pack numbers its pages: a main pack from 1; a supplementary pack on from the main pack's
    last page, or lettered ("S1", "S2" …) from 1, as the house decides (`supplement_pages`)."""

    first: int = 1
    prefix: str = ""

    def label(self, index: int) -> str:
        """The page number printed for the pack's page at `index` (zero-based)."""
        return f"{self.prefix}{self.first + index}"


def page_count(pdf: bytes) -> int:
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as source:
        return len(source.pages)


def first_pages(front_pages: int, papers: list[tuple[Paper, int]], numbering: PageNumbering) -> dict[str, str]:
    """The pack page number on which each paper starts, papers following the front sheet in order."""
    starts: dict[str, str] = {}
    index = front_pages
    for paper, pages in papers:
        starts[paper.slug] = numbering.label(index)
        index += pages
    return starts


def settle_front_sheet(
    meeting: Meeting,
    papers: list[tuple[Paper, int]],
    show_markings: bool,
    templates: Path | None = None,
    printer: Printer | None = None,
    numbering: PageNumbering = PageNumbering(),
) -> tuple[FrontSheet, bytes, int]:
    """Each round is laid out and its pages counted; only the round that settles is written as PDF.
    Returns the front sheet, its PDF and its number of pages."""
    from panelpapers.render.agenda_html import render_agenda_html
    from panelpapers.render.pdf import Printer

    printer = printer or Printer(templates, meeting.house.fonts)
    by_slug = {paper.slug: paper for paper, _ in papers}
    front_pages = 1
    for _ in range(MAX_ROUNDS):
        sheet = front_sheet(meeting, by_slug, first_pages(front_pages, papers, numbering), show_markings)
        html = render_agenda_html(sheet, templates)
        rendered_pages = printer.pages(html)
        if rendered_pages == front_pages:
            return sheet, printer.pdf(html), front_pages
        front_pages = rendered_pages
    raise RuntimeError(f"the front sheet of {meeting.slug} did not settle in {MAX_ROUNDS} rounds")


def paper_bookmarks(source: Any) -> tuple[Bookmark, ...]:
    """A paper's own outline (WeasyPrint makes it from the headings), without the title entry on
    top: in the pack the agenda item stands in for the title. `source`: the paper, open in pikepdf."""
    import pikepdf

    from panelpapers.pack.structure import _name_tree

    page_index = {page.obj.objgen: index for index, page in enumerate(source.pages)}
    names = source.Root.get("/Names")
    named = dict(_name_tree(names.Dests)) if names is not None and "/Dests" in names else {}

    def page_of(entry: Any) -> int:
        target = entry.get("/Dest")
        if target is None and "/A" in entry:
            target = entry.A.get("/D")
        if isinstance(target, pikepdf.String):  # a named destination
            target = named[bytes(target)]
        if isinstance(target, pikepdf.Dictionary):
            target = target.D
        return page_index[target[0].objgen]

    def convert(entry: Any) -> tuple[Bookmark, ...]:
        out: list[Bookmark] = []
        while entry is not None:
            out.append(Bookmark(str(entry.Title), page_of(entry), convert(entry.get("/First"))))
            entry = entry.get("/Next")
        return tuple(out)

    outlines = source.Root.get("/Outlines")
    roots = convert(outlines.get("/First")) if outlines is not None else ()
    if len(roots) == 1:
        return roots[0].children
    return roots


def add_bookmarks(parent: list[Any], bookmarks: tuple[Bookmark, ...], offset: int) -> None:
    from pikepdf import OutlineItem

    for mark in bookmarks:
        item = OutlineItem(mark.title, mark.page + offset)
        item.is_closed = True
        add_bookmarks(item.children, mark.children, offset)
        parent.append(item)


def pin_internal_links(source: Any) -> None:
    """Points a paper's internal links (its contents, paragraph references) straight at their pages.
    WeasyPrint links by name, and every paper has a "section-1": merged, the names would collide and
    a link could land in another paper. Done before the pages are copied into the pack, so the
    destinations are copied with them."""
    import pikepdf

    names = source.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return
    from panelpapers.pack.structure import _name_tree

    named = dict(_name_tree(names.Dests))
    for page in source.pages:
        for link in page.obj.get("/Annots", []):
            name = link.get("/Dest")
            if link.get("/Subtype") == "/Link" and isinstance(name, pikepdf.String) and bytes(name) in named:
                target = named[bytes(name)]
                link.Dest = target.D if isinstance(target, pikepdf.Dictionary) else target


PACK_LINK = "pack:"  # the front sheet's links to a paper: href="pack:<paper folder>" (agenda.html.j2)


def link_front_sheet(pack: Any, front_pages: int, starts: dict[str, int]) -> None:
    """The front sheet's agenda lines link to their papers' first pages in the pack."""
    from pikepdf import Array, Name

    for page in pack.pages[:front_pages]:
        for link in page.obj.get("/Annots", []):
            uri = str(link.get("/A", {}).get("/URI", ""))
            if link.get("/Subtype") == "/Link" and uri.startswith(PACK_LINK) and uri[len(PACK_LINK) :] in starts:
                del link.A
                link.Dest = Array([pack.pages[starts[uri[len(PACK_LINK) :]]].obj, Name.Fit])


def stamp_page_numbers(
    pack: Any,
    house: House,
    templates: Path | None = None,
    printer: Printer | None = None,
    numbering: PageNumbering = PageNumbering(),
) -> Any:
    """Overlays the house's "Pack page N of T" on every page, from one rendered sheet of blank numbered pages
    (drawn as artifacts, as all page furniture is). Returns that sheet, to keep open until saved."""
    import pikepdf

    from panelpapers.render.agenda_html import render_page_numbers_html
    from panelpapers.render.pdf import Printer

    sizes = [
        (round(float(page.mediabox[2] - page.mediabox[0]), 2), round(float(page.mediabox[3] - page.mediabox[1]), 2))
        for page in pack.pages
    ]
    html = render_page_numbers_html(
        sizes, house.wording.pack_page_number, house.font_urls, templates, numbering.first, numbering.prefix
    )
    overlay = pikepdf.open(io.BytesIO((printer or Printer(templates, house.fonts)).pdf(html)))
    # Each numbered page becomes a form XObject drawn over its pack page, under a name of our own
    # (pikepdf's add_overlay picks random names, and the pack must be byte-identical run to run).
    # Pages of one paper share their resources, so every page's name is its own.
    for index, (page, numbers) in enumerate(zip(pack.pages, overlay.pages, strict=True)):
        name = pikepdf.Name(f"/PanelPackNumber{index + 1}")
        if "/XObject" not in page.obj.Resources:
            page.obj.Resources.XObject = pikepdf.Dictionary()
        page.obj.Resources.XObject[name] = pack.copy_foreign(numbers.as_form_xobject())
        page.contents_add(pack.make_stream(b"q\n"), prepend=True)  # the page's own drawing, its state kept
        page.contents_add(pack.make_stream(b"\nQ q " + name.unparse() + b" Do Q\n"))
    return overlay


def xmp(title: str, author: str, subject: str, keywords: str) -> bytes:
    """The pack's XMP metadata: what a reader shows as its title, and the marking as keywords."""
    from xml.sax.saxutils import escape

    def alt(value: str) -> str:
        return f'<rdf:Alt><rdf:li xml:lang="x-default">{escape(value)}</rdf:li></rdf:Alt>'

    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
        f"<dc:title>{alt(title)}</dc:title><dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq></dc:creator>"
        f"<dc:description>{alt(subject)}</dc:description><pdf:Keywords>{escape(keywords)}</pdf:Keywords>"
        "<pdf:Producer>panelpapers</pdf:Producer><pdfuaid:part>1</pdfuaid:part>"
        '</rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end="r"?>'
    ).encode()


def ready_for_pack(pdf: bytes) -> tuple[bytes, tuple[Bookmark, ...]]:
    """A paper's PDF as the pack takes it, with the bookmarks the pack gives it (kept in the build
    cache with the paper). The PDF is the paper's own, structure tree and all: the pack is tagged."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as source:
        return pdf, paper_bookmarks(source)


@contextmanager
def streams_owned_by(pack: Any) -> Iterator[None]:
    """Makes the pack hold the data of every stream copied into it inside the block, so that the PDF
    copied from can be closed straight after: qpdf copies a foreign stream's data only when the pack
    is saved, keeping each source open (and all its parsed objects, about 2 MB a paper) until then.
    The copied objects are those numbered between two markers made before and after the block (never
    written: a saved PDF holds only the objects it reaches). The data is taken as it is, still
    encoded, so the pack's bytes are the same."""
    from pikepdf import Dictionary, Stream

    first = pack.make_indirect(Dictionary()).objgen[0]
    yield
    last = pack.make_indirect(Dictionary()).objgen[0]
    for number in range(first + 1, last):
        if isinstance(copied := pack.get_object((number, 0)), Stream):
            stream: Any = copied  # its /Filter and /DecodeParms go back as they are, whatever their type
            stream.write(stream.read_raw_bytes(), filter=stream.get("/Filter"), decode_parms=stream.get("/DecodeParms"))


def merge(
    sheet: FrontSheet,
    front_pdf: bytes,
    papers: list[tuple[Paper, bytes]],
    templates: Path | None = None,
    printer: Printer | None = None,
    bookmarks: dict[str, tuple[Bookmark, ...]] | None = None,
    numbering: PageNumbering = PageNumbering(),
) -> bytes:
    """`bookmarks`: each paper's, by folder name, where known (`ready_for_pack`); else read from its
    PDF. The pack is tagged: the front sheet's and every paper's structure trees under one Document
    (pack/structure.py), with the papers' ParentTree keys, table header ids and links kept apart."""
    import warnings

    import pikepdf
    from pikepdf import Array, Dictionary, Name, String

    from panelpapers.pack.structure import Structure

    meeting = sheet.meeting
    words = meeting.words
    pack = pikepdf.new()
    structure = Structure(pack)
    sources = [pikepdf.open(io.BytesIO(front_pdf))]  # open until the pack is saved: streams are copied then
    outlines: dict[str, tuple[Bookmark, ...]] = {}
    starts: dict[str, int] = {}
    titles = {row.paper: f"{row.number}. {row.title}" for row in sheet.rows if row.paper}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)  # names are pinned first (pin_internal_links)
        pack.pages.extend(sources[0].pages)
        structure.add(sources[0], 0, words.pack_agenda_bookmark)
        for paper, pdf in papers:
            with pikepdf.open(io.BytesIO(pdf)) as source, streams_owned_by(pack):
                known = bookmarks.get(paper.slug) if bookmarks is not None else None
                outlines[paper.slug] = known if known is not None else paper_bookmarks(source)
                pin_internal_links(source)
                starts[paper.slug] = len(pack.pages)
                pack.pages.extend(source.pages)
                structure.add(source, starts[paper.slug], titles.get(paper.slug, paper.title))
    link_front_sheet(pack, len(sources[0].pages), starts)
    sources.append(stamp_page_numbers(pack, meeting.house, templates, printer, numbering))

    with pack.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem(words.pack_agenda_bookmark, 0))
        for row in sheet.rows:
            if row.paper is None:
                outline.root.append(pikepdf.OutlineItem(f"{row.number}. {row.title}", 0))  # oral: its front sheet line
                continue
            start = starts[row.paper]
            item = pikepdf.OutlineItem(f"{row.number}. {row.title}", start)
            item.is_closed = True
            add_bookmarks(item.children, outlines[row.paper], start)
            outline.root.append(item)
    # Labels say the pack page number a reader sees stamped on the page and in the agenda.
    label = Dictionary(S=Name.D, St=numbering.first)
    if numbering.prefix:
        label.P = String(numbering.prefix)
    pack.Root.PageLabels = Dictionary(Nums=Array([0, label]))
    pack.Root.PageMode = Name.UseOutlines
    pack.Root.Lang = String("en-GB")  # as each paper declares
    title = words.pack_title.format(panel=meeting.panel, when=meeting.when_text)
    subject = words.pack_subject.format(panel=meeting.panel)
    info = {"/Title": title, "/Author": meeting.contact_name, "/Subject": subject, "/Keywords": sheet.marking}
    pack.docinfo = pack.make_indirect(
        Dictionary({**{k: String(v) for k, v in info.items()}, "/Producer": String("panelpapers")})
    )
    pack.Root.Metadata = pack.make_stream(
        xmp(title, meeting.contact_name, subject, sheet.marking), Type=Name.Metadata, Subtype=Name.XML
    )
    structure.finish()
    out = io.BytesIO()
    pack.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    for source in sources:
        source.close()
    return out.getvalue()


def render_pack(
    meeting: Meeting,
    papers: list[tuple[Paper, bytes]],
    show_markings: bool,
    templates: Path | None = None,
    pages: list[int] | None = None,
    printer: Printer | None = None,
    bookmarks: dict[str, tuple[Bookmark, ...]] | None = None,
    numbering: PageNumbering = PageNumbering(),
) -> Pack:
    """`papers` are one variant's papers with their rendered PDFs (or those PDFs made ready by
    `ready_for_pack`); the pack follows agenda order. `show_markings`: the front sheet says each
    paper's marking (the restricted pack). `pages`: each paper's page count, in the order of
    `papers`, if the caller knows it (else the PDFs are read). `printer`: how the front sheet and
    the page numbers are printed (default: through WeasyPrint, every time). `bookmarks`: each
    paper's, where known (else read from its PDF). `numbering`: how its pages are numbered (a
    supplementary pack's continue the main pack's, or are lettered)."""
    from panelpapers.render.agenda_docx import render_agenda_docx

    order = {item.paper: index for index, item in enumerate(meeting.items) if item.paper}
    known = pages if pages is not None else [page_count(pdf) for _, pdf in papers]
    entries = sorted(zip(papers, known, strict=True), key=lambda entry: order[entry[0][0].slug])
    papers = [paper for paper, _ in entries]
    counted = [(paper, count) for (paper, _), count in entries]
    sheet, front_pdf, front_pages = settle_front_sheet(meeting, counted, show_markings, templates, printer, numbering)
    pdf = merge(sheet, front_pdf, papers, templates, printer, bookmarks, numbering)
    total = front_pages + sum(count for _, count in counted)
    return Pack(sheet, pdf, render_agenda_docx(sheet, templates), total)
