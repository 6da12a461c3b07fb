"""`panelpapers diff OLD NEW --docx R`: two builds of the example's audit-actions paper, the second
with words changed, a paragraph added and one removed, a table cell changed (and, for the chart, a
data row changed). The redline is read back in LibreOffice through UNO (tests/word_redline_uno.py):
accepting all its changes gives NEW's paragraphs, rejecting all gives OLD's."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import EXAMPLE_MEETING, PROJECT_ROOT, run_in_this_process
from readback import require_uno

PAPER = "03-audit-actions"
MEETING = EXAMPLE_MEETING.name
UNO_READER = PROJECT_ROOT / "tests" / "word_redline_uno.py"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

@pytest.fixture(autouse=True)
def libreoffice_with_uno() -> None:
    require_uno()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """old/: the paper as it is; new/: its text edited; chart/: a data row changed as well; lean/:
    without a chart and a table."""
    root = tmp_path_factory.mktemp("redline")
    shutil.copytree(EXAMPLE_MEETING, root / "content" / MEETING)
    shutil.copy(PROJECT_ROOT / "panelpapers.yaml", root / "panelpapers.yaml")
    paper = root / "content" / MEETING / PAPER

    def build(out: str) -> None:
        done = run_in_this_process("build", f"content/{MEETING}/{PAPER}", "--out", out, cwd=root)
        assert done.returncode == 0, done.stderr

    build("old")
    edit(paper / "summary.yaml", "This report tells the Panel", "This report **informs** the Panel")
    edit(paper / "summary.yaml", "  - >-\n    The most common reason given for a delay is "  # a paragraph out
         "*{{ actions.top_delay_reason }}*,\n    cited for {{ actions.top_delay_count }} overdue actions.\n", "")
    edit(paper / "summary.yaml", "interdependencies:\n", "interdependencies:\n  - Estates work starts in May.\n")
    edit(paper / "supporting.yaml", "          - >-\n            The tracker held {{ actions.total }} actions at 31 "
         "December 2021,\n            of which {{ actions.outstanding }} were still open.\n",
         "          - A paragraph that is new in this draft.\n")
    edit(paper / "data.yaml", "**Fundamental weakness**: the control does not work",
         "**Basic weakness**: the control fails")
    build("new")
    edit(paper / "data" / "actions.csv",
         "IA-0123,Corporate Services,Procurement cards,2021-03-20,2021-11-15,Open,,High,Resourcing pressures",
         "IA-0123,Corporate Services,Procurement cards,2021-03-20,2021-11-15,Closed,2021-11-01,High,")
    build("chart")
    edit(paper / "supporting.yaml", "          - chart: open_by_group_and_quarter\n", "")
    edit(paper / "supporting.yaml", "          - table: delay_reasons\n", "")
    build("lean")
    return root


def docx_in(build: Path) -> Path:
    return build / MEETING / "restricted" / f"{PAPER}.docx"


def pdf_in(build: Path) -> Path:
    return docx_in(build).with_suffix(".pdf")


def read_in_libreoffice(*files: str) -> dict[str, list[str]]:
    done = subprocess.run(["/usr/bin/python3", str(UNO_READER), *files], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result: dict[str, list[str]] = json.loads(done.stdout)
    return result


def test_accepting_all_gives_new_and_rejecting_all_gives_old(builds: Path) -> None:
    import docx

    redline = builds / "redline.docx"
    done = run_in_this_process("diff", pdf_in(builds / "old"), pdf_in(builds / "new"), "--docx", redline, cwd=builds)
    assert done.returncode == 1, done.stderr
    # No comments: LibreOffice 7.4 crashes opening a DOCX that holds some.
    assert not list(docx.Document(str(redline)).comments)
    seen = read_in_libreoffice(f"{redline}:accept", f"{redline}:reject", f"{docx_in(builds / 'new')}:as-is",
                               f"{docx_in(builds / 'old')}:as-is")
    assert seen[f"{redline} accept changes"] > 0
    new, old = seen[f"{docx_in(builds / 'new')} as-is"], seen[f"{docx_in(builds / 'old')} as-is"]
    assert new != old
    assert seen[f"{redline} accept"] == new
    assert seen[f"{redline} reject"] == old


def test_the_redline_marks_words_paragraphs_and_cells_by_panelpapers_on_the_meeting_date(builds: Path) -> None:
    import docx

    redline = builds / "redline-words.docx"
    done = run_in_this_process("diff", pdf_in(builds / "old"), pdf_in(builds / "new"), "--docx", redline, cwd=builds)
    assert done.returncode == 1, done.stderr
    body = docx.Document(str(redline)).element.body
    marks = [*body.iter(f"{W}ins"), *body.iter(f"{W}del")]
    assert {(m.get(f"{W}author"), m.get(f"{W}date")) for m in marks} == {("panelpapers", "2022-01-17T00:00:00Z")}

    def marked(tag: str, text_tag: str) -> list[str]:
        return ["".join(t.text or "" for t in m.iter(f"{W}{text_tag}")) for m in body.iter(f"{W}{tag}")]

    inserted, deleted = marked("ins", "t"), marked("del", "delText")
    # A word replaced, not the paragraph: "tells" out, "informs" (bold) in, the rest untouched.
    assert "tells" in deleted and "informs" in inserted
    assert "Estates work starts in May." in inserted  # a paragraph in, and one out
    assert any(d.startswith("The most common reason given for a delay is ") for d in deleted)
    informs = next(m for m in body.iter(f"{W}ins") if "informs" in "".join(t.text or "" for t in m.iter(f"{W}t")))
    assert informs.find(f"{W}r/{W}rPr/{W}b") is not None
    # A paragraph replaced by another in its place: its words out, the new ones in (the full stop stays).
    assert "A paragraph that is new in this draft" in inserted
    assert any(d.startswith("The tracker held") for d in deleted)
    # The table cell: inside a w:tc, only the changed words.
    cell_changes = [m for m in body.iter(f"{W}del") if any(a.tag == f"{W}tc" for a in m.iterancestors())]
    assert "Fundamental" in ["".join(t.text or "" for t in m.iter(f"{W}delText")) for m in cell_changes]


def test_rebuilding_the_redline_gives_the_same_bytes(builds: Path) -> None:
    first, second = builds / "first.docx", builds / "second.docx"
    for out in (first, second):
        done = run_in_this_process("diff", pdf_in(builds / "old"), pdf_in(builds / "chart"), "--docx", out, cwd=builds)
        assert done.returncode == 1, done.stderr
    assert first.read_bytes() == second.read_bytes()


def test_a_changed_chart_gets_a_comment(builds: Path) -> None:
    import docx

    redline = builds / "chart.docx"
    done = run_in_this_process("diff", pdf_in(builds / "new"), pdf_in(builds / "chart"), "--docx", redline, cwd=builds)
    assert done.returncode == 1, done.stderr
    comments = list(docx.Document(str(redline)).comments)
    assert len(comments) == 2  # the example's two charts both count outstanding actions
    for comment in comments:
        assert comment.author == "panelpapers" and comment.timestamp is not None
        assert comment.timestamp.date().isoformat() == "2022-01-17"
        assert "This chart changed since the earlier draft" in comment.text
    assert "Figure 1" in comments[0].text
    # The commented paragraph holds the chart's picture.
    body = docx.Document(str(redline)).element.body
    start = next(body.iter(f"{W}commentRangeStart"))
    assert any(True for _ in start.getparent().iter("{http://schemas.openxmlformats.org/drawingml/2006/main}blip"))


def test_build_folders_get_one_redline_per_changed_paper(builds: Path, tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    for side, paper_docx in ((old, docx_in(builds / "old")), (new, docx_in(builds / "new"))):
        shutil.copytree(builds / side.name / MEETING, side / MEETING)
        # A second paper the same on both sides: no redline for it.
        shutil.copy(docx_in(builds / "new"), side / MEETING / "restricted" / "09-unchanged.docx")
        assert paper_docx.is_file()
    out = tmp_path / "redlines"
    done = run_in_this_process("diff", old, new, "--variant", "restricted", "--docx", out, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == [
        MEETING, f"{MEETING}/restricted", f"{MEETING}/restricted/{PAPER}.docx"]


def test_docx_needs_two_drafts_with_their_docx(builds: Path, tmp_path: Path) -> None:
    lone = tmp_path / "lone.pdf"
    shutil.copy(pdf_in(builds / "old"), lone)
    done = run_in_this_process("diff", lone, pdf_in(builds / "new"), "--docx", tmp_path / "r.docx", cwd=builds)
    assert done.returncode == 2
    assert f"{lone}: no DOCX beside it for --docx; build the paper with panelpapers build" in done.stderr
    assert not (tmp_path / "r.docx").exists()


def equal_but_for_an_emptied_caption(seen: list[str], expected: list[str]) -> bool:
    """LibreOffice 7.4 cannot join a paragraph to a table: a caption deleted (or, rejected,
    inserted) just before a table it takes out keeps an empty paragraph. Anything else must match."""
    if seen == expected:
        return True
    at = next(i for i, (a, b) in enumerate(zip(seen, expected, strict=False)) if a != b)
    return seen[at] == "" and seen[:at] + seen[at + 1 :] == expected


def test_a_removed_or_added_chart_and_table_are_tracked_changes(builds: Path) -> None:
    import docx

    deleted, inserted, again = builds / "deleted.docx", builds / "inserted.docx", builds / "deleted-again.docx"
    for old, new, out in (("chart", "lean", deleted), ("lean", "chart", inserted), ("chart", "lean", again)):
        done = run_in_this_process("diff", pdf_in(builds / old), pdf_in(builds / new), "--docx", out, cwd=builds)
        assert done.returncode == 1, done.stderr
    assert deleted.read_bytes() == again.read_bytes()
    body = docx.Document(str(deleted)).element.body
    blip = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
    assert any(m.find(f".//{blip}") is not None for m in body.iter(f"{W}del"))  # the chart's run, deleted
    deleted_rows = [r for r in body.iter(f"{W}tr") if r.find(f"{W}trPr/{W}del") is not None]
    assert len(deleted_rows) >= 2  # the table's header and body rows
    assert not list(docx.Document(str(deleted)).comments)
    lean, full = docx_in(builds / "lean"), docx_in(builds / "chart")
    seen = read_in_libreoffice(f"{deleted}:accept", f"{deleted}:reject", f"{inserted}:accept", f"{inserted}:reject",
                               f"{lean}:as-is", f"{full}:as-is")
    expect = {f"{deleted} accept": lean, f"{deleted} reject": full, f"{inserted} accept": full,
              f"{inserted} reject": lean}
    assert seen[f"{full} as-is pictures"] == seen[f"{lean} as-is pictures"] + 1
    assert seen[f"{full} as-is tables"] == seen[f"{lean} as-is tables"] + 1
    for key, side in expect.items():
        assert seen[f"{key} pictures"] == seen[f"{side} as-is pictures"], key
        assert seen[f"{key} tables"] == seen[f"{side} as-is tables"], key
        assert equal_but_for_an_emptied_caption(seen[key], seen[f"{side} as-is"]), key
