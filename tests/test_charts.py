"""Charts: every kind renders in the house style, SVG and PNG are byte-identical run to run, the
PDF uses only the bundled font, and alt text is always there (the author's, or from the data)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from datapapers import ACTIONS_PAPER, RISK_PAPER, copy_paper, edit, line_of, problems_of

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

    build([example_meeting / RISK_PAPER], tmp_path, jobs=1)
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


# Layout: nothing on a chart covers anything else ------------------------------------------------

FEATURES = Path(__file__).resolve().parent / "features"
STRUCTURE = FEATURES / "2022-01-17-features" / "02-structure"
COUNCIL_MEETING = Path(__file__).resolve().parent / "projects" / "council" / "content" / "2023-03-14-audit-committee"
NUMBER = re.compile(r"^-?£?[\d,.]+%?$")


@dataclass
class Measured:
    """What was found on every chart drawn: tick labels that overlap, value labels a reference
    line strikes through, notes covering a bar; and the category labels of each chart."""

    charts: list[list[str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def measure(figure: Any, found: Measured) -> None:
    """Boxes of the drawn figure as matplotlib measures them (window extents, in pixels)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle
    from matplotlib.text import Annotation

    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    for axes in figure.axes:
        ticks = [t for t in axes.get_xticklabels() + axes.get_yticklabels() if t.get_visible() and t.get_text()]
        found.charts.append([t.get_text() for t in axes.get_xticklabels()])
        for axis in (axes.get_xticklabels(), axes.get_yticklabels()):
            boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in axis if t.get_visible() and t.get_text()]
            for i, (a, box_a) in enumerate(boxes):
                for b, box_b in boxes[i + 1 :]:
                    if box_a.overlaps(box_b):
                        found.problems.append(f"tick labels {a!r} and {b!r} overlap")
        assert ticks or not axes.has_data()
        texts = [c for c in axes.get_children() if isinstance(c, Annotation) and c.get_text()]
        values = [t for t in texts if NUMBER.match(t.get_text().replace(" ", ""))]
        notes = [t for t in texts if t not in values]
        lines = [line for line in axes.get_lines() if isinstance(line, Line2D) and line.get_linestyle() == "--"]
        for line in lines:
            extent = line.get_window_extent(renderer)
            across = extent.height < 1  # a horizontal line, at a height; otherwise upright, at an x
            at = extent.y0 if across else extent.x0
            for value in values:
                box = value.get_window_extent(renderer)
                low, high = (box.y0, box.y1) if across else (box.x0, box.x1)
                if low < at < high:
                    found.problems.append(f"a reference line strikes through the value label {value.get_text()!r}")
        bars = [p for p in axes.patches if isinstance(p, Rectangle) and p.get_width() and p.get_height()]
        for note in notes:
            box = note.get_window_extent(renderer)
            if any(box.overlaps(bar.get_window_extent(renderer)) for bar in bars):
                found.problems.append(f"the note {note.get_text()!r} covers a bar")


@pytest.fixture(scope="module")
def every_chart() -> Measured:
    """Every chart of the example meeting, the council project and the feature fixtures, measured
    as it is saved."""
    from panelpapers.data import charts

    found = Measured()
    real_save = charts.save

    def measuring_save(figure: Any) -> tuple[bytes, bytes]:
        measure(figure, found)
        return real_save(figure)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(charts, "save", measuring_save)
        root = Path(__file__).resolve().parent.parent
        papers = sorted(FEATURES.glob("*/*/paper.yaml"))
        for folder in (root / "content" / "2022-01-17-audit-panel", COUNCIL_MEETING, *(p.parent for p in papers)):
            gather([folder])
    return found


def test_no_chart_overlaps_its_labels_strikes_its_values_or_covers_its_bars(every_chart: Measured) -> None:
    assert len(every_chart.charts) >= 10
    quarters = [c for c in every_chart.charts if "2017/18 Q2" in c or "2017/18\nQ2" in c]
    assert len(quarters) == 2, "the fourteen-quarter charts (portrait and landscape) were measured"
    assert every_chart.problems == []


