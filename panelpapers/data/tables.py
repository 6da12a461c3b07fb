"""Declarative tables computed with pandas, then formatted into the model's Table: every number is
turned into text here (thousands separators, %, £, decimals), so both writers show the same cells."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panelpapers.data.sources import LINE, Source
from panelpapers.data.spec import Condition, DisplayColumn, TableSpec
from panelpapers.model import Align, Table, TableRow, Text, format_date

if TYPE_CHECKING:
    import pandas as pd

Path_ = tuple[str | int, ...]


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


def default_format(values: pd.Series) -> str:
    import pandas as pd

    if pd.api.types.is_integer_dtype(values):
        return "integer"
    if pd.api.types.is_float_dtype(values):
        return "number"
    if any(isinstance(v, dt.date) for v in values):
        return "date"
    return "text"


def format_value(value: Any, kind: str, decimals: int | None = None) -> str:
    """One value as a reader sees it; the single place numbers become text."""
    if is_missing(value):
        return "" if kind == "text" else "–"
    if kind == "integer":
        return f"{round(float(value)):,}"
    if kind == "number":
        return f"{float(value):,.{1 if decimals is None else decimals}f}"
    if kind == "percent":
        return f"{float(value):.{0 if decimals is None else decimals}f}%"
    if kind == "money":
        amount = float(value)
        text = f"£{abs(amount):,.{0 if decimals is None else decimals}f}"
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
    frame, summed = _summarise(frame, spec, base)
    if spec.total_column:
        frame = frame.assign(**{spec.total_column: frame[summed].sum(axis=1).astype("Int64")})
        summed.append(spec.total_column)
    frame = _compute(frame, spec, base)
    for i, sort in enumerate(reversed(spec.sort)):
        _require(frame, sort.column, (*base, "sort", len(spec.sort) - 1 - i))
        frame = frame.sort_values(sort.column, ascending=sort.descending == "no", kind="stable")
    frame = frame.reset_index(drop=True)
    if spec.total_row is not None:
        frame = _with_total_row(frame, spec, summed, base)
    files = tuple(sources[name].path for name in origin)
    computed = ComputedTable(name, spec, frame, spec.total_row is not None, files, frozenset(origin))
    for i, display in enumerate(computed.display_columns()):
        _require(frame, display.name, (*base, "columns", i))
    if spec.row_groups:
        _require(frame, spec.row_groups, (*base, "row_groups"))
    computed.table = to_model(computed)
    return computed


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
            column = derive.quarter_of or derive.year_of
            assert column is not None
            _require(frame, column, path)
            pick = quarter_label if derive.quarter_of else (lambda v: str(v.year) if isinstance(v, dt.date) else None)
            frame = frame.assign(**{new: frame[column].map(pick)})
    return frame


def _summarise(frame: pd.DataFrame, spec: TableSpec, base: Path_) -> tuple[pd.DataFrame, list[str]]:
    """Grouped, pivoted or as it is; with the columns a total adds up."""
    import pandas as pd

    summed: list[str] = []
    if spec.group_by:
        for i, key in enumerate(spec.group_by):
            _require(frame, key, (*base, "group_by", i))
        grouped = frame.groupby(spec.group_by, sort=True, dropna=False)
        parts: dict[str, pd.Series] = {}
        for new, agg in spec.aggregate.items():
            if agg.count:
                parts[new] = grouped.size().astype("Int64")
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
        table = pd.pivot_table(
            frame,
            index=pivot.rows,
            columns=pivot.columns,
            values=pivot.sum or LINE,
            aggfunc="sum" if pivot.sum else "count",
            fill_value=0,
        )
        table.columns = [str(c) for c in table.columns]
        return table.reset_index().astype({c: "Int64" for c in table.columns}), [str(c) for c in table.columns]
    frame = frame.drop(columns=[LINE], errors="ignore").reset_index(drop=True)
    return frame, [str(c) for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]


def _with_total_row(frame: pd.DataFrame, spec: TableSpec, summed: list[str], base: Path_) -> pd.DataFrame:
    import pandas as pd

    total: dict[str, Any] = {c: None for c in frame.columns}
    total[str(frame.columns[0])] = spec.total_row
    for column in summed:
        total[column] = frame[column].sum()
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
    previous_group: Any = object()
    for index in range(len(frame)):
        is_total = computed.has_total and index == len(frame) - 1
        cells = []
        for column, kind in zip(columns, kinds, strict=True):
            value = frame.iloc[index][column.name]
            text = str(value) if is_total and column is columns[0] else format_value(value, kind, column.decimals)
            if column.name == spec.row_groups and not is_total:
                text = "" if value == previous_group else text
            cells.append((Text(text),) if text else ())
        if spec.row_groups and not is_total:
            previous_group = frame.iloc[index][spec.row_groups]
        rows.append(TableRow(tuple(cells), total=is_total))
    return Table(
        number=0,
        caption=spec.caption,
        headers=tuple(headers),
        align=tuple(align),
        rows=tuple(rows),
        notes=spec.notes,
        landscape=spec.landscape == "yes",
        id=computed.name,
    )


def number(value: Any) -> float | None:
    return None if is_missing(value) else float(value)


def is_close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
