"""How a paper is structured beyond paragraphs, tables and charts, built from a fixture paper
(tests/features/2022-01-17-features/02-structure) and read back from the PDF (text, outline,
structure, images), the HTML, the DOCX (python-docx) and LibreOffice: nested and heading-only
groups, appendix headings, lead-ins, lists and images, markup in table cells, a spanning header row,
row groups as one spanning row header, and chart reference lines, dividers and notes. Then the bad
input each of these can meet, reported at its line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import run_panelpapers
from datapapers import docx_tables, edit, line_of, problems_of, squash
from readback import libreoffice_to_pdf, pdf_outline, pdf_pages_text

FIXTURE = Path(__file__).resolve().parent / "features" / "2022-01-17-features" / "02-structure"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def copy_fixture(tmp_path: Path) -> Path:
    target = tmp_path / FIXTURE.parent.name / FIXTURE.name
    shutil.copytree(FIXTURE, target)
    return target


@pytest.fixture(scope="module")
def built(structure_build: Path) -> Path:
    """The restricted folder of the fixture paper, built once for the run (read only)."""
    return structure_build / FIXTURE.parent.name / "restricted"


@pytest.fixture(scope="module")
def pdf_text(built: Path) -> str:
    return squash(" ".join(pdf_pages_text(built / "02-structure.pdf")))


@pytest.fixture(scope="module")
def libreoffice_text(built: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    pdf = libreoffice_to_pdf(built / "02-structure.docx", tmp_path_factory.mktemp("libreoffice"))
    return squash(" ".join(pdf_pages_text(pdf)))


def docx_styled(built: Path) -> list[tuple[str, str]]:
    """(style name, text) of every body paragraph of the DOCX."""
    from docx import Document

    document = Document(str(built / "02-structure.docx"))
    return [(p.style.name, p.text) for p in document.paragraphs]


def outline(built: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []

    def walk(entries: list[tuple[str, int, list[Any]]], depth: int) -> None:
        for title, _page, children in entries:
            found.append((depth, title))
            walk(children, depth + 1)

    walk(pdf_outline(built / "02-structure.pdf"), 0)
    return found


# Groups nest, and a heading may stand alone --------------------------------------------------------


def test_nested_groups_number_on_and_nest_in_bookmarks_and_styles(built: Path, pdf_text: str) -> None:
    expected = (
        "1. Progress against the plan HMICFRS inspections Custody inspection Current position "
        "1.1. Eleven of the fourteen recommendations are closed. Next steps 1.2. The remaining three close by March. "
        "Vetting inspection 1.3. The force has accepted all recommendations. Delivery of the plan 1.4."
    )
    assert expected in pdf_text
    marks = outline(built)
    section = next(depth for depth, title in marks if title == "1. Progress against the plan")
    depth_of = {title: depth - section for depth, title in marks}
    assert depth_of["HMICFRS inspections"] == 1
    assert depth_of["Custody inspection"] == 2 and depth_of["Vetting inspection"] == 2
    assert depth_of["Current position"] == 3 and depth_of["Next steps"] == 3
    styles = dict((text, style) for style, text in docx_styled(built))
    assert styles["HMICFRS inspections"] == "Heading 3"
    assert styles["Custody inspection"] == "Heading 4"
    assert styles["Current position"] == "Heading 5"
    html = (built / "02-structure.html").read_text(encoding="utf-8")
    assert re.search(r"<h5 [^>]*>Current position</h5>", html)


def test_groups_nest_at_most_three_deep(tmp_path: Path) -> None:
    paper = copy_fixture(tmp_path)
    supporting = paper / "supporting.yaml"
    edit(
        supporting,
        "              - heading: Next steps\n",
        "              - heading: Deeper\n                groups:\n                  - heading: Too deep\n"
        "                    paragraphs: [Text.]\n              - heading: Next steps\n",
    )
    problems = problems_of(paper)
    assert problems == [
        f"{supporting}:{line_of(supporting, 'Too deep')}: groups nest at most 3 deep (section › group › group › group)"
    ]


def test_an_empty_group_is_refused(tmp_path: Path) -> None:
    paper = copy_fixture(tmp_path)
    supporting = paper / "supporting.yaml"
    vetting = "          - heading: Vetting inspection\n"
    edit(supporting, vetting, "          - {}\n" + vetting)
    problems = problems_of(paper)
    assert len(problems) == 1 and "expected 'heading', 'paragraphs' or 'groups' in a group" in problems[0], problems
    assert problems[0].startswith(f"{supporting}:{line_of(supporting, '- {}')}:")


# Appendix content -------------------------------------------------------------------------------


def test_appendix_headings_lead_ins_lists_and_bullets(built: Path, pdf_text: str, libreoffice_text: str) -> None:
    expected = (
        "Appendix A – Assurance map (OFFICIAL) How assurance is given Three lines: management, oversight functions "
        "and internal audit each give assurance. a) the first line owns and manages risk; b) the second line "
        "oversees it; c) the third line gives independent assurance i. to the Audit Panel ii. to the Commissioner"
    )
    assert expected in pdf_text
    assert "Where the gaps are • Contract management has no second-line review. • Fraud: third-line coverage only." in (
        pdf_text
    )
    assert "Where the gaps are" in libreoffice_text and "Fraud: third-line coverage only." in libreoffice_text
    assert "**" not in pdf_text and "**" not in libreoffice_text
    marks = outline(built)
    appendix = next(depth for depth, title in marks if title.startswith("Appendix A"))
    assert (appendix + 1, "How assurance is given") in marks and (appendix + 2, "Where the gaps are") in marks

    from docx import Document

    document = Document(str(built / "02-structure.docx"))
    lead = next(p for p in document.paragraphs if p.text.startswith("Three lines:"))
    assert lead.runs[0].text == "Three lines:" and lead.runs[0].bold
    fraud = next(p for p in document.paragraphs if "third-line coverage only" in p.text)
    assert [r.text for r in fraud.runs if r.bold] == ["Fraud"]


def test_images_are_embedded_sized_and_described_in_pdf_and_docx(built: Path, pdf_text: str) -> None:
    import pikepdf
    from docx import Document
    from docx.shared import Mm

    assert "Figure 3: The three lines of assurance" in pdf_text  # numbered after the two charts, Figures 1 and 2
    assert "Audit Panel Third line: internal audit" in pdf_text  # the SVG's words are text in the PDF
    with pikepdf.open(built / "02-structure.pdf") as pdf:
        alts = []

        def walk(node: pikepdf.Object) -> None:
            if isinstance(node, pikepdf.Dictionary):
                if node.get("/S") == "/Figure" and "/Alt" in node:
                    alts.append(str(node["/Alt"]))
                if "/K" in node:
                    walk(node["/K"])
            elif isinstance(node, pikepdf.Array):
                for child in node:
                    walk(child)

        walk(pdf.Root.StructTreeRoot)
    assert any(alt.startswith("The four steps of an audit") for alt in alts), alts
    assert any(alt.startswith("A diagram of three stacked boxes") for alt in alts), alts

    document = Document(str(built / "02-structure.docx"))
    shapes = document.inline_shapes
    widths = sorted(round(shape.width / Mm(1)) for shape in shapes)
    assert widths == [160, 160, 160, 160, 257]  # two charts and both images at the text width; a landscape chart
    descriptions = [
        element.get("descr") for element in document.element.body.iter() if element.tag.endswith("}docPr")
    ]
    assert any(d and d.startswith("A diagram of three stacked boxes") for d in descriptions), descriptions
    assert any(d and d.startswith("The four steps of an audit") for d in descriptions), descriptions
    pictures = [part for part in document.part.package.parts if part.partname.startswith("/word/media/")]
    assert all(part.content_type in ("image/png", "image/jpeg") for part in pictures)  # the SVG as PNG


# Tables -----------------------------------------------------------------------------------------


def test_markup_in_table_cells(built: Path, pdf_text: str) -> None:
    assert "Payroll controls: starters, leavers and overtime" in pdf_text
    assert "Patching, see NCSC guidance" in pdf_text and "[NCSC" not in pdf_text
    html = (built / "02-structure.html").read_text(encoding="utf-8")
    assert "<strong>Payroll controls</strong>: starters" in html
    assert '<a href="https://www.ncsc.gov.uk/">NCSC guidance</a>' in html
    assert "<em>Detainee</em> property" in html
    from docx import Document

    document = Document(str(built / "02-structure.docx"))
    cells = (c for t in document.tables for row in t.rows for c in row.cells)
    cell = next(c for c in cells if c.text.startswith("Payroll controls"))
    assert [r.text for r in cell.paragraphs[0].runs if r.bold] == ["Payroll controls"]


def test_a_spanning_header_row(built: Path, libreoffice_text: str) -> None:
    html = (built / "02-structure.html").read_text(encoding="utf-8")
    spanning = '<th scope="colgroup" colspan="2" class="center">Audits</th>'
    quarter = '<th scope="col" rowspan="2" class="left">Quarter</th>'
    assert f'<tr class="header-groups">{quarter}{spanning}</tr>' in html
    tables = docx_tables(built / "02-structure.docx")
    delivery = next(t for t in tables if "Audits" in t[0])
    assert delivery[1] == ["Quarter", "Planned", "Delivered"]
    from docx import Document

    document = Document(str(built / "02-structure.docx"))
    first_row = document.tables[0].rows[0]._tr
    spans = [int(el.get(f"{W}val")) for el in first_row.iter(f"{W}gridSpan")]
    assert spans == [2]  # Audits; Quarter is merged down over both header rows
    assert all(row._tr.trPr is not None for row in document.tables[0].rows[:2])
    header_rows = [row for row in document.tables[0].rows if row._tr.find(f"{W}trPr/{W}tblHeader") is not None]
    assert len(header_rows) == 2  # both header rows repeat on every page
    assert "Quarter Audits Planned Delivered" in libreoffice_text  # Quarter spans both header rows


def test_row_groups_are_one_spanning_row_header(built: Path, pdf_text: str) -> None:
    html = (built / "02-structure.html").read_text(encoding="utf-8")
    for name, rows in (("Finance", 3), ("Operations", 2), ("Technology", 1)):
        cell = f'<th scope="rowgroup" rowspan="{rows}" class="row-group left" data-continued="{name} (continued)">'
        assert f"{cell}{name}</th>" in html
    assert pdf_text.count("Finance") == 1  # printed once, over its three rows
    from docx import Document

    document = Document(str(built / "02-structure.docx"))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Area")
    # No merged cell (LibreOffice's tagged PDF would give it no row span): each row says its group, and
    # no rule parts the cells of one group
    assert not [merge for row in table.rows for merge in row._tr.iter(f"{W}vMerge")]
    joined = []
    for row in table.rows[1:]:
        top = row._tr.findall(f"{W}tc")[0].find(f"{W}tcPr/{W}tcBorders/{W}top")
        joined.append(top is not None and top.get(f"{W}val") == "nil")
    assert joined == [False, True, True, False, True, False]
    first_cells = [row.cells[0].text for row in table.rows[1:]]
    assert first_cells == ["Finance", "Finance", "Finance", "Operations", "Operations", "Technology"]


# Charts -----------------------------------------------------------------------------------------


def test_chart_reference_line_divider_and_note_are_drawn_and_described(built: Path) -> None:
    from docx import Document

    document = Document(str(built / "02-structure.docx"))
    descriptions = [el.get("descr") for el in document.element.body.iter() if el.tag.endswith("}docPr")]
    chart = next(d for d in descriptions if d and d.startswith("Grouped bar chart"))
    assert "A dashed line marks Quarterly target at 11." in chart
    assert "A dotted line after 2021/22 Q3 marks Forecast." in chart
    assert "2021/22 Q2: Plan met." in chart
    html = (built / "02-structure.html").read_text(encoding="utf-8")
    svg = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert svg is not None
    import base64

    drawn = base64.b64decode(svg.group(1)).decode("utf-8")
    for words in ("Quarterly target (11)", "Forecast", "Plan met"):
        assert words in drawn


# Bad input, each at its line --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("image: images/process.png", "image: ../01-features/paper.png", "is outside the paper's folder"),
        ("image: images/process.png", "image: images/missing.png", "image 'images/missing.png' not found"),
        ("image: images/process.png", "image: data/audits.csv", "is not a .png, .jpg, .jpeg or .svg file"),
        ("image: images/process.png", "image: images/fake.png", "cannot be read as image/png"),
        ("image: images/process.png", "image: images/big.png", "images may be at most 10 MB"),
        ("image: images/process.png", "image: images/external.svg", "external reference 'https://example.org/x.png'"),
        ("image: images/process.png", "image: images/script.svg", "<script> is not allowed in an SVG image"),
        ("image: images/process.png", "image: images/handler.svg", "event handler 'onload' is not allowed"),
        ("image: images/process.png", "image: images/entity.svg", "may not declare a DOCTYPE or entities"),
        ("image: images/process.png", "image: images/style.svg", "a style may not refer to other files"),
        ("            alt: The four steps of an audit, from scoping to follow-up, in a row of boxes.\n", "", "'alt'"),
    ],
)
def test_bad_images_are_refused_at_their_line(tmp_path: Path, old: str, new: str, message: str) -> None:
    paper = copy_fixture(tmp_path)
    images = paper / "images"
    (images / "fake.png").write_text("not a picture", encoding="utf-8")
    with (images / "big.png").open("wb") as big:
        big.truncate(10 * 1024 * 1024 + 1)
    svg = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'
    (images / "external.svg").write_text(f'{svg}<image xlink:href="https://example.org/x.png"/></svg>', "utf-8")
    (images / "script.svg").write_text(f"{svg}<script>alert(1)</script></svg>", "utf-8")
    (images / "handler.svg").write_text(svg.replace("<svg ", '<svg onload="alert(1)" ') + "</svg>", "utf-8")
    (images / "style.svg").write_text(f"{svg}<style>rect {{ fill: url(https://example.org/x) }}</style></svg>", "utf-8")
    (images / "entity.svg").write_text(f'<!DOCTYPE svg [<!ENTITY a "x">]>{svg}<text>&a;</text></svg>', "utf-8")
    supporting = paper / "supporting.yaml"
    edit(supporting, old, new)
    problems = problems_of(paper)
    assert len(problems) == 1 and message in problems[0], problems
    assert problems[0].startswith(f"{supporting}:{line_of(supporting, '- image:')}:")


def test_an_empty_alt_is_an_error(tmp_path: Path) -> None:
    paper = copy_fixture(tmp_path)
    appendices = paper / "appendices.yaml"
    alt = 'alt: "A diagram of three stacked boxes: first line, second line and third line, each reporting up'
    edit(appendices, alt, 'alt: ""\n        #')
    problems = problems_of(paper)
    assert len(problems) == 1 and problems[0].startswith(f"{appendices}:{line_of(appendices, 'alt: ')}:"), problems


def test_an_unknown_divider_category_is_an_error_at_its_line(tmp_path: Path) -> None:
    paper = copy_fixture(tmp_path)
    data = paper / "data.yaml"
    edit(data, "{after: 2021/22 Q3, label: Forecast}", "{after: 2021/22 Q9, label: Forecast}")
    problems = problems_of(paper)
    assert len(problems) == 1 and problems[0].startswith(f"{data}:{line_of(data, 'Q9')}:"), problems
    assert "no category '2021/22 Q9' on this chart (categories: 2021/22 Q1, 2021/22 Q2" in problems[0]


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ("[Quarter, Delivered]", "the columns under 'Audits' must be adjacent and in the table's order"),
        ("[Planned, Late]", "no column 'Late' in this table (columns: Quarter, Planned, Delivered)"),
    ],
)
def test_a_bad_header_group_is_an_error_at_its_line(tmp_path: Path, columns: str, message: str) -> None:
    paper = copy_fixture(tmp_path)
    data = paper / "data.yaml"
    edit(data, "columns: [Planned, Delivered]", f"columns: {columns}")
    problems = problems_of(paper)
    assert len(problems) == 1 and message in problems[0], problems
    assert problems[0].startswith(f"{data}:{line_of(data, f'columns: {columns}')}:")


def test_a_backslash_in_a_folded_block_is_an_error_with_the_fix(tmp_path: Path) -> None:
    paper = copy_fixture(tmp_path)
    (paper / "paper.yaml").write_text(
        (paper / "paper.yaml").read_text(encoding="utf-8").replace(
            "report_by: Director of Audit, Risk and Assurance",
            "report_by: >-\n  Director of Audit, Risk and Assurance\\\n  Chief Risk Officer",
        ),
        encoding="utf-8",
    )
    problems = problems_of(paper)
    assert len(problems) == 1 and "literal block ('|-')" in problems[0], problems
    assert problems[0].startswith(f"{paper / 'paper.yaml'}:")


def test_bad_input_writes_nothing_and_exits_1(tmp_path: Path, structure_build: Path) -> None:
    shutil.copytree(structure_build.parent, tmp_path, dirs_exist_ok=True)  # the paper and its good build
    paper, out = tmp_path / "content" / FIXTURE.parent.name / FIXTURE.name, tmp_path / "out"
    assert paper.parent.parent.name == "content" and (paper / "supporting.yaml").is_file()
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert any(p.name == f"{FIXTURE.name}.pdf" for p in before)
    edit(paper / "supporting.yaml", "image: images/process.png", "image: ../../secret.png")
    second = run_panelpapers("build", paper, "--out", out, cwd=tmp_path)
    assert second.returncode == 1
    assert "is outside the paper's folder" in second.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_series_colour_too_pale_to_see_is_an_error_at_its_line(tmp_path: Path) -> None:
    paper = copy_fixture(tmp_path)
    data = paper / "data.yaml"
    series = "    series: [planned, delivered]\n"
    edit(data, series, series + "    colours: ['1', '#f0a500']\n")
    problems = problems_of(paper)
    assert problems == [
        f"{data}:{line_of(data, 'colours:')}: charts.delivery_chart.colours.1: expected a chart colour with at least "
        "3:1 contrast against white, got #f0a500 (2.08:1); use a darker shade"
    ]
