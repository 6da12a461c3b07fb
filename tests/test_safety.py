"""Safety by design: what rendering may read, what a public build may contain, and YAML that stays
as typed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, copy_of_example_build, reduced_meeting, run_panelpapers
from test_incremental import make_project
from weasyprint.urls import FatalURLFetchingError

from panelpapers.build import build
from panelpapers.errors import ContentError
from panelpapers.load.source import load_yaml
from panelpapers.render.pdf import html_to_pdf

MEETING = Path(__file__).resolve().parents[1] / "content" / "2022-01-17-audit-panel"
PAPER = "02-risk-management"


@pytest.mark.quick
@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.org/x.png",
        "https://example.org/x.png",
        "fonts/../../../../etc/hostname",
        "ftp://example.org/x.png",
    ],
)
def test_pdf_renderer_reads_nothing_outside_the_project(url: str) -> None:
    with pytest.raises(FatalURLFetchingError) as caught:
        html_to_pdf(f'<img src="{url}">')
    assert "refused" in str(caught.value.__cause__) or "disallowed" in str(caught.value.__cause__)


@pytest.mark.quick
@pytest.mark.parametrize("url", ["house-font:regular", "house-font:../../etc/passwd", "house-font:/etc/passwd"])
def test_pdf_renderer_serves_house_fonts_only_by_face_and_only_when_the_house_names_them(url: str) -> None:
    from panelpapers.house import Fonts

    page = f'<style>@font-face {{ font-family: X; src: url("{url}") }}</style><p style="font-family: X">x</p>'
    with pytest.raises(FatalURLFetchingError) as caught:
        html_to_pdf(page)  # the built-in house names no fonts of its own
    assert "no such font" in str(caught.value.__cause__)
    packaged = sorted((Path(__file__).resolve().parents[1] / "templates" / "fonts").glob("*.ttf"))
    fonts = Fonts((packaged[0], packaged[1], packaged[2], packaged[3]), "Liberation Sans", "Arial")
    if url == "house-font:regular":
        assert html_to_pdf(page, fonts=fonts).startswith(b"%PDF")
    else:
        with pytest.raises(FatalURLFetchingError):
            html_to_pdf(page, fonts=fonts)


@pytest.mark.quick
def test_pdf_renderer_reads_data_urls_and_project_fonts() -> None:
    pixel = "data:image/gif;base64,R0lGODlhAQABAAAAACw="
    assert html_to_pdf(f'<p style="font-family: \'Panel Sans\'">x</p><img src="{pixel}">').startswith(b"%PDF")


@pytest.mark.quick
def test_yaml_values_stay_as_typed(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: NO\nb: off\nc: 0755\nd: 1.10\ne: 2022-01-17\nf: ~\ng: null\n")
    loaded, problems = load_yaml(path)
    assert problems == [] and loaded is not None
    assert loaded.data == {"a": "NO", "b": "off", "c": "0755", "d": "1.10", "e": "2022-01-17", "f": "~", "g": "null"}


def test_public_build_carries_nothing_above_official(tmp_path: Path, example_build: Path) -> None:
    meeting, out = copy_of_example_build(example_build, tmp_path / "copy")  # the edited paper alone renders
    appendices = meeting / PAPER / "appendices.yaml"
    text = appendices.read_text()
    secret_title = "Covert operations register for the SECRETWORD programme"
    # Mark the first appendix OFFICIAL-SENSITIVE and give it a title that must not leak.
    text, count = re.subn(r"(- ref: A\n\s+title: ).*", rf"\g<1>{secret_title}\n    marking: OFFICIAL-SENSITIVE", text)
    assert count == 1, "the example's first appendix has moved"
    appendices.write_text(text)
    build([meeting], out, jobs=1)

    restricted = out / MEETING.name / "restricted"
    public = out / MEETING.name / "public"
    assert secret_title in (restricted / f"{PAPER}.html").read_text()
    for path in public.rglob("*"):
        if path.is_file():
            assert b"SECRETWORD" not in path.read_bytes(), f"{path.name} leaks a sensitive title"
    assert "Appendix A</strong> – not published (OFFICIAL-SENSITIVE)" in (public / f"{PAPER}.html").read_text()


def test_sensitive_paper_is_left_out_of_the_public_build(tmp_path: Path) -> None:
    paper = tmp_path / MEETING.name / PAPER
    shutil.copytree(MEETING / PAPER, paper)
    (paper / "paper.yaml").write_text(
        re.sub(r"marking: .*", "marking: OFFICIAL-SENSITIVE", (paper / "paper.yaml").read_text())
    )
    build([paper], tmp_path / "out", jobs=1)
    assert (tmp_path / "out" / MEETING.name / "restricted" / f"{PAPER}.pdf").is_file()
    public = tmp_path / "out" / MEETING.name / "public"
    names = [p.name for p in public.rglob("*")] if public.exists() else []
    assert not any(PAPER in name for name in names)
    for path in public.rglob("*") if public.exists() else []:
        if path.is_file():
            assert PAPER.encode() not in path.read_bytes()


# ---- a paper's own Python (data/tables.py) --------------------------------------------------------

FUNCTION_TABLE = (
    "tables:\n  by_rating:\n    caption: Open actions by risk rating\n    function: open_by_rating\n"
    "    columns: [{name: risk_rating, header: Risk rating}, open]\n"
)
OPEN_BY_RATING = """import pathlib
pathlib.Path(__file__).with_name("ran").write_text("yes")

