"""Publication safety.

Review reports: `panelpapers diff` compares the public variant unless told otherwise, every report
opens with the highest marking of what it shows, and a Markdown summary (the one CI posts as a
pull-request comment) of papers marked above OFFICIAL is only written when `--variant restricted` was
asked for on the command line.

Duplicates: two appendices with one ref, or two paper folders with one number, are content errors
reported at their line, and nothing is written.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import EXAMPLE_MEETING, run_in_this_process
from readback import require_tool

from panelpapers.build import build
from panelpapers.house import DEFAULT_HOUSE
from panelpapers.render.record import Passage
from panelpapers.review.compare import compare
from panelpapers.review.extract import PaperContent

PAPER = "04-governance-statement"  # OFFICIAL, with an OFFICIAL-SENSITIVE appendix A
HIGHEST = DEFAULT_HOUSE.labels[-1]
PUBLIC_MARKING = DEFAULT_HOUSE.public_marking
RESTRICTED_WORDS = "and 2023/24"  # added to the title of the OFFICIAL-SENSITIVE appendix


def replace_once(path: Path, pattern: str, new: str) -> None:
    """Edits content as text; the pattern (multi-line regex) must match exactly once."""
    text = path.read_text(encoding="utf-8")
    edited, count = re.subn(pattern, new, text, flags=re.M)
    assert count == 1, f"{path.name}: expected {pattern!r} exactly once, found {count}"
    path.write_text(edited, encoding="utf-8")


def retitle_restricted_appendix(meeting: Path) -> None:
    """A change only the restricted variant shows: the public one prints the appendix's letter and
    marking, not its title."""
    path = meeting / PAPER / "appendices.yaml"
    assert "marking: OFFICIAL-SENSITIVE" in path.read_text(encoding="utf-8")
    replace_once(path, r"(title: Governance improvement plans 2022/23)$", rf"\1 {RESTRICTED_WORDS}")


def mark_paper_sensitive(meeting: Path) -> None:
    replace_once(meeting / PAPER / "paper.yaml", r"^marking: OFFICIAL$", "marking: OFFICIAL-SENSITIVE")


def no_edit(meeting: Path) -> None:
    return None


def line_of(text: str, pattern: str, nth: int = 0) -> int:
    matches = list(re.finditer(pattern, text, re.M))
    assert len(matches) > nth, f"{pattern!r} not found {nth + 1} times"
    return text.count("\n", 0, matches[nth].start()) + 1


def snapshot(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "/"
        for path in sorted(folder.rglob("*"))
    }


class Drafts(dict[str, Path]):
    """Build folders of paper 04 alone (quicker than the meeting), each made when first asked for:
    `no_edit`, `retitle_restricted_appendix`, `mark_paper_sensitive`."""

    def __init__(self, base: Path) -> None:
        super().__init__()
        self.base = base

    def __missing__(self, name: str) -> Path:
        edit = {e.__name__: e for e in (no_edit, retitle_restricted_appendix, mark_paper_sensitive)}[name]
        meeting = self.base / name / "content" / EXAMPLE_MEETING.name
        shutil.copytree(EXAMPLE_MEETING / PAPER, meeting / PAPER)
        edit(meeting)
        build([meeting / PAPER], self.base / name / "build", jobs=1)
        self[name] = self.base / name / "build"
        return self[name]


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return Drafts(tmp_path_factory.mktemp("publication"))


# Part A: review reports ---------------------------------------------------------------------------


def test_diff_compares_the_public_variant_unless_told(drafts: dict[str, Path], tmp_path: Path) -> None:
    old, new = drafts["no_edit"], drafts["retitle_restricted_appendix"]
    public = run_in_this_process("diff", old, new, cwd=tmp_path)
    assert public.returncode == 0, public.stdout + public.stderr
    assert "no changes" in public.stdout and RESTRICTED_WORDS not in public.stdout
    restricted = run_in_this_process("diff", old, new, "--variant", "restricted", cwd=tmp_path)
    assert restricted.returncode == 1, restricted.stdout + restricted.stderr
    assert RESTRICTED_WORDS in restricted.stdout


class _Visible(HTMLParser):
    """The visible text of a page's body, piece by piece, with the classes of the element holding it,
    and the <title> and <style> text."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str]] = []
        self.texts: list[tuple[str, str]] = []  # (text, class of the innermost element)
        self.title = self.style = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("br", "img", "meta", "link", "hr", "input"):
            self.stack.append((tag, dict(attrs).get("class") or ""))

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        tags = [tag for tag, _ in self.stack]
        if "title" in tags:
            self.title += data
        elif "style" in tags:
            self.style += data
        elif "body" in tags and data.strip():
            classes = next((c for _, c in reversed(self.stack) if c), "")
            self.texts.append((data.strip(), classes))


