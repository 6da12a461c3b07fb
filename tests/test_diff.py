"""Review diffs on pairs of real builds of the example meeting, each pair differing by one known edit.
Each pair must report exactly its edit: nothing from reflow, page breaks or renumbering."""

from __future__ import annotations

import csv
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE_MEETING, PROJECT_ROOT, copy_of_example_build, reduced_meeting, run_in_this_process
from readback import require_tool

from panelpapers.build import build
from panelpapers.review.compare import Change, compare_papers, compare_paths
from panelpapers.review.report import markdown, review
from panelpapers.review.visual import PICTURE_COLOUR, compare_visually

PAPER = "02-risk-management"
RISKS = Path(PAPER) / "data" / "risks.csv"
ACTIONS = Path("03-audit-actions") / "data" / "actions.csv"  # the paper whose figures come from data
NEW_PARAGRAPH = "This quarter the register was refreshed in full for the first time since the new format was agreed."


def replace_once(path: Path, old: str, new: str) -> None:
    """Edits content as text; the anchor must be there exactly once, so a content change shows here."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path.name}: expected {old!r} exactly once"
    path.write_text(text.replace(old, new), encoding="utf-8")


def insert_first_paragraph(meeting: Path) -> None:
    """A new first paragraph of the supporting information: every later number in section 1 moves."""
    path = meeting / PAPER / "supporting.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = "sections:\n  - title: "
    first_paragraph = "      - paragraphs:\n          - >-\n"
    assert text.startswith(anchor) and first_paragraph in text
    new = f"      - paragraphs:\n          - >-\n            {NEW_PARAGRAPH}\n          - >-\n"
    path.write_text(text.replace(first_paragraph, new, 1), encoding="utf-8")


def reword_recommendation(meeting: Path) -> None:
    replace_once(
        meeting / PAPER / "recommendations.yaml", "Note the Met's key risks", "Note and comment on the Met's key risks"
    )


def change_data_cell(meeting: Path) -> None:
    replace_once(meeting / RISKS, ",Director of HR,", ",Director of People,")


def close_an_overdue_action(meeting: Path) -> None:
    """One line of a data file: the first open, overdue action on the audit tracker is closed."""
    path = meeting / ACTIONS
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    action = next(r for r in rows if r["status"] == "Open" and r["due_date"] < "2022-01-01")
    action.update(status="Closed", closed_date="2021-12-10", delay_reason="")
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def add_table_row(meeting: Path) -> None:
    with (meeting / RISKS).open("a", encoding="utf-8") as file:
        file.write(
            "12,Data,Records are not kept well enough to answer requests on time,"
            "Chief Data Officer,Head of Records,M v M,L v M,↔,long-term,On Track\n"
        )


def change_chart_data(meeting: Path) -> None:
    replace_once(meeting / RISKS, "M v H,L v M,↓,short-term", "H v H,L v M,↓,short-term")


def no_edit(meeting: Path) -> None:
    return None


@pytest.fixture(scope="module")
def drafts(
    tmp_path_factory: pytest.TempPathFactory, example_build: Path
) -> Callable[[Callable[[Path], None]], tuple[Path, Path]]:
    """The old draft is the run's shared build of the example; `drafts(edit)` builds an edited copy
    as the new one, from a copy of the shared build with its cache (conftest.copy_of_example_build),
    so that only what the edit touched is rendered again."""
    base = tmp_path_factory.mktemp("drafts")
    built: dict[str, tuple[Path, Path]] = {}

    def make(edit: Callable[[Path], None]) -> tuple[Path, Path]:
        if edit.__name__ not in built:
            meeting, out = copy_of_example_build(example_build, base / edit.__name__)
            edit(meeting)
            build([meeting], out, jobs=1)
            built[edit.__name__] = (example_build, out)
        return built[edit.__name__]

    return make


def changes_between(old: Path, new: Path) -> list[Change]:
    return review(compare_paths(old, new), show_pages=False).changes


def paper_pdf(build_folder: Path) -> Path:
    return build_folder / EXAMPLE_MEETING.name / "restricted" / f"{PAPER}.pdf"


def test_inserted_paragraph_is_reported_once(drafts: Callable[..., tuple[Path, Path]]) -> None:
    old, new = drafts(insert_first_paragraph)
    changes = changes_between(old, new)
    assert [(c.status, c.what) for c in changes] == [("added", "paragraph")], changes
    assert changes[0].new is not None and changes[0].new.number == "1.1"
    assert changes[0].new.text == NEW_PARAGRAPH
    # The same from bare PDFs: page furniture, reflow and "paragraph 1.12" → "1.13" are not changes.
    from_pdfs = changes_between(paper_pdf(old), paper_pdf(new))
    assert [(c.status, c.what, c.new.number if c.new else "") for c in from_pdfs] == [("added", "paragraph", "1.1")]
    # And from the two whole packs: the agenda's page numbers and the later papers are unchanged.
    packs = [folder / EXAMPLE_MEETING.name / "restricted" / "pack.pdf" for folder in (old, new)]
    from_packs = changes_between(*packs)
    assert [(c.status, c.what, c.new.number if c.new else "") for c in from_packs] == [("added", "paragraph", "1.1")]


def test_reworded_recommendation_is_called_out(drafts: Callable[..., tuple[Path, Path]]) -> None:
    old, new = drafts(reword_recommendation)
    result = review(compare_paths(old, new), show_pages=False)
    assert [(c.status, c.what) for c in result.changes] == [("changed", "recommendation")]
    assert result.headline == result.changes
    change = result.changes[0]
    assert ("insert", "and comment on ") in change.words
    assert change.old is not None and change.old.number == "a"  # the paper's only one, lettered (`single: lettered`)
    summary = markdown(result)
    assert "To note first" in summary and "recommendation a changed" in summary
    assert "HTML report" not in summary, "no HTML report was written, so the summary must not point to one"
    pointed = markdown(result, "changes.html")  # written without page images (show_pages=False)
    assert "The HTML report (changes.html) shows each change word by word.\n" in pointed


def test_figure_changed_in_a_data_file_follows_through(drafts: Callable[..., tuple[Path, Path]]) -> None:
    """Closing one action changes the figures computed from it, in tables, chart and sentences alike,
    and nothing else: no other paper, no wording."""
    old, new = drafts(close_an_overdue_action)
    changes = changes_between(old, new)
    assert changes and {c.paper.rsplit("/", 1)[-1] for c in changes} == {"03-audit-actions"}, changes
    assert {c.what for c in changes} <= {"text", "paragraph", "table", "chart"}
    for change in changes:
        edited = [text for kind, text in change.words if kind != "equal"]
        assert all(re.fullmatch(r"[\d.,%]+\s*", text) for text in edited), (change.label, edited)
    cells = [cell for c in changes for cell in c.cells if cell.column == "Outstanding" and cell.row == "Grand Total"]
    assert cells, "the grand total of outstanding actions should change"
    before, after = int(cells[0].old or ""), int(cells[0].new or "")
    assert before - after == 1
    # The sentences that quote the total follow the table.
    quoting = [c for c in changes if ("delete", f"{before} ") in c.words and ("insert", f"{after} ") in c.words]
    assert quoting, "a sentence quoting the total should change with it"


def test_changed_data_cell_is_named_by_row_and_column(drafts: Callable[..., tuple[Path, Path]]) -> None:
    old, new = drafts(change_data_cell)
    changes = changes_between(old, new)
    assert [(c.status, c.what) for c in changes] == [("changed", "table")], changes
    (cell,) = changes[0].cells
    assert cell.row.startswith("4 ") and "lead" in cell.column.lower()
    assert (cell.old, cell.new) == ("Director of HR", "Director of People")


def test_added_table_row_is_one_row_and_its_chart(drafts: Callable[..., tuple[Path, Path]]) -> None:
    old, new = drafts(add_table_row)
    changes = changes_between(old, new)
    # The register's table gains the row; the long-term heat map drawn from it gains a marker.
    assert sorted(c.what for c in changes) == ["chart", "table"], changes
    table = next(c for c in changes if c.what == "table")
    assert [(c.row.split()[0], c.column, c.old) for c in table.cells] == [("12", "", None)]
    assert "Records are not kept" in (table.cells[0].new or "")
    chart = next(c for c in changes if c.what == "chart")
    assert chart.new is not None and "Long-term" in chart.new.caption


def test_changed_chart_data_is_seen_on_the_page(drafts: Callable[..., tuple[Path, Path]]) -> None:
    old, new = drafts(change_chart_data)
    comparison = compare_paths(old, new)
    result = review(comparison, show_pages=True)
    assert sorted(c.what for c in result.changes) == ["chart", "table"], result.changes
    chart = next(c for c in result.changes if c.what == "chart")
    assert chart.new is not None and "Short-term" in chart.new.caption and chart.note
    # The visual backstop boxes the chart: a picture box on the page that holds it, in both drafts.
    paper = next(p for p in comparison.papers if p.name.endswith(PAPER))
    pairs = result.page_pairs(paper)
    assert any(colour == PICTURE_COLOUR for pair in pairs for _box, colour in pair.new_boxes)
    assert any(pair.new_image.startswith("data:image/png;base64,") for pair in pairs)


def test_page_images_keep_the_red_draft_mark(drafts: Callable[..., tuple[Path, Path]]) -> None:
    """The report's page images are reduced to a few colours to stay small; the red DRAFT mark in
    each page's corner must come out red, not the grey a median-cut palette turned it."""
    import base64
    import io

    from PIL import Image

    old, new = drafts(reword_recommendation)
    comparison = compare_paths(old, new)
    result = review(comparison, show_pages=True)
    paper = next(p for p in comparison.papers if p.name.endswith(PAPER))
    images = [pair.new_image for pair in result.page_pairs(paper) if pair.new_image]
    assert images
    draft_red = (0xB0, 0x00, 0x20)  # paper.css: @top-right
    for uri in images:
        data = base64.b64decode(uri.removeprefix("data:image/png;base64,"))
        image = Image.open(io.BytesIO(data)).convert("RGB")
        corner = image.crop((image.width * 3 // 4, 0, image.width, image.height // 10))
        raw = corner.tobytes()
        pixels = (raw[i : i + 3] for i in range(0, len(raw), 3))
        red = [p for p in pixels if all(abs(channel - want) <= 24 for channel, want in zip(p, draft_red, strict=True))]
        assert len(red) >= 40, f"{len(red)} red pixels in the DRAFT corner"


def test_visual_backstop_sees_a_chart_when_no_words_changed(drafts: Callable[..., tuple[Path, Path]]) -> None:
    """With the words taken out of the comparison, only the pictures can tell the drafts apart."""
    for edit, expected in ((change_chart_data, True), (no_edit, False)):
        old, new = drafts(edit)
        paper = next(p for p in compare_paths(old, new).papers if p.name.endswith(PAPER))
        assert paper.old is not None and paper.new is not None
        silent = compare_papers(paper.old, paper.new, paper.name)
        silent.changes = []  # as if no text had changed
        visual = compare_visually(silent, show_pages=False)
        assert visual.pages_compared >= 2 * 8
        assert bool(visual.pictures_changed) is expected, visual.pictures_changed


def test_nothing_changed_exits_0(drafts: Callable[..., tuple[Path, Path]], tmp_path: Path) -> None:
    old, new = drafts(no_edit)
    done = run_in_this_process(
        "diff", old, new, "--html", tmp_path / "r.html", "--markdown", tmp_path / "r.md", cwd=tmp_path
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no changes" in done.stdout
    assert "No changes" in (tmp_path / "r.md").read_text(encoding="utf-8")
    assert 'id="nothing-changed"' in (tmp_path / "r.html").read_text(encoding="utf-8")
    # A whole pack compared with itself is unchanged too.
    pack = old / EXAMPLE_MEETING.name / "restricted" / "pack.pdf"
    if pack.is_file():
        assert (
            run_in_this_process(
                "diff", pack, new / EXAMPLE_MEETING.name / "restricted" / "pack.pdf", cwd=tmp_path
            ).returncode
            == 0
        )


def test_a_change_exits_1_and_says_where(drafts: Callable[..., tuple[Path, Path]], tmp_path: Path) -> None:
    old, new = drafts(insert_first_paragraph)
    done = run_in_this_process("diff", old, new, "--markdown", tmp_path / "r.md", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "paragraph 1.1 added" in done.stdout and "1 change" in done.stdout
    summary = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "paragraph 1.1 added" in summary and "HTML report" not in summary  # none was asked for


@pytest.mark.quick
def test_unreadable_input_exits_2(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a paper\n", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    for old, new in (
        (tmp_path / "missing", tmp_path / "empty"),
        (tmp_path / "notes.txt", tmp_path / "notes.txt"),
        (tmp_path / "empty", tmp_path / "empty"),
    ):
        done = run_in_this_process("diff", old, new, cwd=tmp_path)
        assert done.returncode == 2, done.stdout + done.stderr
        assert done.stderr.startswith("panelpapers diff: ") and "Traceback" not in done.stderr


def test_diff_against_a_git_revision(tmp_path: Path) -> None:
    """`--rev` builds the committed content and the working tree in temporary folders."""
    git = require_tool("git")
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE_MEETING, repo / "content" / EXAMPLE_MEETING.name)
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.org"]
    for command in (["init", "-q"], ["add", "content"], [*identity, "commit", "-q", "-m", "draft 2"]):
        subprocess.run([git, *command], cwd=repo, check=True, capture_output=True)
    reword_recommendation(repo / "content" / EXAMPLE_MEETING.name)
    paper = Path("content") / EXAMPLE_MEETING.name / PAPER  # one paper builds quicker than the meeting
    done = run_in_this_process("diff", "--rev", "HEAD", paper, cwd=repo)
    assert done.returncode == 1, done.stderr
    assert re.search(r"recommendation a changed", done.stdout)
    assert not (repo / "build").exists(), "the comparison must leave build/ alone"
    bad = run_in_this_process("diff", "--rev", "no-such-revision", paper, cwd=repo)
    assert bad.returncode == 2 and "no-such-revision" in bad.stderr


def test_rev_renders_on_the_new_side_only_the_papers_that_differ(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The two sides of `--rev` share one build cache in the temporary folder: a paper the same at
    both revisions is rendered once, for the old side, and the new side takes its files as made."""
    import panelpapers.build as build_package
    from panelpapers.review.command import build_revision_and_tree

    repo = tmp_path / "repo"
    meeting = reduced_meeting(repo / "content", [PAPER, "04-governance-statement"])
    commit_all(repo, "the drafts")
    reword_recommendation(meeting)
    made: list[tuple[int, int]] = []
    real_build = build_package.build

    def counted(*args: Any, **kwargs: Any) -> Any:
        written = real_build(*args, **kwargs)
        made.append((written.rendered, written.reused))
        return written

    monkeypatch.setattr(build_package, "build", counted)
    work = tmp_path / "work"
    work.mkdir()
    old, new = build_revision_and_tree("HEAD", [meeting], work)
    assert made == [(2, 0), (1, 1)], "old side: both papers rendered; new side: the reworded one alone"
    for variant in ("restricted", "public"):
        same = f"{meeting.name}/{variant}/04-governance-statement.pdf"
        assert (old / same).read_bytes() == (new / same).read_bytes()
        changed = f"{meeting.name}/{variant}/{PAPER}.pdf"
        assert (old / changed).read_bytes() != (new / changed).read_bytes()
    changes = changes_between(old, new)
    assert [(change.status, change.what, change.paper.endswith(PAPER)) for change in changes] == [
        ("changed", "recommendation", True)
    ], changes


COUNCIL = Path(__file__).parent / "projects" / "council"
COUNCIL_PAPER = Path("content") / "2023-03-14-audit-committee" / "02-treasury-review"
IDENTITY = ["-c", "user.name=Test", "-c", "user.email=test@example.org"]


def commit_all(repo: Path, message: str) -> None:
    git = require_tool("git")
    for command in (["init", "-q"], ["add", "-A"], [*IDENTITY, "commit", "-q", "-m", message]):
        subprocess.run([git, *command], cwd=repo, check=True, capture_output=True)


def change_lines(stdout: str) -> list[str]:
    """The lines of diff's terminal report that name a change (the rest: marking, sides, count)."""
    return [line for line in stdout.splitlines() if line.startswith(("! ", "  "))]


def ci_diff_arguments(base: str) -> list[str]:
    """The arguments the shipped workflow gives `panelpapers diff` on a pull request, the base commit
    filled in; docs/ci.md's GitLab job must give the same."""
    import yaml

    workflow = yaml.safe_load((PROJECT_ROOT / ".github" / "workflows" / "panelpapers.yml").read_text(encoding="utf-8"))
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    lines = [line.strip() for run in runs for line in run.splitlines() if line.strip().startswith("panelpapers diff")]
    assert len(lines) == 1, lines
    words = shlex.split(lines[0].split("||")[0])
    assert words[:3] == ["panelpapers", "diff", "--rev"] and words[3] == "$BASE", words
    told = " ".join((PROJECT_ROOT / "docs" / "ci.md").read_text(encoding="utf-8").split())
    in_docs = re.findall(r"panelpapers diff --rev \S+ ([^`|;]*)", told)  # step 6 and the GitLab job
    assert len(in_docs) == 2 and all(shlex.split(rest) == words[4:] for rest in in_docs), in_docs
    return [base if word == "$BASE" else word for word in words[2:]]


def test_rev_builds_the_old_side_in_the_project_house(tmp_path: Path) -> None:
    """A secretariat's repository: the council project (its own panelpapers.yaml, organisation,
    markings, fonts and logo) at the top, compared as the shipped CI workflow compares a pull
    request. One sentence edited in one paper is the only change reported, so the old side was
    built in the council's house, not the built-in one."""
    repo = tmp_path / "council"
    shutil.copytree(COUNCIL, repo)
    commit_all(repo, "the committee's drafts")
    base = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, check=True, capture_output=True, text=True)
    replace_once(
        repo / COUNCIL_PAPER / "summary.yaml",
        "raised investment income by more than was budgeted",
        "raised investment income by far more than was budgeted",
    )
    done = run_in_this_process("diff", *ci_diff_arguments(base.stdout.strip()), cwd=repo)
    assert done.returncode == 1, done.stdout + done.stderr
    change = "2023-03-14-audit-committee/02-treasury-review: paragraph in Report Summary changed: added “far”"
    assert change_lines(done.stdout) == [f"  {change}"], done.stdout
    assert done.stdout.splitlines()[-1] == "1 change"
    comment = (repo / "pr-comment.md").read_text(encoding="utf-8")
    assert "paragraph in Report Summary changed: added “far”" in comment and "**1 change**" in comment
    assert "HTML report" not in comment, "CI writes no HTML report, so the comment must not mention one"
    assert not (repo / "build").exists(), "the comparison must leave build/ alone"
    # Run from inside the project with no content named, the project's content/ is compared; with
    # --docx the two builds --rev made give one Word redline, of the one paper that changed.
    redlines = tmp_path / "redlines"
    done = run_in_this_process("diff", "--rev", "HEAD", "--docx", redlines, cwd=repo / "content")
    assert done.returncode == 1, done.stderr
    written = sorted(path.relative_to(redlines).as_posix() for path in redlines.rglob("*.docx"))
    assert written == ["2023-03-14-audit-committee/public/02-treasury-review.docx"]
    with zipfile.ZipFile(redlines / written[0]) as docx:
        body = docx.read("word/document.xml").decode("utf-8")
    assert re.search(r"<w:ins [^>]*w:author=\"panelpapers\"[^>]*>.*?far.*?</w:ins>", body, re.S)


def test_rev_in_a_project_in_a_subfolder_with_its_own_section_title(tmp_path: Path) -> None:
    """A project in a subfolder of its repository whose house renames a section: the house is the
    same at both revisions and no content changed, so nothing is reported as changed (built in the
    built-in house, the old side would carry the built-in section title)."""
    repo = tmp_path / "repo"
    project = repo / "committee"
    shutil.copytree(EXAMPLE_MEETING / PAPER, project / "content" / EXAMPLE_MEETING.name / PAPER)
    (project / "panelpapers.yaml").write_text("section_titles:\n  financial: Money and resources\n", encoding="utf-8")
    (repo / "README.md").write_text("Papers of the committee live in committee/.\n", encoding="utf-8")
    commit_all(repo, "the panel's drafts")
    paper = Path(EXAMPLE_MEETING.name) / PAPER  # one paper builds quicker than the meeting
    done = run_in_this_process("diff", "--rev", "HEAD", paper, cwd=project / "content")  # from inside the project
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "no changes" and not change_lines(done.stdout), done.stdout
    built = run_in_this_process("build", Path("content") / paper, cwd=project)
    assert built.returncode == 0, built.stderr
    words = (project / "build" / EXAMPLE_MEETING.name / "restricted" / f"{PAPER}.html").read_text(encoding="utf-8")
    assert "Money and resources" in words, "the house's own section title is printed"


def test_rev_refuses_a_house_file_above_its_temporary_folder(tmp_path: Path) -> None:
    """The old side's house is looked up from the exported project: a panelpapers.yaml above the
    temporary folder (TMPDIR inside another project) must not style it silently."""
    repo = tmp_path / "repo"  # no house file of its own: built in the built-in house
    shutil.copytree(EXAMPLE_MEETING / PAPER, repo / "content" / EXAMPLE_MEETING.name / PAPER)
    commit_all(repo, "draft 2")
    (tmp_path / "elsewhere" / "tmp").mkdir(parents=True)
    (tmp_path / "elsewhere" / "panelpapers.yaml").write_text("panel: Another Panel\n", encoding="utf-8")
    code = "import sys; from panelpapers.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", code, "diff", "--rev", "HEAD", str(Path("content") / EXAMPLE_MEETING.name / PAPER)],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp_path / "elsewhere" / "tmp")},
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{tmp_path / 'elsewhere' / 'panelpapers.yaml'}: lies above the temporary folder" in done.stderr


