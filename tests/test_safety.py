"""Safety by design: what rendering may read, what a public build may contain, and YAML that stays
as typed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, reduced_meeting, run_panelpapers
from test_incremental import make_project
from weasyprint.urls import FatalURLFetchingError

from panelpapers.build import build
from panelpapers.errors import ContentError
from panelpapers.load.source import load_yaml
from panelpapers.render.pdf import html_to_pdf

MEETING = Path(__file__).resolve().parents[1] / "content" / "2022-01-17-audit-panel"
PAPER = "02-risk-management"


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


def test_pdf_renderer_reads_data_urls_and_project_fonts() -> None:
    pixel = "data:image/gif;base64,R0lGODlhAQABAAAAACw="
    assert html_to_pdf(f'<p style="font-family: \'Panel Sans\'">x</p><img src="{pixel}">').startswith(b"%PDF")


def test_yaml_values_stay_as_typed(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: NO\nb: off\nc: 0755\nd: 1.10\ne: 2022-01-17\nf: ~\ng: null\n")
    loaded, problems = load_yaml(path)
    assert problems == [] and loaded is not None
    assert loaded.data == {"a": "NO", "b": "off", "c": "0755", "d": "1.10", "e": "2022-01-17", "f": "~", "g": "null"}


def test_public_build_carries_nothing_above_official(tmp_path: Path) -> None:
    meeting = tmp_path / MEETING.name
    shutil.copytree(MEETING, meeting)
    appendices = meeting / PAPER / "appendices.yaml"
    text = appendices.read_text()
    secret_title = "Covert operations register for the SECRETWORD programme"
    # Mark the first appendix OFFICIAL-SENSITIVE and give it a title that must not leak.
    text, count = re.subn(r"(- ref: A\n\s+title: ).*", rf"\g<1>{secret_title}\n    marking: OFFICIAL-SENSITIVE", text)
    assert count == 1, "the example's first appendix has moved"
    appendices.write_text(text)
    build([meeting], tmp_path / "out")

    restricted = tmp_path / "out" / MEETING.name / "restricted"
    public = tmp_path / "out" / MEETING.name / "public"
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
    build([paper], tmp_path / "out")
    assert (tmp_path / "out" / MEETING.name / "restricted" / f"{PAPER}.pdf").is_file()
    public = tmp_path / "out" / MEETING.name / "public"
    names = [p.name for p in public.rglob("*")] if public.exists() else []
    assert not any(PAPER in name for name in names)
    for path in public.rglob("*") if public.exists() else []:
        if path.is_file():
            assert PAPER.encode() not in path.read_bytes()


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
