"""Tagged PDFs, read back: a pikepdf walk of the structure tree of every paper PDF and of the pack,
with pypdfium2 reading each page's content (its text and images with their marked-content marks),
over the example meeting and tests/features/2022-01-17-accessibility (a contents page, grouped
tables, a table broken across pages, a chart). What is checked, and what only veraPDF, PAC or a
screen reader can tell, is in docs/accessibility.md."""

from __future__ import annotations

import ctypes
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

FIXTURE = Path(__file__).resolve().parent / "features" / "2022-01-17-accessibility"
MARGIN_PT = 22 / 25.4 * 72  # the papers' top and bottom page margins, where the furniture is
RUNNING = re.compile(r"(Pack page|Page) \d+ of \d+")


def words(text: str) -> str:
    return " ".join(text.split())


# ---- the structure tree (pikepdf) -------------------------------------------------------------


@dataclass
class Element:
    tag: str
    obj: Any
    parent: Element | None
    children: list[Element] = field(default_factory=list)
    content: list[tuple[int, int]] = field(default_factory=list)  # (page index, MCID)
    annotations: list[Any] = field(default_factory=list)

    def ancestors(self) -> list[Element]:
        found, node = [], self.parent
        while node is not None:
            found.append(node)
            node = node.parent
        return found

    def descendants(self) -> list[Element]:
        return [d for child in self.children for d in (child, *child.descendants())]

    @property
    def attributes(self) -> dict[str, Any]:
        import pikepdf

        a = self.obj.get("/A")
        merged: dict[str, Any] = {}
        for entry in a if isinstance(a, pikepdf.Array) else [] if a is None else [a]:
            if isinstance(entry, pikepdf.Dictionary):
                merged.update({str(k): v for k, v in entry.items()})
        return merged


@dataclass
class Tree:
    pdf: Any
    elements: list[Element]
    roots: list[Element]
    pages: dict[tuple[int, int], int]  # page objgen -> index

    def of(self, tag: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag]

    def reachable(self) -> set[tuple[int, int]]:
        return {c for e in self.elements for c in e.content}


def structure(pdf: Any) -> Tree:
    """Every element reachable from the StructTreeRoot, in reading order."""
    import pikepdf

    assert "/StructTreeRoot" in pdf.Root, "no structure tree: the PDF is not tagged"
    pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    elements: list[Element] = []

    def page_of(obj: Any, default: int | None) -> int | None:
        pg = obj.get("/Pg")
        return pages.get(pg.objgen) if pg is not None else default

    def walk(obj: Any, parent: Element | None, page: int | None) -> Element:
        element = Element(str(obj.get("/S")), obj, parent)
        elements.append(element)
        page = page_of(obj, page)
        kids = obj.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]:
            if isinstance(kid, int):
                assert page is not None, f"{element.tag} holds MCID {kid} without a page"
                element.content.append((page, int(kid)))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                element.content.append((page_of(kid, page), int(kid.MCID)))  # type: ignore[arg-type]
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                element.annotations.append(kid.Obj)
            elif isinstance(kid, pikepdf.Dictionary):
                element.children.append(walk(kid, element, page))
        return element

    root = pdf.Root.StructTreeRoot
    kids = root.K if isinstance(root.K, pikepdf.Array) else [root.K]
    roots = [walk(kid, None, None) for kid in kids]
    return Tree(pdf, elements, roots, pages)


def text_of(tree: Tree, element: Element, content: dict[tuple[int, int], str]) -> str:
    parts = [content.get(c, "") for e in (element, *element.descendants()) for c in e.content]
    return words(" ".join(parts))


# ---- page content (pypdfium2) -----------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    page: int
    kind: str  # text | image
    text: str
    marks: tuple[str, ...]
    mcid: int
    top: float  # bounds in PDF points, from the bottom of the page
    bottom: float


