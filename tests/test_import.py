"""`panelpapers import`: a Word paper in, a paper folder out that passes `check`, builds, and reads
back with the same passages, tables and numbering; bad input refused with one line, nothing written."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from conftest import EXAMPLE_MEETING, PROJECT_ROOT, run_in_this_process
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from readback import docx_texts, libreoffice_convert, require_tool

# beside the checkout in CI (../shared); a worktree of it lies one folder further down
REFERENCE = next(
    (folder / "shared" / "reference" for folder in PROJECT_ROOT.parents if (folder / "shared" / "reference").is_dir()),
    PROJECT_ROOT.parent / "shared" / "reference",
)


def project_copy(tmp_path: Path) -> Path:
    """A content project holding the example meeting, to import into."""
    root = tmp_path / "project"
    (root / "content").mkdir(parents=True)
    shutil.copy2(PROJECT_ROOT / "panelpapers.yaml", root / "panelpapers.yaml")
    shutil.copytree(EXAMPLE_MEETING, root / "content" / EXAMPLE_MEETING.name)
    return root


def passages(review: Path, *, images: bool = True) -> list[tuple[str, ...]]:
    """The review record's passages: kind, number, text, table (and the picture's hash)."""
    return [
        (p["kind"], p["number"], p["text"], json.dumps(p["table"])) + ((p["image"],) if images else ())
        for p in json.loads(review.read_text(encoding="utf-8"))["passages"]
    ]


ROUND_TRIP = {"02-risk-management": "12-risk-management", "03-audit-actions": "13-audit-actions"}
ROUND_TRIP["04-governance-statement"] = "14-governance-statement"


@dataclass
class RoundTrip:
    meeting: Path  # the project's copy of the example meeting, holding the imported papers too
    first: Path  # the original papers' restricted build
    second: Path  # the imported papers' restricted build
    stderr: dict[str, str]  # what each import printed


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory: pytest.TempPathFactory, example_build: Path) -> RoundTrip:
    """The example's papers built (the run's shared build), each DOCX imported beside its original,
    checked, and the imported papers built again: one build of each for all the round-trip tests."""
    tmp_path = tmp_path_factory.mktemp("round-trip")
    root = project_copy(tmp_path)
    meeting = root / "content" / EXAMPLE_MEETING.name
    first = example_build / EXAMPLE_MEETING.name / "restricted"
    assert sorted(path.stem for path in first.glob("*-*.docx")) == sorted(ROUND_TRIP), "the example's papers"
    stderr = {}
    for original, copy in ROUND_TRIP.items():
        report = tmp_path / f"{copy}.md"
        docx = first / f"{original}.docx"
        imported = run_in_this_process("import", docx, meeting / copy, "--report", report, cwd=root)
        assert imported.returncode == 0, imported.stderr
        stderr[copy] = imported.stderr
        checked = run_in_this_process("check", meeting / copy, cwd=root)
        assert checked.returncode == 0, checked.stderr
    rebuilt = run_in_this_process(
        "build", *(meeting / copy for copy in ROUND_TRIP.values()), "--out", tmp_path / "second", cwd=root
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    return RoundTrip(meeting, first, tmp_path / "second" / EXAMPLE_MEETING.name / "restricted", stderr)


def vertical_merges(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return re.findall(r"<w:vMerge[^>]*>", archive.read("word/document.xml").decode("utf-8"))


def joined_cells(path: Path) -> int:
    """Cells drawn with no rule above them: the rows of a row group after its first."""
    with zipfile.ZipFile(path) as archive:
        return archive.read("word/document.xml").decode("utf-8").count('<w:top w:val="nil"/>')


def test_round_trip_of_a_built_paper(round_trip: RoundTrip) -> None:
    meeting, folder = round_trip.meeting, round_trip.meeting / "13-audit-actions"
    assert "- paper: 13-audit-actions" in (meeting / "meeting.yaml").read_text(encoding="utf-8")
    before = passages(round_trip.first / "03-audit-actions.review.json")
    after = passages(round_trip.second / "13-audit-actions.review.json", images=False)
    assert after == [passage[:4] for passage in before]  # every paragraph, number, heading and table cell
    assert sum(kind == "table" for kind, *_ in after) == 7
    assert any(number == "1.9" for _, number, *_ in after)
    report = (meeting.parents[2] / "13-audit-actions.md").read_text(encoding="utf-8")
    assert "| supporting | 17 | 5 | 2 |" in report
    csv = (folder / "data" / "table_2.csv").read_text(encoding="utf-8")
    assert "**Grand Total**,**110**,**74**,**67%**,**26**" in csv  # the total is kept as a row, bold as in Word
    # the business groups Word printed once over their audits' rows are row groups again, printed
    # as the same merged cells
    data = (folder / "data.yaml").read_text(encoding="utf-8")
    assert data.count("row_groups:") == 1 and "    row_groups: business_group\n" in data
    assert "Corporate Services,Estates maintenance,4,3\nCorporate Services,Fleet management,8,5" in (
        folder / "data" / "table_7.csv"
    ).read_text(encoding="utf-8")
    merges = vertical_merges(round_trip.second / "13-audit-actions.docx")
    assert merges == vertical_merges(round_trip.first / "03-audit-actions.docx")
    # the two headers beside the spanning "Calendar quarter due", each merged down over both header rows
    assert len(merges) == 4 and merges.count('<w:vMerge w:val="restart"/>') == 2
    # 5 business groups down the audits, each row with its group's name, no rule between a group's rows
    joined = joined_cells(round_trip.second / "13-audit-actions.docx")
    assert joined == joined_cells(round_trip.first / "03-audit-actions.docx") == 11
    # numbers are right-aligned as Word aligned them, a bold total notwithstanding
    assert "      - name: outstanding\n        header: Outstanding\n        align: right\n" in data


def test_round_trip_of_the_risk_register_paper(round_trip: RoundTrip) -> None:
    folder = round_trip.meeting / "12-risk-management"
    before = passages(round_trip.first / "02-risk-management.review.json")
    after = passages(round_trip.second / "12-risk-management.review.json")
    # every passage comes back: the register's cells, the ref and score on two lines, the heat maps'
    # captions; the heat maps themselves come back as pictures of the charts (the import cannot know
    # the register they were drawn from), so only their pictures' hashes differ
    assert [passage[:4] for passage in after] == [passage[:4] for passage in before]
    changed = [a[2] for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [
        "Figure 1: Short-term heat map – current and target positions",
        "Figure 2: Long-term heat map – current and target positions",
    ]
    data = (folder / "data.yaml").read_text(encoding="utf-8")
    assert "charts:" not in data and "risk_registers:" not in data and data.count("    landscape: yes\n") == 2
    appendices = (folder / "appendices.yaml").read_text(encoding="utf-8")
    assert appendices.count("- image: images/image-") == 2 and "alt: " in appendices
    register = (folder / "data" / "table_1.csv").read_text(encoding="utf-8")
    assert '"Head of Profession – CP, Inclusion & Engagement\\\nCmdr Frontline Policing"' in register
    assert '"**1**\\\nM v H"' in register
    # the register is printed as it was: landscape, its short columns centred, its leads one a line
    document = docx.Document(str(round_trip.second / "12-risk-management.docx"))
    table = document.tables[0]
    assert table.rows[1].cells[4].text == "Head of Profession – CP, Inclusion & Engagement\nCmdr Frontline Policing"
    assert table.rows[1].cells[5].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    original = docx.Document(str(round_trip.first / "02-risk-management.docx"))
    # the tables' landscape pages come back; a picture has no landscape of its own, so the heat
    # maps, on landscape pages as charts, print on a portrait page after them
    orientations = [section.orientation for section in document.sections]
    assert orientations == [section.orientation for section in original.sections] + [WD_ORIENT.PORTRAIT]
    assert orientations[-2] == WD_ORIENT.LANDSCAPE


def test_round_trip_of_the_governance_statement(round_trip: RoundTrip) -> None:
    folder = round_trip.meeting / "14-governance-statement"
    before = passages(round_trip.first / "04-governance-statement.review.json")
    after = passages(round_trip.second / "14-governance-statement.review.json")
    assert [passage[:4] for passage in after] == [passage[:4] for passage in before]
    # the headings every principle repeats ("Current position" …) are headings, not running heads
    assert sum(passage[:3] == ("heading", "", "Current position") for passage in after) == 7
    # the survey chart comes back as its picture, with its alt text and caption
    changed = [a[2] for a, b in zip(before, after, strict=True) if a != b]
    assert changed == ["Figure 1: Senior leaders' answers by question"]
    supporting = (folder / "supporting.yaml").read_text(encoding="utf-8")
    assert "- image: images/image-1.png\n            alt: >-\n              Stacked bar chart" in supporting
    assert "caption: Senior leaders' answers by question" in supporting
    assert "charts:" not in (folder / "data.yaml").read_text(encoding="utf-8")
    # the hidden bookmarks that anchor each passage to its source are not copied
    for path in folder.rglob("*.yaml"):
        assert "_pp" not in path.read_text(encoding="utf-8")


def reference_paper(name: str) -> Path:
    """A reference paper's text; locally a missing ../shared/reference skips, in CI (where it always
    lies beside the checkout) it fails."""
    if not REFERENCE.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the reference papers are required in CI beside the checkout: {REFERENCE}")
        pytest.skip("the reference papers are not beside the checkout")
    return REFERENCE / name


def plain_docx(text_file: Path, out: Path) -> Path:
    return libreoffice_convert(text_file, out, "docx")


def test_plain_libreoffice_paper(tmp_path: Path) -> None:
    source = reference_paper("000_a0a0ac4172d9c673.txt")
    word = plain_docx(source, tmp_path)
    root = project_copy(tmp_path)
    folder = root / "content" / EXAMPLE_MEETING.name / "20-risk-report"
    imported = run_in_this_process("import", word, folder, cwd=root)
    assert imported.returncode == 0, imported.stderr
    assert run_in_this_process("check", folder, cwd=root).returncode == 0
    built = run_in_this_process("build", folder, "--out", tmp_path / "b", cwd=root)
    assert built.returncode == 0, built.stderr
    document = docx.Document(str(tmp_path / "b" / EXAMPLE_MEETING.name / "restricted" / "20-risk-report.docx"))
    texts = docx_texts(document)
    # the numbered paragraphs the text shows, 1.1 … 1.29 and 2.1 … 2.10, with their own words
    numbered = [text.split("\t")[0] for text in texts if text[:1].isdigit() and "\t" in text]
    assert numbered[:3] == ["1.1.", "1.2.", "1.3."] and "1.29." in numbered and "2.1." in numbered
    assert any(text.startswith("1.10.\tSince the last Audit Panel on 4 October") for text in texts)
    assert "2. Whistleblowing Reports" in texts and "3. Equality and Diversity Impact" in texts
    assert "Whistleblowing under the Public Interest Disclosure Act 1998" in texts
    assert "a)\tthe sentencing of the murderer of Sarah Everard in late September;" in texts
    assert "Met Risk Management Report" in texts
    # the register's tab-separated lines are tables, cells as the text shows them (a trend arrow alone
    # with the house's words beside it, as the DOCX prints it)
    cells = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    assert [
        "10 VH v VH",
        "↔ stable",
        "LEGITIMACY Legitimacy in the Met is weakened",
        "Deputy Commissioner",
        "Director of Strategy and Governance",
        "M v M",
    ] in cells
    paper = (folder / "paper.yaml").read_text(encoding="utf-8")
    assert "organisation: MOPAC" in paper and "date: 2022-01-17" in paper
    assert "report_by: Chief of Corporate Services" in paper
    # 2.9 is cut in two by a page break in the text; the second half, starting mid-sentence, joins it
    assert any(text.startswith("2.9.\tIn conclusion") and text.endswith("arising from both.") for text in texts)
    assert "NOT PLACED BY IMPORT" not in (folder / "supporting.yaml").read_text(encoding="utf-8")


# A paper as a secretariat might write it in Markdown for pandoc: a cover, the Report Summary's
# parts, lettered recommendations, numbered paragraphs under headings two levels deep, a table with
# its caption, the implication sections and contact details.
PANDOC_PAPER = """\
MAYOR OF LONDON · OFFICE FOR POLICING AND CRIME

