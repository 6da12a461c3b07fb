"""Accessible Word documents (issue 12, part 3), checked in every DOCX that the example meeting, the
council project and the features fixture build: British English throughout, no table used for layout,
every heading-like style a heading with an outline level and levels that never skip, a header row on
every data table (the agenda's included), and a Report Summary box that LibreOffice still draws as
one box."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from readback import docx_list_labels, libreoffice_to_pdf

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LANGUAGE = "en-GB"
# Paragraph styles that look like headings (bold, at least body size) but are not headings, and why.
NOT_HEADINGS = {
    "Masthead",  # the organisation's mark, a logo in words
    "Panel Name",  # the panel above a paper's title (the agenda's title paragraph is given its own level)
    "Caption",  # names a table or figure; a caption, not a heading
    "Marking Header",  # page furniture
    "Marking Footer",
}
HEADING_STYLES = {"Paper Title", "Summary Heading", "Summary Part", "Contents Heading", "Appendix Title"}


@pytest.fixture(scope="module")
def documents(example_build: Path, council_build: Path, features_build: Path) -> dict[str, Path]:
    """Every DOCX built from the three projects (the run's shared builds), by a readable name."""
    found = {}
    folders = {"example": example_build, "build": council_build / "build", "features-out": features_build}
    for name, folder in folders.items():
        for docx in sorted(folder.rglob("*.docx")):
            found[f"{name}/{docx.relative_to(folder)}"] = docx
    return found


def xml_parts(docx: Path) -> dict[str, str]:
    with zipfile.ZipFile(docx) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith(".xml")}


def test_every_build_makes_the_documents_checked_here(documents: dict[str, Path]) -> None:
    names = set(documents)
    assert "example/2022-01-17-audit-panel/restricted/agenda.docx" in names
    assert "example/2022-01-17-audit-panel/public/04-governance-statement.docx" in names
    assert any(name.startswith("build/2023-03-14-audit-committee/") for name in names)  # the council's
    assert any(name.endswith("01-features.docx") for name in names)
    assert len(documents) >= 12


# Language -----------------------------------------------------------------------------------------


def test_every_document_is_in_british_english(documents: dict[str, Path]) -> None:
    from lxml import etree

    for name, docx in documents.items():
        parts = xml_parts(docx)
        styles = etree.fromstring(parts["word/styles.xml"].encode())
        language = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
        assert language is not None, name
        assert language.get(f"{W}val") == LANGUAGE and language.get(f"{W}eastAsia") == LANGUAGE, name
        theme = etree.fromstring(parts["word/settings.xml"].encode()).find(f"{W}themeFontLang")
        assert theme is not None and theme.get(f"{W}val") == LANGUAGE, name
        elsewhere = [part for part, text in parts.items() if "en-US" in text]
        assert not elsewhere, f"{name}: en-US in {elsewhere}"
        with zipfile.ZipFile(docx) as archive:
            assert "word/stylesWithEffects.xml" not in archive.namelist(), name


# Tables -------------------------------------------------------------------------------------------


def test_no_table_is_used_for_layout(documents: dict[str, Path]) -> None:
    """A data table has a header row (w:tblHeader on its first row, so Word repeats it on each page
    and a screen reader announces its cells as headers), at least two columns, and no table inside
    it. The Report Summary box and the agenda's attendees are paragraphs, not tables."""
    from docx import Document

    checked = 0
    for name, docx in documents.items():
        body = Document(str(docx)).element.body
        for table in body.iter(f"{W}tbl"):
            rows = table.findall(f"{W}tr")
            columns = table.findall(f"{W}tblGrid/{W}gridCol")
            text = "".join(t.text or "" for t in table.iter(f"{W}t"))
            assert rows and rows[0].find(f"{W}trPr/{W}tblHeader") is not None, f"{name}: no header row: {text[:80]}"
            assert rows[0].find(f"{W}trPr/{W}tblHeader").get(f"{W}val", "true") in ("true", "1", "on"), name
            assert len(columns) >= 2, f"{name}: a one-column table: {text[:80]}"
            assert not list(table.iter(f"{W}tbl"))[1:], f"{name}: a table inside a table: {text[:80]}"
            checked += 1
    assert checked >= 10


