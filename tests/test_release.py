"""Exemptions and release dates: a withheld appendix says why it is withheld and when it will be
released; until then no trace of it reaches a public output; from that day (`--as-of` to rehearse
it) the public variant prints it whole, with its release noted. Bad exemptions are content errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, reduced_meeting, run_in_this_process
from test_leaks import channels

PAPER = "02-risk-management"
CANARIES = ("RLSTITLE", "RLSTEXT")
APPENDICES = """appendices:
  - ref: A
    title: Summary of corporate risks and heat maps – December 2021
    content:
      - table: register_short_term
  - ref: B
    title: Trust initiatives RLSTITLE
    marking: OFFICIAL-SENSITIVE
    exempt:
      reason: foia-s31
      audience: Panel members
      release_after: 2022-03-01
    content:
      - RLSTEXT about the trust initiatives.
background_papers: []
"""
EXEMPTION = (
    "exempt: Freedom of Information Act 2000, section 31 (law enforcement); may be seen by Panel members; "
    "to be released on 1 March 2022"
)


def project_with(tmp_path: Path, appendices: str) -> Path:
    """A content project with the example house and the risk paper alone, its appendices replaced."""
    shutil.copy2(PROJECT_ROOT / "panelpapers.yaml", tmp_path / "panelpapers.yaml")
    meeting = reduced_meeting(tmp_path / "content", [PAPER])
    (meeting / PAPER / "appendices.yaml").write_text(appendices, encoding="utf-8")
    return meeting


def docx_text(path: Path) -> str:
    from docx import Document

    document = Document(str(path))
    cells = (cell.text for table in document.tables for row in table.rows for cell in row.cells)
    return "\n".join([*(paragraph.text for paragraph in document.paragraphs), *cells])


def pdf_text(path: Path) -> str:
    return " ".join(text for channel, text in channels(path) if channel == "text").replace("\r", "").replace("\n", " ")


def found_in(folder: Path) -> dict[str, list[str]]:
    """Each canary -> the files of `folder` (every channel of each) it was found in."""
    found: dict[str, list[str]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        texts = [text.casefold() for _, text in channels(path)]
        for canary in CANARIES:
            if any(canary.casefold() in text for text in texts):
                found.setdefault(canary, []).append(path.name)
    return found


def test_an_appendix_is_withheld_until_its_release_date_then_published_with_a_note(tmp_path: Path) -> None:
    meeting = project_with(tmp_path, APPENDICES)
    out = tmp_path / "build"
    before = run_in_this_process("build", "--out", out, cwd=tmp_path)
    assert before.returncode == 0, before.stderr
    public, restricted = out / meeting.name / "public", out / meeting.name / "restricted"

    # Before 1 March 2022 (the paper's own date is 17 January): withheld everywhere public, with its reason.
    assert found_in(public) == {}, found_in(public)
    assert set(found_in(restricted)) == set(CANARIES)  # the positive control
    text = pdf_text(public / f"{PAPER}.pdf")
    assert f"Appendix B – not published (OFFICIAL-SENSITIVE) – {EXEMPTION}" in text
    assert "Released on" not in text
    assert f"Trust initiatives RLSTITLE (OFFICIAL-SENSITIVE) – {EXEMPTION}" in pdf_text(restricted / f"{PAPER}.pdf")
    assert "Released on" not in pdf_text(out / meeting.name / "public" / "pack.pdf")

    # The day before: still withheld, the public folder unchanged to the byte.
    public_before = {p.name: p.read_bytes() for p in public.rglob("*") if p.is_file()}
    eve = run_in_this_process("build", "--out", out, "--as-of", "2022-02-28", cwd=tmp_path)
    assert eve.returncode == 0, eve.stderr
    assert {p.name: p.read_bytes() for p in public.rglob("*") if p.is_file()} == public_before

    # On the day: published whole, at the public marking, with its release noted.
    after = run_in_this_process("build", "--out", out, "--as-of", "2022-03-01", cwd=tmp_path)
    assert after.returncode == 0, after.stderr
    assert set(found_in(public)) == set(CANARIES)
    text = pdf_text(public / f"{PAPER}.pdf")
    assert "Appendix B – Trust initiatives RLSTITLE (OFFICIAL) – Released on 1 March 2022" in text
    assert "RLSTEXT about the trust initiatives." in text
    assert "not published" not in text and "OFFICIAL-SENSITIVE" not in text
    pack = pdf_text(public / "pack.pdf")
    assert "RLSTEXT about the trust initiatives." in pack
    docx = " ".join(text for channel, text in channels(public / f"{PAPER}.docx") if channel.startswith("docx word/"))
    assert "Released on 1 March 2022" in docx and "RLSTEXT" in docx
    # The restricted variant is the same whichever day it is built.
    assert f"Trust initiatives RLSTITLE (OFFICIAL-SENSITIVE) – {EXEMPTION}" in pdf_text(restricted / f"{PAPER}.pdf")


@pytest.mark.parametrize(
    ("exempt", "marking", "message"),
    [
        (
            "reason: foia-s13",
            "OFFICIAL-SENSITIVE",
            "appendices.yaml:10: appendices.1.exempt.reason: expected one of 'foia-s31', 'foia-s36' or 'foia-s43', "
            "got 'foia-s13'",
        ),
        (
            "reason: foia-s31\n      release_after: next spring",
            "OFFICIAL-SENSITIVE",
            "appendices.yaml:11: appendices.1.exempt.release_after: expected a date as YYYY-MM-DD, got 'next spring'",
        ),
        (
            "reason: foia-s31",
            "OFFICIAL",
            "appendices.yaml:9: appendix B is OFFICIAL, which the public variant prints: 'exempt:' belongs only on "
            "an item withheld from it; remove 'exempt:' or give the appendix a marking that is not published",
        ),
    ],
)
def test_a_bad_exemption_is_one_line_with_its_place(tmp_path: Path, exempt: str, marking: str, message: str) -> None:
    appendices = (
        APPENDICES.replace("      reason: foia-s31\n      audience: Panel members\n      release_after: 2022-03-01\n",
                           f"      {exempt}\n")
        .replace("marking: OFFICIAL-SENSITIVE", f"marking: {marking}")
    )  # fmt: skip
    meeting = project_with(tmp_path, appendices)
    checked = run_in_this_process("check", cwd=tmp_path)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    lines = checked.stderr.splitlines()
    assert lines == [f"content/{meeting.name}/{PAPER}/{message}", "panelpapers: 1 problem; nothing was written"]


def test_as_of_takes_a_date_only(tmp_path: Path) -> None:
    project_with(tmp_path, APPENDICES)
    refused = run_in_this_process("build", "--as-of", "1 March", cwd=tmp_path)
    assert refused.returncode == 64
    assert "argument --as-of: expected a date as YYYY-MM-DD, not '1 March'" in refused.stderr
    assert not (tmp_path / "build").exists()


def test_a_paper_withheld_whole_gives_its_reason_on_the_front_sheet_and_is_published_on_its_day(
    tmp_path: Path,
) -> None:
    meeting = project_with(tmp_path, APPENDICES.replace("RLSTEXT", "Text").replace("RLSTITLE", "T"))
    paper_yaml = meeting / PAPER / "paper.yaml"
    text = paper_yaml.read_text(encoding="utf-8").replace("marking: OFFICIAL\n", "marking: OFFICIAL-SENSITIVE\n")
    paper_yaml.write_text(
        text + "exempt:\n  reason: foia-s43\n  release_after: 2022-06-30\n", encoding="utf-8"
    )
    out = tmp_path / "build"
    before = run_in_this_process("build", "--out", out, cwd=tmp_path)
    assert before.returncode == 0, before.stderr
    public = out / meeting.name / "public"
    assert not list(public.glob(f"{PAPER}*"))
    reason = (
        "Paper not published – exempt: Freedom of Information Act 2000, section 43 (commercial interests); "
        "to be released on 30 June 2022"
    )
    assert reason in pdf_text(public / "pack.pdf")
    assert reason in (public / "site" / "index.html").read_text(encoding="utf-8")
    # The restricted variant says the same where it prints the paper: on its front sheet row, after
    # the marking, and under the paper's title (PDF and DOCX).
    restricted = out / meeting.name / "restricted"
    exemption = (
        "Freedom of Information Act 2000, section 43 (commercial interests); to be released on 30 June 2022"
    )
    assert f"OFFICIAL-SENSITIVE – exempt: {exemption}" in pdf_text(restricted / "pack.pdf")
    assert f"OFFICIAL-SENSITIVE – exempt: {exemption}" in docx_text(restricted / "agenda.docx")
    cover = pdf_text(restricted / f"{PAPER}.pdf").split("Report Summary")[0]
    assert f"Exempt: {exemption}" in cover
    assert f"Exempt: {exemption}" in docx_text(restricted / f"{PAPER}.docx")

    after = run_in_this_process("build", "--out", out, "--as-of", "2022-06-30", cwd=tmp_path)
    assert after.returncode == 0, after.stderr
    text = pdf_text(public / f"{PAPER}.pdf")
    assert "Released on 30 June 2022" in text  # under its title
    assert "Appendix B – Trust initiatives T (OFFICIAL) – Released on 1 March 2022" in text  # due before it
    assert "OFFICIAL-SENSITIVE" not in text
    assert "Paper not published" not in pdf_text(public / "pack.pdf")
    manifest = (public / "manifest.json").read_text(encoding="utf-8")
    assert f'"{PAPER}.pdf"' in manifest and '"marking": "OFFICIAL-SENSITIVE"' not in manifest


def test_exempt_on_a_paper_the_public_variant_prints_is_one_line(tmp_path: Path) -> None:
    meeting = project_with(tmp_path, APPENDICES)
    paper_yaml = meeting / PAPER / "paper.yaml"
    text = paper_yaml.read_text(encoding="utf-8")
    paper_yaml.write_text(text + "exempt:\n  reason: foia-s43\n", encoding="utf-8")
    line = len(text.splitlines()) + 1
    checked = run_in_this_process("check", cwd=tmp_path)
    assert checked.returncode == 1
    assert checked.stderr.splitlines() == [
        f"content/{meeting.name}/{PAPER}/paper.yaml:{line}: this paper is OFFICIAL, which the public variant "
        "prints: 'exempt:' belongs only on a paper withheld from it; remove 'exempt:' or give the paper a marking "
        "that is not published",
        "panelpapers: 1 problem; nothing was written",
    ]
