"""How papers are set, read back from what was built: heading sizes and weights in the PDF and the
DOCX, the DOCX outline against the PDF's bookmarks, what keeps with what in Word, table cell padding,
continued row groups, table headers a screen reader hears, and text alternatives for trend arrows.
Built from the structure fixture (tests/features/2022-01-17-features/02-structure)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from datapapers import edit, line_of, problems_of, squash
from readback import pdf_outline, pdf_pages_text
from test_accessibility_docx import outline_level, style_chain

from panelpapers.build import build

EXAMPLE_MEETING = Path(__file__).resolve().parents[1] / "content" / "2022-01-17-audit-panel"
RISK_PAPER = "02-risk-management"

FIXTURE = Path(__file__).resolve().parent / "features" / "2022-01-17-features" / "02-structure"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def built(structure_build: Path) -> Path:
    """The restricted folder of the fixture paper, built once for the run (read only)."""
    return structure_build / FIXTURE.parent.name / "restricted"


def pdf_words(path: Path, page_index: int, words: str) -> dict[str, Any]:
    """Where `words` start on a page of the PDF and how their first letter is set: x, font size (both
    as pdfium measures them) and whether the font is bold (by its name)."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    document = pdfium.PdfDocument(str(path))
    try:
        text = document[page_index].get_textpage()
        index = text.get_text_range().index(words)
        left, _bottom, _right, _top = text.get_charbox(index)
        name = ctypes.create_string_buffer(200)
        raw.FPDFText_GetFontInfo(text.raw, index, name, 200, None)
        return {
            "x": round(left, 1),
            "size": round(raw.FPDFText_GetFontSize(text.raw, index), 1),
            "bold": b"Bold" in name.value,
        }
    finally:
        document.close()


def page_with(path: Path, words: str) -> int:
    return next(i for i, text in enumerate(pdf_pages_text(path)) if words in text)


# Headings ------------------------------------------------------------------------------------------


def test_group_headings_are_bold_and_step_down_in_size(built: Path) -> None:
    pdf = built / "02-structure.pdf"
    page = page_with(pdf, "Current position")
    level_1 = pdf_words(pdf, page, "HMICFRS inspections")
    level_2 = pdf_words(pdf, page, "Custody inspection")
    level_3 = pdf_words(pdf, page, "Current position")
    body = pdf_words(pdf, page, "Eleven of the fourteen")
    assert all(heading["bold"] for heading in (level_1, level_2, level_3)), (level_1, level_2, level_3)
    assert not body["bold"]
    assert level_2["size"] > level_3["size"] > body["size"], (level_2, level_3, body)

    from docx import Document

    document = Document(str(built / "02-structure.docx"))
    styles = {p.text: p.style for p in document.paragraphs}
    third = styles["Current position"]
    assert third.name == "Heading 5" and third.font.bold and not third.font.underline
    normal = document.styles["Normal"].font.size
    assert styles["Custody inspection"].font.size > third.font.size > normal


def test_appendix_headings_start_where_their_text_does(built: Path) -> None:
    pdf = built / "02-structure.pdf"
    page = page_with(pdf, "How assurance is given")
    heading = pdf_words(pdf, page, "How assurance is given")
    text = pdf_words(pdf, page, "Three lines:")
    title = pdf_words(pdf, page, "Appendix A")
    # Glyphs' side bearings differ by a fraction of a point; the old indent was 12 mm (34 pt).
    assert abs(heading["x"] - text["x"]) < 1.5 and abs(heading["x"] - title["x"]) < 1.5, (heading, text, title)

    from docx import Document

    document = Document(str(built / "02-structure.docx"))
    paragraph = next(p for p in document.paragraphs if p.text == "How assurance is given")
    assert paragraph.paragraph_format.left_indent == 0


