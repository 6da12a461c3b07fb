"""The meeting pack, read back from the built files: the front sheet's page numbers, the pack's
bookmarks and stamps, a long paper's contents page, agenda.docx, markings and determinism. The tests
that only read a build read the run's shared build of the example; each that changes content builds a
copy of the example meeting of its own."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import copy_of_example_build, run_in_this_process
from readback import pdf_outline, pdf_pages_text

MEETING_NAME = "2022-01-17-audit-panel"
LONG_PAPER = "04-governance-statement"


@dataclass(frozen=True)
class Row:
    number: int
    title: str
    presenter: str | None
    page: str
    marking: str | None = None  # the restricted pack's front sheet says each paper's marking


def normalise(text: str) -> str:
    return " ".join(text.split())


def copy_meeting(example_meeting: Path, target: Path) -> Path:
    meeting = target / MEETING_NAME
    shutil.copytree(example_meeting, meeting)
    return meeting


def build(cli: Callable[..., Any], meeting: Path, out: Path) -> Path:
    result = cli("build", meeting, "--out", out, cwd=meeting.parent)
    assert result.returncode == 0, result.stderr
    return out / MEETING_NAME


def agenda_rows(agenda_docx: Path) -> list[Row]:
    """The Item / Page table of agenda.docx: "N. Title", optional presenter and marking, page as plain text."""
    from docx import Document

    from panelpapers.house import DEFAULT_HOUSE

    table = next(t for t in Document(str(agenda_docx)).tables if t.rows[0].cells[0].text == "Item")
    rows = []
    for row in table.rows[1:]:
        item, page = row.cells
        lines = [p.text for p in item.paragraphs]
        number, title = lines[0].split(". ", 1)
        marking = lines.pop() if lines[-1] in DEFAULT_HOUSE.labels else None
        rows.append(Row(int(number), title, lines[1] if len(lines) > 1 else None, page.text, marking))
    return rows


def outline(pdf: Path) -> list[tuple[str, int, list[Any]]]:
    """Top-level bookmarks as (title, one-based page, children), the children as pdf_outline gives them."""
    return [(title, page + 1, children) for title, page, children in pdf_outline(pdf)]


def paper_folders(meeting: Path) -> list[Path]:
    return sorted(p.parent for p in meeting.glob("*/paper.yaml"))


def assert_pages_right(variant: Path) -> list[Row]:
    """Every paper row's page P is the first page of that paper in pack.pdf, and nothing else is."""
    rows = agenda_rows(variant / "agenda.docx")
    pages = pdf_pages_text(variant / "pack.pdf")
    paper_rows = [row for row in rows if row.page.isdigit()]
    assert paper_rows, "no paper on the front sheet"
    for row in paper_rows:
        page = normalise(pages[int(row.page) - 1])
        assert row.title in page, f"item {row.number} '{row.title}' is not on pack page {row.page}"
        assert re.search(r"(?<!Pack )Page 1 of \d+", page), f"pack page {row.page} is not a paper's first page"
    # After the front sheet, papers start on those pages and nowhere else.
    front_pages = int(paper_rows[0].page) - 1
    first_page = re.compile(r"(?<!Pack )Page 1 of \d+")
    firsts = [i + 1 for i in range(front_pages, len(pages)) if first_page.search(normalise(pages[i]))]
    assert firsts == [int(row.page) for row in paper_rows]
    return rows


@pytest.fixture(scope="module")
def built(example_build: Path) -> Path:
    """The example meeting's outputs in the run's shared build (read only)."""
    return example_build / MEETING_NAME


def test_front_sheet_pages_are_where_papers_start(built: Path) -> None:
    for variant in ("restricted", "public"):
        assert_pages_right(built / variant)


def test_pdf_front_sheet_and_agenda_docx_carry_the_same_numbers(built: Path) -> None:
    variant = built / "restricted"
    rows = agenda_rows(variant / "agenda.docx")
    pages = pdf_pages_text(variant / "pack.pdf")
    front = normalise(" ".join(pages[: int(next(r.page for r in rows if r.page.isdigit())) - 1]))
    for row in rows:
        presenter = rf"\s+{re.escape(row.presenter)}" if row.presenter else ""
        marking = rf"\s+{re.escape(row.marking)}" if row.marking else ""
        pattern = rf"{row.number}\. {re.escape(row.title)}{presenter}{marking}\s+{re.escape(row.page)}(?!\d)"
        assert re.search(pattern, front), f"front sheet PDF lacks: {row}"
    assert all(row.marking for row in rows if row.page.isdigit()), "the restricted front sheet marks each paper"
    manifest = json.loads((variant / "manifest.json").read_text())
    assert manifest["outputs"]["pack.pdf"]["agenda"] == {str(r.number): r.page for r in rows}
    # Plain text, never a field that Word would need to refresh.
    import zipfile

    document = zipfile.ZipFile(variant / "agenda.docx").read("word/document.xml").decode()
    assert "fldSimple" not in document and "fldChar" not in document


