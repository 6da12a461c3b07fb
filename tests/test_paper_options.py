"""Options a paper's content gives for how it is set, read back from what was built: a lone
recommendation with its letter or as a sentence of its own, several people under one plural contact
role, the background papers line alone when there are no appendices, and a tall chart printed a
little smaller rather than leaving most of a page blank. Built from the feature fixture papers
(tests/features/2022-01-17-features/03-layout-options) and the example's risk paper."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from datapapers import edit, line_of, problems_of, squash
from readback import docx_paragraphs, pdf_pages_text

from panelpapers.render.chart_fit import MIN_SCALE

FEATURES = Path(__file__).resolve().parent / "features" / "2022-01-17-features"
OPTIONS = FEATURES / "03-layout-options"
MM = 72 / 25.4  # PDF points per millimetre


@pytest.fixture(scope="module")
def built(options_build: Path) -> Path:
    """The build folder of the fixture paper and the example's risk paper, built alone as one meeting
    (the run's shared build, conftest.py)."""
    return options_build / FEATURES.name


def lines_of(path: Path) -> list[str]:
    return [squash(line) for page in pdf_pages_text(path) for line in page.splitlines() if line.strip()]


def site_text(built: Path, slug: str) -> str:
    html = (built / "public" / "site" / f"{slug}.html").read_text(encoding="utf-8")
    return squash(unescape(re.sub(r"<[^>]+>", " ", html)))


# A lone recommendation -----------------------------------------------------------------------------


def test_a_lone_recommendation_as_a_sentence_has_no_lead_line(built: Path) -> None:
    sentence = "The Audit Panel is recommended to note how the year's audit days were spread across the plan."
    pdf = " ".join(lines_of(built / "restricted" / "03-layout-options.pdf"))
    assert f"Recommendation {sentence}" in pdf
    assert "recommended to:" not in pdf
    paragraphs = docx_paragraphs(built / "restricted" / "03-layout-options.docx")
    heading = paragraphs.index("Recommendation")
    assert paragraphs[heading + 1] == sentence
    assert "recommended to:" not in " ".join(paragraphs)
    site = site_text(built, "03-layout-options")
    assert f"Recommendation {sentence}" in site and "recommended to:" not in site


def test_a_lone_recommendation_can_keep_its_letter(built: Path) -> None:
    only = "Note the Met's key risks and the governance arrangements in place to make sure they are managed"
    only += " effectively."
    pdf = " ".join(lines_of(built / "restricted" / "02-risk-management.pdf"))
    assert f"Recommendation The Audit Panel is recommended to: a. {only}" in pdf
    paragraphs = docx_paragraphs(built / "restricted" / "02-risk-management.docx")
    lead = paragraphs.index("The Audit Panel is recommended to:")
    assert paragraphs[lead - 1] == "Recommendation" and paragraphs[lead + 1] == f"a.\t{only}"
    assert f"recommended to: a. {only}" in site_text(built, "02-risk-management")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("items:\n  - The Audit", "items:\n  - Note the report.\n  - The Audit", "but there are 2; remove 'single'"),
        ("single: sentence\n", 'single: sentence\nlead: "The Panel is asked to:"\n', "prints no lead line"),
        ("single: sentence", "single: one", "'unlettered', 'lettered' or 'sentence'"),
    ],
)
def test_the_single_option_is_checked_at_its_line(tmp_path: Path, old: str, new: str, expected: str) -> None:
    paper = tmp_path / FEATURES.name / OPTIONS.name
    shutil.copytree(OPTIONS, paper)
    path = paper / "recommendations.yaml"
    edit(path, old, new)
    problems = problems_of(paper)
    assert len(problems) == 1 and expected in problems[0], problems
    if "one" in new:  # a value that is no choice is reported at its own line
        assert problems[0].startswith(f"{path}:{line_of(path, 'single: one')}:"), problems
    else:  # a clash between keys, at the top of the file that holds both
        assert re.match(rf"{re.escape(str(path))}:\d+: ", problems[0]), problems


# Contacts and the appendix section ------------------------------------------------------------------

PEOPLE = [
    "Report authors:",
    "Priya Okafor, Audit Manager, Directorate of Audit, Risk and Assurance",
    "Email: priya.okafor@example.london.gov.uk",
    "Callum Brennan, Head of Internal Audit, Directorate of Audit, Risk and Assurance",
    "Email: callum.brennan@example.london.gov.uk",
    "Telephone: 020 7946 0000",
]


def test_two_people_under_one_plural_role(built: Path) -> None:
    pdf = lines_of(built / "restricted" / "03-layout-options.pdf")
    start = pdf.index("6. Contact Details")
    assert pdf[start + 1 : start + 1 + len(PEOPLE)] == PEOPLE
    assert sum("Report author" in line for line in pdf) == 1
    paragraphs = docx_paragraphs(built / "restricted" / "03-layout-options.docx")
    start = paragraphs.index("6. Contact Details")
    assert paragraphs[start + 1 : start + 1 + len(PEOPLE)] == PEOPLE
    assert " ".join(PEOPLE) in site_text(built, "03-layout-options")

    from docx import Document

    assert Document(str(built / "restricted" / "03-layout-options.docx")).core_properties.author == (
        "Priya Okafor and Callum Brennan"
    )


