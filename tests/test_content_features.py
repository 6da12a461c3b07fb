"""Features and data traps met in real papers, each built from a small fixture paper
(tests/features/) and read back from the PDF (pypdfium2) and the DOCX (python-docx, and LibreOffice
for some): blank groups, rounding, chart series styles, financial years, distinct counts, check
expressions, one report per data problem, quoting hints, table renumbering in diffs, and content
wording."""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from datapapers import ACTIONS_PAPER, copy_paper, docx_tables, edit, line_of, problems_of, squash
from readback import docx_paragraphs, libreoffice_to_pdf, pdf_pages_text

from panelpapers.build import build, gather

FIXTURE = Path(__file__).resolve().parent / "features" / "2022-01-17-features" / "01-features"


Built = tuple[str, list[list[list[str]]], list[str], Path]  # PDF text, DOCX tables and paragraphs, DOCX


def copy_fixture(tmp_path: Path) -> Path:
    target = tmp_path / FIXTURE.parent.name / FIXTURE.name
    shutil.copytree(FIXTURE, target)
    return target


def built(paper: Path, out: Path) -> Built:
    """PDF text (squashed), DOCX tables, DOCX paragraphs and the DOCX's path of one built paper."""
    build([paper], out, jobs=1)
    return read_built(out / paper.parent.name / "restricted", paper.name)


def read_built(folder: Path, name: str) -> Built:
    """What `built` gives for paper `name` built into the variant folder `folder`."""
    pdf = squash(" ".join(pdf_pages_text(folder / f"{name}.pdf")))
    docx = folder / f"{name}.docx"
    return pdf, docx_tables(docx), docx_paragraphs(docx), docx


def table_rows(tables: list[list[list[str]]], first_header: str) -> list[list[str]]:
    return next(t for t in tables if t[0][0] == first_header)


@pytest.fixture(scope="module")
def fixture_built(features_build: Path) -> Built:
    """The fixture paper as it stands, built once for the run (read only) for the tests that only read it."""
    return read_built(features_build / FIXTURE.parent.name / "restricted", FIXTURE.name)


# 1. Missing values in a grouped column -----------------------------------------------------------


def test_a_blank_group_is_an_error_at_the_table_naming_the_column_and_rows(tmp_path: Path) -> None:
    paper = copy_fixture(tmp_path)
    data_yaml = paper / "data.yaml"
    edit(data_yaml, "        missing_label: Not recorded\n", "")
    problems = problems_of(paper)
    expected = f"data.yaml:{line_of(data_yaml, '  by_theme:')}: table 'by_theme': column 'theme' is blank in 2 rows"
    assert [p for p in problems if expected in p], problems
    assert len(problems) == 1, problems
    assert "missing_label" in problems[0] and "present" in problems[0]


def test_missing_label_names_the_blank_group_and_where_tests_missing(fixture_built: Built) -> None:
    pdf, tables, paragraphs, _ = fixture_built
    rows = table_rows(tables, "Theme")
    assert ["Not recorded", "2"] in rows and rows[-1] == ["Grand Total", "8"]
    assert sum(int(r[1]) for r in rows[1:-1]) == 8
    assert "Not recorded 2" in pdf and "Grand Total 8" in pdf
    sentence = "There were 8 findings, 6 with a theme and 2 (25%) without."
    assert sentence in pdf
    assert any(sentence in p for p in paragraphs)
    assert re.search(r"Figure 1: Findings by theme.*Not recorded", pdf)  # the chart's bar is labelled


# 2. Rounding half up -----------------------------------------------------------------------------


def test_format_value_rounds_half_up_as_excel_does() -> None:
    from panelpapers.data.computed_tables import format_value

    assert format_value(12.5, "percent") == "13%"  # 1/8
    assert format_value(37.5, "percent") == "38%"
    assert format_value(2.5, "integer") == "3"
    assert format_value(0.125, "number", 2) == "0.13"
    assert format_value(2.675, "number", 2) == "2.68"  # 2.67499… in binary; Excel shows 2.68
    assert format_value(100 * 7 / 40, "percent") == "18%"
    assert format_value(-2.5, "money") == "-£3"  # half away from zero, as Excel's ROUND
    assert format_value(-0.4, "integer") == "0"  # never "-0"
    assert format_value(1234.5, "money", 2) == "£1,234.50"
    assert format_value(1234567.5, "integer") == "1,234,568"