def test_agenda_lists_every_item_in_order(built: Path, example_meeting: Path) -> None:
    from panelpapers.load.content import load_meeting

    source, problems = load_meeting(example_meeting)
    assert not problems and source.spec is not None
    rows = agenda_rows(built / "restricted" / "agenda.docx")
    assert [r.number for r in rows] == list(range(1, len(source.spec.agenda) + 1))
    for row, item in zip(rows, source.spec.agenda, strict=True):
        if item.oral is not None:
            assert (row.title, row.page) == (item.oral, "Oral")
        else:
            assert row.page.isdigit()
        assert row.presenter == item.presenter


def test_outline_lists_every_item_at_its_page(built: Path) -> None:
    variant = built / "restricted"
    rows = agenda_rows(variant / "agenda.docx")
    marks = outline(variant / "pack.pdf")
    assert marks[0][:2] == ("Agenda", 1)
    assert [m[0] for m in marks[1:]] == [f"{r.number}. {r.title}" for r in rows]
    pages = pdf_pages_text(variant / "pack.pdf")
    for (title, page, children), row in zip(marks[1:], rows, strict=True):
        if row.page.isdigit():
            assert page == int(row.page)
            # The paper's own sections hang under it, each pointing at the page with its heading.
            numbered = [c for c in children if re.match(r"\d+\. ", c[0])]
            assert numbered, f"no section bookmarks under {title}"
        else:
            assert page == 1, f"oral item {title} should point at the front sheet"
    for _title, _page, children in marks:
        for child_title, page, _grandchildren in children:
            if re.match(r"\d+\. ", child_title):
                heading = normalise(child_title)
                assert heading in normalise(pages[page]), f"'{heading}' not on pack page {page + 1}"


def test_every_pack_page_has_its_pack_number_and_label(built: Path) -> None:
    import pikepdf

    pack = built / "restricted" / "pack.pdf"
    pages = pdf_pages_text(pack)
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"Pack page {number} of {total}" in normalise(text)
    with pikepdf.open(pack) as pdf:
        assert [page.label for page in pdf.pages] == [str(n) for n in range(1, total + 1)]
    manifest = json.loads((built / "restricted" / "manifest.json").read_text())
    assert manifest["outputs"]["pack.pdf"]["pages"] == total


CONTENTS_ENTRY = re.compile(r"(\d+)\. (.+?) ?\.{4,} ?(\d+)")


def contents_entries(pages: list[str]) -> tuple[int, list[tuple[str, str, int]]]:
    """(index of the contents page, [(number, title, page)])."""
    index = next(i for i, text in enumerate(pages) if normalise(text).startswith("Contents") or "\nContents" in text)
    text = normalise(pages[index])
    entries = [(n, t, int(p)) for n, t, p in CONTENTS_ENTRY.findall(text[text.index("Contents") :])]
    return index, entries


def heading_page(pages: list[str], after: int, number: str, title: str) -> int:
    heading = re.compile(rf"(?<![\d.]){number}\. {re.escape(title)}")
    return next(i for i in range(after + 1, len(pages)) if heading.search(normalise(pages[i])))


def test_contents_page_numbers_match_the_sections(built: Path) -> None:
    pdf = built / "restricted" / f"{LONG_PAPER}.pdf"
    pages = pdf_pages_text(pdf)
    index, entries = contents_entries(pages)
    assert len(entries) >= 10, entries
    assert [int(n) for n, _, _ in entries] == list(range(1, len(entries) + 1))
    for number, title, page in entries:
        assert heading_page(pages, index, number, title) + 1 == page, f"contents says {number}. {title} on {page}"
    assert len({page for _, _, page in entries}) > 3, "a contents page whose numbers never change proves little"


def test_contents_links_in_the_pack_land_on_the_sections(built: Path) -> None:
    import pikepdf

    pack = built / "restricted" / "pack.pdf"
    rows = agenda_rows(built / "restricted" / "agenda.docx")
    pages = pdf_pages_text(pack)
    start = int(next(r.page for r in rows if r.page.isdigit() and r.title.startswith("Draft Annual Governance")))
    index, entries = contents_entries(pages[start - 1 :])
    targets = set()
    with pikepdf.open(pack) as pdf:
        for link in pdf.pages[start - 1 + index].obj.get("/Annots", []):
            if "/Dest" in link:
                targets.add(pdf.pages.index(pikepdf.Page(link.Dest[0])) + 1)
    # Paper page P of the governance statement is pack page start + P - 1.
    assert targets == {start + page - 1 for _, _, page in entries}