def test_a_landscape_chart_takes_the_landscape_pages_width(tmp_path: Path) -> None:
    from docx import Document
    from readback import pdf_pages_text

    charts = gather([STRUCTURE])[0].data
    assert charts is not None
    portrait, landscape = charts.charts["referrals_chart"], charts.charts["referrals_landscape"]
    assert (portrait.width_mm, landscape.width_mm) == (160.0, 257.0)
    build([STRUCTURE], tmp_path, jobs=1)
    folder = tmp_path / STRUCTURE.parent.name / "restricted"
    import pypdfium2

    pdf = pypdfium2.PdfDocument(folder / "02-structure.pdf")
    page = next(p for p in pdf if "Figure 4: Referrals" in p.get_textpage().get_text_range())
    width, height = page.get_size()
    assert width > height
    text = page.get_textpage()
    first, last = text.search("2017/18"), text.search("2020/21")
    assert first is not None and last is not None
    left = text.get_charbox(first.get_next()[0])[0]
    while (found := last.get_next()) is not None:
        right = text.get_charbox(found[0] + found[1] - 1)[2]
    span_mm = (right - left) / 72 * 25.4
    assert span_mm > 175, f"the categories span {span_mm:.0f} mm, not more than a portrait text width (160 mm)"
    assert "2017/18 Q2" in " ".join(pdf_pages_text(folder / "02-structure.pdf"))  # every quarter named
    document = Document(str(folder / "02-structure.docx"))
    widths = sorted(round(shape.width.mm) for shape in document.inline_shapes)
    assert 257 in widths and 160 in widths


def test_authors_colour_categories_with_a_legend_entry_and_hatching() -> None:
    data = gather([STRUCTURE])[0].data
    assert data is not None
    chart = data.charts["referrals_chart"]
    svg = chart.svg.decode()
    # Hatched bars are filled with a pattern over the colour: count the bars of each colour.
    colour_of = dict(re.findall(r'<pattern id="(\w+)"[^>]*>\s*<rect [^>]*fill="(#\w+)"', svg))
    filled = [colour_of.get(ref) for ref in re.findall(r"fill: url\(#(\w+)\)", svg)]
    assert (filled.count("#6f93c0"), filled.count("#1f3f6e")) == (11 + 1, 3 + 1)  # the bars and the legend
    assert "Before the plan" in svg and "Since the plan began" in svg  # named in the legend, as text
    assert "The bars for 2017/18 Q2 to 2019/20 Q4 are shown as Before the plan." in chart.alt
    assert "The bars for 2020/21 Q1 to 2020/21 Q3 are shown as Since the plan began." in chart.alt


@pytest.mark.parametrize(
    ("old", "new", "entry", "message"),
    [
        (
            "to: 2020/21 Q3, colour",
            "to: 2020/21 Q9, colour",
            "to: 2020/21 Q9",
            "chart 'referrals_chart': no category '2020/21 Q9' on this chart; did you mean '2020/21 Q3'?",
        ),
        (
            'colour: "#6f93c0"',
            'colour: "#dddddd"',
            "#dddddd",
            "charts.referrals_chart.category_colours.0.colour: expected a chart colour with at least 3:1 contrast",
        ),
        (
            "    table: referrals\n    category_colours:",
            "    table: referrals\n    landscape: \"yes\"\n    category_colours:",
            'landscape: "yes"',
            "chart 'referrals_chart' is landscape, but it is placed among the paragraphs at ",
        ),
    ],
)
def test_a_chart_option_that_cannot_be_honoured_is_an_error_at_its_line(
    tmp_path: Path, old: str, new: str, entry: str, message: str
) -> None:
    paper = tmp_path / STRUCTURE.parent.name / STRUCTURE.name
    shutil.copytree(STRUCTURE, paper)
    data_yaml = paper / "data.yaml"
    edit(data_yaml, old, new)
    problems = problems_of(paper)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{data_yaml}:{line_of(data_yaml, entry)}: {message}")


def test_heat_map_band_names_are_printed_at_8_pt_or_more(example_meeting: Path) -> None:
    data = gather([example_meeting / "02-risk-management"])[0].data
    assert data is not None
    for chart in data.charts.values():
        sizes = re.findall(r"font-size: ([\d.]+)px[^>]*>(?:Low|Medium|High|Very high)</text>", chart.svg.decode())
        assert sizes and min(float(s) for s in sizes) >= 8  # SVG px are points here (72 per inch)