def test_the_agenda_business_table_has_a_header_row_and_attendees_are_no_table(documents: dict[str, Path]) -> None:
    from docx import Document

    for name, docx in documents.items():
        if not name.endswith("agenda.docx"):
            continue
        document = Document(str(docx))
        assert len(document.tables) == 1, name  # the Item/Page table only
        header = document.tables[0].rows[0]
        assert [cell.text for cell in header.cells] == ["Item", "Page"]
        assert header._tr.find(f"{W}trPr/{W}tblHeader") is not None
        if name.startswith("example/"):  # whose meeting lists attendees by organisation
            headings = [p.text for p in document.paragraphs if p.style.name == "Summary Part"]
            assert "Attendees" in [p.text for p in document.paragraphs] and len(headings) >= 2, headings


# Headings -----------------------------------------------------------------------------------------


def style_chain(styles: object, style_id: str | None) -> list[object]:
    chain = []
    seen = set()
    while style_id and style_id not in seen:
        seen.add(style_id)
        style = styles.find(f'{W}style[@{W}styleId="{style_id}"]')  # type: ignore[attr-defined]
        if style is None:
            break
        chain.append(style)
        based = style.find(f"{W}basedOn")
        style_id = based.get(f"{W}val") if based is not None else None
    return chain


def outline_level(element: object, chain: list[object]) -> int | None:
    """The outline level Word gives a paragraph (its own, else its style's), None for body text."""
    for holder in [element, *chain]:
        found = holder.find(f"{W}pPr/{W}outlineLvl")  # type: ignore[attr-defined]
        if found is not None:
            level = int(found.get(f"{W}val"))
            return None if level >= 9 else level
    return None


def looks_like_a_heading(chain: list[object]) -> bool:
    """Bold and at least body size (11pt) as the style sets them."""
    bold = size = None
    for style in chain:
        run = style.find(f"{W}rPr")  # type: ignore[attr-defined]
        if run is None:
            continue
        if bold is None and run.find(f"{W}b") is not None:
            bold = run.find(f"{W}b").get(f"{W}val", "true") not in ("0", "false")
        if size is None and run.find(f"{W}sz") is not None:
            size = int(run.find(f"{W}sz").get(f"{W}val")) / 2
    return bool(bold) and (size or 11) >= 11


def test_heading_like_styles_are_headings_with_levels_in_order(documents: dict[str, Path]) -> None:
    from docx import Document

    for name, docx in documents.items():
        document = Document(str(docx))
        styles = document.styles.element
        names = {s.get(f"{W}styleId"): s.find(f"{W}name").get(f"{W}val") for s in styles.findall(f"{W}style")}
        levels: list[tuple[int, str]] = []
        for paragraph in document.element.body.iterchildren(f"{W}p"):
            style = paragraph.find(f"{W}pPr/{W}pStyle")
            style_id = style.get(f"{W}val") if style is not None else "Normal"
            chain = style_chain(styles, style_id)
            level = outline_level(paragraph, chain)
            text = "".join(t.text or "" for t in paragraph.iter(f"{W}t"))
            style_name = names.get(style_id, style_id)
            if style_name in HEADING_STYLES or (looks_like_a_heading(chain) and style_name not in NOT_HEADINGS):
                assert level is not None, f"{name}: '{text}' ({style_name}) looks like a heading but has no level"
            if level is not None:
                levels.append((level, text))
        assert levels and levels[0][0] == 0, f"{name}: the first heading is not level 1: {levels[:1]}"
        for (before, _), (level, text) in zip(levels, levels[1:], strict=False):
            assert level <= before + 1, f"{name}: '{text}' skips from level {before + 1} to {level + 1}"


def test_the_paper_title_and_summary_sit_in_the_heading_outline(documents: dict[str, Path]) -> None:
    from docx import Document

    def outline(paper: str) -> list[tuple[int, str]]:
        document = Document(str(documents[f"example/2022-01-17-audit-panel/restricted/{paper}.docx"]))
        found = []
        for paragraph in document.paragraphs:
            level = outline_level(paragraph._p, style_chain(document.styles.element, paragraph.style.style_id))
            if level is not None:
                found.append((level + 1, paragraph.style.name))
        return found

    with_contents, with_appendix = outline("04-governance-statement"), outline("02-risk-management")
    assert with_contents[:3] == [(1, "Paper Title"), (2, "Summary Heading"), (3, "Summary Part")]
    assert (2, "Contents Heading") in with_contents and (2, "Heading 2") in with_contents
    assert (2, "Appendix Title") in with_appendix and (3, "Heading 3") in with_appendix


# The Report Summary box -----------------------------------------------------------------------------


def box_paragraphs(document: object) -> list[object]:
    body = document.element.body  # type: ignore[attr-defined]
    return [p for p in body.iterchildren(f"{W}p") if p.find(f"{W}pPr/{W}pBdr") is not None]


