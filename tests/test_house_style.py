"""A content project's house style as data: panelpapers.yaml gives the organisations and mastheads,
markings, section titles, wording and palette, and a templates/ folder overrides packaged templates
file by file. The fixture tests/projects/council is a made-up council's audit committee."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, run_panelpapers
from readback import docx_paragraphs, libreoffice_to_pdf, pdf_pages_text

from panelpapers.house import DEFAULT_HOUSE
from panelpapers.load.house_style import load_house_style

COUNCIL = Path(__file__).parent / "projects" / "council"
MEETING = "2023-03-14-audit-committee"
PAPER = "02-treasury-review"


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The council project copied and built from inside it, as its clerk would: no paths given."""
    project = tmp_path_factory.mktemp("council") / "council"
    shutil.copytree(COUNCIL, project)
    done = run_panelpapers("build", cwd=project / "content" / MEETING)  # anywhere inside the project
    assert done.returncode == 0, done.stderr
    return project / "build" / MEETING


def test_the_example_projects_house_style_is_the_built_in_one() -> None:
    house, problems = load_house_style(PROJECT_ROOT / "panelpapers.yaml")
    assert problems == [] and house == DEFAULT_HOUSE


def test_council_pdf_shows_its_masthead_logo_wording_and_markings(council: Path) -> None:
    pages = [squash(text) for text in pdf_pages_text(council / "restricted" / f"{PAPER}.pdf")]
    cover = pages[0]
    assert "NORTHBRIDGE BOROUGH COUNCIL" in cover and "MOPAC" not in cover and "METROPOLITAN" not in cover
    assert "Report of: Director of Finance" in cover
    assert "Restricted paper – not for publication" in cover  # its highest marking's status line
    assert cover.startswith("RESTRICTED – NOT FOR PUBLICATION") or "RESTRICTED – NOT FOR PUBLICATION" in cover
    assert "Purpose of the report" in cover and "The Audit and Governance Committee is recommended to:" in cover
    text = " ".join(pages)
    for title in ("Equalities implications", "Risk management implications", "Background and contact"):
        assert title in text
    assert "Appendix A – Changes to the approved lending list (RESTRICTED)" in text
    assert "1 / " in pages[0] and "Page 1 of" not in text, "the house's page numbers"
    body = [page for page in pages if "Equalities implications" in page][0]
    assert "OFFICIAL" in body and "RESTRICTED" not in body.replace("(RESTRICTED)", "")
    public = squash(" ".join(pdf_pages_text(council / "public" / f"{PAPER}.pdf")))
    assert "Non-restricted paper" in public and "RESTRICTED –" not in public
    assert "lending list in August" not in public and "Appendix A – not published (RESTRICTED)" in public
    from pypdf import PdfReader

    images = [name for page in PdfReader(council / "restricted" / f"{PAPER}.pdf").pages for name in page.images]
    assert images, "the logo is drawn"


def test_council_docx_shows_its_masthead_logo_and_markings(council: Path, tmp_path: Path) -> None:
    docx = council / "restricted" / f"{PAPER}.docx"
    paragraphs = docx_paragraphs(docx)
    assert "NORTHBRIDGE BOROUGH COUNCIL" in paragraphs[0] and "Restricted paper – not for publication" in paragraphs
    media = [name for name in zipfile.ZipFile(docx).namelist() if name.startswith("word/media/")]
    logo = (COUNCIL / "images" / "northbridge-logo.png").read_bytes()
    assert any(zipfile.ZipFile(docx).read(name) == logo for name in media), "the logo is embedded"
    copy = tmp_path / docx.name
    shutil.copy(docx, copy)
    pages = [squash(text) for text in pdf_pages_text(libreoffice_to_pdf(copy, tmp_path))]
    assert "RESTRICTED – NOT FOR PUBLICATION" in pages[0]  # the cover: the paper's highest marking
    appendix = [page for page in pages if "lending list in August" in page]
    assert appendix and all("RESTRICTED – NOT FOR PUBLICATION" in page for page in appendix)
    assert any("OFFICIAL" in page and "NOT FOR PUBLICATION" not in page for page in pages[1:])


def test_front_sheet_carries_the_councils_masthead(council: Path) -> None:
    front = squash(pdf_pages_text(council / "restricted" / "pack.pdf")[0])
    assert "NORTHBRIDGE BOROUGH COUNCIL" in front and "AUDIT AND GOVERNANCE COMMITTEE" in front
    assert "The next meeting of the Committee will be held on 20 June 2023" in front