def page_content(path: Path) -> list[Shown]:
    """Every text and image object of every page (inside form XObjects too), with its marks."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    found: list[Shown] = []
    document = pdfium.PdfDocument(str(path))
    try:
        for index, page in enumerate(document):
            textpage = page.get_textpage()
            # A form XObject's content belongs to the marked content it is drawn in, where it is
            # drawn: its objects take the marks, MCID and bounds of the form object holding them.
            forms: dict[int, tuple[tuple[str, ...], int, float, float]] = {}
            for obj in page.get_objects(max_depth=8):
                marks = []
                for m in range(raw.FPDFPageObj_CountMarks(obj.raw)):
                    mark = raw.FPDFPageObj_GetMark(obj.raw, m)
                    buffer = ctypes.create_string_buffer(256)
                    length = ctypes.c_ulong()
                    raw.FPDFPageObjMark_GetName(
                        mark, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)), 256, ctypes.byref(length)
                    )
                    marks.append(buffer.raw[: max(length.value - 2, 0)].decode("utf-16-le"))
                mcid = raw.FPDFPageObj_GetMarkedContentID(obj.raw)
                _, bottom, _, top = obj.get_bounds()
                if obj.level > 0:
                    outer_marks, outer_mcid, top, bottom = forms[obj.level - 1]
                    marks, mcid = [*outer_marks, *marks], mcid if mcid >= 0 else outer_mcid
                if obj.type == raw.FPDF_PAGEOBJ_FORM:
                    forms[obj.level] = (tuple(marks), mcid, top, bottom)
                if obj.type not in (raw.FPDF_PAGEOBJ_TEXT, raw.FPDF_PAGEOBJ_IMAGE):
                    continue
                text = ""
                if obj.type == raw.FPDF_PAGEOBJ_TEXT:
                    size = raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
                    buffer = ctypes.create_string_buffer(size)
                    raw.FPDFTextObj_GetText(
                        obj.raw, textpage.raw, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)), size
                    )
                    text = buffer.raw[: max(size - 2, 0)].decode("utf-16-le", errors="replace")
                kind = "text" if obj.type == raw.FPDF_PAGEOBJ_TEXT else "image"
                found.append(Shown(index, kind, text, tuple(marks), mcid, top, bottom))
    finally:
        document.close()
    return found


def content_by_mcid(shown: list[Shown]) -> dict[tuple[int, int], str]:
    text: dict[tuple[int, int], str] = {}
    for s in shown:
        if s.mcid >= 0:
            text[(s.page, s.mcid)] = text.get((s.page, s.mcid), "") + s.text
    return text


# ---- the checks --------------------------------------------------------------------------------


def check_marked_content(path: Path) -> None:
    """Everything drawn is either in the structure tree (its MCID reached from the root, and the
    page's ParentTree entry naming that element) or an artifact."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        tree = structure(pdf)
        reachable = tree.reachable()
        owner = {c: e.obj.objgen for e in tree.elements for c in e.content}
        parent_tree = dict(_number_tree(pdf.Root.StructTreeRoot.ParentTree))
        for index, page in enumerate(pdf.pages):
            entry = parent_tree.get(int(page.obj.get("/StructParents", -1)))
            for (p, mcid), objgen in owner.items():
                if p == index:
                    assert entry is not None and entry[mcid].objgen == objgen, (
                        f"page {index + 1} MCID {mcid}: ParentTree disagrees"
                    )
    loose = [s for s in page_content(path) if "Artifact" not in s.marks and (s.page, s.mcid) not in reachable]
    assert not loose, f"{path.name}: {len(loose)} objects neither tagged nor artifacts, e.g. " + repr(
        [(s.page + 1, s.text[:30], s.marks) for s in loose[:6]]
    )


def _number_tree(node: Any) -> list[tuple[int, Any]]:
    out = []
    nums = node.get("/Nums")
    if nums is not None:
        out += [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)]
    for kid in node.get("/Kids", []):
        out += _number_tree(kid)
    return out


