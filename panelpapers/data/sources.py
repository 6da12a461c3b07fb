"""Reads a paper's data sources (CSV, XLSX, inline YAML rows) into pandas DataFrames with the types
the author declared. Nothing is guessed: codes stay text ("012345"), "NA" stays "NA" unless declared
missing, and dates are read only in date columns. Every bad cell is a problem with file, row and
column.

Each DataFrame keeps, per row, the line it came from (`LINE`), so later errors can point there."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panelpapers.data.declarations import ColumnSpec, SourceSpec, integer_problem, parse_integer, parse_number
from panelpapers.errors import Location, Problem
from panelpapers.load.boundary import outside_project
from panelpapers.load.source import YamlFile, read_text
from panelpapers.zip_limits import WORKBOOK, zip_directory_problem

if TYPE_CHECKING:
    import pandas as pd

LINE = "_line"  # the hidden column holding each row's line (CSV) or row number (XLSX)


@dataclass(frozen=True)
class RawRow:
    location: Location
    cells: dict[str, str]


@dataclass(frozen=True)
class Source:
    name: str
    path: Path  # the file the rows came from (data.yaml for inline rows)
    frame: pd.DataFrame
    missing_labels: dict[str, str] = field(default_factory=dict)  # column -> what its missing values are called

    def describe(self) -> str:
        return self.path.name if self.path.suffix != ".yaml" else f"{self.path.name} (inline rows '{self.name}')"


def data_path(paper_folder: Path, name: str) -> Path | None:
    """A data file must lie inside the paper folder: no `..`, no absolute paths. Returned as named,
    so that a link is reported as the link by the reader that refuses it (load/boundary.py)."""
    path = paper_folder / name
    inside = os.path.normpath(path).startswith(os.path.normpath(paper_folder) + os.sep)
    return path if inside and not Path(name).is_absolute() else None


def read_csv_rows(path: Path) -> tuple[list[str], list[RawRow], list[Problem]]:
    text, problems = read_text(path)
    if text is None:
        return [], [], problems
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    rows: list[RawRow] = []
    try:
        header = [h.strip() for h in next(reader, [])]
        line = reader.line_num
        for record in reader:
            start = line + 1
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue  # a blank line
            if len(record) != len(header):
                problems.append(
                    Problem(Location(path, start), f"row has {len(record)} cells; the header has {len(header)}")
                )
                continue
            rows.append(RawRow(Location(path, start), dict(zip(header, record, strict=True))))
    except csv.Error as err:
        problems.append(Problem(Location(path, reader.line_num), f"cannot read CSV: {err}"))
    if not header:
        problems.append(Problem(Location(path, 1), "file is empty; expected a header row of column names"))
    return header, rows, problems


MAX_XLSX_BYTES = 5_000_000
MAX_XLSX_ROWS = 100_000
MAX_XLSX_COLUMNS = 1_000


def workbook_problem(path: Path) -> str | None:
    """Why the workbook at `path` is not opened, judged from its size and its zip directory alone."""
    size = path.stat().st_size
    if size > MAX_XLSX_BYTES:
        return f"file is {size:,} bytes; the limit is {MAX_XLSX_BYTES:,}"
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as err:
        return f"cannot read workbook: {err}; save it again as an Excel workbook (.xlsx)"
    return zip_directory_problem(parts, WORKBOOK)


def read_xlsx_rows(path: Path, sheet: str | None) -> tuple[list[str], list[RawRow], list[Problem]]:
    from openpyxl import load_workbook

    outside = outside_project(path)
    if outside is not None:
        return [], [], [outside]
    problem = workbook_problem(path)
    if problem is not None:
        return [], [], [Problem(Location(path), problem)]
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a damaged workbook
        return [], [], [Problem(Location(path), f"cannot read workbook: {err}")]
    try:
        if sheet is not None and sheet not in book.sheetnames:
            return [], [], [Problem(Location(path), f"no sheet '{sheet}' (sheets: {', '.join(book.sheetnames)})")]
        values, problem = _sheet_rows(book[sheet] if sheet else book.worksheets[0])
    finally:
        book.close()
    if problem is not None:
        return [], [], [Problem(Location(path, len(values) + 1), problem)]
    if not values:
        return [], [], [Problem(Location(path, 1), "sheet is empty; expected a header row of column names")]
    header = [_cell_text(v).strip() for v in values[0]]
    rows = [
        RawRow(Location(path, n), {h: _cell_text(v) for h, v in zip(header, record, strict=False)})
        for n, record in enumerate(values[1:], start=2)
        if any(v not in (None, "") for v in record)
    ]
    return header, rows, []


def _sheet_rows(worksheet: Any) -> tuple[list[tuple[Any, ...]], str | None]:
    """The sheet's rows of values, or those read before the problem that stopped the reading."""
    # The size a sheet declares for itself is not trusted: every row would be padded to it.
    worksheet.reset_dimensions()
    values: list[tuple[Any, ...]] = []
    try:
        for record in worksheet.iter_rows(values_only=True):
            if len(values) == MAX_XLSX_ROWS:
                return values, f"sheet has more than {MAX_XLSX_ROWS:,} rows; the limit is {MAX_XLSX_ROWS:,}"
            if len(record) > MAX_XLSX_COLUMNS:
                return values, f"row has {len(record):,} columns; the limit is {MAX_XLSX_COLUMNS:,}"
            values.append(tuple(record))
    except IndexError:  # a cell names a shared string by a number the workbook has no string for
        problem = "a cell in this row refers to text the workbook does not hold"
        return values, f"cannot read workbook: {problem}; the file is damaged: open it in Excel and save it again"
    except Exception as err:  # openpyxl raises many kinds for a damaged sheet
        return values, f"cannot read workbook: {type(err).__name__}: {err}"
    return values, None


