"""Markings by page: every page of a paper carries the highest marking of what is on it, in header
and footer, in the PDF and in the DOCX (read through LibreOffice); the cover and the manifest carry
the highest marking of the whole paper; appendix lists, appendix headings and the restricted front
sheet say each part's marking."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLE_MEETING
from readback import libreoffice_to_pdf

from panelpapers.build import build

PAPER = "04-governance-statement"
SENSITIVE_WORDS = "The improvement plan for estates governance is held back pending the review."


def furniture(pdf: Path) -> list[tuple[str, str]]:
    """(header, footer) text of every page: what lies in the top and bottom 15 mm."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        bands = []
        for page in document:
            width, height = page.get_size()
            text = page.get_textpage()
            band = 15 / 25.4 * 72
            top = text.get_text_bounded(0, height - band, width, height)
            bottom = text.get_text_bounded(0, 0, width, band)
            bands.append((" ".join(top.split()), " ".join(bottom.split())))
        return bands
    finally:
        document.close()


def pages_text(pdf: Path) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        return [" ".join(page.get_textpage().get_text_range().split()) for page in document]
    finally:
        document.close()


def marking_of(band: str) -> str:
    found = re.findall(r"OFFICIAL(?:-SENSITIVE)?", band)
    assert found, f"no marking in page furniture: {band!r}"
    return "OFFICIAL-SENSITIVE" if "OFFICIAL-SENSITIVE" in found else "OFFICIAL"


@pytest.fixture(scope="module")
def sensitive_appendix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's governance statement with content in its OFFICIAL-SENSITIVE Appendix A, built alone."""
    base = tmp_path_factory.mktemp("markings")
    paper = base / "content" / EXAMPLE_MEETING.name / PAPER
    shutil.copytree(EXAMPLE_MEETING / PAPER, paper)
    appendices = paper / "appendices.yaml"
    text = appendices.read_text(encoding="utf-8")
    anchor = "    marking: OFFICIAL-SENSITIVE\n"
    assert text.count(anchor) == 1, "the example's sensitive appendix has moved"
    appendices.write_text(text.replace(anchor, anchor + f"    content:\n      - {SENSITIVE_WORDS}\n"), encoding="utf-8")
    build([paper], base / "build", jobs=1)
    return base / "build" / EXAMPLE_MEETING.name


def check_pages(pdf: Path) -> None:
    """Page 1 (the cover) and every page showing sensitive words say OFFICIAL-SENSITIVE top and bottom;
    pages of the OFFICIAL body say OFFICIAL."""
    bands, texts = furniture(pdf), pages_text(pdf)
    markings = [(marking_of(top), marking_of(bottom)) for top, bottom in bands]
    assert markings[0] == ("OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"), "the cover carries the paper's highest marking"
    sensitive_pages = [i for i, text in enumerate(texts) if SENSITIVE_WORDS[:40] in text]
    assert sensitive_pages, "the appendix's words are printed"
    for i in sensitive_pages:
        assert markings[i] == ("OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"), f"page {i + 1} shows sensitive content"
    body = [i for i in range(1, len(texts)) if i not in sensitive_pages]
    assert body and all(markings[i] == ("OFFICIAL", "OFFICIAL") for i in body), [markings[i] for i in body]


def test_restricted_pdf_pages_carry_the_marking_of_what_is_on_them(sensitive_appendix: Path) -> None:
    check_pages(sensitive_appendix / "restricted" / f"{PAPER}.pdf")


def test_restricted_docx_pages_carry_the_marking_of_what_is_on_them(sensitive_appendix: Path, tmp_path: Path) -> None:
    docx = tmp_path / f"{PAPER}.docx"
    shutil.copy(sensitive_appendix / "restricted" / f"{PAPER}.docx", docx)
    check_pages(libreoffice_to_pdf(docx, tmp_path))


def test_appendix_list_and_heading_say_the_appendix_marking(sensitive_appendix: Path) -> None:
    text = " ".join(pages_text(sensitive_appendix / "restricted" / f"{PAPER}.pdf"))
    assert "Appendix A – Governance improvement plans 2022/23 (OFFICIAL-SENSITIVE)" in text
    public = " ".join(pages_text(sensitive_appendix / "public" / f"{PAPER}.pdf"))
    assert "Appendix A – not published (OFFICIAL-SENSITIVE)" in public
    assert "Governance improvement plans 2022/23" not in public and SENSITIVE_WORDS[:30] not in public
    assert all(marking_of(top) == "OFFICIAL" for top, _ in furniture(sensitive_appendix / "public" / f"{PAPER}.pdf"))


def test_manifest_gives_each_output_its_highest_marking(sensitive_appendix: Path) -> None:
    restricted = json.loads((sensitive_appendix / "restricted" / "manifest.json").read_text(encoding="utf-8"))
    for suffix in (".pdf", ".docx", ".html", ".review.json"):
        assert restricted["outputs"][PAPER + suffix]["marking"] == "OFFICIAL-SENSITIVE", suffix
    public = json.loads((sensitive_appendix / "public" / "manifest.json").read_text(encoding="utf-8"))
    assert {entry["marking"] for entry in public["outputs"].values()} == {"OFFICIAL"}
