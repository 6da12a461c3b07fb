"""Charts: every kind renders in the house style, SVG and PNG are byte-identical run to run, the
PDF uses only the bundled font, and alt text is always there (the author's, or from the data)."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from datapapers import ACTIONS_PAPER, RISK_PAPER, copy_paper

from panelpapers.build import build, gather
from panelpapers.model import Chart, Paper

CLI = Callable[..., subprocess.CompletedProcess[str]]

SURVEY = """
sources:
  survey:
    rows:
      - {question: Roles are clear, "yes": "14", partly: "5", "no": "2"}
      - {question: Papers arrive on time, "yes": "9", partly: "8", "no": "4"}
      - {question: Training was useful, "yes": "17", partly: "3", "no": "1"}
    columns:
      question: text
      "yes": integer
      partly: integer
      "no": integer
tables:
  answers:
    caption: Survey answers
    source: survey
    columns: [question, "yes", partly, "no"]
charts:
  survey_stacked: {caption: Survey answers, kind: stacked_bar, table: answers}
  survey_grouped: {caption: Survey answers side by side, kind: grouped_bar, table: answers}
  survey_horizontal: {caption: Yes answers, kind: horizontal_bar, table: answers, series: ["yes"], x_label: Members}
  survey_line: {caption: Answers by question, kind: line, table: answers}
  survey_stacked_horizontal: {caption: "Answers by question, stacked", kind: stacked_horizontal_bar, table: answers}
  survey_bar:
    caption: Members answering yes
    kind: bar
    table: answers
    series: ["yes"]
    alt: "Bar chart of yes answers: most members found the training useful."