def _cell_text(value: Any) -> str:
    """An Excel cell as the text a reader sees; whole numbers without '.0', dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def inline_rows(
    spec: SourceSpec, file: YamlFile, path: tuple[str | int, ...]
) -> tuple[list[str], list[RawRow], list[Problem]]:
    """Inline rows name their columns in every row, so a key that is not declared, or a declared
    column left out, is a mistake (often an unquoted comma: `{topic: Skills, training}`)."""
    assert spec.rows is not None
    declared = [column.source_name or name for name, column in spec.columns.items()]
    problems: list[Problem] = []
    rows = []
    for i, row in enumerate(spec.rows):
        location = file.location((*path, "rows", i))
        for key, value in row.items():
            if key not in declared:
                near = difflib.get_close_matches(key, declared, n=1)
                hint = f"did you mean '{near[0]}'?" if near else "quote a value that contains a comma"
                problems.append(Problem(location, f"row {i + 1}: '{key}' is not a declared column; {hint}"))
            elif not isinstance(value, str):
                got = "nothing" if value is None else "a list or mapping"
                problems.append(Problem(location, f"row {i + 1}: column '{key}': expected one value, got {got}"))
        for key in declared:
            if key not in row:
                problems.append(Problem(location, f"row {i + 1}: column '{key}' is missing; give every column a value"))
        cells = {k: v for k, v in row.items() if isinstance(v, str)}
        rows.append(RawRow(location, cells))
    return declared, rows, problems


def convert(value: str, column: ColumnSpec) -> tuple[Any, str | None]:
    """The cell as its declared type, or a message saying why it is not one."""
    if value in column.missing:
        return None, None
    text = value.strip()
    if column.type == "text":
        if column.allowed is not None and value not in column.allowed:
            near = difflib.get_close_matches(value, column.allowed, n=1)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            return None, f"expected one of {', '.join(column.allowed)}, got '{value}'{hint}"
        return value, None
    if column.type == "integer":
        whole = parse_integer(text.replace(",", ""))
        return (whole, None) if whole is not None else (None, integer_problem(value))
    if column.type == "number":
        number = parse_number(text.replace(",", ""))
        return (number, None) if number is not None else (None, f"expected a number, got '{value}'")
    try:
        return dt.date.fromisoformat(text), None
    except ValueError:
        return None, f"expected a date as YYYY-MM-DD, got '{value}'"


def typed_frame(
    header: list[str], rows: list[RawRow], columns: dict[str, ColumnSpec], where: Location
) -> tuple[pd.DataFrame | None, list[Problem]]:
    import pandas as pd

    problems: list[Problem] = []
    wanted = {name: spec.source_name or name for name, spec in columns.items()}
    for heading in wanted.values():
        if heading not in header:
            near = difflib.get_close_matches(heading, header, n=1)
            hint = f"; did you mean '{near[0]}'?" if near else f" (columns: {', '.join(header) or 'none'})"
            problems.append(Problem(where, f"column '{heading}' is declared but not in the file{hint}"))
    if problems:
        return None, problems
    records: dict[str, list[Any]] = {name: [] for name in columns}
    lines: list[int | None] = []
    for row in rows:
        for name, spec in columns.items():
            value, error = convert(row.cells.get(wanted[name], ""), spec)
            if error:
                problems.append(Problem(row.location, f"column '{wanted[name]}': {error}"))
            records[name].append(value)
        lines.append(row.location.line)
    if problems:
        return None, problems
    frame = pd.DataFrame({name: pd.Series(values, dtype=_dtype(columns[name])) for name, values in records.items()})
    frame[LINE] = lines
    return frame, []


def _dtype(column: ColumnSpec) -> str:
    return {"integer": "Int64", "number": "Float64"}.get(column.type, "object")


def read_source(name: str, spec: SourceSpec, folder: Path, data_file: YamlFile) -> tuple[Source | None, list[Problem]]:
    where = data_file.location(("sources", name))
    if spec.rows is not None:
        header, rows, problems = inline_rows(spec, data_file, ("sources", name))
        if problems:
            return None, problems
        frame, problems = typed_frame(header, rows, spec.columns, where)
        return (Source(name, data_file.path, frame, _missing_labels(spec)) if frame is not None else None), problems
    assert spec.file is not None
    path = data_path(folder, spec.file)
    if path is None:
        return None, [
            Problem(
                data_file.location(("sources", name, "file")), f"data file '{spec.file}' is outside the paper folder"
            )
        ]
    if not path.is_file():
        return None, [Problem(data_file.location(("sources", name, "file")), f"data file '{spec.file}' does not exist")]
    if path.suffix.lower() == ".csv":
        header, rows, problems = read_csv_rows(path)
    elif path.suffix.lower() == ".xlsx":
        header, rows, problems = read_xlsx_rows(path, spec.sheet)
    else:
        return None, [
            Problem(data_file.location(("sources", name, "file")), f"'{spec.file}': expected a .csv or .xlsx file")
        ]
    if problems:
        return None, problems
    frame, problems = typed_frame(header, rows, spec.columns, Location(path, 1))
    return (Source(name, path, frame, _missing_labels(spec)) if frame is not None else None), problems


def _missing_labels(spec: SourceSpec) -> dict[str, str]:
    return {name: column.missing_label for name, column in spec.columns.items() if column.missing_label}