def test_people_take_their_details_under_their_own_names(tmp_path: Path) -> None:
    paper = tmp_path / FEATURES.name / OPTIONS.name
    shutil.copytree(OPTIONS, paper)
    path = paper / "contact.yaml"
    edit(path, "    people:\n", "    email: team@example.london.gov.uk\n    people:\n")
    problems = problems_of(paper)
    assert len(problems) == 1 and "give each person's job_title, team, email and phone" in problems[0], problems
    assert problems[0].startswith(f"{path}:{line_of(path, '- role: Report authors')}:"), problems


def test_no_appendices_prints_only_the_background_papers_line(built: Path) -> None:
    pdf = lines_of(built / "restricted" / "03-layout-options.pdf")
    start = pdf.index("7. Appendices and Background Papers")
    assert pdf[start + 1 :][:1] == ["Background papers: none."]
    assert not any("no appendices" in line for line in pdf)
    paragraphs = docx_paragraphs(built / "restricted" / "03-layout-options.docx")
    start = paragraphs.index("7. Appendices and Background Papers")
    assert paragraphs[start + 1 :] == ["Background papers: none."]
    assert "no appendices" not in site_text(built, "03-layout-options")


def test_say_no_appendices_is_for_a_paper_without_any(tmp_path: Path) -> None:
    paper = tmp_path / FEATURES.name / OPTIONS.name
    shutil.copytree(OPTIONS, paper)
    path = paper / "appendices.yaml"
    edit(path, "appendices: []", "appendices:\n  - ref: A\n    title: Audit days by area")
    problems = problems_of(paper)
    assert len(problems) == 1 and "'say_no_appendices' is for a paper with no appendices" in problems[0], problems


# A tall chart after a paragraph ------------------------------------------------------------------------


def chart_span(pdf: Path, page_index: int) -> tuple[float, float]:
    """From the top of the chart's caption to the foot of its x-axis title ("Audit days", the last
    words the chart draws), in points from the top of the page. The SVG chart is drawn as text and
    paths, not as an image, so its words mark where it stands."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        page = document[page_index]
        text = page.get_textpage()
        words = text.get_text_range()
        _l, _b, _r, caption_top = text.get_charbox(words.index("Figure 1:"))
        _l, axis_bottom, _r, _t = text.get_charbox(words.rindex("Audit days"))
        return page.get_height() - caption_top, page.get_height() - axis_bottom
    finally:
        document.close()


def test_a_tall_chart_shrinks_to_follow_its_paragraph(built: Path) -> None:
    """The chart is 187 mm tall; after the paragraphs before it, 170 mm is left on their page. At
    full size it would go to the next page and leave two thirds of this one blank."""
    pdf = built / "restricted" / "03-layout-options.pdf"
    pages = pdf_pages_text(pdf)
    before = next(i for i, text in enumerate(pages) if "both reports were rated reasonable" in squash(text))
    chart = next(i for i, text in enumerate(pages) if "Figure 1: Audit days by area" in text)
    assert chart == before, f"the chart is on page {chart + 1}, its paragraph on {before + 1}"
    assert len(pages) == 3, len(pages)
    top, bottom = chart_span(pdf, chart)
    natural = 9.0 * 18 + 25  # data/charts.py: a horizontal bar chart's height for 18 bars, in mm
    caption = 8  # the caption line above the picture, about
    assert MIN_SCALE * natural * MM <= bottom - top < (0.97 * natural + caption) * MM, (bottom - top) / MM
    # The page is full: the chart ends near its foot (A4 is 297 mm; 22 mm margins).
    assert bottom > (297 - 22 - 25) * MM, bottom / MM


# The house's defaults -----------------------------------------------------------------------------------


def test_the_house_sets_how_papers_print_both_by_default(tmp_path: Path) -> None:
    """A house whose papers print a lone recommendation as a sentence and leave out "There are no
    appendices" needs no option in the paper; the paper prints as with its own options."""
    from panelpapers.build import gather

    paper = tmp_path / "content" / FEATURES.name / OPTIONS.name
    shutil.copytree(OPTIONS, paper)
    edit(paper / "recommendations.yaml", "single: sentence\n", "")
    edit(paper / "appendices.yaml", 'say_no_appendices: "no"', "")
    house = tmp_path / "panelpapers.yaml"
    house.write_text('single_recommendation: sentence\nsay_no_appendices: "no"\n', encoding="utf-8")
    resolved = gather([paper])[0].paper
    assert resolved is not None and resolved.recommendations_lead == ""
    assert [item.marker for item in resolved.recommendations.items] == [""]
    last = squash(" ".join(str(block) for block in resolved.sections[-1].blocks))
    assert "Background papers: none." in last and "no appendices" not in last

    # A lead in the paper would not be printed under such a house: an error at its line.
    recommendations = paper / "recommendations.yaml"
    edit(recommendations, "items:", 'lead: "The Panel is asked to:"\nitems:')
    problems = problems_of(paper)
    assert problems == [
        f"{recommendations}:{line_of(recommendations, 'lead:')}: the house prints a paper's only recommendation as a "
        "sentence with no lead line (panelpapers.yaml: single_recommendation: sentence); remove 'lead', or add "
        "'single: unlettered'"
    ], problems