MPS-MOPAC JOINT AUDIT PANEL

6 March 2023

# Counter Fraud Annual Report 2022/23

Report by: Head of Counter Fraud

## Report Summary

### Overall Summary of the Purpose of the Report

This report tells the Panel how the counter fraud team worked in 2022/23: the cases it opened and
closed, the money it recovered and the controls that changed because of its findings.

### Key Considerations for the Panel

The Panel should weigh the rise in **payroll** cases against the fall in *procurement* cases, and
note that recovery of money often takes several years.

### Interdependencies/Cross Cutting Issues

The work links with the internal audit plan and with the fraud risk on the corporate risk register.

## Recommendations

The Audit Panel is recommended to:

a. Note the cases opened and closed in the year; and
b. Agree the priorities for 2023/24 set out in section 1.

## 1. Supporting Information

1.1 The counter fraud team investigates suspected fraud against the organisation and advises
managers on controls that prevent it.

1.2 This report covers the year from 1 April 2022 to 31 March 2023.

### Cases opened and closed

1.3 The team opened 42 cases in the year and closed 37 of them. Most cases came to the team in three ways:

a) 18 from the confidential reporting line;
b) 14 from managers; and
c) 10 from data matching.

1.4 The table below counts the cases by type.

| Type        | Opened | Closed |
|-------------|-------:|-------:|
| Payroll     | 17     | 15     |
| Procurement | 9      | 8      |
| Expenses    | 16     | 14     |