def test_review_records_read_back_as_written_and_another_format_is_refused_in_one_line(tmp_path: Path) -> None:
    """Every review record a build writes reads back through its model to the very same bytes; a
    record of another format, or a damaged one, stops diff with one line naming the file (exit 2)."""
    from panelpapers.render.record import RECORD_FORMAT, read_record, record_json

    build([COUNCIL / "content"], tmp_path / "old", jobs=1)
    records = sorted((tmp_path / "old").rglob("*.review.json"))
    assert len(records) == 4  # the paper and the agenda, in both variants
    for path in records:
        assert read_record(path).format == RECORD_FORMAT
        assert record_json(read_record(path)) == path.read_bytes()
    shutil.copytree(tmp_path / "old", tmp_path / "new")
    record = tmp_path / "new" / "2023-03-14-audit-committee" / "public" / "02-treasury-review.review.json"
    original = record.read_text(encoding="utf-8")
    assert f'"format": {RECORD_FORMAT},' in original
    for edited, told in (
        (
            original.replace(f'"format": {RECORD_FORMAT},', '"format": 7,'),
            f"review record format 7 is not one this panelpapers reads ({RECORD_FORMAT}); rebuild the drafts",
        ),
        (
            original.replace(f' "format": {RECORD_FORMAT},\n', ""),
            f"review record format missing is not one this panelpapers reads ({RECORD_FORMAT}); rebuild the drafts",
        ),
        (
            original.replace('"kind": "heading"', '"kind": "poem"', 1),
            "damaged review record: passages: Value error, passage 3: expected a kind, one of section, heading,",
        ),
        (original.replace('"status": "draft"', '"status": 1'), "damaged review record: status: Input should be"),
    ):
        assert edited != original
        record.write_text(edited, encoding="utf-8")
        done = run_in_this_process("diff", tmp_path / "old", tmp_path / "new", cwd=tmp_path)
        assert done.returncode == 2, done.stdout + done.stderr
        assert done.stderr.startswith(f"panelpapers diff: {record}: {told}"), done.stderr
        assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr, done.stderr