def test_the_contents_page_says_its_numbers_are_the_papers_own(built: Path) -> None:
    """In the pack the page labels and "Pack page N" are the pack's; the contents page says that its
    numbers are the paper's, and each is the "Page n of m" printed on the page its section starts."""
    pack = built / "restricted" / "pack.pdf"
    rows = agenda_rows(built / "restricted" / "agenda.docx")
    pages = pdf_pages_text(pack)
    start = int(next(r.page for r in rows if r.page.isdigit() and r.title.startswith("Draft Annual Governance")))
    index, entries = contents_entries(pages[start - 1 :])
    note = "Page numbers are this paper's own, as at the foot of each page (\u201cPage 2 of 8\u201d), not pack pages."
    assert note in normalise(pages[start - 1 + index])
    assert start > 1  # so pack pages and paper pages differ
    for number, title, page in entries:
        pack_page = start - 1 + heading_page(pages[start - 1 :], index, number, title)
        footer = re.search(r"(?<!Pack )Page (\d+) of \d+", normalise(pages[pack_page]))
        assert footer is not None and int(footer.group(1)) == page, (number, title, page, pack_page + 1)
        assert f"Pack page {pack_page + 1} of" in normalise(pages[pack_page])


def test_docx_contents_is_text_not_an_empty_field(built: Path) -> None:
    import zipfile

    from readback import docx_paragraphs

    docx = built / "restricted" / f"{LONG_PAPER}.docx"
    paragraphs = docx_paragraphs(docx)
    start = paragraphs.index("Contents")
    pdf_pages = pdf_pages_text(built / "restricted" / f"{LONG_PAPER}.pdf")
    _, entries = contents_entries(pdf_pages)
    listed = [p.replace("\t", " ") for p in paragraphs[start + 1 : start + 1 + len(entries)]]
    assert listed == [f"{n}. {t}" for n, t, _ in entries]
    document = zipfile.ZipFile(docx).read("word/document.xml").decode()
    assert "TOC" not in document and "fldChar" not in document


def test_pages_follow_a_paper_that_grows(built: Path, example_build: Path, tmp_path: Path) -> None:
    """More text in the first paper and a longer agenda: every page number moves, and stays right.
    Built from a copy of the shared build with its cache, as an author's next build is."""
    meeting, out = copy_of_example_build(example_build, tmp_path / "copy")
    supporting = paper_folders(meeting)[0] / "supporting.yaml"
    filler = "This paragraph was added to make the paper longer, so later papers start further on. " * 6
    added = "  - title: Added material\n    groups:\n      - paragraphs:\n" + f"          - {filler}\n" * 24
    supporting.write_text(supporting.read_text().rstrip("\n") + "\n" + added)  # `sections` is the file's only key
    meeting_file = meeting / "meeting.yaml"
    extra = "".join(f"  - oral: Additional oral update number {n} from the lead officer\n" for n in range(1, 41))
    meeting_file.write_text(meeting_file.read_text() + extra)

    grown = build(run_in_this_process, meeting, out)
    before = {r.title: int(r.page) for r in agenda_rows(built / "restricted" / "agenda.docx") if r.page.isdigit()}
    rows = assert_pages_right(grown / "restricted")
    after = {r.title: int(r.page) for r in rows if r.page.isdigit()}
    assert after.keys() == before.keys()
    assert all(after[title] > before[title] for title in before), (before, after)
    # Forty more items need at least one more front sheet page, and the numbers allow for it.
    assert min(after.values()) > min(before.values()), "the longer agenda should need another front sheet page"
    pages = pdf_pages_text(grown / "restricted" / "pack.pdf")
    front = normalise(" ".join(pages[: min(after.values()) - 1]))
    assert "Additional oral update number 40 from the lead officer Oral" in front


