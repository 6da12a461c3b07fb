"""The public variant is made from public inputs only: withheld content leaves no trace in its
numbering, its manifest or its bytes, and data that only sensitive content uses cannot be quoted in
text of a lower marking."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLE_MEETING, run_panelpapers

from panelpapers.build import build

PAPER = "02-risk-management"
# Appendix A (the register, from data/risks.csv) becomes OFFICIAL-SENSITIVE; Appendix B gains a table
# of its own from inline rows, so the public paper's first table is B's.
SENSITIVE_APPENDICES = """appendices:
  - ref: A
    title: Summary of corporate risks and heat maps – December 2021
    marking: OFFICIAL-SENSITIVE
    content:
      - table: register_short_term
      - table: register_long_term
      - chart: heat_map_short_term
      - chart: heat_map_long_term
  - ref: B
    title: Trust initiatives
    content:
      - The initiatives below are funded from the Rebuilding Trust programme.
      - table: initiatives
background_papers: []
"""
INITIATIVES = """
sources:
  initiatives_rows:
    rows:
      - {initiative: Community panels, lead: Neighbourhoods}
      - {initiative: Body-worn video reviews, lead: Professionalism}
    columns:
      initiative: text
      lead: text

tables:
  initiatives:
    caption: Trust initiatives and their leads
    source: initiatives_rows
"""


def paper_with_sensitive_appendix(root: Path) -> Path:
    paper = root / EXAMPLE_MEETING.name / PAPER
    shutil.copytree(EXAMPLE_MEETING / PAPER, paper)
    (paper / "appendices.yaml").write_text(SENSITIVE_APPENDICES, encoding="utf-8")
    data = paper / "data.yaml"
    data.write_text(data.read_text(encoding="utf-8") + INITIATIVES, encoding="utf-8")
    return paper


def pdf_text(path: Path) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in document)
    finally:
        document.close()


def folder_hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("public-variant")
    paper = paper_with_sensitive_appendix(root / "content")
    build([paper], root / "build", jobs=1)
    return paper, root / "build" / EXAMPLE_MEETING.name


def test_public_numbering_does_not_count_withheld_tables(built: tuple[Path, Path]) -> None:
    _, out = built
    restricted = pdf_text(out / "restricted" / f"{PAPER}.pdf")
    assert "Table 3: Trust initiatives and their leads" in restricted
    public = pdf_text(out / "public" / f"{PAPER}.pdf")
    assert "Table 1: Trust initiatives and their leads" in public
    assert not re.search(r"Table [2-9]|Figure \d", public), "the public paper counts withheld tables or charts"


def test_public_manifest_names_no_input_of_withheld_content(built: tuple[Path, Path]) -> None:
    _, out = built
    public = json.loads((out / "public" / "manifest.json").read_text(encoding="utf-8"))
    restricted = json.loads((out / "restricted" / "manifest.json").read_text(encoding="utf-8"))
    risks = next(name for name in restricted["inputs"] if name.endswith("risks.csv"))
    assert not any("risks.csv" in name for name in public["inputs"])
    assert restricted["inputs"][risks] not in public["inputs"].values()
    raw = {name for name in public["inputs"] if name.endswith(("appendices.yaml", "data.yaml"))}
    assert not raw, f"files holding withheld content are listed by their whole hash: {raw}"


def test_public_build_is_byte_identical_when_only_withheld_content_changes(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    paper, out = built
    before = folder_hashes(out / "public")
    edited = tmp_path / "content" / EXAMPLE_MEETING.name / PAPER
    shutil.copytree(paper, edited)
    risks = edited / "data" / "risks.csv"
    risks.write_text(risks.read_text(encoding="utf-8").replace("Director of HR", "Director of People"), "utf-8")
    appendices = edited / "appendices.yaml"
    appendices.write_text(
        appendices.read_text(encoding="utf-8").replace("heat maps – December 2021", "heat maps – January 2022"), "utf-8"
    )
    build([edited], tmp_path / "build", jobs=1)
    after_restricted = folder_hashes(tmp_path / "build" / EXAMPLE_MEETING.name / "restricted")
    assert after_restricted[f"{PAPER}.pdf"] != folder_hashes(out / "restricted")[f"{PAPER}.pdf"]
    assert folder_hashes(tmp_path / "build" / EXAMPLE_MEETING.name / "public") == before


SECRET_SOURCE = """sources:
  secret_cases:
    rows:
      - {case: Operation Larch, status: Open}
      - {case: Operation Rowan, status: Open}
      - {case: Operation Alder, status: Closed}
    columns:
      case: text
      status: text
"""
SECRET_TABLE_AND_FIGURE = """
  cases_table:
    caption: Cases under way
    source: secret_cases

figures:
  cases:
    open:
      source: secret_cases
      count: rows
      where:
        - {column: status, equals: Open}
"""
QUOTE = "    {{ cases.open }} cases are open.\n"


def test_a_figure_from_data_only_sensitive_content_uses_cannot_be_quoted_in_public_text(tmp_path: Path) -> None:
    """A source that only the OFFICIAL-SENSITIVE appendix shows is OFFICIAL-SENSITIVE; a count of its
    rows in the OFFICIAL summary would publish it."""
    paper = paper_with_sensitive_appendix(tmp_path / "content")
    data = paper / "data.yaml"
    text = data.read_text(encoding="utf-8")
    assert text.count("sources:\n") == 1 and text.endswith("source: initiatives_rows\n")
    text = text.replace("sources:\n", SECRET_SOURCE, 1) + SECRET_TABLE_AND_FIGURE
    data.write_text(text, encoding="utf-8")
    appendices = paper / "appendices.yaml"
    appendices.write_text(
        appendices.read_text(encoding="utf-8").replace(
            "      - chart: heat_map_long_term\n", "      - chart: heat_map_long_term\n      - table: cases_table\n"
        ),
        encoding="utf-8",
    )
    summary = paper / "summary.yaml"
    anchor = "purpose:\n  - >-\n"
    assert anchor in summary.read_text(encoding="utf-8"), "the example's summary has changed shape"
    summary.write_text(summary.read_text(encoding="utf-8").replace(anchor, anchor + QUOTE, 1), "utf-8")
    quote_line = summary.read_text(encoding="utf-8").splitlines().index(QUOTE.rstrip("\n")) + 1

    out = tmp_path / "build"
    done = run_panelpapers("build", paper, "--out", out, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    problems = [line for line in done.stderr.splitlines() if "cases.open" in line]
    assert len(problems) == 1 and f"summary.yaml:{quote_line}: figure 'cases.open'" in problems[0], done.stderr
    assert "'secret_cases'" in problems[0] and "OFFICIAL-SENSITIVE" in problems[0], problems
    assert not out.exists(), "nothing is written when content has problems"
    # Declaring the data publishable is the author's call; then the paper builds.
    data.write_text(text.replace("  secret_cases:\n", "  secret_cases:\n    marking: OFFICIAL\n", 1), "utf-8")
    done = run_panelpapers("check", paper, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