def test_the_report_summary_box_is_one_run_of_bordered_paragraphs(documents: dict[str, Path]) -> None:
    """Word and LibreOffice draw one box around adjacent paragraphs with the same borders whose text
    starts at the same place; anything else would break the box in two."""
    from docx import Document
    from docx.text.paragraph import Paragraph
    from lxml import etree

    from panelpapers.render.docx import indents

    for name, docx in documents.items():
        if name.endswith("agenda.docx"):
            continue
        document = Document(str(docx))
        boxed = box_paragraphs(document)
        assert boxed, name
        first = "".join(t.text or "" for t in boxed[0].iter(f"{W}t"))
        assert first in ("Report Summary",), f"{name}: the box starts with '{first}'"
        body = list(document.element.body)
        positions = [body.index(p) for p in boxed]
        assert positions == list(range(positions[0], positions[0] + len(positions))), f"{name}: the box has gaps"
        borders = {etree.tostring(p.find(f"{W}pPr/{W}pBdr")) for p in boxed}
        assert len(borders) == 1, f"{name}: box paragraphs with different borders"
        starts = {sum(indents(Paragraph(p, document._body))) for p in boxed}
        assert starts == {0}, f"{name}: box paragraphs start at {starts}"


def test_libreoffice_draws_the_summary_as_one_box(documents: dict[str, Path], tmp_path: Path) -> None:
    """On the risk paper, whose summary holds a bulleted list: the box's left rule runs unbroken from
    above "Report Summary" to below the last recommendation."""
    import pypdfium2 as pdfium
    from docx import Document

    docx = documents["example/2022-01-17-audit-panel/restricted/02-risk-management.docx"]
    boxed = box_paragraphs(Document(str(docx)))
    last_words = " ".join("".join(t.text or "" for t in boxed[-1].iter(f"{W}t")).split()[-2:])
    pdf = pdfium.PdfDocument(str(libreoffice_to_pdf(docx, tmp_path)))
    page = pdf[0]
    text = page.get_textpage()

    def box_of(words: str) -> tuple[float, float, float, float]:
        found = text.search(words).get_next()
        assert found, f"'{words}' not on the first page"
        index, count = found
        boxes = [text.get_charbox(i) for i in range(index, index + count)]
        return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)

    scale = 2.0
    height = page.get_height()
    heading_left, _, _, heading_top = box_of("Report Summary")
    _, last_bottom, _, _ = box_of(last_words)
    image = page.render(scale=scale, grayscale=True).to_numpy()
    image = image if image.ndim == 2 else image[:, :, 0]
    top, bottom = int((height - heading_top) * scale) - 2, int((height - last_bottom) * scale) + 2
    columns = range(int((heading_left - 20) * scale), int(heading_left * scale))
    ruled = [x for x in columns if (image[top:bottom, x] < 128).all()]
    assert ruled, "no rule runs the whole height of the summary box on its left"
    pdf.close()


# Colours ------------------------------------------------------------------------------------------


def test_every_text_in_the_documents_reads_on_its_background(documents: dict[str, Path]) -> None:
    """Each run's colour (its own, else its paragraph style's, else black) against the shading of the
    table cell it sits in (else the white page): at least 4.5:1, WCAG 2.1 AA for text."""
    from docx import Document

    from panelpapers.house import contrast_ratio

    def colour_in(holder: object, path: str) -> str | None:
        found = holder.find(path)  # type: ignore[attr-defined]
        value = found.get(f"{W}val") if found is not None else None
        return None if value in (None, "auto") else f"#{value.lower()}"

    checked = 0
    for name, docx in documents.items():
        document = Document(str(docx))
        styles = document.styles.element
        low = set()
        for paragraph in document.element.body.iter(f"{W}p"):
            style = paragraph.find(f"{W}pPr/{W}pStyle")
            chain = style_chain(styles, style.get(f"{W}val") if style is not None else "Normal")
            style_colour = next((c for s in chain if (c := colour_in(s, f"{W}rPr/{W}color"))), "#000000")
            cell = next((a for a in paragraph.iterancestors(f"{W}tc")), None)
            shading = cell.find(f"{W}tcPr/{W}shd") if cell is not None else None
            background = f"#{shading.get(f'{W}fill').lower()}" if shading is not None else "#ffffff"
            for run in paragraph.iter(f"{W}r"):
                if not "".join(t.text or "" for t in run.iter(f"{W}t")).strip():
                    continue
                colour = colour_in(run, f"{W}rPr/{W}color") or style_colour
                checked += 1
                if contrast_ratio(colour, background) < 4.5:
                    low.add((colour, background, round(contrast_ratio(colour, background), 2)))
        assert not low, f"{name}: text below 4.5:1: {low}"
    assert checked > 1000


