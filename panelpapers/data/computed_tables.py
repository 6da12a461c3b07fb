"""Declarative tables computed with pandas, then formatted into the model's Table: every number is
turned into text here (thousands separators, %, £, decimals), so both writers show the same cells."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panelpapers.data.declarations import Condition, DisplayColumn, TableSpec
from panelpapers.data.sources import LINE, Source
from panelpapers.model import Align, HeaderGroup, Table, TableRow, Text, format_date

if TYPE_CHECKING:
    import pandas as pd

Path_ = tuple[str | int, ...]


MAX_PIVOT_COLUMNS = 100


class TableError(Exception):
    """A problem in one table's declaration; `path` points into data.yaml."""

    def __init__(self, path: Path_, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


@dataclass
class ComputedTable:
    name: str
    spec: TableSpec
    frame: pd.DataFrame  # body rows, then the total row if any
    has_total: bool
    files: tuple[Path, ...]  # the data files the numbers came from
    sources: frozenset[str]  # the names of the sources they came from
    table: Table = field(init=False)

    @property
    def body(self) -> pd.DataFrame:
        return self.frame.iloc[:-1] if self.has_total else self.frame

    def display_columns(self) -> list[DisplayColumn]:
        if self.spec.columns:
            return self.spec.columns
        return [DisplayColumn(name=str(c)) for c in self.frame.columns]

    def column_format(self, name: str) -> DisplayColumn:
        for column in self.display_columns():
            if column.name == name:
                return column
        return DisplayColumn(name=name)

    def describe(self) -> str:
        return f"table '{self.name}' from {', '.join(p.name for p in self.files)}"


# Formatting -------------------------------------------------------------------------------------


def is_missing(value: Any) -> bool:
    import pandas as pd

    return value is None or (not isinstance(value, str | dt.date) and bool(pd.isna(value)))


def is_blank(value: Any) -> bool:
    """No value, or text with nothing in it: what `where: {missing: "yes"}` finds."""
    return is_missing(value) or (isinstance(value, str) and not value.strip())


def default_format(values: pd.Series) -> str:
    import pandas as pd

    if pd.api.types.is_integer_dtype(values):
        return "integer"
    if pd.api.types.is_float_dtype(values):
        return "number"
    if any(isinstance(v, dt.date) for v in values):
        return "date"
    return "text"


def rounded(value: Any, decimals: int) -> Decimal:
    """Rounded half away from zero, as Excel's ROUND and a reader expect (1/8 is 13%, 2.675 is 2.68),
    from the number's 15 significant digits, as Excel keeps them, so binary noise (2.67499…) does not
    decide the digit."""
    exact = Decimal(f"{float(value):.15g}")
    result = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return abs(result) if result.is_zero() else result  # never "-0"


def format_value(value: Any, kind: str, decimals: int | None = None) -> str:
    """One value as a reader sees it; the single place numbers become text."""
    if is_missing(value):
        return "" if kind == "text" else "–"
    if kind == "integer":
        return f"{rounded(value, 0):,f}"
    if kind == "number":
        places = 1 if decimals is None else decimals
        return f"{rounded(value, places):,.{places}f}"
    if kind == "percent":
        places = 0 if decimals is None else decimals
        return f"{rounded(value, places):.{places}f}%"
    if kind == "money":
        places = 0 if decimals is None else decimals
        amount = rounded(value, places)
        text = f"£{abs(amount):,.{places}f}"
        return f"-{text}" if amount < 0 else text
    if kind == "date" and isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def header_text(name: str) -> str:
    return name.replace("_", " ").capitalize() if name.islower() or "_" in name else name


# The pipeline -----------------------------------------------------------------------------------


def _require(frame: pd.DataFrame, column: str, path: Path_) -> None:
    if column not in frame.columns:
        known = ", ".join(str(c) for c in frame.columns if c != LINE)
        raise TableError(path, f"no column '{column}' at this step (columns: {known})")


def condition_mask(frame: pd.DataFrame, condition: Condition, path: Path_) -> pd.Series:
    _require(frame, condition.column, path)
    column = frame[condition.column]
    operator = condition.operator
    raw = getattr(condition, operator)
    values = raw if isinstance(raw, list) else [raw]
    if operator in ("missing", "present"):
        blank = column.map(is_blank).astype(bool)
        return blank if operator == "missing" else ~blank
    typed = [_typed_like(column, v, path) for v in values]
    if operator in ("in_", "not_in", "equals", "not_equals"):
        inside = column.isin(typed)
        return inside if operator in ("in_", "equals") else ~inside
    limit = typed[0]

    def holds(value: Any) -> bool:
        if is_missing(value):
            return False
        if operator == "before":
            return bool(value < limit)
        if operator == "on_or_before":
            return bool(value <= limit)
        if operator == "after":
            return bool(value > limit)
        return bool(value >= limit)

    return column.map(holds).astype(bool)


def _typed_like(column: pd.Series, value: str, path: Path_) -> Any:
    """A condition's value read in the type of the column it is compared with."""
    import pandas as pd

    try:
        if pd.api.types.is_integer_dtype(column):
            return int(value)
        if pd.api.types.is_float_dtype(column):
            return float(value)
        if any(isinstance(v, dt.date) for v in column):
            return dt.date.fromisoformat(value)
    except ValueError:
        raise TableError(path, f"'{value}' does not fit the type of column '{column.name}'") from None
    return value


def quarter_label(value: Any) -> Any:
    if not isinstance(value, dt.date):
        return None
    return f"{value.year} Q{(value.month - 1) // 3 + 1}"


def year_label(value: Any) -> Any:
    return str(value.year) if isinstance(value, dt.date) else None


def fy_year_label(value: Any) -> Any:
    """The UK public-sector financial year, April to March: 17 January 2022 is in "2021/22"."""
    if not isinstance(value, dt.date):
        return None
    start = value.year if value.month >= 4 else value.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def fy_quarter_label(value: Any) -> Any:
    """The financial quarter, "2021/22 Q3" for October to December 2021; Q1 is April to June."""
    if not isinstance(value, dt.date):
        return None
    return f"{fy_year_label(value)} Q{(value.month - 4) % 12 // 3 + 1}"


DATE_LABELS = {
    "quarter_of": quarter_label,
    "year_of": year_label,
    "fy_quarter_of": fy_quarter_label,
    "fy_year_of": fy_year_label,
}


CONDITION_WORDS = {
    "equals": "is",
    "not_equals": "is not",
    "in_": "is one of",
    "not_in": "is none of",
    "before": "is before",
    "on_or_before": "is on or before",
    "after": "is after",
    "on_or_after": "is on or after",
    "missing": "is missing",
    "present": "is present",
}


def describe_conditions(conditions: list[Condition]) -> str:
    """A filter in words, for messages: "status is Open and due_date is before 2022-01-01"."""
    parts = []
    for condition in conditions:
        words = f"{condition.column} {CONDITION_WORDS[condition.operator]}"
        value = getattr(condition, condition.operator)
        if condition.operator in ("missing", "present"):
            parts.append(words)
        else:
            parts.append(f"{words} {', '.join(value) if isinstance(value, list) else value}")
    return " and ".join(parts)


def apply_where(frame: pd.DataFrame, conditions: list[Condition], path: Path_) -> pd.DataFrame:
    for i, condition in enumerate(conditions):
        frame = frame[condition_mask(frame, condition, (*path, i))]
    return frame


def compute_table(name: str, spec: TableSpec, sources: dict[str, Source], functions: dict[str, Any]) -> ComputedTable:
    """The table's steps in order: origin, where, derive, group or pivot, totals, compute, sort."""
    base: Path_ = ("tables", name)
    frame, origin = _origin(spec, base, sources, functions)
    frame = apply_where(frame, spec.where, (*base, "where"))
    frame = _derive(frame, spec, base)
    labels = sources[spec.source].missing_labels if spec.source is not None else {}
    ungrouped = frame
    frame, summed = _summarise(frame, spec, base, labels)
    if spec.total_column:
        frame = frame.assign(**{spec.total_column: frame[summed].sum(axis=1).astype("Int64")})
        summed.append(spec.total_column)
    frame = _compute(frame, spec, base)
    for i, sort in enumerate(reversed(spec.sort)):
        _require(frame, sort.column, (*base, "sort", len(spec.sort) - 1 - i))
        frame = frame.sort_values(sort.column, ascending=sort.descending == "no", kind="stable")
    frame = frame.reset_index(drop=True)
    if spec.total_row is not None:
        frame = _with_total_row(frame, ungrouped, spec, summed, base)
    files = tuple(sources[name].path for name in origin)
    computed = ComputedTable(name, spec, frame, spec.total_row is not None, files, frozenset(origin))
    for i, display in enumerate(computed.display_columns()):
        _require(frame, display.name, (*base, "columns", i))
    if spec.row_groups:
        _require(frame, spec.row_groups, (*base, "row_groups"))
    computed.table = to_model(computed)
    if spec.header_groups:
        header_groups = _header_groups(spec, computed.display_columns(), computed.table.headers, base)
        computed.table = replace(computed.table, header_groups=header_groups)
    return computed


def _header_groups(
    spec: TableSpec, columns: list[DisplayColumn], headers: tuple[str, ...], base: Path_
) -> tuple[HeaderGroup, ...]:
    """The spanning row: each group over its adjacent columns, an empty cell over the others."""
    position: dict[str, int] = {}
    for i, (column, header) in enumerate(zip(columns, headers, strict=True)):
        position.setdefault(column.name, i)
        position.setdefault(header, i)
    owner: dict[int, int] = {}  # column -> its group
    for g, group in enumerate(spec.header_groups):
        path = (*base, "header_groups", g, "columns")
        indexes = []
        for name in group.columns:
            if name not in position:
                raise TableError(path, f"no column '{name}' in this table (columns: {', '.join(headers)})")
            indexes.append(position[name])
        if indexes != list(range(indexes[0], indexes[0] + len(indexes))):
            raise TableError(path, f"the columns under '{group.label}' must be adjacent and in the table's order")
        for index in indexes:
            if index in owner:
                raise TableError(path, f"column '{headers[index]}' is already under another header group")
            owner[index] = g
    out: list[HeaderGroup] = []
    i = 0
    while i < len(headers):
        over = owner.get(i)
        span = 1
        while i + span < len(headers) and owner.get(i + span) == over:
            span += 1
        out.append(HeaderGroup("" if over is None else spec.header_groups[over].label, span))
        i += span
    return tuple(out)


def _origin(
    spec: TableSpec, base: Path_, sources: dict[str, Source], functions: dict[str, Any]
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The rows the table starts from, and the names of the sources they come from: a declared
    source, or the author's function over all sources."""
    import pandas as pd

    if spec.source is not None:
        if spec.source not in sources:
            raise TableError(
                (*base, "source"), f"unknown source '{spec.source}' (sources: {', '.join(sources) or 'none'})"
            )
        return sources[spec.source].frame.copy(), (spec.source,)
    assert spec.function is not None
    if spec.function not in functions:
        raise TableError((*base, "function"), f"no function '{spec.function}' in data/tables.py")
    frames = {k: s.frame.drop(columns=[LINE]) for k, s in sources.items()}
    result = functions[spec.function](frames)
    if not isinstance(result, pd.DataFrame):
        raise TableError(
            (*base, "function"),
            f"function '{spec.function}' returned {type(result).__name__}, expected a DataFrame",
        )
    return result.reset_index(drop=True), tuple(sources)


def _derive(frame: pd.DataFrame, spec: TableSpec, base: Path_) -> pd.DataFrame:
    import pandas as pd

    for new, derive in spec.derive.items():
        path = (*base, "derive", new)
        if derive.flag is not None:
            mask = pd.Series(True, index=frame.index)
            for i, condition in enumerate(derive.flag):
                mask &= condition_mask(frame, condition, (*path, "flag", i))
            frame = frame.assign(**{new: mask.astype("Int64")})
        else:
            assert derive.date_column is not None
            kind, column = derive.date_column
            _require(frame, column, path)
            _require_dates(frame, column, new, kind, spec, (*path, kind))
            frame = frame.assign(**{new: frame[column].map(DATE_LABELS[kind])})
    return frame


def _require_dates(frame: pd.DataFrame, column: str, new: str, kind: str, spec: TableSpec, path: Path_) -> None:
    """A date operation on a column holding anything but dates would blank every row; it is an error
    at the column's declaration (where the type is said), or at the operation for a column the table
    made itself."""
    others = [v for v in frame[column] if not (is_missing(v) or isinstance(v, dt.date))]
    if not others:
        return
    found = "text" if isinstance(others[0], str) else "numbers"
    declared = spec.source is not None and column not in spec.derive
    where = ("sources", spec.source, "columns", column) if declared and spec.source else path
    said = f"is declared {'text' if found == 'text' else 'a number'} here" if declared else f"holds {found}"
    raise TableError(
        where,
        f"column '{column}' {said}, but the table derives '{new}: {{{kind}: {column}}}' from it, which needs "
        f"dates: declare it '{column}: date' (YYYY-MM-DD), or derive from a date column",
    )


def _labelled_keys(frame: pd.DataFrame, keys: list[str], labels: dict[str, str], base: Path_) -> pd.DataFrame:
    """Grouping columns with their missing values named (`missing_label`); a blank that is not named
    would print as a row without a label, so it is an error."""
    for key in keys:
        if key in labels:
            frame = frame.assign(**{key: frame[key].map(lambda v, label=labels[key]: label if is_missing(v) else v)})
        blank = int(frame[key].map(is_blank).sum())
        if blank:
            rows = "row" if blank == 1 else "rows"
            raise TableError(
                base,
                f"column '{key}' is blank in {blank} {rows}, which would make a group without a label: "
                f"name them with 'missing_label: Not recorded' on the column under 'sources:' (its 'missing' "
                f"cells), or leave them out with 'where: [{{column: {key}, present: \"yes\"}}]'",
            )
    return frame


def _summarise(
    frame: pd.DataFrame, spec: TableSpec, base: Path_, labels: dict[str, str]
) -> tuple[pd.DataFrame, list[str]]:
    """Grouped, pivoted or as it is; with the columns a total adds up."""
    import pandas as pd

    summed: list[str] = []
    if spec.group_by:
        for i, key in enumerate(spec.group_by):
            _require(frame, key, (*base, "group_by", i))
        frame = _labelled_keys(frame, spec.group_by, labels, base)
        grouped = frame.groupby(spec.group_by, sort=spec.keep_order == "no", dropna=False)
        parts: dict[str, pd.Series] = {}
        for new, agg in spec.aggregate.items():
            if agg.count:
                parts[new] = grouped.size().astype("Int64")
            elif agg.count_distinct:
                _require(frame, agg.count_distinct, (*base, "aggregate", new))
                parts[new] = grouped[agg.count_distinct].nunique().astype("Int64")
                continue  # its total is counted afresh over all the rows, not summed (see _with_total_row)
            else:
                measured = agg.sum or agg.mean
                assert measured is not None
                _require(frame, measured, (*base, "aggregate", new))
                parts[new] = grouped[measured].sum() if agg.sum else grouped[measured].mean().astype("Float64")
            if not agg.mean:
                summed.append(new)
        return pd.DataFrame(parts).reset_index(), summed
    if spec.pivot is not None:
        pivot = spec.pivot
        path = (*base, "pivot")
        _require(frame, pivot.rows, path)
        _require(frame, pivot.columns, path)
        if pivot.sum:
            _require(frame, pivot.sum, path)
        frame = _labelled_keys(frame, [pivot.rows, pivot.columns], labels, base)
        # Every row of the result has a cell for every column: one pivoted on a column of many values
        # would be millions of cells that no page can show.
        if (count := frame[pivot.columns].nunique()) > MAX_PIVOT_COLUMNS:
            raise TableError(
                (*path, "columns"),
                f"pivoting on '{pivot.columns}' makes {count:,} columns, one per value; the limit is "
                f"{MAX_PIVOT_COLUMNS}: pivot on a column with fewer values, or use group_by",
            )
        table = pd.pivot_table(
            frame,
            index=pivot.rows,
            columns=pivot.columns,
            values=pivot.sum or LINE,
            aggfunc="sum" if pivot.sum else "count",
            fill_value=0,
        )
        if spec.keep_order == "yes":
            table = table.reindex(index=frame[pivot.rows].unique(), columns=frame[pivot.columns].unique(), fill_value=0)
        table.columns = [str(c) for c in table.columns]
        return table.reset_index().astype({c: "Int64" for c in table.columns}), [str(c) for c in table.columns]
    frame = frame.drop(columns=[LINE], errors="ignore").reset_index(drop=True)
    return frame, [str(c) for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]


def _with_total_row(
    frame: pd.DataFrame, rows: pd.DataFrame, spec: TableSpec, summed: list[str], base: Path_
) -> pd.DataFrame:
    """The total row: sums of the columns that add up, distinct counts counted over all the `rows`
    the groups were made from (an audit with findings in two quarters is one audit in all)."""
    import pandas as pd

    total: dict[str, Any] = {c: None for c in frame.columns}
    total[str(frame.columns[0])] = spec.total_row
    for column in summed:
        total[column] = frame[column].sum()
    for new, agg in spec.aggregate.items():
        if agg.count_distinct:
            total[new] = rows[agg.count_distinct].nunique()
    row = _compute(pd.DataFrame([total]).astype(frame.dtypes.to_dict()), spec, base)
    return pd.concat([frame, row], ignore_index=True)


def _compute(frame: pd.DataFrame, spec: TableSpec, base: Path_) -> pd.DataFrame:
    for new, compute in spec.compute.items():
        operands = compute.percent or compute.difference or compute.ratio
        assert operands is not None
        for column in operands:
            _require(frame, column, (*base, "compute", new))
        a = frame[operands[0]].astype("Float64")
        b = frame[operands[1]].astype("Float64")
        value = a - b if compute.difference else a / b.where(b != 0) * (100 if compute.percent else 1)
        frame = frame.assign(**{new: value})
    return frame


def to_model(computed: ComputedTable) -> Table:
    spec = computed.spec
    frame = computed.frame
    columns = computed.display_columns()
    headers: list[str] = []
    align: list[Align] = []
    kinds: list[str] = []
    for column in columns:
        kind = column.format or default_format(frame[column.name])
        kinds.append(kind)
        headers.append(column.header or header_text(column.name))
        align.append(column.align or ("left" if kind == "text" else "right"))
    rows: list[TableRow] = []
    for index in range(len(frame)):
        is_total = computed.has_total and index == len(frame) - 1
        cells = []
        for column, kind in zip(columns, kinds, strict=True):
            value = frame.iloc[index][column.name]
            text = str(value) if is_total and column is columns[0] else format_value(value, kind, column.decimals)
            cells.append((Text(text),) if text else ())
        rows.append(TableRow(tuple(cells), total=is_total))
    group_column = next((i for i, column in enumerate(columns) if column.name == spec.row_groups), None)
    if group_column is not None:
        rows = _spanned_groups(rows, group_column)
    return Table(
        number=0,
        caption=spec.caption,
        headers=tuple(headers),
        align=tuple(align),
        rows=tuple(rows),
        notes=spec.notes,
        landscape=spec.landscape == "yes",
        id=computed.name,
        group_column=group_column,
        row_headers=spec.row_headers == "yes",
        markup_columns=tuple(i for i, column in enumerate(columns) if column.markup == "yes"),
    )


def _spanned_groups(rows: list[TableRow], column: int) -> list[TableRow]:
    """A run of rows with the same label in `column` becomes one group: its first row's label cell
    spans the run (a row header that reads for every row of it), the others have none of their own."""
    out = list(rows)
    start = 0
    while start < len(rows):
        if rows[start].total:
            start += 1
            continue
        end = start + 1
        while end < len(rows) and not rows[end].total and rows[end].cells[column] == rows[start].cells[column]:
            end += 1
        out[start] = replace(rows[start], group_rows=end - start)
        for i in range(start + 1, end):
            out[i] = replace(rows[i], group_rows=0)
        start = end
    return out


def number(value: Any) -> float | None:
    return None if is_missing(value) else float(value)


def is_close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