def test_tables_and_text_show_halves_rounded_up(fixture_built: Built) -> None:
    pdf, tables, paragraphs, _ = fixture_built
    rows = table_rows(tables, "Question")
    assert rows[1] == ["Roles are clear", "1", "8", "13%", "2.68", "-£3"]
    assert rows[2] == ["Risks are owned", "3", "8", "38%", "0.13", "£1,235"]
    assert rows[3] == ["All questions", "4", "16", "25%", "2.80", "£1,232"]
    assert "Roles are clear 1 8 13% 2.68 -£3" in pdf and "Risks are owned 3 8 38% 0.13 £1,235" in pdf
    assert "One in eight said roles are clear (13%)." in pdf
    assert any("One in eight said roles are clear (13%)." in p for p in paragraphs)


# 3. Chart series styles --------------------------------------------------------------------------


def legend_styles(svg: bytes) -> list[str]:
    """How each legend entry is drawn: its fill colour, and a digest of its hatching if it has one
    (matplotlib's SVG fills a hatched patch with a pattern holding both)."""
    text = svg.decode("utf-8")
    legend = text[text.index('<g id="legend_1">') :]
    fills = re.findall(r'<g id="patch_\d+">\s*<path d="[^"]*"[^>]*style="fill: ([^;"]+)', legend)
    styles = []
    for fill in fills:
        pattern = re.fullmatch(r"url\(#(h[0-9a-f]+)\)", fill)
        if pattern:
            body = re.search(rf'<pattern id="{pattern[1]}"(.*?)</pattern>', text, re.S)
            assert body is not None
            colour = re.search(r'<rect[^>]*fill="([^"]+)"', body[1])
            hatch = hashlib.sha256(re.sub(r"<rect[^>]*>", "", body[1]).encode()).hexdigest()[:8]
            styles.append(f"{colour[1] if colour else '?'} hatch {hatch}")
        else:
            styles.append(fill)
    return styles


def chart_svg(paper: Path, name: str) -> bytes:
    jobs = gather([paper])
    assert jobs[0].data is not None
    return jobs[0].data.charts[name].svg


def test_seven_series_are_drawn_seven_ways(fixture_built: Built) -> None:
    styles = legend_styles(chart_svg(FIXTURE, "workload_chart"))
    assert len(styles) == 7
    assert len(set(styles)) == 7, f"series drawn alike: {styles}"
    pdf, _, _, docx = fixture_built
    assert "Figure 2: Audit days by team and month" in pdf
    for month in ("Apr", "Oct"):
        assert month in pdf  # the legend's words are real text
    from datapapers import docx_alt_texts

    assert any("Oct 7" in alt for alt in docx_alt_texts(docx))


def test_authors_choose_series_colours_from_the_palette_or_as_hex(tmp_path: Path) -> None:
    paper = copy_fixture(tmp_path)
    data_yaml = paper / "data.yaml"
    edit(
        data_yaml,
        "    table: workload_by_month\n",
        '    table: workload_by_month\n    colours: ["3", "#aa0000", "1", "2", "4", "5", "6"]\n',
    )
    styles = legend_styles(chart_svg(paper, "workload_chart"))
    assert styles[0] == "#d55e00" and styles[1].startswith("#aa0000 hatch") and styles[2].startswith("#003c71 hatch")
    assert len(set(styles)) == 7
    pdf, _, _, _ = built(paper, tmp_path / "out")
    assert "Figure 2: Audit days by team and month" in pdf