def test_html_report_shows_the_change_in_a_real_browser(
    drafts: Callable[..., tuple[Path, Path]], tmp_path: Path
) -> None:
    chromium = require_tool("chromium")
    old, new = drafts(reword_recommendation)
    report = tmp_path / "report.html"
    assert run_in_this_process("diff", old, new, "--html", report, cwd=tmp_path).returncode == 1
    page = report.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:|//)|url\((https?:|//)""", page), "the report must need no network"
    done = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--proxy-server=127.0.0.1:9",  # any attempt at the network fails
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            report.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert "<ins>and comment on </ins>" in dom
    assert 'id="headline"' in dom and "recommendation" in dom
    assert re.search(r'<img src="data:image/png;base64,[^"]{1000,}"', dom), "page images should be inline"


def outside_jinja(text: str, change: Callable[[str], str]) -> str:
    """`change` applied to the text between Jinja tags and url(…) references."""
    pieces = re.split(r"(\{\{.*?\}\}|\{%.*?%\}|url\([^)]*\))", text)
    return "".join(piece if i % 2 else change(piece) for i, piece in enumerate(pieces))


def renamed_templates(target: Path) -> Path:
    """A copy of the packaged templates with every CSS class of the papers renamed, as a designer
    restyling them might: in the stylesheets, the class attributes and the class names passed to macros."""
    from panelpapers.resources import templates_dir

    shutil.copytree(templates_dir(), target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    stylesheets = [target / "paper.css", target / "agenda.css"]
    markup = [target / name for name in ("paper.html.j2", "blocks.html.j2", "masthead.html.j2", "agenda.html.j2")]
    css = "\n".join(re.sub(r"url\([^)]*\)|\{\{.*?\}\}", "", p.read_text(encoding="utf-8")) for p in stylesheets)
    classes = set(re.findall(r"\.([a-z][a-z0-9-]*)", css))

    def renamed(word: str) -> str:
        return f"zz-{word}" if word in classes else word

    def rename_words(text: str) -> str:
        return re.sub(r"(?<![\w-])[a-z][a-z0-9-]*(?![\w-])", lambda w: renamed(w[0]), text)

    def rename_selectors(text: str) -> str:
        return re.sub(r"\.([a-z][a-z0-9-]*)", lambda m: "." + renamed(m[1]), text)

    for path in stylesheets:
        path.write_text(outside_jinja(path.read_text(encoding="utf-8"), rename_selectors), encoding="utf-8")
    for path in markup:
        text = path.read_text(encoding="utf-8")
        text = re.sub(r'class="([^"]*)"', lambda m: f'class="{outside_jinja(m[1], rename_words)}"', text)
        text = re.sub(r'render_list\(([^,]+), "([a-z-]+)"\)', lambda m: f'render_list({m[1]}, "{renamed(m[2])}")', text)
        path.write_text(text, encoding="utf-8")
    return target


def test_restyled_templates_do_not_change_what_the_diff_reports(tmp_path: Path) -> None:
    """The review reads each paper's record, not the HTML's class names or styles: renaming every
    CSS class changes how the papers are marked up, not what a reviewer is told changed."""
    old_content = tmp_path / "old" / EXAMPLE_MEETING.name / PAPER
    shutil.copytree(EXAMPLE_MEETING / PAPER, old_content)
    new_content = tmp_path / "new" / EXAMPLE_MEETING.name / PAPER
    shutil.copytree(old_content, new_content)
    insert_first_paragraph(new_content.parent)
    change_data_cell(new_content.parent)
    reword_recommendation(new_content.parent)
    restyled = renamed_templates(tmp_path / "restyled")

    reports = []
    for templates, name in ((None, "packaged"), (restyled, "restyled")):
        build([old_content], tmp_path / name / "old", templates=templates, jobs=1)
        build([new_content], tmp_path / name / "new", templates=templates, jobs=1)
        changes = changes_between(tmp_path / name / "old", tmp_path / name / "new")
        reports.append([(c.status, c.what, c.label, c.words, c.cells) for c in changes])
    html = (tmp_path / "restyled" / "new" / EXAMPLE_MEETING.name / "restricted" / f"{PAPER}.html").read_text()
    assert 'class="zz-numbered-paragraph"' in html and "numbered-paragraph" not in html.replace("zz-numbered", "")
    assert [what for _status, what, *_ in reports[0]] == ["recommendation", "paragraph", "table"], reports[0]
    assert reports[1] == reports[0]