def test_the_docx_outline_is_the_pdfs(built: Path) -> None:
    from docx import Document

    bookmarks: list[tuple[int, str]] = []

    def walk(entries: list[tuple[str, int, list[Any]]], level: int) -> None:
        for title, _page, children in entries:
            bookmarks.append((level, title))
            walk(children, level + 1)

    walk(pdf_outline(built / "02-structure.pdf"), 1)
    document = Document(str(built / "02-structure.docx"))
    headings = []
    for paragraph in document.paragraphs:
        level = outline_level(paragraph._p, style_chain(document.styles.element, paragraph.style.style_id))
        if level is not None:
            headings.append((level + 1, paragraph.text))
    assert headings == bookmarks
    assert [text for level, text in headings if level == 1] == ["Internal Audit Progress and Assurance Map"]
    assert (2, "1. Progress against the plan") in headings and (3, "HMICFRS inspections") in headings


# What keeps with what in Word ----------------------------------------------------------------------


def keeps_with_next(paragraph: Any) -> bool:
    """Set on the paragraph or on one of its styles."""
    if paragraph.paragraph_format.keep_with_next is not None:
        return bool(paragraph.paragraph_format.keep_with_next)
    style = paragraph.style
    while style is not None:
        if style.paragraph_format.keep_with_next is not None:
            return bool(style.paragraph_format.keep_with_next)
        style = style.base_style
    return False


def test_headings_lead_lines_lead_ins_and_captions_keep_with_what_follows(built: Path) -> None:
    from docx import Document

    document = Document(str(built / "02-structure.docx"))
    paragraphs = {p.text: p for p in document.paragraphs}
    kept = [
        "Report Summary",
        "Recommendations",
        "The Audit Panel is recommended to:",
        "1. Progress against the plan",
        "HMICFRS inspections",
        "Current position",
        "Appendix A – Assurance map (OFFICIAL)",
        "Three lines: management, oversight functions and internal audit each give assurance.",
        "Table 2: Audits in the plan by area",
    ]
    assert [text for text in kept if not keeps_with_next(paragraphs[text])] == []
    assert not keeps_with_next(paragraphs["There are no direct equality implications."])
    assert document.styles["Normal"].paragraph_format.widow_control is True


def test_docx_table_cells_have_padding(built: Path) -> None:
    from docx import Document

    document = Document(str(built / "02-structure.docx"))
    for table in document.tables:
        margins = table._tbl.tblPr.find(f"{W}tblCellMar")
        assert margins is not None
        widths = {side.tag.removeprefix(W): int(side.get(f"{W}w")) for side in margins}
        assert widths == {"top": 50, "left": 80, "bottom": 50, "right": 80}
    assert len(document.tables) == 2


# A row group broken by a page ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def long_group(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture with the Operations group of its grouped table grown to run over three pages."""
    tmp_path = tmp_path_factory.mktemp("long-group")
    paper = tmp_path / FIXTURE.parent.name / FIXTURE.name
    shutil.copytree(FIXTURE, paper)
    audits = paper / "data" / "audits.csv"
    last_operations = "Operations,Firearms licensing,Renewals backlog,Complete\n"
    stations = "".join(f"Operations,Station audit {i},Property store at station {i},Planned\n" for i in range(1, 76))
    audits.write_text(audits.read_text(encoding="utf-8").replace(last_operations, last_operations + stations))
    build([paper], tmp_path / "out", jobs=1)
    return tmp_path / "out" / paper.parent.name / "restricted" / "02-structure.pdf"


def test_a_row_group_continued_on_a_new_page_is_labelled_again(long_group: Path) -> None:
    pages = [squash(text) for text in pdf_pages_text(long_group)]
    table_pages = [i for i, text in enumerate(pages) if "Station audit" in text]
    assert len(table_pages) == 3, table_pages
    first, *continued = table_pages
    assert "Operations Custody" in pages[first] and "(continued)" not in pages[first]
    for page in continued:
        # The header row repeats, then the group's label before its first row on this page.
        opening = r"Area Audit Scope Status Operations \(continued\) Station audit \d+ "
        assert re.match(opening, pages[page]), pages[page]
        assert pages[page].count("Operations") == 1
    assert "Station audit 75 Property store at station 75 Planned Technology Cyber security" in pages[continued[-1]]


