"""A content project's house style as data: panelpapers.yaml gives the organisations and mastheads,
markings, section titles, wording, palette and fonts, and a templates/ folder overrides packaged templates
file by file. The fixture tests/projects/council is a made-up council's audit committee."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, run_in_this_process
from readback import docx_paragraphs, libreoffice_to_pdf, pdf_pages_text

from panelpapers.house import DEFAULT_HOUSE
from panelpapers.load.house_style import load_house_style

COUNCIL = Path(__file__).parent / "projects" / "council"
MEETING = "2023-03-14-audit-committee"
PAPER = "02-treasury-review"


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def council(council_build: Path) -> Path:
    """The council project copied and built from inside it, as its clerk would: no paths given (the
    run's shared build, read only)."""
    return council_build / "build" / MEETING


def test_the_example_projects_house_style_is_the_built_in_one() -> None:
    house, problems = load_house_style(PROJECT_ROOT / "panelpapers.yaml")
    assert problems == [] and house == DEFAULT_HOUSE


def test_council_pdf_shows_its_masthead_logo_wording_and_markings(council: Path) -> None:
    pages = [squash(text) for text in pdf_pages_text(council / "restricted" / f"{PAPER}.pdf")]
    cover = pages[0]
    assert "NORTHBRIDGE BOROUGH COUNCIL" in cover and "MOPAC" not in cover and "METROPOLITAN" not in cover
    assert "AUDIT AND GOVERNANCE COMMITTEE 14 March 2023" in cover, "the panel panelpapers.yaml names"
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
    import pikepdf

    with pikepdf.open(council / "restricted" / f"{PAPER}.pdf") as pdf:
        images = [name for page in pdf.pages for name in page.get_images()]
    assert images, "the logo is drawn"


def embedded_font_families(pdf: Path) -> set[str]:
    """The family name inside every font file a PDF embeds (WeasyPrint's subsets keep the name table)."""
    import io

    import pikepdf
    from fontTools.ttLib import TTFont

    families = set()
    with pikepdf.open(pdf) as document:
        for font in document.objects:
            if isinstance(font, pikepdf.Dictionary) and font.get("/Type") == "/FontDescriptor":
                data = font.get("/FontFile2") or font.get("/FontFile3")
                families.add(TTFont(io.BytesIO(data.read_bytes()))["name"].getBestFamilyName())
    return families


def test_council_papers_print_in_its_own_fonts(council: Path, tmp_path: Path) -> None:
    """Text, charts and page furniture of the papers and the pack in the council's serif; its DOCX
    names Times New Roman (which LibreOffice draws with the metric-compatible Liberation Serif)."""
    for pdf in (f"restricted/{PAPER}.pdf", f"public/{PAPER}.pdf", "restricted/pack.pdf", "public/pack.pdf"):
        assert embedded_font_families(council / pdf) == {"Liberation Serif"}, pdf
    html = (council / "restricted" / f"{PAPER}.html").read_text(encoding="utf-8")
    assert 'url("house-font:regular")' in html and str(COUNCIL) not in html and "LiberationSerif" not in html
    docx = council / "restricted" / f"{PAPER}.docx"
    styles = zipfile.ZipFile(docx).read("word/styles.xml").decode("utf-8")
    assert 'w:ascii="Times New Roman"' in styles and 'w:ascii="Arial"' not in styles
    copy = tmp_path / docx.name
    shutil.copy(docx, copy)
    assert embedded_font_families(libreoffice_to_pdf(copy, tmp_path)) == {"Liberation Serif"}


def test_council_charts_are_drawn_in_its_font() -> None:
    """The same chart drawn in the built-in house and in the council's differs in its PNG (the DOCX's),
    and its SVG (the PDF's) names the print font either way."""
    from panelpapers.data.paper_data import load_paper_data

    council, problems = load_house_style(COUNCIL / "panelpapers.yaml")
    assert council is not None and council.fonts is not None, problems
    folder = COUNCIL / "content" / MEETING / PAPER
    (own, found), (built_in, found_too) = load_paper_data(folder, council), load_paper_data(folder, DEFAULT_HOUSE)
    assert found == found_too == []
    own_chart, built_in_chart = own.charts["investments_chart"], built_in.charts["investments_chart"]
    assert b"'Panel Sans'" in own_chart.svg and b"Liberation" not in own_chart.svg
    assert own_chart.png != built_in_chart.png


def test_council_builds_the_same_bytes_wherever_the_project_lies(council: Path, tmp_path: Path) -> None:
    """Its own font files are named in outputs by face (`house-font:bold`), never by their path."""
    elsewhere = tmp_path / "another" / "place" / "council"
    shutil.copytree(COUNCIL, elsewhere)
    assert run_in_this_process("build", cwd=elsewhere).returncode == 0
    rebuilt = elsewhere / "build" / MEETING
    assert folder_hashes(rebuilt) == folder_hashes(council)
    assert not any(str(tmp_path).encode() in path.read_bytes() for path in rebuilt.rglob("*") if path.is_file())


def test_council_site_serves_its_fonts_with_their_licence(council: Path) -> None:
    site = council / "public" / "site"
    assert sorted(path.name for path in (site / "fonts").iterdir()) == [
        "LICENSE-LiberationSerif.txt",
        "LiberationSerif-Bold.ttf",
        "LiberationSerif-BoldItalic.ttf",
        "LiberationSerif-Italic.ttf",
        "LiberationSerif-Regular.ttf",
    ]
    stylesheet = (site / "site.css").read_text(encoding="utf-8")
    assert 'url("fonts/LiberationSerif-BoldItalic.ttf") format("truetype")' in stylesheet
    assert "LiberationSans" not in stylesheet
    assert (site / "fonts" / "LiberationSerif-Bold.ttf").read_bytes() == (
        COUNCIL / "fonts" / "LiberationSerif-Bold.ttf"
    ).read_bytes()


@pytest.mark.quick
def test_diff_reads_markings_in_the_house_of_the_papers_compared(council: Path, tmp_path: Path) -> None:
    """Run from outside any project, the diff still knows RESTRICTED as the council's withheld
    marking, so it refuses a Markdown summary of restricted papers in the council's words."""
    pdf = council / "restricted" / f"{PAPER}.pdf"
    done = run_in_this_process("diff", pdf, pdf, "--markdown", tmp_path / "summary.md", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "the papers compared are marked RESTRICTED, above OFFICIAL;" in done.stderr, done.stderr
    assert not (tmp_path / "summary.md").exists()


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
        (("italic: fonts/LiberationSerif-Italic.ttf", "italic: ../outside.ttf"),
         "panelpapers.yaml:{line}: fonts.italic '../outside.ttf' is outside the content project"),
        (("bold: fonts/LiberationSerif-Bold.ttf", "bold: fonts/LICENSE-LiberationSerif.txt"),
         "panelpapers.yaml:{line}: fonts.bold 'fonts/LICENSE-LiberationSerif.txt': expected a .ttf or .otf font file"),
    ],
)  # fmt: skip
def test_a_broken_house_style_is_reported_with_its_line_and_nothing_is_written(
    tmp_path: Path, council_build: Path, edit: tuple[str, str], expected: str
) -> None:
    project = tmp_path / "council"
    shutil.copytree(council_build, project)  # the project with its good build (build/, cache and all)
    (tmp_path / "outside.png").write_bytes((COUNCIL / "images" / "northbridge-logo.png").read_bytes())
    shutil.copy(COUNCIL / "fonts" / "LiberationSerif-Italic.ttf", tmp_path / "outside.ttf")
    out = project / "build"
    before = folder_hashes(out)
    assert any(name.endswith("pack.pdf") for name in before)
    style = project / "panelpapers.yaml"
    text = style.read_text(encoding="utf-8")
    assert text.count(edit[0]) == 1
    text = text.replace(edit[0], edit[1])
    style.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if edit[1].splitlines()[-1].strip() in row)
    done = run_in_this_process("build", "--out", out, cwd=project)
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
    done = run_in_this_process("check", cwd=project)
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
    done = run_in_this_process("build", cwd=project)
    assert done.returncode == 0, done.stderr
    html = (project / "build" / MEETING / "restricted" / f"{PAPER}.html").read_text(encoding="utf-8")
    assert 'class="masthead own-masthead"' in html and "Report Summary" in html
    cover = squash(pdf_pages_text(project / "build" / MEETING / "restricted" / f"{PAPER}.pdf")[0])
    assert "NORTHBRIDGE BOROUGH COUNCIL – own design" in cover
    paper = Document(str(project / "build" / MEETING / "restricted" / f"{PAPER}.docx"))
    assert paper.styles["Paper Title"].font.size == Pt(27), "the project's reference.docx gives the styles"