@pytest.mark.parametrize(
    ("colours", "entry", "message"),
    [
        (
            '["9", "2", "3", "4", "5", "6", "1"]',
            '"9"',
            "charts.workload_chart.colours.0: expected a house palette "
            "position (1 to 6) or a colour as #rrggbb, got '9'",
        ),
        (
            '["1", "red", "3", "4", "5", "6", "1"]',
            '"red"',
            "charts.workload_chart.colours.1: expected a house "
            "palette position (1 to 6) or a colour as #rrggbb, got 'red'",
        ),
        (
            '["1", "2"]',
            "colours:",
            "chart 'workload_chart': 'colours' gives 2 colours for 7 series (Apr, May, Jun, "
            "Jul, Aug, Sep, Oct); expected one per series",
        ),
    ],
)
def test_an_unknown_series_colour_is_an_error_at_its_line(
    tmp_path: Path, colours: str, entry: str, message: str
) -> None:
    paper = copy_fixture(tmp_path)
    data_yaml = paper / "data.yaml"
    block = "\n".join(f"      - {c}" for c in colours.strip("[]").split(", "))
    edit(data_yaml, "    table: workload_by_month\n", f"    table: workload_by_month\n    colours:\n{block}\n")
    line = line_of(data_yaml, f"- {entry}" if entry != "colours:" else "    colours:")
    assert f"{data_yaml}:{line}: {message}" in problems_of(paper)


def test_more_series_than_can_be_told_apart_are_refused_naming_them() -> None:
    from panelpapers.data.charts import ChartError, series_styles
    from panelpapers.data.declarations import ChartSpec

    spec = ChartSpec(caption="c", kind="bar", table="t")
    names = [f"s{i}" for i in range(13)]
    assert len(set(series_styles(spec, names[:12], ("#000000", "#ffffff")))) == 12  # 2 colours × 6 hatchings
    with pytest.raises(ChartError, match="series 's12' would be drawn exactly like series 's0'"):
        series_styles(spec, names, ("#000000", "#ffffff"))


# 4. Financial years and 5. distinct counts, data order -------------------------------------------


def test_financial_year_and_quarter_of_a_date(fixture_built: Built) -> None:
    pdf, tables, _, _ = fixture_built
    rows = table_rows(tables, "Financial year")
    assert [r[:3] for r in rows[1:-1]] == [
        ["2021/22", "2021/22 Q1", "2"],  # 3 April, 10 May 2021
        ["2021/22", "2021/22 Q2", "1"],  # 1 July; the year is one cell merged down over its rows
        ["2021/22", "2021/22 Q3", "2"],  # 15 October, 2 December
        ["2021/22", "2021/22 Q4", "2"],  # 20 January, 31 March 2022
        ["2022/23", "2022/23 Q1", "1"],  # 1 April 2022
    ]
    assert "2021/22 2021/22 Q1 2 1" in pdf and "2022/23 2022/23 Q1 1 1" in pdf


def test_a_date_operation_on_a_text_column_is_a_type_error_at_the_column(tmp_path: Path) -> None:
    """Not every row silently blanked, then advice to name the blanks of a column that is not there."""
    paper = copy_fixture(tmp_path)
    data_yaml = paper / "data.yaml"
    edit(data_yaml, "      raised: date\n", "      raised: text\n")
    problems = problems_of(paper)
    assert problems == [
        f"{data_yaml}:{line_of(data_yaml, 'raised: text')}: table 'by_fy_quarter': column 'raised' is declared "
        "text here, but the table derives 'year: {fy_year_of: raised}' from it, which needs dates: declare it "
        "'raised: date' (YYYY-MM-DD), or derive from a date column"
    ]


def test_distinct_counts_and_their_total(fixture_built: Built) -> None:
    pdf, tables, paragraphs, _ = fixture_built
    rows = table_rows(tables, "Financial year")
    assert [r[3] for r in rows[1:]] == ["1", "1", "2", "1", "1", "4"]  # 4 audits in all, not 6
    assert rows[-1] == ["Grand Total", "", "8", "4"]
    assert "Grand Total 8 4" in pdf
    assert "The 8 findings came from 4 audits (Appendix A)." in pdf
    assert any("The 8 findings came from 4 audits (Appendix A)." in p for p in paragraphs)


def test_keep_order_keeps_the_groups_in_data_order(fixture_built: Built) -> None:
    pdf, tables, _, _ = fixture_built
    rows = table_rows(tables, "Theme")
    assert [r[0] for r in rows] == ["Theme", "Governance", "Not recorded", "Data", "People", "Grand Total"]
    assert "Governance 3 Not recorded 2 Data 2 People 1 Grand Total 8" in pdf


# 6. Checks: expressions, and the filter a count applied ------------------------------------------


