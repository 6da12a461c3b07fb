"""One paper end to end: content in, PDF and DOCX out, read back and compared with the model."""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
from pathlib import Path

import pytest
from readback import docx_paragraphs, libreoffice_to_pdf, pdf_pages_text

from panelpapers.build import build, gather
from panelpapers.model import Paper, plain_text

MEETING = Path(__file__).resolve().parents[1] / "content" / "2022-01-17-audit-panel"
PAPER = "02-risk-management"


@pytest.fixture(scope="module")
def built(example_build: Path) -> Path:
    """The restricted variant of the run's shared build of the example meeting (read only)."""
    return example_build / MEETING.name / "restricted"


@pytest.fixture(scope="module")
def paper() -> Paper:
    jobs = gather([MEETING])
    found = [job.paper for job in jobs if job.source.folder.name == PAPER]
    assert found and found[0] is not None
    return found[0]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_numbered_paragraph_in_pdf_in_order(built: Path, paper: Paper) -> None:
    text = squash(" ".join(pdf_pages_text(built / f"{PAPER}.pdf")))
    position = 0
    numbered = paper.numbered_paragraphs()
    assert len(numbered) >= 30
    for paragraph in numbered:
        opening = squash(plain_text(paragraph.lead + paragraph.content))[:40]
        found = text.find(f"{paragraph.number}. ", position)
        assert found >= 0, f"paragraph {paragraph.number} missing or out of order in the PDF"
        assert opening[:20] in text[found : found + 400], f"paragraph {paragraph.number} text not beside its number"
        position = found


def test_every_numbered_paragraph_in_docx_in_order(built: Path, paper: Paper) -> None:
    paragraphs = [p for p in docx_paragraphs(built / f"{PAPER}.docx") if re.match(r"\d+\.\d+\.\t", p)]
    expected = [
        f"{p.number}.\t" + (plain_text(p.lead) + " " if p.lead else "") + plain_text(p.content)
        for p in paper.numbered_paragraphs()
    ]
    assert [squash(p) for p in paragraphs] == [squash(e) for e in expected]


def test_marking_and_page_numbers_on_every_pdf_page(built: Path, paper: Paper) -> None:
    pages = pdf_pages_text(built / f"{PAPER}.pdf")
    assert len(pages) >= 5, "the example paper should run over several pages"
    for number, page in enumerate(pages, start=1):
        assert page.count(paper.marking) >= 2, f"page {number} lacks the marking at top and bottom"
        assert f"Page {number} of {len(pages)}" in page


def test_pdf_reads_like_the_reference(built: Path, paper: Paper) -> None:
    first = pdf_pages_text(built / f"{PAPER}.pdf")[0]
    for words in (
        "MPS-MOPAC JOINT AUDIT PANEL",
        "17 January 2022",
        paper.title,
        f"Report by: {plain_text(paper.report_by)}",
        "Report Summary",
        "The Audit Panel is recommended to:",
    ):
        assert words in first
    everything = squash(" ".join(pdf_pages_text(built / f"{PAPER}.pdf")))
    titles = [f"{s.number}. {s.title}" for s in paper.sections]
    positions = [everything.find(t) for t in titles]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), titles
    assert "2. Whistleblowing Reports" in titles and "3. Equality and Diversity Impact" in titles


def test_pdf_metadata_links_and_fonts(built: Path, paper: Paper) -> None:
    import pikepdf

    with pikepdf.open(built / f"{PAPER}.pdf") as pdf:
        assert str(pdf.docinfo.get("/Title")) == paper.title
        assert str(pdf.Root.get("/Lang")) == "en-GB"
        links = [str(link.A.URI) for page in pdf.pages for link in page.obj.get("/Annots", []) if "/A" in link]
        fonts = {str(font.BaseFont) for page in pdf.pages for font in page.Resources.Font.values()}
    assert any(uri.startswith("https://") for uri in links)
    assert any(uri.startswith("mailto:") for uri in links)
    assert fonts and all("Panel-Sans" in f for f in fonts), f"fonts must come with the project: {fonts}"


def test_docx_header_footer_and_properties(built: Path, paper: Paper) -> None:
    from docx import Document

    document = Document(str(built / f"{PAPER}.docx"))
    section = document.sections[0]
    assert paper.marking in section.header.paragraphs[0].text
    footer_xml = section.footer._element.xml
    assert paper.marking in section.footer.paragraphs[0].text
    assert 'w:instr="PAGE"' in footer_xml and 'w:instr="NUMPAGES"' in footer_xml
    props = document.core_properties
    assert props.title == paper.title and props.author == paper.author
    assert props.created is not None and props.created.date() == paper.date
    styles = {p.style.name for p in document.paragraphs}
    assert {"Numbered Paragraph", "Heading 2", "Paper Title"} <= styles


def test_libreoffice_opens_the_docx_with_the_same_numbers(built: Path, paper: Paper, tmp_path: Path) -> None:
    docx = tmp_path / f"{PAPER}.docx"
    shutil.copy(built / f"{PAPER}.docx", docx)
    pages = pdf_pages_text(libreoffice_to_pdf(docx, tmp_path))
    assert len(pages) >= 4
    text = squash(" ".join(pages))
    position = 0
    for paragraph in paper.numbered_paragraphs():
        found = text.find(f"{paragraph.number}. ", position)
        assert found >= 0, f"LibreOffice shows no paragraph {paragraph.number} in order"
        position = found
    for number, page in enumerate(pages, start=1):
        assert paper.marking in page and f"Page {number} of {len(pages)}" in squash(page)


def test_two_builds_are_byte_identical(example_build: Path, example_rebuild: Path) -> None:
    """The run's shared build of the example and a second one made the same way in another folder."""

    def digests(out: Path) -> dict[str, str]:
        return {
            str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*"))
            if p.is_file()
        }

    first, second = digests(example_build), digests(example_rebuild)
    assert first == second
    assert any(name.endswith(".pdf") for name in first) and any(name.endswith(".docx") for name in first)


def test_weasyprint_logs_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        build([MEETING / PAPER], tmp_path)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def test_no_temporary_files_left_behind(built: Path) -> None:
    assert not [p for p in built.parent.rglob("*") if p.name.startswith(".")]


def test_single_paper_build_writes_under_its_meeting(tmp_path: Path) -> None:
    build([MEETING / PAPER], tmp_path, jobs=1)
    assert (tmp_path / MEETING.name / "restricted" / f"{PAPER}.pdf").is_file()
    assert (tmp_path / MEETING.name / "public" / f"{PAPER}.docx").is_file()