def test_front_sheet_carries_the_highest_marking(tmp_path: Path, example_build: Path) -> None:
    meeting, out = copy_of_example_build(example_build, tmp_path / "copy")
    paper = meeting / LONG_PAPER / "paper.yaml"
    paper.write_text(paper.read_text().replace("marking: OFFICIAL\n", "marking: OFFICIAL-SENSITIVE\n"))
    out = build(run_in_this_process, meeting, out)

    restricted = pdf_pages_text(out / "restricted" / "pack.pdf")
    assert "OFFICIAL-SENSITIVE" in restricted[0]
    assert_pages_right(out / "restricted")
    from docx import Document

    header = Document(str(out / "restricted" / "agenda.docx")).sections[0].header.paragraphs[0].text
    assert "OFFICIAL-SENSITIVE" in header

    public = pdf_pages_text(out / "public" / "pack.pdf")
    assert not any("OFFICIAL-SENSITIVE" in page for page in public)
    assert not any("Annual Governance Statement 2021/22" in page for page in public)
    rows = agenda_rows(out / "public" / "agenda.docx")
    hidden = [r for r in rows if r.page == "Not published"]
    assert len(hidden) == 1 and "Governance" not in hidden[0].title
    assert_pages_right(out / "public")


def test_pack_is_byte_identical_across_builds(built: Path, example_rebuild: Path) -> None:
    again = example_rebuild / MEETING_NAME
    for variant in ("restricted", "public"):
        for name in ("pack.pdf", "agenda.docx"):
            assert (again / variant / name).read_bytes() == (built / variant / name).read_bytes(), name


def test_one_paper_builds_without_the_meeting(tmp_path: Path, example_meeting: Path) -> None:
    meeting = copy_meeting(example_meeting, tmp_path / "content")
    meeting_file = meeting / "meeting.yaml"
    meeting_file.write_text(meeting_file.read_text() + "  - paper: 99-missing-paper\n")
    broken = run_in_this_process("build", meeting, "--out", tmp_path / "build", cwd=tmp_path)
    assert broken.returncode == 1 and "99-missing-paper" in broken.stderr

    result = run_in_this_process("build", meeting / LONG_PAPER, "--out", tmp_path / "build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    variant = tmp_path / "build" / MEETING_NAME / "restricted"
    assert (variant / f"{LONG_PAPER}.pdf").is_file()
    assert not (variant / "pack.pdf").exists() and not (variant / "agenda.docx").exists()


def test_bad_pack_input_is_reported_with_its_line(tmp_path: Path, example_meeting: Path) -> None:
    meeting = copy_meeting(example_meeting, tmp_path / "content")
    meeting_file = meeting / "meeting.yaml"
    first = paper_folders(meeting)[0].name
    meeting_file.write_text(meeting_file.read_text() + f"  - paper: {first}\n")
    paper = meeting / LONG_PAPER / "paper.yaml"
    paper.write_text(paper.read_text().replace("contents: true", "contents: maybe"))
    result = run_in_this_process("build", meeting, "--out", tmp_path / "build", cwd=tmp_path)
    assert result.returncode == 1
    last_line = len(meeting_file.read_text().splitlines())
    contents_line = paper.read_text().splitlines().index("contents: maybe") + 1
    assert f"meeting.yaml:{last_line}: paper '{first}' is on the agenda twice; list it once" in result.stderr
    assert f"paper.yaml:{contents_line}: contents: expected true or false, got 'maybe'" in result.stderr
    assert not (tmp_path / "build").exists()


def test_a_printed_sensitive_appendix_raises_the_front_sheet_marking(example_meeting: Path) -> None:
    """No rendering: the front sheet's marking is decided in the model from what the pack prints."""
    from dataclasses import replace

    from panelpapers.build import gather
    from panelpapers.model import Appendix, Paragraph, Text
    from panelpapers.pack.front_sheet import front_sheet

    jobs = gather([example_meeting])
    meeting = jobs[0].meeting
    assert meeting is not None
    # Start from an all-OFFICIAL meeting, whatever the example's markings are today.
    papers = {
        job.paper.slug: replace(job.paper, marking="OFFICIAL", appendices=())
        for job in jobs
        if job.paper is not None
    }
    pages = {slug: 2 for slug in papers}
    assert front_sheet(meeting, papers, pages, show_markings=True).marking == "OFFICIAL"
    slug = sorted(papers)[0]
    listed_only = Appendix("Z", "Listed, not printed", "OFFICIAL-SENSITIVE")
    papers[slug] = replace(papers[slug], appendices=(*papers[slug].appendices, listed_only))
    assert front_sheet(meeting, papers, pages, show_markings=True).marking == "OFFICIAL"
    printed = replace(listed_only, blocks=(Paragraph((Text("Sensitive detail."),)),))
    papers[slug] = replace(papers[slug], appendices=(*papers[slug].appendices, printed))
    assert front_sheet(meeting, papers, pages, show_markings=True).marking == "OFFICIAL-SENSITIVE"