def open_by_rating(sources):
    frame = sources["actions"]
    frame = frame[frame["status"] == "Open"]
    return frame.groupby("risk_rating").size().reset_index(name="open").sort_values("risk_rating")
"""


def paper_with_python(project: Path, tables_py: str, house: str | None) -> Path:
    """A copy of the actions paper in `project` whose data.yaml has a table computed by data/tables.py,
    and the project's panelpapers.yaml (none if `house` is None)."""
    from conftest import EXAMPLE_MEETING

    paper = project / "content" / EXAMPLE_MEETING.name / "03-audit-actions"
    shutil.copytree(EXAMPLE_MEETING / paper.name, paper)
    (paper / "data" / "tables.py").write_text(tables_py, encoding="utf-8")
    data_yaml = paper / "data.yaml"
    text = data_yaml.read_text(encoding="utf-8")
    data_yaml.write_text(text.replace("tables:\n", FUNCTION_TABLE, 1), encoding="utf-8")
    if house is not None:
        (project / "panelpapers.yaml").write_text(house, encoding="utf-8")
    return paper


PAPER_PATH = "content/2022-01-17-audit-panel/03-audit-actions"
TABLES_PY = f"{PAPER_PATH}/data/tables.py"


def problem_lines(stderr: str) -> list[str]:
    """The problems reported, without progress and summary lines."""
    return [line for line in stderr.splitlines() if not line.startswith("panelpapers: ")]