def check_furniture(path: Path) -> None:
    """Running heads and footers (marking, DRAFT, page numbers, pack page numbers) are artifacts."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    heights = [document[i].get_height() for i in range(len(document))]
    document.close()
    shown = [s for s in page_content(path) if s.kind == "text" and s.text.strip()]
    furniture = [s for s in shown if s.bottom > heights[s.page] - MARGIN_PT or s.top < MARGIN_PT]
    assert {s.page for s in furniture} == set(range(len(heights))), "a page without furniture"
    read = [s for s in furniture if "Artifact" not in s.marks]
    assert not read, f"{path.name}: furniture read as text: " + repr([(s.page + 1, s.text) for s in read[:6]])
    numbers = [s for s in shown if RUNNING.fullmatch(words(s.text))]
    assert numbers and all("Artifact" in s.marks for s in numbers), "page numbers are read as text"


def html_tree(html: str) -> Any:
    import lxml.html

    return lxml.html.fromstring(html.encode("utf-8"))


def check_tables(path: Path, htmls: list[str]) -> None:
    """One Table element per HTML table, however many pages it spans, with its caption inside, and
    one Sect per section; every TH has a /Scope; every TD names headers that the /IDTree knows, and
    a row group's label heads every row of the group."""
    import pikepdf

    expected = [words(t.findtext("caption") or "") for html in htmls for t in html_tree(html).iter("table")]
    with pikepdf.open(path) as pdf:
        tree = structure(pdf)
        content = content_by_mcid(page_content(path))
        tables = tree.of("/Table")
        captions = [next((text_of(tree, c, content) for c in t.children if c.tag == "/Caption"), "") for t in tables]
        assert captions == expected, f"{path.name}: Table elements {captions} for tables {expected}"
        for th in tree.of("/TH"):
            assert th.attributes.get("/Scope") in ("/Row", "/Column", "/Both"), (
                f"TH without /Scope: {text_of(tree, th, content)}"
            )
        ids = dict(_name_tree(pdf.Root.StructTreeRoot.get("/IDTree")))
        named: dict[str, int] = {}
        for td in tree.of("/TD"):
            for header in td.attributes.get("/Headers", []):
                assert str(header) in ids, f"TD names header {header} that the IDTree lacks"
                named[str(header)] = named.get(str(header), 0) + 1
        for th in tree.of("/TH"):  # a row group's label heads every row of its group
            span = int(th.attributes.get("/RowSpan", 1))
            if th.attributes.get("/Scope") == "/Row" and span > 1:
                assert named.get(str(th.obj.get("/ID")), 0) >= span, f"row group {text_of(tree, th, content)}"
        sections = [s for html in htmls for s in html_tree(html).iter("section")]
        assert len(tree.of("/Sect")) == len(sections), f"{len(tree.of('/Sect'))} Sect for {len(sections)} sections"


def _name_tree(node: Any) -> list[tuple[str, Any]]:
    if node is None:
        return []
    out = []
    names = node.get("/Names")
    if names is not None:
        out += [(str(names[i]), names[i + 1]) for i in range(0, len(names), 2)]
    for kid in node.get("/Kids", []):
        out += _name_tree(kid)
    return out


def check_figures(path: Path, htmls: list[str]) -> list[str]:
    """Every Figure has alt text; every <figure>'s caption is inside its Figure. Returns the alts."""
    import pikepdf

    figures = [f for html in htmls for f in html_tree(html).iter("figure")]
    with pikepdf.open(path) as pdf:
        tree = structure(pdf)
        alts = []
        for figure in tree.of("/Figure"):
            assert str(figure.obj.get("/Alt", "")).strip(), "Figure without /Alt"
            alts.append(str(figure.obj.Alt))
        with_caption = [f for f in tree.of("/Figure") if any(c.tag == "/Caption" for c in f.children)]
        assert len(with_caption) == len(figures), (
            f"{path.name}: {len(with_caption)} Figures hold a Caption, of {len(figures)}"
        )
        for caption in tree.of("/Caption"):
            assert caption.parent is not None and caption.parent.tag in ("/Figure", "/Table"), (
                "a Caption outside its Figure or Table"
            )
    expected = [img.get("alt") for html in htmls for img in html_tree(html).iter("img")]
    assert alts == expected, f"{path.name}: alt texts {alts} for images {expected}"
    return alts