def folder_hashes(folder: Path) -> dict[str, str]:
    files = (p for p in folder.rglob("*") if p.is_file())
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("publish: \"no\"", "publish: maybe"), "panelpapers.yaml:{line}: markings.1.publish: expected one of"),
        (("    status_line: Non-restricted paper\n", "    status_line: Non-restricted paper\n    colour: red\n"),
         "panelpapers.yaml:{line}: unknown key 'colour'"),
        (("  page_number: \"{page} / {pages}\"", "  page_number: \"{page} of {total}\""),
         "panelpapers.yaml:{line}: wording.page_number: unknown {…} fields; allowed here: {page}, {pages}"),
        (("logo: images/northbridge-logo.png", "logo: ../../outside.png"),
         "panelpapers.yaml:{line}: logo '../../outside.png' is outside the content project"),
        (("logo: images/northbridge-logo.png", "logo: images/missing.png"),
         "panelpapers.yaml:{line}: logo 'images/missing.png' does not exist"),
    ],
)  # fmt: skip
def test_a_broken_house_style_is_reported_with_its_line_and_nothing_is_written(
    tmp_path: Path, edit: tuple[str, str], expected: str
) -> None:
    project = tmp_path / "council"
    shutil.copytree(COUNCIL, project)
    (tmp_path / "outside.png").write_bytes((COUNCIL / "images" / "northbridge-logo.png").read_bytes())
    out = tmp_path / "out"
    assert run_panelpapers("build", "--out", out, cwd=project).returncode == 0
    before = folder_hashes(out)
    style = project / "panelpapers.yaml"
    text = style.read_text(encoding="utf-8")
    assert text.count(edit[0]) == 1
    text = text.replace(edit[0], edit[1])
    style.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if edit[1].splitlines()[-1].strip() in row)
    done = run_panelpapers("build", "--out", out, cwd=project)
    assert done.returncode == 1, done.stdout + done.stderr
    assert expected.replace("{line}", str(line)) in done.stderr, done.stderr
    assert folder_hashes(out) == before


def test_an_unknown_organisation_or_marking_names_the_declared_ones(tmp_path: Path) -> None:
    project = tmp_path / "council"
    shutil.copytree(COUNCIL, project)
    paper = project / "content" / MEETING / PAPER / "paper.yaml"
    paper.write_text(
        paper.read_text(encoding="utf-8").replace("organisation: council", "organisation: MPS")
        .replace("marking: OFFICIAL", "marking: OFFICIAL-SENSITIVE"),
        encoding="utf-8",
    )
    done = run_panelpapers("check", cwd=project)
    assert done.returncode == 1
    assert "organisation: expected one of 'council', got 'MPS'" in done.stderr
    assert "marking: expected one of 'OFFICIAL' or 'RESTRICTED', got 'OFFICIAL-SENSITIVE'" in done.stderr


def test_project_templates_override_the_packaged_ones_file_by_file(tmp_path: Path) -> None:
    """A masthead and a reference.docx of the project's own; every other template and the fonts are
    still the packaged ones."""
    from docx import Document
    from docx.shared import Pt

    from panelpapers.resources import reference_docx

    project = tmp_path / "council"
    shutil.copytree(COUNCIL, project)
    (project / "templates").mkdir()
    reference = Document(str(reference_docx()))
    reference.styles["Paper Title"].font.size = Pt(27)
    reference.save(str(project / "templates" / "reference.docx"))
    (project / "templates" / "masthead.html.j2").write_text(
        '<div class="masthead own-masthead">{% for line in masthead.lines %}'
        '<span class="mark">{{ line.words | join(" ") }} – own design</span>{% endfor %}</div>\n',
        encoding="utf-8",
    )
    done = run_panelpapers("build", cwd=project)
    assert done.returncode == 0, done.stderr
    html = (project / "build" / MEETING / "restricted" / f"{PAPER}.html").read_text(encoding="utf-8")
    assert 'class="masthead own-masthead"' in html and "Report Summary" in html
    cover = squash(pdf_pages_text(project / "build" / MEETING / "restricted" / f"{PAPER}.pdf")[0])
    assert "NORTHBRIDGE BOROUGH COUNCIL – own design" in cover
    paper = Document(str(project / "build" / MEETING / "restricted" / f"{PAPER}.docx"))
    assert paper.styles["Paper Title"].font.size == Pt(27), "the project's reference.docx gives the styles"
