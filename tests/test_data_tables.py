"""Tables, figures in text and reconciliation checks computed from a paper's data: every number
comes from the CSV once, and the PDF, the DOCX and the sentences quoting it agree."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from datapapers import ACTIONS_PAPER, copy_paper, docx_alt_texts, docx_tables, file_hashes, squash
from readback import pdf_pages_text

from panelpapers.build import build, gather
from panelpapers.data.computed_tables import format_value
from panelpapers.data.declarations import ColumnSpec
from panelpapers.data.sources import convert
from panelpapers.model import Chart, Paper, Table, plain_text

CLI = Callable[..., subprocess.CompletedProcess[str]]
REPORT_DATE = dt.date(2022, 1, 1)  # actions due before this are overdue


def read_actions(paper: Path) -> list[dict[str, str]]:
    with (paper / "data" / "actions.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def expected_outstanding(rows: list[dict[str, str]]) -> tuple[Counter[str], Counter[str]]:
    """An oracle written without pandas: open and overdue actions per business group."""
    open_rows = [r for r in rows if r["status"] == "Open"]
    outstanding = Counter(r["business_group"] for r in open_rows)
    overdue = Counter(r["business_group"] for r in open_rows if dt.date.fromisoformat(r["due_date"]) < REPORT_DATE)
    return outstanding, overdue


def built_outputs(paper: Path, out: Path) -> tuple[Paper, str, Path]:
    build([paper], out, jobs=1)
    jobs = gather([paper])
    assert jobs[0].paper is not None
    folder = out / paper.parent.name / "restricted"
    pdf_text = squash(" ".join(pdf_pages_text(folder / f"{paper.name}.pdf")))
    return jobs[0].paper, pdf_text, folder / f"{paper.name}.docx"


def tables_of(paper: Paper) -> list[Table]:
    blocks = [b for s in paper.sections for b in s.blocks] + [b for a in paper.appendices for b in a.blocks]
    return [b for b in blocks if isinstance(b, Table)]


def figures_of(paper: Paper) -> list[Chart]:
    blocks = [b for s in paper.sections for b in s.blocks] + [b for a in paper.appendices for b in a.blocks]
    return [b for b in blocks if isinstance(b, Chart)]


def table_row(tables: list[list[list[str]]], header: str, first_cell: str) -> list[str]:
    for table in tables:
        if table[0][:2] == ["Business group", header]:
            for row in table:
                if row[0] == first_cell:
                    return row
    raise AssertionError(f"no row '{first_cell}' in a table headed '{header}'")


def test_one_changed_value_changes_cell_total_sentence_and_alt_text(tmp_path: Path) -> None:
    paper_folder = copy_paper(ACTIONS_PAPER, tmp_path)
    rows = read_actions(paper_folder)
    outstanding, overdue = expected_outstanding(rows)
    group = "Met Operations"
    before_paper, before_pdf, before_docx = built_outputs(paper_folder, tmp_path / "before")
    total = sum(outstanding.values())
    # Before: the oracle's numbers are in both files, in the table cell, the total and the sentence.
    for text in (before_pdf, " ".join(" ".join(r) for t in docx_tables(before_docx) for r in t)):
        assert f"{group} {outstanding[group]} {overdue[group]}" in text
        assert f"Grand Total {total} {sum(overdue.values())}" in text
    assert f"{total} actions remain open" in before_pdf
    alt_before = figures_of(before_paper)[0].alt
    assert f"{group} {outstanding[group]} (" in alt_before
    assert docx_alt_texts(before_docx)[0] == alt_before  # the first chart: the one the data change reaches

    # Close one open action of that group during the quarter: one CSV cell pair changes.
    text = (paper_folder / "data" / "actions.csv").read_text(encoding="utf-8")
    victim = next(r for r in rows if r["business_group"] == group and r["status"] == "Open")
    old_line = ",".join(victim.values())
    victim_after = {**victim, "status": "Closed", "closed_date": "2021-11-15", "delay_reason": ""}
    assert old_line in text
    (paper_folder / "data" / "actions.csv").write_text(text.replace(old_line, ",".join(victim_after.values())))
    outstanding_after, overdue_after = expected_outstanding(read_actions(paper_folder))
    assert outstanding_after[group] == outstanding[group] - 1

    after_paper, after_pdf, after_docx = built_outputs(paper_folder, tmp_path / "after")
    docx_text = " ".join(" ".join(r) for t in docx_tables(after_docx) for r in t)
    docx_sentences = squash(" ".join(p.text for p in __import__("docx").Document(str(after_docx)).paragraphs))
    for label, tables_text, sentences in (("PDF", after_pdf, after_pdf), ("DOCX", docx_text, docx_sentences)):
        assert f"{group} {outstanding_after[group]} {overdue_after[group]}" in tables_text, label
        assert f"Grand Total {total - 1} {sum(overdue_after.values())}" in tables_text, label
        assert f"{total - 1} actions remain open" in sentences, label
        assert f"{total} actions remain open" not in sentences, label
    alt_after = figures_of(after_paper)[0].alt
    assert f"{group} {outstanding_after[group]} (" in alt_after and alt_after != alt_before
    assert docx_alt_texts(after_docx)[0] == alt_after
    html = (tmp_path / "after" / paper_folder.parent.name / "restricted" / f"{ACTIONS_PAPER}.html").read_text()
    assert f'alt="{alt_after}"' in html  # the alt text of the image WeasyPrint draws into the PDF


def test_docx_and_pdf_tables_carry_the_same_cells(tmp_path: Path, example_meeting: Path) -> None:
    paper_folder = example_meeting / ACTIONS_PAPER
    paper, pdf_text, docx_path = built_outputs(paper_folder, tmp_path)
    model_tables = tables_of(paper)
    assert len(model_tables) == 7
    read_back = docx_tables(docx_path)
    assert len(read_back) == len(model_tables)
    for table, docx_rows in zip(model_tables, read_back, strict=True):
        # A spanning header row reads as its label once per column it spans (merged cells); a column
        # in no group has its own header there, merged down over both header rows.
        labels = [group.label for group in table.header_groups for _ in range(group.span)] or [""] * len(table.headers)
        in_group = [bool(label) for label in labels] if table.header_groups else [True] * len(table.headers)
        spanning = [[label or header for label, header in zip(labels, table.headers, strict=True)]]
        expected = (spanning if table.header_groups else []) + [list(table.headers)]
        expected += [[squash(plain_text(c)) for c in row.cells] for row in table.rows]
        assert docx_rows == expected, table.label
        assert table.label in pdf_text
        # The PDF prints a spanning label once: a row group's on its first row only.
        headers = [h for h, grouped in zip(table.headers, in_group, strict=True) if grouped]
        printed = [[group.label for group in table.header_groups if group.label]] + [headers]
        printed += [[h] for h, grouped in zip(table.headers, in_group, strict=True) if not grouped]
        for row in table.rows:
            cells = [squash(plain_text(c)) for c in row.cells]
            if row.group_rows == 0 and table.group_column is not None:
                del cells[table.group_column]
            printed.append(cells)
        for cells in printed:
            assert " ".join(c for c in cells if c) in pdf_text, f"{table.label}: row {cells} not in the PDF"


@pytest.mark.quick
def test_grand_total_and_percentages_follow_the_data(example_meeting: Path) -> None:
    paper_folder = example_meeting / ACTIONS_PAPER
    outstanding, overdue = expected_outstanding(read_actions(paper_folder))
    paper = gather([paper_folder])[0].paper
    assert paper is not None
    table = next(t for t in tables_of(paper) if t.id == "outstanding_by_group")
    cells = {plain_text(r.cells[0]): [plain_text(c) for c in r.cells] for r in table.rows}
    for group, count in outstanding.items():
        assert cells[group][1:4] == [str(count), str(overdue[group]), f"{100 * overdue[group] / count:.0f}%"]
    total = sum(outstanding.values())
    assert cells["Grand Total"][1:4] == [
        str(total),
        str(sum(overdue.values())),
        f"{100 * sum(overdue.values()) / total:.0f}%",
    ]
    assert table.rows[-1].total and not table.rows[0].total
    assert [int(cells[g][1]) for g in list(cells)[:-1]] == sorted(outstanding.values(), reverse=True)
    grouped = next(t for t in tables_of(paper) if t.id == "outstanding_by_audit")
    # Each group is one row header spanning its rows: named once, on its first row.
    shown_groups = [plain_text(r.cells[0]) for r in grouped.rows if r.group_rows or r.total]
    assert shown_groups == sorted(outstanding) + ["Grand Total"]
    assert sum(r.group_rows for r in grouped.rows if not r.total) == len(grouped.rows) - 1


def test_failing_reconciliation_names_both_numbers_and_files(tmp_path: Path, panelpapers_cli: CLI) -> None:
    paper_folder = copy_paper(ACTIONS_PAPER, tmp_path)
    data_yaml = paper_folder / "data.yaml"
    data_yaml.write_text(data_yaml.read_text().replace("{stated: 150}", "{stated: 151}"))
    out = tmp_path / "build"
    result = panelpapers_cli("build", paper_folder, "--out", out, cwd=tmp_path)
    assert result.returncode == 1
    line = next(line for line in result.stderr.splitlines() if "check '" in line)
    assert "data.yaml:" in line and "151" in line and "150" in line
    assert "stated in data.yaml line" in line and "actions.csv" in line
    assert not out.exists()


def write_counts(paper_folder: Path, rows: str) -> None:
    (paper_folder / "data" / "counts.csv").write_text(rows)
    data_yaml = paper_folder / "data.yaml"
    data_yaml.write_text(
        data_yaml.read_text().replace(
            "sources:\n",
            "sources:\n  counts:\n    file: data/counts.csv\n    columns:\n      code: text\n      count: integer\n",
            1,
        )
    )


@pytest.mark.parametrize(
    ("csv_edit", "counts", "expected"),
    [
        (
            ("status,closed_date", "state,closed_date"),
            None,
            r"actions.csv:1: column 'status' is declared but not in the file",
        ),
        (
            None,
            "code,count\n012345,4\n012346,twelve\n",
            "counts.csv:3: column 'count': expected a whole number, got 'twelve'",
        ),
        (("-", "-13-", 4), None, "column 'due_date': expected a date as YYYY-MM-DD, got '20"),
        ((",Open,", ",Opne,"), None, "column 'status': expected one of Open, Closed, got 'Opne'; did you mean 'Open'?"),
    ],
)
def test_bad_data_exits_1_with_file_row_column_and_leaves_build_alone(
    tmp_path: Path, panelpapers_cli: CLI, csv_edit: tuple[str, ...] | None, counts: str | None, expected: str
) -> None:
    paper_folder = copy_paper(ACTIONS_PAPER, tmp_path)
    path = paper_folder / "data" / "actions.csv"
    if csv_edit and len(csv_edit) == 3:  # (old, new, n): the n-th old in line 5, the due date column
        lines = path.read_text().splitlines(keepends=True)
        start = -1
        for _ in range(int(csv_edit[2])):
            start = lines[4].index(csv_edit[0], start + 1)
        lines[4] = lines[4][:start] + csv_edit[1] + lines[4][start + 1 :]
        path.write_text("".join(lines))
    elif csv_edit:
        text = path.read_text()
        assert csv_edit[0] in text
        path.write_text(text.replace(csv_edit[0], csv_edit[1], 1))
    if counts:
        write_counts(paper_folder, counts)
    out = tmp_path / "build"
    (out / "old").mkdir(parents=True)
    (out / "old" / "keep.txt").write_text("from an earlier build")
    before = file_hashes(out)
    result = panelpapers_cli("build", paper_folder, "--out", out, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert any(expected in line for line in result.stderr.splitlines()), result.stderr
    if csv_edit and csv_edit[0] != "status,closed_date":
        line_number = next(i for i, line in enumerate(path.read_text().splitlines(), start=1) if csv_edit[1] in line)
        assert f"actions.csv:{line_number}: " in result.stderr
    assert file_hashes(out) == before


@pytest.mark.quick
def test_codes_stay_text_and_na_is_not_missing_unless_declared() -> None:
    assert convert("012345", ColumnSpec(type="text")) == ("012345", None)
    assert convert("NA", ColumnSpec(type="text")) == ("NA", None)
    assert convert("NA", ColumnSpec(type="integer"))[1] == "expected a whole number, got 'NA'"
    assert convert("NA", ColumnSpec(type="integer", missing=["NA"])) == (None, None)
    assert convert("2021-10-01", ColumnSpec(type="text")) == ("2021-10-01", None)  # dates only where declared
    assert convert("2021-10-01", ColumnSpec(type="date")) == (dt.date(2021, 10, 1), None)
    assert convert("1,234", ColumnSpec(type="integer")) == (1234, None)


@pytest.mark.quick
def test_number_formats() -> None:
    assert format_value(1234567, "integer") == "1,234,567"
    assert format_value(66.6667, "percent") == "67%"
    assert format_value(66.6667, "percent", 1) == "66.7%"
    assert format_value(-2500.5, "money", 2) == "-£2,500.50"
    assert format_value(1234.5, "number") == "1,234.5"
    assert format_value(None, "integer") == "–"
    assert format_value(dt.date(2022, 1, 17), "date") == "17 January 2022"


@pytest.mark.quick
def test_xlsx_source_reads_like_csv(tmp_path: Path) -> None:
    from openpyxl import Workbook

    from panelpapers.data.sources import read_xlsx_rows, typed_frame
    from panelpapers.errors import Location

    book = Workbook()
    sheet = book.active
    sheet.append(["code", "count", "when"])
    sheet.append(["012345", 3, dt.datetime(2021, 10, 1)])
    sheet.append(["NA", "x", dt.datetime(2021, 11, 1)])
    path = tmp_path / "data.xlsx"
    book.save(path)
    header, rows, problems = read_xlsx_rows(path, None)
    assert problems == [] and header == ["code", "count", "when"]
    columns = {"code": ColumnSpec(type="text"), "count": ColumnSpec(type="integer"), "when": ColumnSpec(type="date")}
    frame, problems = typed_frame(header, rows, columns, Location(path, 1))
    assert frame is None
    assert [str(p) for p in problems] == [f"{path}:3: column 'count': expected a whole number, got 'x'"]
    frame, problems = typed_frame(header, rows[:1], columns, Location(path, 1))
    assert frame is not None and frame["code"][0] == "012345" and frame["when"][0] == dt.date(2021, 10, 1)


def test_paper_without_data_does_not_import_pandas_or_matplotlib(tmp_path: Path) -> None:
    import sys

    code = (
        "import sys; from pathlib import Path; import panelpapers.build, panelpapers.resolve.paper; "
        "from panelpapers.data.paper_data import load_paper_data; "
        f"assert load_paper_data(Path({str(tmp_path)!r})) == (None, []); "
        "print('pandas' in sys.modules, 'matplotlib' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_docx_tables_repeat_header_and_rows_never_split(tmp_path: Path, example_meeting: Path) -> None:
    _, _, docx_path = built_outputs(example_meeting / ACTIONS_PAPER, tmp_path)
    import zipfile

    xml = zipfile.ZipFile(io.BytesIO(docx_path.read_bytes())).read("word/document.xml").decode()
    # One header row per data table, two for the table with a spanning header row above its headers.
    assert xml.count("<w:tblHeader") == 7 + 1
    assert xml.count("<w:cantSplit") == sum(
        1 + bool(t.header_groups) + len(t.rows)
        for t in tables_of(gather([example_meeting / ACTIONS_PAPER])[0].paper or _never())
    )


def _never() -> Paper:
    raise AssertionError("the example paper did not resolve")


FUNCTIONS = """
def open_by_rating(sources):
    frame = sources["actions"]
    frame = frame[frame["status"] == "Open"]
    return frame.groupby("risk_rating").size().reset_index(name="open").sort_values("risk_rating")
