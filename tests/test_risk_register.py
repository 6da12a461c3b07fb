"""The risk register as data: register tables in the reference layout, heat maps with each ref in
its cell (checked from the model and from the SVG's own text), and bad registers refused."""

from __future__ import annotations

import csv
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from datapapers import RISK_PAPER, copy_paper, docx_tables, file_hashes, squash
from readback import pdf_pages_text

from panelpapers.build import build, gather
from panelpapers.house import DEFAULT_HOUSE
from panelpapers.model import Chart, Paper, Table, plain_text

CLI = Callable[..., subprocess.CompletedProcess[str]]
SCALE = ["VL", "L", "M", "H", "VH"]


def register_rows(paper_folder: Path) -> list[dict[str, str]]:
    with (paper_folder / "data" / "risks.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def score(text: str) -> tuple[str, str]:
    likelihood, impact = text.split(" v ")
    return likelihood, impact


@pytest.fixture(scope="module")
def paper(example_meeting: Path) -> Paper:
    found = gather([example_meeting / RISK_PAPER])[0].paper
    assert found is not None
    return found


def appendix_blocks(paper: Paper) -> tuple[list[Table], list[Chart]]:
    blocks = paper.appendices[0].blocks
    return [b for b in blocks if isinstance(b, Table)], [b for b in blocks if isinstance(b, Chart)]


def test_register_tables_follow_the_reference_layout(paper: Paper, example_meeting: Path) -> None:
    rows = register_rows(example_meeting / RISK_PAPER)
    tables, _ = appendix_blocks(paper)
    assert [t.label for t in tables] == [
        "Table 1: Corporate risk register, December 2021 – short-term risks",
        "Table 2: Corporate risk register, December 2021 – long-term risks",
    ]
    assert tables[0].headers == (
        "Ref",
        "Risk Trend",
        "Risk Description",
        "Risk Owner",
        "Working Lead(s)",
        "Target position",
    )
    for table, horizon in zip(tables, ("short-term", "long-term"), strict=True):
        expected = [r for r in rows if r["horizon"] == horizon]
        assert [plain_text(row.cells[0]).split("\n")[0] for row in table.rows] == [r["ref"] for r in expected]
        for row, risk in zip(table.rows, expected, strict=True):
            assert plain_text(row.cells[0]) == f"{risk['ref']}\n{risk['current']}"
            assert plain_text(row.cells[1]) == risk["trend"]
            assert plain_text(row.cells[2]).startswith(risk["name"].upper() + "\n")
            assert plain_text(row.cells[4]).split("\n") == [lead.strip() for lead in risk["leads"].split(";")]
            assert plain_text(row.cells[5]) == risk["target"]
        assert table.landscape
    assert [r["ref"] for r in rows if r["horizon"] == "short-term"] == ["1", "2", "3"]
    assert [r["ref"] for r in rows if r["horizon"] == "long-term"] == [str(n) for n in range(4, 12)]


@pytest.mark.quick
def test_heat_map_cells_in_the_model(paper: Paper, example_meeting: Path) -> None:
    rows = register_rows(example_meeting / RISK_PAPER)
    _, figures = appendix_blocks(paper)
    assert [f.label for f in figures] == [
        "Figure 1: Short-term heat map – current and target positions",
        "Figure 2: Long-term heat map – current and target positions",
    ]
    for figure, horizon in zip(figures, ("short-term", "long-term"), strict=True):
        assert len(figure.heat_map) == 25
        for risk in (r for r in rows if r["horizon"] == horizon):
            for kind in ("current", "target"):
                cells = [c for c in figure.heat_map if risk["ref"] in getattr(c, kind)]
                assert [(c.likelihood, c.impact) for c in cells] == [score(risk[kind])], (risk["ref"], kind)
        placed = sorted(ref for c in figure.heat_map for ref in c.current)
        assert placed == sorted(r["ref"] for r in rows if r["horizon"] == horizon)
        for risk in (r for r in rows if r["horizon"] == horizon):
            assert f"risk {risk['ref']} at {risk['current']}" in figure.alt


def svg_positions(svg: bytes) -> tuple[dict[str, float], dict[str, float], list[tuple[str, float, float, str]]]:
    """Impact tick x-centres, likelihood tick y-centres and every other text (text, x, y, style)."""
    root = ET.fromstring(svg)
    impacts: dict[str, float] = {}
    likelihoods: dict[str, float] = {}
    texts = []
    for node in root.iter("{http://www.w3.org/2000/svg}text"):
        text = "".join(node.itertext())
        x, y, style = float(node.get("x", 0)), float(node.get("y", 0)), node.get("style", "")
        tick = re.fullmatch(r".*\((VL|L|M|H|VH)\)", text)
        if tick and "text-anchor: middle" in style:
            impacts[tick.group(1)] = x
        elif tick and "text-anchor: end" in style:
            likelihoods[tick.group(1)] = y
        else:
            texts.append((text, x, y, style))
    return impacts, likelihoods, texts


@pytest.mark.quick
def test_heat_map_svg_puts_each_ref_in_its_cell(paper: Paper, example_meeting: Path) -> None:
    rows = {r["ref"]: r for r in register_rows(example_meeting / RISK_PAPER)}
    _, figures = appendix_blocks(paper)
    for figure in figures:
        impacts, likelihoods, texts = svg_positions(figure.svg)
        assert sorted(impacts) == sorted(SCALE) and sorted(likelihoods) == sorted(SCALE)
        cell = abs(impacts["L"] - impacts["VL"])
        seen: dict[str, set[str]] = {"current": set(), "target": set()}
        for text, x, y, style in texts:
            for ref in re.findall(r"\d+", text):
                if ref not in rows or "font-size: 5" in style:
                    continue
                kind = "target" if text.startswith("(") else "current"
                impact = min(impacts, key=lambda k: abs(impacts[k] - x))
                likelihood = min(likelihoods, key=lambda k: abs(likelihoods[k] - y))
                assert abs(impacts[impact] - x) < cell / 2
                assert (likelihood, impact) == score(rows[ref][kind]), (ref, kind, text)
                if kind == "current":
                    assert "font-weight: 700" in style or "bold" in style
                seen[kind].add(ref)
        expected = {c for cell_ in figure.heat_map for c in cell_.current}
        assert seen["current"] == expected and seen["target"] == expected


def test_register_in_pdf_and_docx(tmp_path: Path, paper: Paper, example_meeting: Path) -> None:
    build([example_meeting / RISK_PAPER], tmp_path, jobs=1)
    folder = tmp_path / example_meeting.name / "restricted"
    pages = pdf_pages_text(folder / f"{RISK_PAPER}.pdf")
    text = squash(" ".join(pages))
    assert "Appendix A – Summary of corporate risks and heat maps – December 2021" in text
    assert "VIOLENT CRIME" in text and "LEGITIMACY" in text
    for number, page in enumerate(pages, start=1):  # landscape pages keep their furniture
        assert page.count(paper.marking) >= 2 and f"Page {number} of {len(pages)}" in page
    tables, _ = appendix_blocks(paper)
    docx = docx_tables(folder / f"{RISK_PAPER}.docx")
    from docx import Document

    sections = Document(str(folder / f"{RISK_PAPER}.docx")).sections
    shapes = [s.page_width > s.page_height for s in sections]
    assert shapes == [False, True], "the appendix should be one landscape section after the portrait body"
    for section in sections:  # every section carries the marking and page numbers
        header = "".join(p.text for p in section.header.paragraphs)
        footer_xml = section.footer._element.xml
        assert paper.marking in header and paper.marking in footer_xml
        assert 'w:instr="PAGE"' in footer_xml and 'w:instr="NUMPAGES"' in footer_xml
    def printed(cell: str) -> str:  # Word has no text alternative: a trend arrow alone gets its words beside it
        words = DEFAULT_HOUSE.wording.trend(cell)
        return f"{cell} {words}" if words else cell

    expected = [
        [list(t.headers)] + [[printed(squash(plain_text(c))) for c in row.cells] for row in t.rows] for t in tables
    ]
    assert docx == expected
    assert any(cell == "↓ falling" for table in docx for row in table for cell in row)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            (",M v H,L v M,", ",Q v H,L v M,"),
            "column 'current': expected a score 'likelihood v impact' on the scale VL, L, M, H, VH "
            "(such as 'M v H'), got 'Q v H'",
        ),
        (
            ("\n2,New systems,", "\n1,New systems,"),
            "column 'ref': ref '1' is already used at line 2; refs must be unique",
        ),
        (
            (",↔,short-term,", ",sideways,short-term,"),
            "column 'trend': expected one of ↑, ↓, ↔, ↕, New, got 'sideways'",
        ),
        (
            ("ref,name,description,owner,", "ref,name,description,risk_owner,"),
            "missing column owner; a risk register has columns",
        ),
    ],
)
def test_bad_register_exits_1_with_file_row_column(
    tmp_path: Path, panelpapers_cli: CLI, edit: tuple[str, str], message: str
) -> None:
    paper_folder = copy_paper(RISK_PAPER, tmp_path)
    path = paper_folder / "data" / "risks.csv"
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    out = tmp_path / "build"
    out.mkdir()
    (out / "keep.txt").write_text("earlier output")
    before = file_hashes(out)
    result = panelpapers_cli("build", paper_folder, "--out", out, cwd=tmp_path)
    assert result.returncode == 1
    problem_lines = [line for line in result.stderr.splitlines() if "risks.csv:" in line]
    assert len(problem_lines) == 1, result.stderr
    expected_line = next(
        (i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if edit[1].strip() in line),
        1,
    )
    assert f"risks.csv:{expected_line}: {message}" in problem_lines[0]
    assert file_hashes(out) == before