def test_a_failing_count_check_names_its_filter(tmp_path: Path) -> None:
    paper = copy_paper(ACTIONS_PAPER, tmp_path)  # the example paper, so this runs on any version
    data_yaml = paper / "data.yaml"
    with data_yaml.open("a", encoding="utf-8") as handle:
        handle.write(
            "  - name: open high-risk actions as reported\n    equal:\n      - {stated: 1}\n"
            "      - {source: actions, count: rows, where: [{column: status, equals: Open}, "
            "{column: risk_rating, in: [High, Medium]}]}\n"
        )
    problems = problems_of(paper)
    assert len(problems) == 1, problems
    assert re.search(
        r"check 'open high-risk actions as reported' failed: 1 \(stated in data.yaml line \d+\) does not equal "
        r"\d+ \(count of rows in actions.csv where status is Open and risk_rating is one of High, Medium\)$",
        problems[0],
    ), problems[0]


def test_an_expression_on_either_side_of_a_check(tmp_path: Path, fixture_built: Built) -> None:
    pdf, _, paragraphs, _ = fixture_built  # built: its check `themed + unthemed = total` holds
    assert "(25%)" in pdf  # a figure may be an expression too: 100 × 2 / 8
    paper = copy_fixture(tmp_path)
    data_yaml = paper / "data.yaml"
    edit(data_yaml, '"findings.themed + findings.unthemed"', '"findings.themed + findings.unthemed + 1"')
    line = line_of(data_yaml, "  - name: every finding")
    assert problems_of(paper) == [
        f"{data_yaml}:{line}: check 'every finding has a theme or has none' failed: 9 (findings.themed + "
        "findings.unthemed + 1, with findings.themed 6, findings.unthemed 2) does not equal 8 (count of rows in "
        "findings.csv)"
    ]


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (
            "findings.themd + findings.unthemed",
            "unknown figure 'findings.themd' in expression 'findings.themd + findings.unthemed'; "
            "did you mean 'findings.themed'?",
        ),
        (
            "__import__('os').getcwd()",
            "checks.0.equal.0.expression: expected figures (group.name) and numbers joined by + - * / and brackets, "
            "got '__import__('os').getcwd()' in '__import__('os').getcwd()'",
        ),
        (
            "findings.themed ** 2",
            "checks.0.equal.0.expression: expected figures (group.name) and numbers joined by + - * / and brackets, "
            "got 'findings.themed ** 2' in 'findings.themed ** 2'",
        ),
        (
            "findings.themed +",
            "checks.0.equal.0.expression: expected figures (group.name) and numbers joined by "
            "+ - * / and brackets, got 'findings.themed +'",
        ),
    ],
)
def test_a_bad_expression_is_an_error_at_its_line(tmp_path: Path, expression: str, message: str) -> None:
    paper = copy_fixture(tmp_path)
    data_yaml = paper / "data.yaml"
    edit(data_yaml, '{expression: "findings.themed + findings.unthemed"}', f'{{expression: "{expression}"}}')
    line = line_of(data_yaml, '{expression: "' + expression[:10])
    assert f"{data_yaml}:{line}: {message}" in problems_of(paper)


# 7. One data problem, one report -----------------------------------------------------------------


def test_one_error_in_data_yaml_is_reported_once_not_at_every_figure(tmp_path: Path) -> None:
    paper = copy_paper(ACTIONS_PAPER, tmp_path)  # the example paper: 8 text fields quote its figures
    data_yaml = paper / "data.yaml"
    edit(data_yaml, "    total_row: Grand Total\n", "    total_rows: Grand Total\n")
    problems = problems_of(paper)
    about_data = [p for p in problems if "/data.yaml:" in p]
    assert len(about_data) == 1 and "unknown key 'total_rows'; did you mean 'total_row'?" in about_data[0]
    others = [p for p in problems if p not in about_data]
    assert len(others) <= 1, "\n".join(others)
    summary = paper / "summary.yaml"
    assert others == [
        f"{summary}:{line_of(summary, '{{ actions.total }}')}: figures quoted here and in 7 other places were not "
        "checked, because data.yaml has problems"
    ]


def test_a_figure_typo_is_still_reported_when_data_yaml_is_sound(tmp_path: Path) -> None:
    paper = copy_paper(ACTIONS_PAPER, tmp_path)
    edit(paper / "summary.yaml", "{{ actions.total }}", "{{ actions.totl }}")
    problems = problems_of(paper)
    assert len(problems) == 1 and "has no attribute 'totl'" in problems[0], problems