def test_a_continued_group_label_is_a_row_header_in_the_tags(long_group: Path) -> None:
    _delivery, audits = pdf_table_cells(long_group)
    row_headers = [attributes for part, kind, attributes in audits if part == "/TBody" and kind == "/TH"]
    # Finance, Operations, Operations (continued) twice, Technology
    assert [attributes["/Scope"] for attributes in row_headers] == ["/Row"] * 5, row_headers


def test_a_long_grouped_table_builds_the_same_twice(long_group: Path, tmp_path: Path) -> None:
    import hashlib

    paper = long_group.parents[3] / FIXTURE.parent.name / FIXTURE.name  # the grown copy built above
    build([paper], tmp_path / "again", jobs=1)
    rebuilt = tmp_path / "again" / FIXTURE.parent.name / "restricted" / "02-structure.pdf"
    assert hashlib.sha256(rebuilt.read_bytes()).hexdigest() == hashlib.sha256(long_group.read_bytes()).hexdigest()


# Table headers a screen reader hears ---------------------------------------------------------------


def pdf_table_cells(path: Path) -> list[list[tuple[str, str, dict[str, str]]]]:
    """Each Table of a tagged PDF's structure tree as its cells: (THead/TBody, TH/TD, attributes)."""
    import pikepdf

    tables: list[list[tuple[str, str, dict[str, str]]]] = []

    def attributes(node: Any) -> dict[str, str]:
        found: dict[str, str] = {}
        given = node.get("/A")
        for each in given if isinstance(given, pikepdf.Array) else [given]:
            if isinstance(each, pikepdf.Dictionary):
                found.update({str(key): str(value) for key, value in each.items() if key != "/O"})
        return found

    def walk(node: Any, part: str) -> None:
        if isinstance(node, pikepdf.Array):
            for child in node:
                walk(child, part)
            return
        if not isinstance(node, pikepdf.Dictionary):
            return
        kind = str(node.get("/S", ""))
        if kind == "/Table":
            tables.append([])
        if kind in ("/THead", "/TBody", "/TFoot"):
            part = kind
        if kind in ("/TH", "/TD"):
            tables[-1].append((part, kind, attributes(node)))
        if "/K" in node:
            walk(node["/K"], part)

    with pikepdf.open(path) as pdf:
        walk(pdf.Root.StructTreeRoot, "")
    return tables


def test_no_header_cell_is_blank_beside_a_spanning_header(built: Path) -> None:
    delivery, audits = pdf_table_cells(built / "02-structure.pdf")
    head = [(kind, attributes) for part, kind, attributes in delivery if part == "/THead"]
    assert [kind for kind, _ in head] == ["/TH", "/TH", "/TH", "/TH"]  # Quarter, Audits, Planned, Delivered
    assert head[0][1] == {"/Scope": "/Column", "/RowSpan": "2"}
    assert head[1][1] == {"/Scope": "/Column", "/ColSpan": "2"}

    site = (built.parent / "public" / "site" / "02-structure.html").read_text(encoding="utf-8")
    for html in (site, (built / "02-structure.html").read_text(encoding="utf-8")):
        head_html = html[html.index("<thead>") : html.index("</thead>")]
        assert "<td" not in head_html
        assert re.search(r'<th scope="col" rowspan="2" class="left">Quarter</th>', head_html)

    from docx import Document

    document = Document(str(built / "02-structure.docx"))
    rows = document.tables[0].rows
    first = [(cell._tc.vMerge, cell.text) for cell in rows[0].cells]
    assert first == [("restart", "Quarter"), (None, "Audits"), (None, "Audits")]
    assert rows[1]._tr.tc_lst[0].vMerge == "continue"
    assert rows[0].cells[0]._tc.tcPr.find(f"{W}shd").get(f"{W}fill") == "D9E2EC"  # shaded as a header
    assert [cell.text for cell in rows[1].cells] == ["Quarter", "Planned", "Delivered"]