def _luminance(colour: str) -> float:
    hex_digits = colour.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(d * 2 for d in hex_digits)
    channels = [int(hex_digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def assert_marking_banner(page: str, marking: str) -> None:
    """The marking starts the <title>, is the first and the last visible text of the page, in a band
    with a border whose text contrasts with its background by at least 4.5:1 (WCAG AA)."""
    seen = _Visible()
    seen.feed(page)
    assert seen.title.split()[0] == marking, seen.title
    assert seen.texts[0][0] == marking and seen.texts[-1][0] == marking, (seen.texts[:2], seen.texts[-2:])
    for _text, classes in (seen.texts[0], seen.texts[-1]):
        rules = [
            body
            for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", seen.style)
            if any(re.search(rf"\.{re.escape(c)}(?![\w-])", selector) for c in classes.split())
        ]
        style = ";".join(rules)
        colour = re.search(r"(?<![\w-])color:\s*(#[0-9a-fA-F]{3,6})", style)
        background = re.search(r"background(?:-color)?:\s*(#[0-9a-fA-F]{3,6})", style)
        assert colour and background, f"the banner's colours should be set, not inherited: {style!r}"
        assert contrast(colour[1], background[1]) >= 4.5, style
        assert re.search(r"border(?:-top|-bottom)?:\s*\d", style), f"the banner should be a bordered band: {style!r}"


def test_reports_open_with_the_highest_marking(drafts: dict[str, Path], tmp_path: Path) -> None:
    # Papers marked OFFICIAL-SENSITIVE, compared by explicit request: every face says so first.
    html, summary = tmp_path / "sensitive.html", tmp_path / "sensitive.md"
    done = run_in_this_process(
        "diff", drafts["no_edit"], drafts["mark_paper_sensitive"], "--variant", "restricted",
        "--html", html, "--markdown", summary, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.splitlines()[0] == HIGHEST, done.stdout
    assert summary.read_text(encoding="utf-8").splitlines()[0] == f"**{HIGHEST}**"
    assert_marking_banner(html.read_text(encoding="utf-8"), HIGHEST)
    # The public variant, by default: OFFICIAL, said just as plainly.
    html, summary = tmp_path / "public.html", tmp_path / "public.md"
    done = run_in_this_process(
        "diff", drafts["no_edit"], drafts["retitle_restricted_appendix"], "--html", html, "--markdown", summary,
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[0] == PUBLIC_MARKING, done.stdout
    assert summary.read_text(encoding="utf-8").splitlines()[0] == f"**{PUBLIC_MARKING}**"
    assert_marking_banner(html.read_text(encoding="utf-8"), PUBLIC_MARKING)


def test_markdown_of_sensitive_papers_needs_variant_restricted(drafts: dict[str, Path], tmp_path: Path) -> None:
    """Two PDFs carry no variant: what they are marked decides. A summary of OFFICIAL-SENSITIVE text is
    refused (status 2, one line, nothing written) unless `--variant restricted` was asked for."""
    old, new = (drafts[name] / EXAMPLE_MEETING.name / "restricted" / f"{PAPER}.pdf" for name in
                ("no_edit", "mark_paper_sensitive"))  # fmt: skip
    summary, html = tmp_path / "summary.md", tmp_path / "report.html"
    for variant in ([], ["--variant", "public"]):
        done = run_in_this_process("diff", old, new, "--markdown", summary, "--html", html, *variant, cwd=tmp_path)
        assert done.returncode == 2, done.stdout + done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "--variant restricted" in lines[0] and HIGHEST in lines[0], done.stderr
        assert not summary.exists() and not html.exists()
        assert "Traceback" not in done.stderr
    done = run_in_this_process("diff", old, new, "--markdown", summary, "--variant", "restricted", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert summary.read_text(encoding="utf-8").splitlines()[0] == f"**{HIGHEST}**"


def _paper(marking: str) -> PaperContent:
    return PaperContent("p", "A paper", marking, "draft", [Passage("paragraph", "1", "1.1", "Words.")])


@pytest.mark.quick
def test_a_paper_of_unknown_marking_counts_as_the_highest() -> None:
    from panelpapers.review.report import review

    for old, new, expected in (
        ("OFFICIAL", "OFFICIAL", "OFFICIAL"),
        ("OFFICIAL", HIGHEST, HIGHEST),
        ("", "OFFICIAL", HIGHEST),  # a bare PDF that does not say its marking
        ("OFFICIAL", "SECRET-ish", HIGHEST),  # a PDF whose keywords are not a marking we know
    ):
        result = review(compare([_paper(old)], [_paper(new)], "old", "new"), show_pages=False)
        assert result.marking == expected, (old, new)


def test_diff_rev_compares_the_public_variant_unless_told(tmp_path: Path) -> None:
    """The CI recipe: a summary to post, of what a branch changes, is of the public variant."""
    git = require_tool("git")
    repo = tmp_path / "repo"
    meeting = repo / "content" / EXAMPLE_MEETING.name
    shutil.copytree(EXAMPLE_MEETING / PAPER, meeting / PAPER)
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.org"]
    for command in (["init", "-q"], ["add", "content"], [*identity, "commit", "-q", "-m", "draft 2"]):
        subprocess.run([git, *command], cwd=repo, check=True, capture_output=True)
    retitle_restricted_appendix(meeting)
    paper = Path("content") / EXAMPLE_MEETING.name / PAPER
    done = run_in_this_process("diff", "--rev", "HEAD", paper, "--markdown", tmp_path / "ci.md", cwd=repo)
    assert done.returncode == 0, done.stdout + done.stderr
    posted = (tmp_path / "ci.md").read_text(encoding="utf-8")
    assert posted.splitlines()[0] == f"**{PUBLIC_MARKING}**" and RESTRICTED_WORDS not in posted
    # (`--variant restricted` reaches the comparison the same way as for two build folders, tested above.)


# Part B: duplicates -------------------------------------------------------------------------------


@pytest.fixture
def workspace(drafts: dict[str, Path], tmp_path: Path) -> tuple[Path, Path]:
    """(a copy of the example meeting, an output folder holding an earlier good build), in tmp_path."""
    meeting = tmp_path / "content" / EXAMPLE_MEETING.name
    shutil.copytree(EXAMPLE_MEETING, meeting)
    out = tmp_path / "out"
    shutil.copytree(drafts["no_edit"], out)
    return meeting, out


def assert_refused(meeting: Path, out: Path, cwd: Path, expected: str) -> None:
    """`check` and `build` both exit 1 with the `file:line: message` line, and the build changes
    nothing in the output folder."""
    check = run_in_this_process("check", meeting, cwd=cwd)
    assert check.returncode == 1, check.stdout + check.stderr
    assert expected in check.stderr.splitlines(), check.stderr
    before = snapshot(out)
    built = run_in_this_process("build", meeting, "--out", out, cwd=cwd)
    assert built.returncode == 1, built.stdout + built.stderr
    assert expected in built.stderr.splitlines(), built.stderr
    assert "Traceback" not in built.stderr
    assert snapshot(out) == before, "the earlier output changed"


def test_two_appendices_with_one_ref_are_an_error(workspace: tuple[Path, Path], tmp_path: Path) -> None:
    meeting, out = workspace
    path = meeting / "02-risk-management" / "appendices.yaml"
    replace_once(path, r"^  - ref: B$", "  - ref: A")
    text = path.read_text(encoding="utf-8")
    first, second = line_of(text, r"^  - ref: A$"), line_of(text, r"^  - ref: A$", 1)
    shown = path.relative_to(tmp_path).as_posix()
    expected = f"{shown}:{second}: appendix ref 'A' is already used at line {first}; refs must be unique"
    assert_refused(meeting, out, tmp_path, expected)


def test_two_paper_folders_with_one_number_are_an_error(workspace: tuple[Path, Path], tmp_path: Path) -> None:
    meeting, out = workspace
    shutil.copytree(meeting / "03-audit-actions", meeting / "03-other")
    agenda = meeting / "meeting.yaml"
    replace_once(agenda, r"^(  - paper: 04-governance-statement)$", r"  - paper: 03-other\n\1")
    line = line_of(agenda.read_text(encoding="utf-8"), r"^  - paper: 03-other$")
    shown = agenda.relative_to(tmp_path).as_posix()
    expected = (
        f"{shown}:{line}: paper folders '03-audit-actions' and '03-other' have the same number, 03; "
        "paper numbers must be unique"
    )
    assert_refused(meeting, out, tmp_path, expected)