@pytest.mark.parametrize("house", [None, "panel: Audit Panel\n", "paper_python: not allowed\n"])
def test_a_papers_python_runs_only_where_the_house_allows_it(house: str | None, tmp_path: Path) -> None:
    """Before: data/tables.py ran in every build, so anyone who could open a pull request could run
    code on the CI runner."""
    from conftest import run_panelpapers

    paper = paper_with_python(tmp_path, OPEN_BY_RATING, house)
    for command in ("check", "build"):
        done = run_panelpapers(command, PAPER_PATH, cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        assert problem_lines(done.stderr) == [
            f"{TABLES_PY}:1: this paper's Python would run during the build, and panelpapers.yaml does not allow "
            'it; add "paper_python: allowed" to panelpapers.yaml if you trust everyone who can change content'
        ]
    assert not (paper / "data" / "ran").exists() and not (tmp_path / "build").exists()


def test_the_command_line_and_environment_refuse_a_papers_python_the_house_allows(tmp_path: Path) -> None:
    """What the CI workflow does for a pull request from a fork."""
    import os

    from conftest import run_panelpapers

    paper = paper_with_python(tmp_path, OPEN_BY_RATING, "paper_python: allowed\n")
    refused = f"{TABLES_PY}:1: this paper's Python would run during the build, and this build refuses it"
    for args in (("--no-paper-python", "check"), ("build", "--no-paper-python")):
        done = run_panelpapers(*args, PAPER_PATH, cwd=tmp_path)
        assert done.returncode == 1 and problem_lines(done.stderr)[0].startswith(refused), done.stderr
    os.environ["PANELPAPERS_PAPER_PYTHON"] = "refuse"
    try:
        done = run_panelpapers("check", PAPER_PATH, cwd=tmp_path)
    finally:
        del os.environ["PANELPAPERS_PAPER_PYTHON"]
    assert done.returncode == 1 and problem_lines(done.stderr)[0].startswith(refused), done.stderr
    assert not (paper / "data" / "ran").exists()
    allowed = run_panelpapers("check", PAPER_PATH, cwd=tmp_path)
    assert allowed.returncode == 0, allowed.stderr
    assert (paper / "data" / "ran").read_text() == "yes"


STOPPED = ": still running after 2 s; panelpapers stopped it."


@pytest.mark.parametrize(
    ("tables_py", "expected"),
    [
        ("import sys\nsys.exit(0)\n", ":2: cannot run data/tables.py: called sys.exit(0); a paper's Python must"),
        (
            OPEN_BY_RATING.replace('frame = sources["actions"]', 'import sys; sys.exit(0)'),
            ":5: function 'open_by_rating' called sys.exit(0)",
        ),
        (
            OPEN_BY_RATING.replace('sources["actions"]', 'sources["action"]'),
            ":5: function 'open_by_rating' raised KeyError: 'action'",
        ),
        ("def open_by_rating(sources):\n    return [1, 2]\n", ":1: function 'open_by_rating' returned list, expected"),
        ("import os\nos._exit(0)\n", ": stopped without an answer (exit status 0)"),
        ("while True:\n    pass\n", STOPPED),
        ("def open_by_rating(sources):\n    return 9 ** (9 ** 9)\n", STOPPED),
    ],
    ids=["exit-at-load", "exit-in-function", "raises", "not-a-frame", "os-exit", "endless-loop", "huge-power"],
)
def test_a_papers_python_that_fails_or_never_ends_is_reported_at_its_file(
    tables_py: str, expected: str, tmp_path: Path
) -> None:
    """Before: sys.exit(0) ended the build with status 0 and no message, and an endless loop hung it."""
    import time

    from conftest import run_panelpapers

    paper_with_python(tmp_path, tables_py, "paper_python: allowed\npaper_python_seconds: 2\n")
    started = time.monotonic()
    done = run_panelpapers("build", PAPER_PATH, cwd=tmp_path, timeout=120)
    assert done.returncode == 1, done.stderr
    assert len(problem_lines(done.stderr)) == 1, done.stderr
    assert problem_lines(done.stderr)[0].startswith(TABLES_PY + expected), done.stderr
    assert done.stderr.endswith("panelpapers: 1 problem; nothing was written\n")
    assert not (tmp_path / "build").exists() and time.monotonic() - started < 60


def test_the_house_says_paper_python_in_its_own_words(tmp_path: Path) -> None:
    from conftest import run_panelpapers

    (tmp_path / "content").mkdir()
    (tmp_path / "panelpapers.yaml").write_text("panel: Audit Panel\npaper_python: yes\npaper_python_seconds: 0\n")
    done = run_panelpapers("check", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines()[:2] == [
        "panelpapers.yaml:2: paper_python: expected one of 'allowed' or 'not allowed', got 'yes'",
        "panelpapers.yaml:3: paper_python_seconds: expected a whole number of seconds from 1 to 999, got '0'",
    ]


# ---- links out of the project, hostile house files, damaged fonts ----------------------------------

LINKED = {  # what is turned into a link to a copy outside the project, under the meeting folder
    "section-yaml": "02-risk-management/summary.yaml",
    "data-csv": "02-risk-management/data/risks.csv",
    "data-xlsx": "03-audit-actions/data/actions.xlsx",
    "image": "03-audit-actions/images/follow-up.svg",
    "paper-folder": "03-audit-actions",
}
SECRET = "SECRETWORD-from-outside"


def as_workbook(paper: Path) -> None:
    """The paper's CSV as an XLSX workbook of text cells, which its data.yaml then names."""
    import csv

    from openpyxl import Workbook

    book = Workbook()
    with (paper / "data" / "actions.csv").open(encoding="utf-8", newline="") as rows:
        for row in csv.reader(rows):
            book.active.append(row)
    book.save(paper / "data" / "actions.xlsx")
    (paper / "data" / "actions.csv").unlink()
    data = paper / "data.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace("data/actions.csv", "data/actions.xlsx"), "utf-8")


@pytest.fixture(scope="module")
def linkable(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project of two papers (one reading a CSV, one an XLSX and an image), built once."""
    root = tmp_path_factory.mktemp("links") / "project"
    meeting = make_project(root)
    as_workbook(meeting / "03-audit-actions")
    build([meeting], root / "build", jobs=2)
    return root


def everything(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm-cache"])
@pytest.mark.parametrize("name", LINKED.values(), ids=LINKED.keys())
def test_a_link_out_of_the_project_is_refused_unread(linkable: Path, tmp_path: Path, name: str, warm: bool) -> None:
    """The link's target is a copy of the very file (or folder) it replaces, so only the link is wrong:
    without the check it would build. With a warm cache the target must not be read either (a key
    made from its bytes would match the last build's and publish nothing new, unchecked)."""
    root = tmp_path / "project"
    shutil.copytree(linkable, root, ignore=None if warm else shutil.ignore_patterns("build"))
    meeting = root / "content" / MEETING.name
    link, target = meeting / name, tmp_path / "elsewhere" / Path(name).name
    target.parent.mkdir()
    shutil.move(link, target)
    link.symlink_to(target, target_is_directory=target.is_dir())
    if target.suffix == ".yaml":  # its text must not reach a message
        target.write_text(target.read_text(encoding="utf-8") + f"\n{SECRET}: x\n", encoding="utf-8")
    before = everything(root / "build") if warm else {}
    with pytest.raises(ContentError) as caught:
        build([meeting], root / "build", jobs=1)
    kind = "folder" if target.is_dir() else "file"
    message = f"a link to a {kind} outside the project ({target}); copy the {kind} into the project instead"
    assert [str(problem) for problem in caught.value.problems] == [f"{link}: {message}"]
    assert SECRET not in str(caught.value)
    assert (everything(root / "build") if warm else {}) == before, "nothing is written"


def test_a_link_inside_the_project_is_read_as_its_target(tmp_path: Path) -> None:
    meeting = make_project(tmp_path / "project")
    register = meeting / "02-risk-management" / "data" / "risks.csv"
    shutil.move(register, tmp_path / "project" / "risks.csv")
    register.symlink_to(tmp_path / "project" / "risks.csv")
    from panelpapers.build import check

    assert check([meeting]) == 2


def alias_bomb() -> str:
    """Nine levels of nine aliases: 400 bytes that name 387 million strings."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "house, expected",
    [
        (alias_bomb(), "panelpapers.yaml:1: anchors (&name) are not allowed"),
        ("palette:\n" + "  - '#1f3864'\n" * 850_000, "panelpapers.yaml: file is 11,900,009 bytes; the limit is"),
    ],
    ids=["alias-bomb", "11.9-MB"],
)
def test_a_hostile_house_file_is_refused_at_once_by_build(tmp_path: Path, house: str, expected: str) -> None:
    meeting = reduced_meeting(tmp_path / "content", ["04-governance-statement"])
    (tmp_path / "panelpapers.yaml").write_text(house, encoding="utf-8")
    done = run_panelpapers("build", meeting, cwd=tmp_path, timeout=20)
    assert done.returncode == 1, done.stderr[-2000:]
    problems = [line for line in done.stderr.splitlines() if not line.startswith("panelpapers: ")]
    assert len(problems) == 1 and problems[0].startswith(expected), done.stderr[-2000:]
    assert not (tmp_path / "build").exists()


def test_a_font_with_a_damaged_name_table_is_one_line_at_its_place(tmp_path: Path) -> None:
    from fontTools.ttLib import TTFont

    root = tmp_path / "council"
    shutil.copytree(PROJECT_ROOT / "tests" / "projects" / "council", root)
    font = root / "fonts" / "LiberationSerif-Regular.ttf"
    with TTFont(font) as opened:
        table = opened.reader.tables["name"]
        start, length = table.offset, table.length
    data = bytearray(font.read_bytes())
    data[start : start + length] = b"\xff" * length
    font.write_bytes(bytes(data))
    house = (root / "panelpapers.yaml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(house, 1) if "regular:" in text)
    done = run_panelpapers("check", cwd=root)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"panelpapers.yaml:{line}: fonts.regular 'fonts/LiberationSerif-Regular.ttf' names no font family "
        "(its 'name' table is empty or damaged); use an unmodified file",
        "panelpapers: 1 problem; nothing was written",
    ]