def test_authored_row_headers(built: Path) -> None:
    delivery, audits = pdf_table_cells(built / "02-structure.pdf")
    body = [(kind, attributes.get("/Scope")) for part, kind, attributes in delivery if part == "/TBody"]
    assert body[::3] == [("/TH", "/Row")] * 4  # each quarter heads its row
    assert {kind for kind, _ in body[1::3] + body[2::3]} == {"/TD"}
    grouped = [kind for part, kind, _ in audits if part == "/TBody"]
    assert grouped.count("/TH") == 3  # the audits table's row groups; no row headers asked for there

    site = (built.parent / "public" / "site" / "02-structure.html").read_text(encoding="utf-8")
    assert '<th scope="row" class="left">2021/22 Q3</th>' in site

    from docx import Document

    document = Document(str(built / "02-structure.docx"))
    delivery_docx, audits_docx = document.tables
    look = f"{W}tblLook"
    assert delivery_docx._tbl.tblPr.find(look).get(f"{W}firstColumn") == "1"
    assert audits_docx._tbl.tblPr.find(look).get(f"{W}firstColumn") == "0"
    quarter = delivery_docx.rows[2].cells[0].paragraphs[0]
    assert quarter.text == "2021/22 Q1" and all(run.bold for run in quarter.runs)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('row_headers: "yes"', 'row_headers: "first"', "'yes' or 'no'"),
        ("    row_groups: area\n", '    row_groups: area\n    row_headers: "yes"\n', "keep one"),
    ],
)
def test_row_headers_are_checked_at_their_line(tmp_path: Path, old: str, new: str, expected: str) -> None:
    paper = tmp_path / FIXTURE.parent.name / FIXTURE.name
    shutil.copytree(FIXTURE, paper)
    data = paper / "data.yaml"
    edit(data, old, new)
    problems = problems_of(paper)
    assert len(problems) == 1 and expected in problems[0], problems
    line = line_of(data, 'row_headers: "first"') if "first" in new else line_of(data, "audits_by_area:")
    assert problems[0].startswith(f"{data}:{line}: tables."), problems


# Trend arrows --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def risk_paper(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's risk paper, whose register has a trend arrow in each row, built on its own."""
    tmp_path = tmp_path_factory.mktemp("trends")
    paper = tmp_path / EXAMPLE_MEETING.name / RISK_PAPER
    shutil.copytree(EXAMPLE_MEETING / RISK_PAPER, paper)
    build([paper], tmp_path / "out", jobs=1)
    return tmp_path / "out" / EXAMPLE_MEETING.name


def test_a_trend_arrow_has_words_in_every_format(risk_paper: Path) -> None:
    import pikepdf
    from docx import Document

    words_of = {"↑": "rising", "↓": "falling", "↔": "stable", "↕": "fluctuating"}
    document = Document(str(risk_paper / "restricted" / f"{RISK_PAPER}.docx"))
    registers = [table for table in document.tables if table.rows[0].cells[1].text == "Risk Trend"]
    cells = [row.cells[1].text for table in registers for row in table.rows[1:]]
    arrows = [cell.split(" ", 1)[0] for cell in cells]
    # Word has no text alternative for a character: the words are printed beside the arrow.
    assert cells == [f"{arrow} {words_of[arrow]}" for arrow in arrows]
    assert len(cells) >= 10 and set(arrows) >= {"↓", "↔"}, cells

    spoken: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, pikepdf.Dictionary):
            if node.get("/S") == "/Span" and "/ActualText" in node:
                spoken.append(str(node["/ActualText"]))
            if "/K" in node:
                walk(node["/K"])
        elif isinstance(node, pikepdf.Array):
            for child in node:
                walk(child)

    pdf_path = risk_paper / "restricted" / f"{RISK_PAPER}.pdf"
    with pikepdf.open(pdf_path) as pdf:
        walk(pdf.Root.StructTreeRoot)
    assert spoken == [words_of[arrow] for arrow in arrows]
    # The page still shows the arrow alone.
    register_text = squash(" ".join(pdf_pages_text(pdf_path)))
    assert "1 M v H ↓ VIOLENT CRIME" in register_text

    site = (risk_paper / "public" / "site" / f"{RISK_PAPER}.html").read_text(encoding="utf-8")
    said = re.findall(r'<span aria-hidden="true">([↑↓↔↕])</span><span class="visually-hidden">([a-z ]+)</span>', site)
    assert len(said) >= 5 and all(words_of[arrow] == words for arrow, words in said), said