FONTS_YAML = """fonts:
  regular: fonts/regular.ttf
  bold: fonts/bold.ttf
  italic: fonts/italic.ttf
  bold_italic: fonts/bold_italic.ttf
"""


def font_project(tmp_path: Path, style: str = FONTS_YAML) -> Path:
    """A project whose panelpapers.yaml names the council's four font files, copied under plain names."""
    (tmp_path / "fonts").mkdir()
    for face, name in (("regular", "Regular"), ("bold", "Bold"), ("italic", "Italic"), ("bold_italic", "BoldItalic")):
        shutil.copy(COUNCIL / "fonts" / f"LiberationSerif-{name}.ttf", tmp_path / "fonts" / f"{face}.ttf")
    (tmp_path / "panelpapers.yaml").write_text(style, encoding="utf-8")
    return tmp_path / "panelpapers.yaml"


def test_house_fonts_default_to_their_family_name_in_word_and_stay_off_the_site(tmp_path: Path) -> None:
    house, problems = load_house_style(font_project(tmp_path))
    assert problems == [] and house is not None and house.fonts is not None
    assert (house.fonts.family, house.fonts.word_font, house.fonts.on_site) == ("Liberation Serif",) * 2 + (False,)
    assert house.font_urls["bold_italic"] == "house-font:bold_italic"
    assert DEFAULT_HOUSE.font_urls["bold_italic"] == "fonts/LiberationSans-BoldItalic.ttf"