# 8. Text with ": " read as a key ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "entry", "expected"),
    [
        (
            "equality.yaml",
            "  - Note: there are no actions about recruitment.",
            "unknown key 'Note'; if this is text, put it in quotes: "
            "\"Note: there are no actions about recruitment.\" (YAML reads unquoted text with ': ' in it as a key "
            "and a value)",
        ),
        (
            "recommendations.yaml",
            "  - Note: the Panel may ask for more.",
            "items.2: expected text, got a mapping; if this is text, put it in quotes: "
            "\"Note: the Panel may ask for more.\" (YAML reads unquoted text with ': ' in it as a key and a value)",
        ),
        (
            "supporting.yaml",
            "          - Update: there is more to come in April.",
            "unknown key 'Update'; if this is text, put it in quotes: "
            "\"Update: there is more to come in April.\" (YAML reads unquoted text with ': ' in it as a key and a "
            "value)",
        ),
    ],
)
def test_text_read_as_a_key_suggests_quoting(tmp_path: Path, file: str, entry: str, expected: str) -> None:
    paper = copy_paper(ACTIONS_PAPER, tmp_path)
    with (paper / file).open("a", encoding="utf-8") as handle:
        handle.write(entry + "\n")
    problems = problems_of(paper)
    assert problems == [f"{paper / file}:{line_of(paper / file, entry.strip())}: {expected}"]


# 9. Table renumbering in the review diff ---------------------------------------------------------

NEW_TABLE = """
  by_risk_rating:
    caption: Open actions by risk rating
    source: actions
    where:
      - {column: status, equals: Open}
    group_by: [risk_rating]
    aggregate:
      actions: {count: rows}
"""


def test_a_table_inserted_before_the_others_is_the_only_change(tmp_path: Path) -> None:
    from panelpapers.review.compare import compare_paths
    from panelpapers.review.report import markdown, review

    old = copy_paper(ACTIONS_PAPER, tmp_path / "old")  # the example paper, so this runs on any version
    supporting = old / "supporting.yaml"
    # Prose that names a table by its number: renumbering it by hand is no change either.
    edit(
        supporting,
        "          - table: outstanding_by_group\n",
        "          - table: outstanding_by_group\n          - Table 2 counts actions still open.\n",
    )
    new = tmp_path / "new" / old.parent.name / old.name
    shutil.copytree(old, new)
    edit(new / "data.yaml", "\ntables:\n", "\ntables:" + NEW_TABLE)
    edit(new / "supporting.yaml", "      - paragraphs:\n", "      - paragraphs:\n          - table: by_risk_rating\n")
    edit(new / "supporting.yaml", "Table 2 counts", "Table 3 counts")
    build([old], tmp_path / "old-build", jobs=1)
    build([new], tmp_path / "new-build", jobs=1)
    comparison = compare_paths(tmp_path / "old-build", tmp_path / "new-build")
    changes = comparison.changes
    described = [(c.status, c.what, c.label) for c in changes]
    assert described == [("added", "table", "Table 1: Open actions by risk rating")], described
    summary = markdown(review(comparison))
    assert "Table 2: Outstanding" not in summary and "Table 3 counts" not in summary


def test_a_renumbered_table_whose_cells_changed_is_named_by_both_numbers() -> None:
    from panelpapers.render.record import Passage, TableCells
    from panelpapers.review.compare import compare_papers
    from panelpapers.review.extract import PaperContent

    def table(number: int, cell: str) -> Passage:
        caption = f"Table {number}: Open actions"
        cells = TableCells(caption, ("Group", "Open"), (("North", cell),), ("North",))
        return Passage("table", "1", "", f"{caption} Group Open North {cell}", cells, caption=caption)

    added = table(1, "5")
    old = PaperContent("p", "Paper", "OFFICIAL", "final", [table(2, "3")])
    new = PaperContent(
        "p", "Paper", "OFFICIAL", "final", [replace(added, caption="Table 1: New", text="Table 1: New"), table(3, "4")]
    )
    changes = compare_papers(old, new, "p").changes
    assert [(c.status, c.label) for c in changes] == [
        ("added", "Table 1: New"),
        ("changed", "Table 3: Open actions (was Table 2)"),
    ]
    assert [(c.row, c.column, c.old, c.new) for c in changes[1].cells] == [("North", "Open", "3", "4")]
    assert changes[1].words == ()  # the caption's number is no change of words