"""


def test_table_from_the_papers_own_function(tmp_path: Path, example_meeting: Path) -> None:
    paper_folder = copy_paper(ACTIONS_PAPER, tmp_path)
    (tmp_path / "panelpapers.yaml").write_text("paper_python: allowed\n")  # the house trusts its authors
    (paper_folder / "data" / "tables.py").write_text(FUNCTIONS)
    data_yaml = paper_folder / "data.yaml"
    data_yaml.write_text(
        data_yaml.read_text().replace(
            "tables:\n",
            "tables:\n  by_rating:\n    caption: Open actions by risk rating\n    function: open_by_rating\n"
            "    total_row: Grand Total\n    columns: [{name: risk_rating, header: Risk rating}, open]\n",
            1,
        )
    )
    appendices = paper_folder / "appendices.yaml"
    appendices.write_text(
        appendices.read_text().replace(
            "      - table: outstanding_by_audit\n", "      - table: outstanding_by_audit\n      - table: by_rating\n"
        )
    )
    paper = gather([paper_folder])[0].paper
    assert paper is not None
    table = next(t for t in tables_of(paper) if t.id == "by_rating")
    rows = read_actions(paper_folder)
    ratings = Counter(r["risk_rating"] for r in rows if r["status"] == "Open")
    assert [[plain_text(c) for c in r.cells] for r in table.rows] == [
        *([rating, str(ratings[rating])] for rating in sorted(ratings)),
        ["Grand Total", str(sum(ratings.values()))],
    ]
    assert table.headers == ("Risk rating", "Open") and table.number == 8  # after the seven already placed
    assert not list(paper_folder.rglob("__pycache__")), "running the author's code must not write into content/"


def test_a_failing_function_is_a_content_error(tmp_path: Path, panelpapers_cli: CLI) -> None:
    paper_folder = copy_paper(ACTIONS_PAPER, tmp_path)
    (tmp_path / "panelpapers.yaml").write_text("paper_python: allowed\n")
    (paper_folder / "data" / "tables.py").write_text(FUNCTIONS.replace('sources["actions"]', 'sources["action"]'))
    data_yaml = paper_folder / "data.yaml"
    data_yaml.write_text(
        data_yaml.read_text().replace(
            "tables:\n",
            "tables:\n  by_rating:\n    caption: Open actions by risk rating\n    function: open_by_rating\n",
            1,
        )
    )
    result = panelpapers_cli("check", paper_folder, cwd=tmp_path)
    assert result.returncode == 1
    assert "data/tables.py:3: function 'open_by_rating' raised KeyError: 'action'" in result.stderr, result.stderr