def test_a_site_without_house_fonts_on_it_keeps_the_packaged_ones(tmp_path: Path) -> None:
    from panelpapers.render.site import site_assets

    house, _ = load_house_style(font_project(tmp_path))
    assert house is not None
    assert site_assets(None, house.fonts) == site_assets(), "the house's licence may not allow serving its files"


def _problems(tmp_path: Path, style: str, damage: object = None) -> list[str]:
    path = font_project(tmp_path, style)
    if callable(damage):
        damage(tmp_path / "fonts")
    house, problems = load_house_style(path)
    assert house is None
    return [str(problem) for problem in problems]


def test_house_fonts_of_different_families_are_refused(tmp_path: Path) -> None:
    def mix(fonts: Path) -> None:
        shutil.copy(PROJECT_ROOT / "templates" / "fonts" / "LiberationSans-Bold.ttf", fonts / "bold.ttf")

    problems = _problems(tmp_path, FONTS_YAML, mix)
    assert problems == [
        f"{tmp_path / 'panelpapers.yaml'}:1: fonts: the four files are of different families (regular: 'Liberation "
        "Serif', bold: 'Liberation Sans', italic: 'Liberation Serif', bold_italic: 'Liberation Serif'); name the "
        "regular, bold, italic and bold italic faces of one family"
    ]