def check_links(path: Path, html: str) -> None:
    """A contents page: one Link annotation per entry whose /Contents is the entry's text; no Link
    element inside another; the dot leaders are not read."""
    import pikepdf

    entries = [words(a.text_content()) for a in html_tree(html).xpath("//nav[contains(@class, 'contents')]//a")]
    with pikepdf.open(path) as pdf:
        tree = structure(pdf)
        for link in tree.of("/Link"):
            assert not [d for d in link.descendants() if d.tag == "/Link"], "a Link inside a Link"
        internal = [
            (index, annotation)
            for index, page in enumerate(pdf.pages)
            for annotation in page.get("/Annots", [])
            if annotation.get("/Subtype") == "/Link" and "/Dest" in annotation
        ]
        pages = {index for index, _ in internal}
        assert len(pages) <= 1 or not entries, f"contents links on pages {pages}"
        assert [str(a.get("/Contents", "")) for _, a in internal] == entries
        tagged = {annotation.objgen for e in tree.of("/Link") for annotation in e.annotations}
        assert all(a.objgen in tagged for _, a in internal), "a link annotation outside the structure tree"
    if entries:
        page = next(iter(pages))
        dots = [s for s in page_content(path) if s.page == page and re.fullmatch(r" *\.[ .]*", s.text)]
        assert dots, "no leaders found on the contents page"
        assert all("Artifact" in s.marks for s in dots), f"{len(dots)} leader runs are read as text"


def check_pack(pack: Path, papers: list[tuple[Path, str]], starts: list[int]) -> None:
    """The pack is tagged: one structure tree holding the front sheet's and every paper's, in
    order, with every Figure's alt text; document metadata for assistive technology; the front
    sheet's rows link to the papers' first pages."""
    import pikepdf

    with pikepdf.open(pack) as pdf:
        assert pdf.Root.get("/MarkInfo", {}).get("/Marked") is True, "/MarkInfo /Marked is not true"
        assert str(pdf.Root.get("/Lang", "")) == "en-GB"
        assert pdf.Root.get("/ViewerPreferences", {}).get("/DisplayDocTitle") is True, "DisplayDocTitle"
        assert str(pdf.docinfo.get("/Title", "")).strip(), "no title"
        tree = structure(pdf)
        (document,) = tree.roots
        assert document.tag == "/Document"
        parts = document.children
        assert len(parts) == 1 + len(papers), f"{len(parts)} parts for a front sheet and {len(papers)} papers"
        firsts = [min(page for e in (part, *part.descendants()) for page, _ in e.content) + 1 for part in parts]
        assert firsts == [1, *starts], f"parts start on pages {firsts}, papers on {starts}"
        pack_alts = [str(f.obj.Alt) for f in tree.of("/Figure")]
    paper_alts: list[str] = []
    for pdf_path, _ in papers:
        with pikepdf.open(pdf_path) as paper:
            paper_alts += [str(f.obj.Alt) for f in structure(paper).of("/Figure")]
    front_alts = pack_alts[: len(pack_alts) - len(paper_alts)]
    assert pack_alts[len(front_alts) :] == paper_alts, "the pack's Figures are not the papers' Figures"

    with pikepdf.open(pack) as pdf:
        front = [
            annotation
            for page in (pdf.pages[: starts[0] - 1] if starts else [])
            for annotation in page.get("/Annots", [])
            if annotation.get("/Subtype") == "/Link" and "/Dest" in annotation
        ]
        pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
        targets = [pages[a.Dest[0].objgen] + 1 for a in front]
        titles = [str(a.get("/Contents", "")) for a in front]
    assert targets == starts, f"front sheet links go to {targets}, papers start on {starts}"
    expected = [words(html_tree(html).findtext(".//h1") or "") for _, html in papers]
    assert titles == expected, f"front sheet link texts {titles}"