# 10.-12. Content: one recommendation, job titles, short appendix titles, weekdays, line breaks ---


@pytest.fixture(scope="module")
def libreoffice_text(fixture_built: Built, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The fixture's DOCX as LibreOffice lays it out, read back from the PDF it prints."""
    docx = fixture_built[3]
    return "\n".join(pdf_pages_text(libreoffice_to_pdf(docx, tmp_path_factory.mktemp("libreoffice"))))


def test_one_recommendation_is_called_recommendation_and_has_no_letter(
    fixture_built: Built, libreoffice_text: str
) -> None:
    pdf, _, paragraphs, _ = fixture_built
    only = "Note the findings and the plan to address them."
    assert f"Recommendation The Audit Panel is recommended to: {only}" in pdf
    assert "Recommendations" not in pdf and f"a. {only}" not in pdf
    assert "Recommendation" in paragraphs and "Recommendations" not in paragraphs
    assert only in paragraphs  # the whole paragraph: no letter, no tab
    lines = squash(libreoffice_text)
    assert f"Recommendation The Audit Panel is recommended to: {only}" in lines and "a. Note" not in lines


def test_the_house_may_word_a_single_recommendation(tmp_path: Path) -> None:
    paper = copy_fixture(tmp_path)
    (tmp_path / "panelpapers.yaml").write_text("wording:\n  recommendation: Decision sought\n", encoding="utf-8")
    resolved = gather([paper])[0].paper
    assert resolved is not None and resolved.recommendations_heading == "Decision sought"


def test_job_title_short_appendix_title_and_weekday(fixture_built: Built, libreoffice_text: str) -> None:
    pdf, _, paragraphs, _ = fixture_built
    contact = "Report author: Callum Brennan, Head of Internal Audit, Directorate of Audit, Risk and Assurance"
    listed = "Appendix A – Findings by quarter (OFFICIAL)"
    heading = (
        "Appendix A – Findings by financial year and quarter raised, with the number of audits they came from "
        "(OFFICIAL)"
    )
    lines = squash(libreoffice_text)
    for text in (pdf, " ".join(paragraphs), lines):
        assert "Monday 17 January 2022" in text
        assert contact in text
        assert listed in text
        assert heading in text
    assert "Monday 17 January 2022" in paragraphs and listed in paragraphs and heading in paragraphs


def test_a_line_break_in_report_by_and_in_a_group_heading(fixture_built: Built, libreoffice_text: str) -> None:
    from readback import pdf_outline

    pdf, _, paragraphs, docx = fixture_built
    first_lines = pdf_pages_text(docx.with_suffix(".pdf"))[0].splitlines()
    assert "Report by: Director of Audit, Risk and Assurance" in [line.strip() for line in first_lines]
    assert "Chief Risk Officer" in [line.strip() for line in first_lines]
    assert "\\" not in pdf
    assert "Report by: Director of Audit, Risk and Assurance\nChief Risk Officer" in paragraphs
    assert "\\" not in libreoffice_text
    assert "Chief Risk Officer" in [line.strip() for line in libreoffice_text.splitlines()]

    def titles(outline: list[tuple[str, int, list[Any]]]) -> list[str]:
        return [title for entry_title, _page, children in outline for title in [entry_title, *titles(children)]]

    bookmarks = titles(pdf_outline(docx.with_suffix(".pdf")))
    assert "Findings by quarter and the audits behind them" in bookmarks, bookmarks
    assert "Findings by quarter\\" not in " ".join(paragraphs)
    assert "Findings by quarter\nand the audits behind them" in paragraphs  # a line break in the DOCX too


def test_report_by_markup_is_checked_like_any_text(tmp_path: Path) -> None:
    paper = copy_fixture(tmp_path)
    edit(paper / "paper.yaml", "  Chief Risk Officer", "  <b>Chief Risk Officer</b>")
    problems = problems_of(paper)
    where = f"{paper / 'paper.yaml'}:{line_of(paper / 'paper.yaml', 'Director of Audit')}"  # where the text starts
    assert len(problems) == 1 and f"{where}: raw HTML is not allowed" in problems[0], problems
