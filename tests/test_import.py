"""`panelpapers import`: a Word paper in, a paper folder out that passes `check`, builds, and reads
back with the same passages, tables and numbering; bad input refused with one line, nothing written."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import EXAMPLE_MEETING, PROJECT_ROOT, run_panelpapers
from readback import require_tool

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


def passages(review: Path) -> list[tuple[str, str, str, str]]:
    return [
        (p["kind"], p["number"], p["text"], json.dumps(p["table"]))
        for p in json.loads(review.read_text(encoding="utf-8"))["passages"]
    ]


def test_round_trip_of_a_built_paper(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    meeting = root / "content" / EXAMPLE_MEETING.name
    original = meeting / "03-audit-actions"
    built = run_panelpapers("build", original, "--out", tmp_path / "first", cwd=root)
    assert built.returncode == 0, built.stderr
    word = tmp_path / "first" / EXAMPLE_MEETING.name / "restricted" / "03-audit-actions.docx"

    imported = run_panelpapers("import", word, meeting / "13-audit-actions", "--report", tmp_path / "r.md", cwd=root)
    assert imported.returncode == 0, imported.stderr
    assert "- paper: 13-audit-actions" in (meeting / "meeting.yaml").read_text(encoding="utf-8")
    checked = run_panelpapers("check", meeting / "13-audit-actions", cwd=root)
    assert checked.returncode == 0, checked.stderr
    rebuilt = run_panelpapers("build", meeting / "13-audit-actions", "--out", tmp_path / "second", cwd=root)
    assert rebuilt.returncode == 0, rebuilt.stderr

    before = passages(word.with_suffix(".review.json"))
    after = passages(tmp_path / "second" / EXAMPLE_MEETING.name / "restricted" / "13-audit-actions.review.json")
    assert after == before  # every paragraph, number, heading and table cell
    assert sum(kind == "table" for kind, *_ in after) == 7
    assert any(number == "1.9" for _, number, *_ in after)
    report = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "| supporting | 17 | 5 | 2 |" in report
    csv = (meeting / "13-audit-actions" / "data" / "table_2.csv").read_text(encoding="utf-8")
    assert "**Grand Total**,**110**,**74**,**67%**,**26**" in csv  # the total is kept as a row, bold as in Word


def reference_paper(name: str) -> Path:
    """A reference paper's text; locally a missing ../shared/reference skips, in CI (where it always
    lies beside the checkout) it fails."""
    if not REFERENCE.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the reference papers are required in CI beside the checkout: {REFERENCE}")
        pytest.skip("the reference papers are not beside the checkout")
    return REFERENCE / name


def plain_docx(text_file: Path, out: Path) -> Path:
    soffice = require_tool("soffice")
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{out}/lo",
            "--convert-to",
            "docx",
            "--outdir",
            str(out),
            str(text_file),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out / text_file.with_suffix(".docx").name


def test_plain_libreoffice_paper(tmp_path: Path) -> None:
    source = reference_paper("000_a0a0ac4172d9c673.txt")
    word = plain_docx(source, tmp_path)
    root = project_copy(tmp_path)
    folder = root / "content" / EXAMPLE_MEETING.name / "20-risk-report"
    imported = run_panelpapers("import", word, folder, cwd=root)
    assert imported.returncode == 0, imported.stderr
    assert run_panelpapers("check", folder, cwd=root).returncode == 0
    built = run_panelpapers("build", folder, "--out", tmp_path / "b", cwd=root)
    assert built.returncode == 0, built.stderr
    document = docx.Document(str(tmp_path / "b" / EXAMPLE_MEETING.name / "restricted" / "20-risk-report.docx"))
    texts = [paragraph.text for paragraph in document.paragraphs]
    # the numbered paragraphs the text shows, 1.1 … 1.29 and 2.1 … 2.10, with their own words
    numbered = [text.split("\t")[0] for text in texts if text[:1].isdigit() and "\t" in text]
    assert numbered[:3] == ["1.1.", "1.2.", "1.3."] and "1.29." in numbered and "2.1." in numbered
    assert any(text.startswith("1.10.\tSince the last Audit Panel on 4 October") for text in texts)
    assert "2. Whistleblowing Reports" in texts and "3. Equality and Diversity Impact" in texts
    assert "Whistleblowing under the Public Interest Disclosure Act 1998" in texts
    assert "a)\tthe sentencing of the murderer of Sarah Everard in late September;" in texts
    assert "Met Risk Management Report" in texts
    # the register's tab-separated lines are tables, cells as the text shows them
    cells = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    assert [
        "10 VH v VH",
        "↔",
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
    imported = run_panelpapers("import", tmp_path / "paper.docx", folder, cwd=root)
    assert imported.returncode == 0, imported.stderr
    assert "numbered" not in imported.stderr  # the paper's numbers 1.1 … 1.7 are ours too
    checked = run_panelpapers("check", folder, cwd=root)
    assert checked.returncode == 0, checked.stderr
    built = run_panelpapers("build", folder, "--out", tmp_path / "b", cwd=root)
    assert built.returncode == 0, built.stderr
    document = docx.Document(str(tmp_path / "b" / EXAMPLE_MEETING.name / "restricted" / "20-counter-fraud.docx"))
    read = [(paragraph.style.name, paragraph.text) for paragraph in document.paragraphs]
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
    result = run_panelpapers("import", paper, target, cwd=root)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert (meeting / "meeting.yaml").read_bytes() == meeting_before
    assert sorted(str(p) for p in tmp_path.rglob("*")) == listing_before


def test_picture_without_alt_text_is_left_for_check_to_report(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    png = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (40, 20), "white").save(png, format="PNG")
    document = docx.Document()
    for text in ["Quarterly report", "Report by: Head of Audit", "1. Background"]:
        document.add_paragraph(text)
    document.add_paragraph("1.1 The chart shows *nothing* yet.")
    document.add_picture(io.BytesIO(png.getvalue()))
    document.save(str(tmp_path / "p.docx"))
    folder = root / "content" / EXAMPLE_MEETING.name / "20-quarterly"
    assert run_panelpapers("import", tmp_path / "p.docx", folder, cwd=root).returncode == 0
    assert (folder / "images" / "image-1.png").read_bytes() == png.getvalue()
    supporting = (folder / "supporting.yaml").read_text(encoding="utf-8")
    assert r"The chart shows \*nothing\* yet." in supporting  # literal asterisks stay literal
    checked = run_panelpapers("check", folder, cwd=root)
    assert checked.returncode == 1 and "an image needs 'alt'" in checked.stderr


def import_reference(tmp_path: Path, name: str, paper: str) -> tuple[Path, list[str], list[list[str]], str]:
    """A reference paper converted by LibreOffice, imported, checked and built: the folder, the
    built DOCX's paragraphs and table rows, and the import's report."""
    word = plain_docx(reference_paper(name), tmp_path)
    root = project_copy(tmp_path)
    folder = root / "content" / EXAMPLE_MEETING.name / paper
    imported = run_panelpapers("import", word, folder, "--report", tmp_path / "r.md", cwd=root)
    assert imported.returncode == 0, imported.stderr
    checked = run_panelpapers("check", folder, cwd=root)
    assert checked.returncode == 0, checked.stderr
    built = run_panelpapers("build", folder, "--out", tmp_path / "b", cwd=root)
    assert built.returncode == 0, built.stderr
    document = docx.Document(str(tmp_path / "b" / EXAMPLE_MEETING.name / "restricted" / f"{paper}.docx"))
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    report = (tmp_path / "r.md").read_text(encoding="utf-8")
    return folder, [paragraph.text for paragraph in document.paragraphs], rows, report


def test_reference_paper_with_an_attached_statement(tmp_path: Path) -> None:
    folder, texts, _, report = import_reference(tmp_path, "001_186d2aba3e6038cf.txt", "21-governance-plan")
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
    folder, texts, rows, report = import_reference(tmp_path, "003_7298bec1a2906b47.txt", "21-external-recs")
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