# One date format and one paragraph number format, from the house ---------------------------------

MEETING = Path(__file__).resolve().parent / "features" / "2022-01-17-accessibility"


def built_meeting(tmp_path: Path, house: str | None) -> tuple[dict[str, str], Path]:
    """The small accessibility meeting built whole (agenda, paper, site), in a project whose
    panelpapers.yaml is `house`: the text of each output that prints the date or a paragraph number."""
    meeting = tmp_path / MEETING.name
    shutil.copytree(MEETING, meeting)
    if house is not None:
        (tmp_path / "panelpapers.yaml").write_text(house, encoding="utf-8")
    build([meeting], tmp_path / "out")
    from docx import Document

    public = tmp_path / "out" / MEETING.name / "public"
    texts = {
        "cover": squash(pdf_pages_text(public / "02-open-actions.pdf")[0]),
        "paper docx": "\n".join(p.text for p in Document(str(public / "02-open-actions.docx")).paragraphs),
        "front sheet": squash(pdf_pages_text(public / "pack.pdf")[0]),
        "front sheet docx": "\n".join(p.text for p in Document(str(public / "agenda.docx")).paragraphs),
        "site index": (public / "site" / "index.html").read_text(encoding="utf-8"),
        "site paper": (public / "site" / "02-open-actions.html").read_text(encoding="utf-8"),
    }
    return texts, public


def test_one_date_format_and_one_paragraph_number_format_in_a_meeting(tmp_path: Path) -> None:
    texts, public = built_meeting(tmp_path, None)
    for name in ("cover", "paper docx", "site paper"):
        assert "17 January 2022" in texts[name] and "Monday" not in texts[name], name
    for name in ("front sheet", "front sheet docx", "site index"):
        assert "Monday 17 January 2022, 14:30" in texts[name], name
        assert "Monday, 17" not in texts[name], name
    pdf = squash(" ".join(pdf_pages_text(public / "02-open-actions.pdf")))
    assert re.search(r" 1\.1\. \w", pdf)
    assert '<span class="number">1.1.</span>' in texts["site paper"]
    assert "\n1.1.\t" in texts["paper docx"]


def test_the_house_words_dates_and_paragraph_numbers(tmp_path: Path) -> None:
    house = (
        "wording:\n"
        '  date: "{day} {month}, {year}"\n'
        '  date_with_weekday: "{weekday}, {date}"\n'
        '  meeting_when: "{date_with_weekday} at {time}"\n'
        '  paragraph_number: "{number}"\n'
    )
    texts, public = built_meeting(tmp_path, house)
    for name in ("cover", "paper docx", "site paper"):
        assert "17 January, 2022" in texts[name], name
    for name in ("front sheet", "front sheet docx", "site index"):
        assert "Monday, 17 January, 2022 at 14:30" in texts[name], name
    pdf = squash(" ".join(pdf_pages_text(public / "02-open-actions.pdf")))
    assert re.search(r" 1\.1 \w", pdf) and not re.search(r" 1\.1\. \w", pdf)
    assert '<span class="number">1.1</span>' in texts["site paper"]
    assert "\n1.1\t" in texts["paper docx"]