# ---- the builds ---------------------------------------------------------------------------------


def paper_files(variant: Path) -> list[tuple[Path, str]]:
    manifest = json.loads((variant / "manifest.json").read_text())
    return [
        (variant / files["pdf"], (variant / files["html"]).read_text(encoding="utf-8"))
        for _, files in sorted(manifest["papers"].items())
        if "pdf" in files
    ]


def pack_starts(variant: Path) -> list[int]:
    manifest = json.loads((variant / "manifest.json").read_text())
    agenda = manifest["outputs"]["pack.pdf"]["agenda"]
    return [int(page) for _, page in sorted(agenda.items(), key=lambda item: int(item[0])) if page.isdigit()]


@pytest.fixture(scope="module", params=["example", "fixture"])
def variant(request: pytest.FixtureRequest, example_meeting: Path) -> Path:
    """The restricted variant of the example's or the accessibility fixture's shared build."""
    meeting = example_meeting if request.param == "example" else FIXTURE
    out = request.getfixturevalue("example_build" if request.param == "example" else "accessibility_build")
    return out / meeting.name / "restricted"


def test_everything_drawn_is_tagged_or_an_artifact(variant: Path) -> None:
    for path, _ in paper_files(variant):
        check_marked_content(path)
    check_marked_content(variant / "pack.pdf")


def test_page_furniture_is_an_artifact(variant: Path) -> None:
    for path, _ in paper_files(variant):
        check_furniture(path)
    check_furniture(variant / "pack.pdf")


def test_the_marking_reaches_a_screen_reader_through_metadata_and_the_title(variant: Path) -> None:
    """The furniture that prints the marking (and DRAFT) is an artifact, so the marking must reach assistive
    technology another way: the document's keywords and the first heading's replacement text; DRAFT
    the heading's replacement text and the document's subject."""
    import pikepdf

    for path, html in paper_files(variant):
        marking = html_tree(html).find(".//meta[@name='keywords']").get("content")
        title = words(html_tree(html).find(".//h1").text_content())
        with pikepdf.open(path) as pdf:
            assert marking in str(pdf.docinfo.get("/Keywords")), path.name
            first = structure(pdf).of("/H1")[0]
            draft = ", DRAFT" if '@top-right { content: "DRAFT"' in html else ""  # printed top right on a draft
            assert str(first.obj.get("/ActualText")) == f"{title} ({marking}{draft})", path.name
            assert ("(DRAFT)" in str(pdf.docinfo.get("/Subject"))) == bool(draft), path.name


def test_one_table_per_table_with_header_scopes(variant: Path) -> None:
    papers = paper_files(variant)
    for path, html in papers:
        check_tables(path, [html])


def test_figures_carry_alt_text_and_their_captions(variant: Path) -> None:
    for path, html in paper_files(variant):
        check_figures(path, [html])


def test_contents_links_one_per_entry_with_their_words(variant: Path) -> None:
    papers = paper_files(variant)
    assert any('nav class="contents"' in html for _, html in papers), "no paper with a contents page"
    for path, html in papers:
        check_links(path, html)


def test_pack_is_one_tagged_document_linking_to_its_papers(variant: Path) -> None:
    check_pack(variant / "pack.pdf", paper_files(variant), pack_starts(variant))


def test_the_fixture_has_what_it_is_for(variant: Path) -> None:
    """A table across pages, a contents page and a grouped table: else the checks above prove little."""
    import pikepdf

    if variant.parent.name != FIXTURE.name:
        pytest.skip("the fixture's own promise")
    ((path, html),) = paper_files(variant)
    assert 'scope="rowgroup"' in html or "row-group" in html or "rowspan" in html, "no grouped table"
    assert 'class="contents"' in html
    with pikepdf.open(path) as pdf:
        tree = structure(pdf)
        spans = [sorted({page for e in (t, *t.descendants()) for page, _ in e.content}) for t in tree.of("/Table")]
    assert any(len(pages) > 1 for pages in spans), f"no table across pages: {spans}"