def test_every_picture_has_alt_text(documents: dict[str, Path]) -> None:
    from docx import Document

    pictures = 0
    for name, docx in documents.items():
        for part in (Document(str(docx)).element.body, *(s.header._element for s in Document(str(docx)).sections)):
            for shape in part.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"):
                assert shape.get("descr", "").strip(), f"{name}: a picture without alt text"
                pictures += 1
    assert pictures >= 8


LIST_STYLES = {"List Item", "List Item 2", "Bullet Item", "Recommendation"}
TYPED_MARKER = re.compile(r"^\s*(\(?[a-z]{1,4}[.)]|[•–])\s")


def test_lists_are_word_lists_that_print_the_pdfs_markers(documents: dict[str, Path]) -> None:
    """Every list item is an item of a Word list (w:numPr naming a numbering definition of its own list)
    with no marker typed into its text, and the marker Word prints is the one the PDF prints: the review
    record beside each DOCX holds the model's markers ("a) the action owner …"; a recommendation's letter
    as its number)."""
    import json

    from docx import Document

    items = 0
    for name, docx in documents.items():
        record = docx.with_suffix(".review.json")
        passages = json.loads(record.read_text(encoding="utf-8"))["passages"] if record.is_file() else []
        said = " ".join(passage["text"] for passage in passages)
        recommendations = {(p["number"], p["text"]) for p in passages if p["kind"] == "recommendation"}
        document = Document(str(docx))
        labels = docx_list_labels(document)
        for paragraph in document.paragraphs:
            if paragraph.style.name not in LIST_STYLES:
                continue
            text = " ".join(paragraph.text.split())
            assert paragraph._p in labels, f"{name}: a list item that is no Word list item: {text!r}"
            assert not TYPED_MARKER.match(paragraph.text), f"{name}: a typed marker: {text!r}"
            label = labels[paragraph._p]
            if paragraph.style.name == "Recommendation":
                assert (label.rstrip(".)"), text) in recommendations, f"{name}: {label} {text}"
            elif passages:
                assert f"{label} {text}" in said, f"{name}: the PDF does not print {label!r} before {text!r}"
            items += 1
    assert items > 40, items


def test_libreoffice_prints_the_lists_markers(documents: dict[str, Path], tmp_path: Path) -> None:
    """A real client numbers the lists as the PDF does: letters, numerals nested under a letter, bullets."""
    from readback import pdf_pages_text

    docx = documents["example/2022-01-17-audit-panel/restricted/03-audit-actions.docx"]
    text = " ".join(" ".join(pdf_pages_text(libreoffice_to_pdf(docx, tmp_path))).split())
    for printed in (
        "a. Note the progress made in closing internal audit actions",
        "b. Ask business group leads to agree revised dates",
        "a) the action owner records progress in the tracker each month;",
        "c) the action is closed, or returned to the owner with the reason",
        "i. closed actions are sampled again at the next audit of the area;",
        "ii. returned actions keep their original due date.",
        "• Overdue counts the open actions past their agreed due date.",
    ):
        assert printed in text, printed


@pytest.mark.quick
def test_a_list_word_would_number_otherwise_keeps_typed_markers() -> None:
    """Word's numbering prints the model's markers, or the list keeps typed ones: after z the model
    letters aa, ab; Word's lowerLetter prints aa, bb."""
    from panelpapers.model import ItemList, ListItem
    from panelpapers.render.docx_numbering import level_pattern
    from panelpapers.resolve.paper import MARKERS

    def listed(style: str, count: int, marker: object = None) -> ItemList:
        markers = [MARKERS[style](n) if marker is None else marker(n) for n in range(1, count + 1)]  # type: ignore
        return ItemList(style, tuple(ListItem(m, ()) for m in markers))  # type: ignore[arg-type]

    assert level_pattern(listed("letter", 27)) == ("%1)", 1)  # a) … z), aa)
    assert level_pattern(listed("letter", 28)) is None  # ab) where Word prints bb)
    assert level_pattern(listed("roman", 12)) == ("%1.", 1)
    assert level_pattern(listed("bullet", 3)) == ("•", 1)
    assert level_pattern(listed("letter", 2, lambda n: f"{'ab'[n - 1]}.")) == ("%1.", 1)  # recommendations
    assert level_pattern(listed("letter", 2, lambda n: f"({'cd'[n - 1]})")) == ("(%1)", 3)
    assert level_pattern(listed("letter", 1, lambda n: "")) is None  # a lone recommendation: no letter