def test_a_damaged_restricted_or_incomplete_font_is_refused_at_its_line(tmp_path: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    def damage(fonts: Path) -> None:
        (fonts / "regular.ttf").write_bytes(b"\x00\x01\x00\x00" + b"not really a font" * 20)
        restricted = TTFont(fonts / "bold.ttf")
        restricted["OS/2"].fsType = 2
        restricted.save(fonts / "bold.ttf")
        subsetter = subset.Subsetter()
        subsetter.populate(text="ABCabc")
        incomplete = TTFont(fonts / "italic.ttf")
        subsetter.subset(incomplete)
        incomplete.save(fonts / "italic.ttf")

    style = tmp_path / "panelpapers.yaml"
    problems = _problems(tmp_path, FONTS_YAML, damage)
    assert problems[0].startswith(f"{style}:2: fonts.regular 'fonts/regular.ttf' cannot be read as a font (")
    assert problems[1] == (
        f"{style}:3: fonts.bold 'fonts/bold.ttf': its licence forbids embedding it in documents (OS/2 fsType 2); "
        "choose another font"
    )
    assert problems[2].startswith(f"{style}:4: fonts.italic 'fonts/italic.ttf' has no glyph for ' ' (U+0020)")
    assert len(problems) == 3


def test_house_fonts_on_the_site_need_their_licence(tmp_path: Path) -> None:
    problems = _problems(tmp_path, FONTS_YAML + '  on_site: "yes"\n')
    assert problems == [
        f"{tmp_path / 'panelpapers.yaml'}:1: fonts: fonts: name the fonts' licence file ('licence:'), published "
        "beside them on the site"
    ]


def test_a_panel_named_nowhere_is_reported_in_each_file_that_needs_it(tmp_path: Path) -> None:
    project = tmp_path / "council"
    shutil.copytree(COUNCIL, project)
    style = project / "panelpapers.yaml"
    text = style.read_text(encoding="utf-8")
    named = "panel: Audit and Governance Committee"
    assert text.count(named) == 1
    style.write_text(text.replace(named, "# no panel"), encoding="utf-8")
    done = run_in_this_process("check", cwd=project)
    assert done.returncode == 1
    meeting = Path("content") / MEETING / "meeting.yaml"
    paper = Path("content") / MEETING / PAPER / "paper.yaml"
    wanted = "missing: give the panel's name here, or once for every meeting as 'panel:' in panelpapers.yaml"
    assert f"{meeting}:1: panel: {wanted}" in done.stderr, done.stderr
    assert f"{paper}:1: meeting: {wanted}" in done.stderr, done.stderr


def test_new_meeting_and_paper_leave_the_house_panel_to_panelpapers_yaml(tmp_path: Path) -> None:
    project = tmp_path / "council"
    shutil.copytree(COUNCIL, project)
    shutil.rmtree(project / "content")
    meeting = "content/2023-06-20-audit-committee"
    assert run_in_this_process("new", "meeting", meeting, cwd=project).returncode == 0
    assert run_in_this_process("new", "paper", f"{meeting}/02-annual-governance", cwd=project).returncode == 0
    meeting_text = (project / meeting / "meeting.yaml").read_text(encoding="utf-8")
    paper_text = (project / meeting / "02-annual-governance" / "paper.yaml").read_text(encoding="utf-8")
    assert "\n# panel: Audit and Governance Committee" in meeting_text and "\npanel:" not in meeting_text
    assert "\n# meeting: Audit and Governance Committee" in paper_text and "\nmeeting:" not in paper_text
    done = run_in_this_process("check", cwd=project)
    assert done.returncode == 0, done.stderr
    assert run_in_this_process("build", cwd=project).returncode == 0
    built = project / "build" / "2023-06-20-audit-committee" / "restricted" / "02-annual-governance.pdf"
    cover = squash(pdf_pages_text(built)[0])
    assert "AUDIT AND GOVERNANCE COMMITTEE" in cover


def test_a_house_font_file_name_cannot_write_css_into_the_site_stylesheet(tmp_path: Path) -> None:
    from panelpapers.house import Fonts
    from panelpapers.render.site import site_assets

    odd = tmp_path / 'x"){} html{display:none} a{b:url(".ttf'
    shutil.copy(COUNCIL / "fonts" / "LiberationSerif-Regular.ttf", odd)
    plain = [COUNCIL / "fonts" / f"LiberationSerif-{face}.ttf" for face in ("Bold", "Italic", "BoldItalic")]
    licence = COUNCIL / "fonts" / "LICENSE-LiberationSerif.txt"
    fonts = Fonts((odd, plain[0], plain[1], plain[2]), "Liberation Serif", "Times New Roman", True, licence)
    stylesheet = site_assets(None, fonts)["site.css"].decode("utf-8")
    assert "display:none" not in stylesheet
    assert 'url("fonts/x%22%29%7B%7D%20html%7Bdisplay%3Anone%7D%20a%7Bb%3Aurl%28%22.ttf")' in stylesheet


def test_diff_of_bare_pdfs_reads_them_with_the_house_of_the_project_it_runs_in(tmp_path: Path) -> None:
    """Two drafts of a council paper, copied out of their build as bare PDFs, are compared from inside
    the council's project: its summary heading, caption word and recommendations lead (none of them
    the built-in house's) are what the reader knows the summary, the chart and the recommendations by."""
    from panelpapers.review.compare import compare_paths
    from panelpapers.review.extract import read_pdf

    project = tmp_path / "council"
    shutil.copytree(COUNCIL, project)
    house_file = project / "panelpapers.yaml"
    text = house_file.read_text(encoding="utf-8")
    lead = '  recommendations_lead: "The Audit and Governance Committee is recommended to:"\n'
    assert text.count("\nwording:\n") == 1 and text.count(lead) == 1
    own_words = '\nwording:\n  report_summary: Summary of the report\n  chart_label: "Chart {number}. {caption}"\n'
    own_lead = '  recommendations_lead: "The Committee is asked to:"\n'
    house_file.write_text(text.replace("\nwording:\n", own_words).replace(lead, own_lead), encoding="utf-8")
    drafts = tmp_path / "drafts"  # outside the project: the PDFs alone say nothing of their house
    drafts.mkdir()
    recommendations = project / "content" / MEETING / PAPER / "recommendations.yaml"
    for draft in ("old", "new"):
        if draft == "new":
            words = recommendations.read_text(encoding="utf-8")
            assert words.count("all prudential indicators were met") == 1
            recommendations.write_text(
                words.replace("all prudential indicators were met", "every prudential indicator was met"),
                encoding="utf-8",
            )
        done = run_in_this_process("build", cwd=project)
        assert done.returncode == 0, done.stderr
        shutil.copy(project / "build" / MEETING / "restricted" / f"{PAPER}.pdf", drafts / f"{draft}.pdf")

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        (paper,) = read_pdf(drafts / "new.pdf")
        changes = compare_paths(drafts / "old.pdf", drafts / "new.pdf").changes
    kinds = {(passage.kind, passage.number): passage for passage in paper.passages}
    assert kinds[("recommendation", "b")].text == "Note that every prudential indicator was met."
    assert kinds[("recommendation", "a")].section == "Summary of the report"
    (chart,) = [passage for passage in paper.passages if passage.kind == "chart"]
    assert chart.caption.startswith("Chart 1. Cash invested"), chart
    assert [(change.what, change.label) for change in changes] == [("recommendation", "recommendation b")]