Table: Cases opened and closed by type, 2022/23

### Money recovered

1.5 The team recovered £212,000, a third more than in the year before.

#### Payroll overpayments

1.6 Most of the money came back from payroll overpayments, which are repaid in instalments over up
to three years.

### Priorities for 2023/24

1.7 Next year the team will concentrate on expenses claims, where data matching finds the most cases.

## 2. Equality and Diversity Impact

The team's work treats every person the same way; no group is affected unequally by it.

## 3. Financial Implications

There are no direct financial implications from this report.

## 4. Legal Implications

There are no direct legal implications from this report.

## 5. Risk Implications

Fraud is one of the risks on the corporate risk register; this work reduces it.

## 6. Contact Details

Report author: Jane Example, Head of Counter Fraud, Directorate of Audit, Risk and Assurance

Email: jane.example@example.org

## 7. Appendices and Background Papers

There are no appendices to this report.
"""


def test_pandoc_paper(tmp_path: Path) -> None:
    pandoc = require_tool("pandoc")
    (tmp_path / "paper.md").write_text(PANDOC_PAPER, encoding="utf-8")
    subprocess.run([pandoc, "paper.md", "-o", "paper.docx"], cwd=tmp_path, check=True, timeout=120)
    styles = {paragraph.style.name for paragraph in docx.Document(str(tmp_path / "paper.docx")).paragraphs}
    assert {"First Paragraph", "Body Text", "Compact", "Heading 2", "Heading 3", "Table Caption"} <= styles
    root = project_copy(tmp_path)
    folder = root / "content" / EXAMPLE_MEETING.name / "20-counter-fraud"
    imported = run_in_this_process("import", tmp_path / "paper.docx", folder, cwd=root)
    assert imported.returncode == 0, imported.stderr
    assert "numbered" not in imported.stderr  # the paper's numbers 1.1 … 1.7 are ours too
    checked = run_in_this_process("check", folder, cwd=root)
    assert checked.returncode == 0, checked.stderr
    built = run_in_this_process("build", folder, "--out", tmp_path / "b", cwd=root)
    assert built.returncode == 0, built.stderr
    document = docx.Document(str(tmp_path / "b" / EXAMPLE_MEETING.name / "restricted" / "20-counter-fraud.docx"))
    read = list(zip([paragraph.style.name for paragraph in document.paragraphs], docx_texts(document), strict=True))
    start = read.index(("Heading 2", "1. Supporting Information"))
    supporting = [(style, text.split(" Most")[0]) for style, text in read[start + 1 : start + 16]]
    assert supporting == [
        (
            "Numbered Paragraph",
            "1.1.\tThe counter fraud team investigates suspected fraud against the organisation "
            "and advises managers on controls that prevent it.",
        ),
        ("Numbered Paragraph", "1.2.\tThis report covers the year from 1 April 2022 to 31 March 2023."),
        ("Heading 3", "Cases opened and closed"),
        ("Numbered Paragraph", "1.3.\tThe team opened 42 cases in the year and closed 37 of them."),
        ("List Item", "a)\t18 from the confidential reporting line;"),
        ("List Item", "b)\t14 from managers; and"),
        ("List Item", "c)\t10 from data matching."),
        ("Numbered Paragraph", "1.4.\tThe table below counts the cases by type."),
        ("Caption", "Table 1: Cases opened and closed by type, 2022/23"),
        ("Table Notes", ""),
        ("Heading 3", "Money recovered"),
        ("Numbered Paragraph", "1.5.\tThe team recovered £212,000, a third more than in the year before."),
        ("Heading 4", "Payroll overpayments"),
        (
            "Numbered Paragraph",
            "1.6.\tMost of the money came back from payroll overpayments, which are repaid in "
            "instalments over up to three years.",
        ),
        ("Heading 3", "Priorities for 2023/24"),
    ]
    for heading in ["2. Equality and Diversity Impact", "5. Risk Implications", "6. Contact Details"]:
        assert ("Heading 2", heading) in read
    assert ("Paper Title", "Counter Fraud Annual Report 2022/23") in read
    assert ("Recommendation", "b.\tAgree the priorities for 2023/24 set out in section 1.") in read
    assert ("Normal", "Fraud is one of the risks on the corporate risk register; this work reduces it.") in read
    assert ("Normal", "Email: jane.example@example.org") in read
    considerations = next(p for p in document.paragraphs if p.text.startswith("The Panel should weigh"))
    assert [run.text for run in considerations.runs if run.bold] == ["payroll"]
    assert [run.text for run in considerations.runs if run.italic] == ["procurement"]
    [table] = document.tables
    assert [[cell.text for cell in row.cells] for row in table.rows] == [
        ["Type", "Opened", "Closed"],
        ["Payroll", "17", "15"],
        ["Procurement", "9", "8"],
        ["Expenses", "16", "14"],
    ]
    paper = (folder / "paper.yaml").read_text(encoding="utf-8")
    assert "organisation: MOPAC" in paper and "date: 2023-03-06" in paper


def make_docx(path: Path, paragraphs: list[str]) -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


@pytest.mark.parametrize(
    "kind, expected",
    [
        ("text", "not a DOCX"),
        ("ole", "encrypted"),
        ("corrupt", "corrupt"),
        ("bomb", "zip bomb"),
        ("large", "over the 50 MB import limit"),
        ("exists", "already exists"),
        ("outside", "lies outside"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(tmp_path: Path, kind: str, expected: str) -> None:
    root = project_copy(tmp_path)
    meeting = root / "content" / EXAMPLE_MEETING.name
    target = meeting / "20-imported"
    good = make_docx(tmp_path / "good.docx", ["A title", "Report by: Someone"])
    paper = tmp_path / "paper.docx"
    if kind == "text":
        paper.write_text("just text\n")
    elif kind == "ole":
        paper.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    elif kind == "corrupt":
        paper.write_bytes(good.read_bytes()[:2000])
    elif kind == "bomb":
        with zipfile.ZipFile(paper, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("word/document.xml", b"\0" * (400 * 1024 * 1024))
    elif kind == "large":
        with paper.open("wb") as file:
            file.write(good.read_bytes())
            file.truncate(51 * 1024 * 1024)
    else:
        shutil.copy2(good, paper)
    if kind == "exists":
        target = meeting / "03-audit-actions"
    if kind == "outside":
        target = tmp_path / "elsewhere" / "20-imported"
        (target.parent).mkdir()
        shutil.copy2(meeting / "meeting.yaml", target.parent / "meeting.yaml")
    meeting_before = (meeting / "meeting.yaml").read_bytes()
    listing_before = sorted(str(p) for p in tmp_path.rglob("*"))
    result = run_in_this_process("import", paper, target, cwd=root)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert (meeting / "meeting.yaml").read_bytes() == meeting_before
    assert sorted(str(p) for p in tmp_path.rglob("*")) == listing_before


@pytest.mark.quick  # reaches wordimport/
def test_picture_without_alt_text_is_left_for_check_to_report(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    png = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (40, 20), "white").save(png, format="PNG")
    document = docx.Document()
    for text in ["Quarterly report", "Report by: Head of Audit", "1. Background"]:
        document.add_paragraph(text)
    document.add_paragraph("1.1 The chart shows *nothing* yet; 5 * 3 and note* keep their stars.")
    document.add_picture(io.BytesIO(png.getvalue()))
    document.save(str(tmp_path / "p.docx"))
    folder = root / "content" / EXAMPLE_MEETING.name / "20-quarterly"
    assert run_in_this_process("import", tmp_path / "p.docx", folder, cwd=root).returncode == 0
    assert (folder / "images" / "image-1.png").read_bytes() == png.getvalue()
    supporting = (folder / "supporting.yaml").read_text(encoding="utf-8")
    # a plain document's *x* is italic, as Markdown reads it; a lone star stays a star
    assert r"The chart shows *nothing* yet; 5 \* 3 and note\* keep their stars." in supporting
    checked = run_in_this_process("check", folder, cwd=root)
    assert checked.returncode == 1 and "an image needs 'alt'" in checked.stderr


def import_reference(tmp_path: Path, name: str, paper: str) -> tuple[Path, list[str], list[list[str]], str, str]:
    """A reference paper converted by LibreOffice, imported, checked and built: the folder, the
    built DOCX's paragraphs and table rows, the import's report and what it printed."""
    word = plain_docx(reference_paper(name), tmp_path)
    root = project_copy(tmp_path)
    folder = root / "content" / EXAMPLE_MEETING.name / paper
    imported = run_in_this_process("import", word, folder, "--report", tmp_path / "r.md", cwd=root)
    assert imported.returncode == 0, imported.stderr
    checked = run_in_this_process("check", folder, cwd=root)
    assert checked.returncode == 0, checked.stderr
    built = run_in_this_process("build", folder, "--out", tmp_path / "b", cwd=root)
    assert built.returncode == 0, built.stderr
    document = docx.Document(str(tmp_path / "b" / EXAMPLE_MEETING.name / "restricted" / f"{paper}.docx"))
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    report = (tmp_path / "r.md").read_text(encoding="utf-8")
    return folder, docx_texts(document), rows, report, imported.stderr


def test_reference_paper_with_an_attached_statement(tmp_path: Path) -> None:
    folder, texts, _, report, _ = import_reference(tmp_path, "001_186d2aba3e6038cf.txt", "21-governance-plan")
    numbered = [text.split("\t")[0] for text in texts if text[:1].isdigit() and "\t" in text]
    assert numbered == [f"1.{n}." for n in range(1, 9)]  # 1.1 … 1.8, as the text numbers them
    assert texts[
        texts.index(
            "1.2.\tWhilst the AGS reviewed the matters arising from 2021/22, from audits, inspections, "
            "senior leaders' assessments, risk registers and other sources, two key events have taken "
            "place since that will influence and strengthen the governance improvement plan:"
        )
        + 1
    ].startswith("•\tThe MPS being put in Engage phase by HMICFRS")
    for heading in [
        "Key achievements and completed actions in the past quarter:",
        "Notable areas for improvement:",
        "New areas for Quarter 2:",
        "2. Equality and Diversity Impact",
        "6. Contact Details",
    ]:
        assert heading in texts
    assert "Governance Improvement Plan" in (folder / "paper.yaml").read_text(encoding="utf-8")
    # "*Engage*" in the attached statement's plain text is the author's emphasis: italic, no stars printed
    assert not [text for text in texts if "*Engage*" in text]
    statement = " ".join((folder / "appendices.yaml").read_text(encoding="utf-8").split())
    assert "that it would be put into the *Engage* process." in statement
    # "7. Appendix" lists two appendices; the statement attached after it is appendix 2's content,
    # its headings found as short lines, its contents page left out as furniture
    appendices = (folder / "appendices.yaml").read_text(encoding="utf-8")
    assert "title: Annual Governance Statement 2021/22" in appendices
    for heading in ["Introduction", "HMICFRS and MPS leadership", "Statement of internal control", "Declaration"]:
        assert f"- heading: {heading}\n" in appendices
    assert "Appendix: background and governance framework\t22" not in appendices
    assert "NOT PLACED BY IMPORT" not in (folder / "supporting.yaml").read_text(encoding="utf-8")
    assert "## Not placed (in a holding place)\n\nNone." in report


def test_reference_agenda_pack_imports_its_first_paper(tmp_path: Path) -> None:
    folder, texts, rows, report, stderr = import_reference(tmp_path, "003_7298bec1a2906b47.txt", "21-external-recs")
    paper = (folder / "paper.yaml").read_text(encoding="utf-8")
    # the front sheet comes first; the title is the line above "Report by"
    assert "title: Met Response to External Recommendations" in paper
    assert "report_by: Director of Strategy and Transformation" in paper
    numbered = [text.split("\t")[0] for text in texts if text.startswith("1.") and "\t" in text]
    assert numbered == [f"1.{n}." for n in range(1, 23)]
    for heading in [
        "RESPONDING TO RECOMMENDATIONS",
        "DELIVERING PROGRESS",
        "MET RESPONSE TO BARONESS CASEY'S INTERIM REPORT",
    ]:
        assert heading in texts
    # a paragraph cut by a page break is one paragraph again
    seventh = next(text for text in texts if text.startswith("1.7.\t"))
    assert "most important or strategic" in seventh or "strategic objectives, and which reported" in seventh
    assert "a)\tWhether we are delivering the changes we need and want;" in texts
    # the register of strategic priorities is a table (its counts are not page numbers) with its caption
    assert ["Strategic priority", "Number of recommendations covered"] in rows
    assert ["We will raise culture, values and standards", "36"] in rows and ["Total", "103"] in rows
    assert "Table 1: Number of recommendations covered by each theme" in texts  # the caption printed above it
    assert texts.index("Table 1: Number of recommendations covered by each theme") < texts.index(
        next(text for text in texts if text.startswith("1.4.\t"))
    ) and "Table 2 of the Word paper" not in "".join(texts)
    assert "holding place in supporting.yaml" not in report
    # the second paper of the pack is not merged into the first: it is said once on stderr and
    # listed, with what it holds, as not placed in the report
    said = [line for line in stderr.splitlines() if "more than one paper" in line]
    assert said == [
        f"{tmp_path / '003_7298bec1a2906b47.docx'}: this Word file holds more than one paper "
        "(“Met Response to External Recommendations”, “MOPAC's Oversight Framework”); only the first was "
        "imported, the others are listed as not placed in the report; import each paper separately"
    ]
    assert (
        "- paper 2 of the Word file, “MOPAC's Oversight Framework” (35 paragraphs, 0 tables, 0 pictures): "
        "not imported; import it from a DOCX of that paper alone"
    ) in report
    assert "| paper 2 | paragraph | not placed: paper 2 of the Word file, “MOPAC's Oversight Framework” |" in report
    assert not any("MOPAC Oversight of the MPS" in text for text in texts)
    assert not [text for text in texts if text.startswith("2.1.\t")]  # its sections are not the first's


def test_a_paper_built_in_another_house_imports_in_that_house(tmp_path: Path) -> None:
    """The council's house prints "Report of: …" and a cover line for each marking ("Restricted paper –
    not for publication"): an import in that project reads them in those words, so the cover comes
    back whole and the marking line is furniture, not text."""
    project = tmp_path / "council"
    shutil.copytree(PROJECT_ROOT / "tests" / "projects" / "council", project)
    meeting = next((project / "content").iterdir())
    built = run_in_this_process("build", cwd=project)
    assert built.returncode == 0, built.stderr
    docx_file = project / "build" / meeting.name / "restricted" / "02-treasury-review.docx"
    done = run_in_this_process("import", docx_file, meeting / "05-treasury-again", cwd=project)
    assert done.returncode == 0, done.stderr
    paper = (meeting / "05-treasury-again" / "paper.yaml").read_text(encoding="utf-8")
    original = (meeting / "02-treasury-review" / "paper.yaml").read_text(encoding="utf-8")
    for key in ("title", "report_by", "organisation", "marking"):
        line = next(line for line in original.splitlines() if line.startswith(f"{key}:"))
        assert line in paper.splitlines(), f"{key}: {paper}"
    assert "not for publication" not in paper.lower()
    assert "0 lines of page furniture" not in done.stderr and "1 line of page furniture" in done.stderr
    assert run_in_this_process("check", cwd=project).returncode == 0