"""


def chart_paper(tmp_path: Path, extra: str = SURVEY) -> Path:
    """The actions paper with a second data set and five more charts placed in Appendix A."""
    folder = copy_paper(ACTIONS_PAPER, tmp_path)
    data = (folder / "data.yaml").read_text()
    sources, rest = extra.removeprefix("\nsources:\n").split("tables:\n", 1)
    tables, charts = rest.split("charts:\n", 1)
    for key, addition in (("sources:\n", sources), ("tables:\n", tables), ("charts:\n", charts)):
        assert data.count(key) == 1
        data = data.replace(key, key + addition)
    (folder / "data.yaml").write_text(data)
    names = (
        "survey_stacked",
        "survey_grouped",
        "survey_horizontal",
        "survey_line",
        "survey_bar",
        "survey_stacked_horizontal",
    )
    placements = "".join(f"      - chart: {name}\n" for name in names)
    appendices = (folder / "appendices.yaml").read_text()
    anchor = "      - table: outstanding_by_audit\n"
    (folder / "appendices.yaml").write_text(appendices.replace(anchor, anchor + placements))
    return folder


def figures(paper: Paper) -> list[Chart]:
    blocks = [b for s in paper.sections for b in s.blocks] + [b for a in paper.appendices for b in a.blocks]
    return [b for b in blocks if isinstance(b, Chart)]


@pytest.fixture(scope="module")
def survey_paper(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return chart_paper(tmp_path_factory.mktemp("charts"))


@pytest.mark.quick
def test_every_kind_renders_with_labels_and_alt_text(survey_paper: Path) -> None:
    paper = gather([survey_paper])[0].paper
    assert paper is not None
    charts = {f.id: f for f in figures(paper)}
    # After the paper's own two charts and Appendix A's diagram, Figure 3.
    assert [f.label for f in figures(paper)][-6:] == [
        "Figure 4: Survey answers",
        "Figure 5: Survey answers side by side",
        "Figure 6: Yes answers",
        "Figure 7: Answers by question",
        "Figure 8: Members answering yes",
        "Figure 9: Answers by question, stacked",
    ]
    survey = [f for f in figures(paper) if f.caption.startswith(("Survey", "Yes", "Answers", "Members"))]
    for figure in survey:
        assert b"<text" in figure.svg and b"'Panel Sans'" in figure.svg  # text stays text
        assert figure.png.startswith(b"\x89PNG")
        for label in ("Training was useful", "Roles are clear"):
            assert label.encode() in figure.svg or label.split()[0].encode() in figure.svg
    kinds = ("stacked", "grouped", "horizontal", "line", "bar", "stacked_horizontal")
    assert list(charts) == ["open_by_group_and_quarter", "due_profile", *(f"survey_{k}" for k in kinds)]
    assert charts["survey_stacked"].alt == (
        "Stacked bar chart: Survey answers. Every bar totals 21. Roles are clear 21 (Yes 14, Partly 5, No 2); "
        "Papers arrive on time 21 (Yes 9, Partly 8, No 4); Training was useful 21 (Yes 17, Partly 3, No 1)."
    )
    assert survey[2].alt.startswith("Horizontal bar chart: Yes answers. Training was useful has the most, 17;")
    assert survey[4].alt == "Bar chart of yes answers: most members found the training useful."
    assert charts["survey_stacked_horizontal"].alt.startswith(
        "Stacked horizontal bar chart: Answers by question, stacked."
    )


def test_png_is_print_resolution(survey_paper: Path) -> None:
    from PIL import Image

    paper = gather([survey_paper])[0].paper
    assert paper is not None
    for figure in figures(paper):
        image = Image.open(io.BytesIO(figure.png))
        assert image.width >= figure.width_mm / 25.4 * 290  # about 300 dpi at the printed width


def test_svg_and_png_are_deterministic(survey_paper: Path) -> None:
    code = (
        "import sys, hashlib; from pathlib import Path; from panelpapers.build import gather; "
        f"p = gather([Path({str(survey_paper)!r})])[0].paper; "
        "charts = [b for a in p.appendices for b in a.blocks if hasattr(b, 'svg')]; "
        "print(hashlib.sha256(b''.join(b.svg + b.png for b in charts)).hexdigest())"
    )
    runs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        for _ in range(2)
    }
    assert len(runs) == 1
    paper = gather([survey_paper])[0].paper
    assert paper is not None
    for figure in figures(paper):
        assert b"<dc:date>" not in figure.svg and b"Date" not in figure.svg
        assert b"Software" not in figure.png[:2000] and b"tIME" not in figure.png


def test_pdf_uses_only_bundled_fonts_and_docx_has_pictures_with_alt(tmp_path: Path, example_meeting: Path) -> None:
    import pikepdf
    from datapapers import docx_alt_texts
    from readback import pdf_figure_alt_texts

    build([example_meeting / RISK_PAPER], tmp_path)
    folder = tmp_path / example_meeting.name / "restricted"
    fonts = set()
    with pikepdf.open(folder / f"{RISK_PAPER}.pdf") as pdf:
        for page in pdf.pages:
            resources = page.obj.get("/Resources", {})
            for font in resources.get("/Font", {}).values():
                fonts.add(str(font.BaseFont))
            for xobject in resources.get("/XObject", {}).values():
                for font in xobject.get("/Resources", {}).get("/Font", {}).values():
                    fonts.add(str(font.BaseFont))
    assert fonts and all("Panel-Sans" in name for name in fonts), fonts
    paper = gather([example_meeting / RISK_PAPER])[0].paper
    assert paper is not None
    assert docx_alt_texts(folder / f"{RISK_PAPER}.docx") == [f.alt for f in figures(paper)]
    assert pdf_figure_alt_texts(folder / f"{RISK_PAPER}.pdf") == [f.alt for f in figures(paper)]


def test_empty_alt_text_is_an_error(tmp_path: Path, panelpapers_cli: CLI) -> None:
    folder = chart_paper(
        tmp_path, SURVEY.replace('alt: "Bar chart of yes answers: most members found the training useful."', 'alt: ""')
    )
    result = panelpapers_cli("check", folder, cwd=tmp_path)
    assert result.returncode == 1
    assert "data.yaml" in result.stderr and "alt: expected some text" in result.stderr


def test_unknown_table_for_a_chart_is_reported(tmp_path: Path, panelpapers_cli: CLI) -> None:
    folder = chart_paper(tmp_path, SURVEY.replace("kind: line, table: answers", "kind: line, table: answer"))
    result = panelpapers_cli("check", folder, cwd=tmp_path)
    assert result.returncode == 1
    assert "unknown table 'answer' (declared:" in result.stderr
