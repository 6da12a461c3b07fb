"""The author's data declarations (a paper's optional data.yaml) as pydantic models: sources with
typed columns, declarative tables, charts, figures for text, reconciliation checks and risk
registers. See docs/data.md."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, ValidationInfo, model_validator

from panelpapers.house import DEFAULT_HOUSE
from panelpapers.load.content_format import Marking, Spec, Text, require_one
from panelpapers.load.house_style import readable_on_white

Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
ColumnType = Literal["text", "integer", "number", "date"]
Format = Literal["text", "integer", "number", "percent", "money", "date"]
Align = Literal["left", "right", "center"]


def _column_shorthand(value: Any) -> Any:
    """`ref: text` is short for `ref: {type: text}`."""
    return {"type": value} if isinstance(value, str) else value


# Numbers as people write them, in ASCII digits: "²" and "١٢" pass str.isdigit() and float(), and
# "1_000", "nan" and "inf" pass float(); none of them is a number in a paper. A whole number has at
# most 18 digits, so that it fits the 64-bit integers the tables are computed in.
_INTEGER = re.compile(r"[-+]?[0-9]{1,18}")
_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]{1,3})?")
MAX_DECIMALS = 10


def parse_integer(text: str) -> int | None:
    """A whole number written in ASCII digits (at most 18), or None."""
    text = text.strip()
    return int(text) if _INTEGER.fullmatch(text) else None


def parse_number(text: str) -> float | None:
    """A finite number written in ASCII digits (a decimal point and an exponent allowed), or None."""
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def integer_problem(text: str) -> str:
    """Why `text` is not a whole number the tables can hold."""
    digits = text.strip().lstrip("-+")
    if digits.isascii() and digits.isdigit():
        return f"expected a whole number of at most 18 digits, got '{text}'"
    return f"expected a whole number, got '{text}'"


def _int_text(value: Any) -> Any:
    """Every YAML scalar arrives as text; numbers are read where the format asks for one."""
    if isinstance(value, str):
        number = parse_integer(value)
        if number is None:
            raise ValueError(integer_problem(value))
        return number
    return value


def _number_text(value: Any) -> Any:
    if isinstance(value, str):
        number = parse_number(value.replace(",", ""))
        if number is None:
            raise ValueError(f"expected a number, got '{value}'")
        return number
    return value


def _decimals_text(value: Any) -> Any:
    """Decimal places: 0 to MAX_DECIMALS (a format string cannot take fewer, and no figure needs more)."""
    number = parse_integer(value) if isinstance(value, str) else None
    if number is None or not 0 <= number <= MAX_DECIMALS:
        shown = f"'{value}'" if isinstance(value, str) else type(value).__name__
        raise ValueError(f"expected a number of decimal places from 0 to {MAX_DECIMALS}, got {shown}")
    return number


Integer = Annotated[int, BeforeValidator(_int_text)]
Number = Annotated[float, BeforeValidator(_number_text)]
Decimals = Annotated[int, BeforeValidator(_decimals_text)]


class ColumnSpec(Spec):
    type: ColumnType = "text"
    missing: list[str] = []  # cell texts that mean "no value"; none unless declared
    missing_label: Text | None = None  # what a table grouping by the column calls its missing values
    allowed: list[Text] | None = None  # for text columns: the only values accepted
    source_name: Text | None = Field(default=None, alias="from")  # the header in the file, if different

    @model_validator(mode="after")
    def _label_needs_missing(self) -> ColumnSpec:
        if self.missing_label is not None and not self.missing:
            raise ValueError("'missing_label' names the cells listed in 'missing'; expected 'missing: [\"\"]' too")
        return self


class SourceSpec(Spec):
    file: Text | None = None  # data/… .csv or .xlsx
    sheet: Text | None = None  # for .xlsx; default: the first sheet
    rows: list[dict[str, Any]] | None = None  # a small inline table
    columns: dict[Name, Annotated[ColumnSpec, BeforeValidator(_column_shorthand)]] = Field(min_length=1)
    marking: Marking | None = None  # default: the highest marking of the content that uses it

    @model_validator(mode="after")
    def _one_kind(self) -> SourceSpec:
        require_one(self.file, self.rows, expected="expected 'file: data/…' or inline 'rows:' (one of them)")
        return self


class Condition(Spec):
    """One row filter: `column` compared with a value given in the column's own type."""

    column: Name
    equals: Text | None = None
    not_equals: Text | None = None
    in_: list[Text] | None = Field(default=None, alias="in")
    not_in: list[Text] | None = None
    before: Text | None = None  # <
    on_or_before: Text | None = None  # <=
    after: Text | None = None  # >
    on_or_after: Text | None = None  # >=
    missing: Literal["yes"] | None = None  # no value (a cell listed in the column's `missing`) or blank text
    present: Literal["yes"] | None = None  # the opposite

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        tests = [k for k in OPERATORS if getattr(self, k) is not None]
        if len(tests) != 1:
            raise ValueError(f"expected one test of: {', '.join(OPERATORS).replace('in_', 'in')}")
        return self

    @property
    def operator(self) -> str:
        return next(k for k in OPERATORS if getattr(self, k) is not None)


OPERATORS = (
    "equals",
    "not_equals",
    "in_",
    "not_in",
    "before",
    "on_or_before",
    "after",
    "on_or_after",
    "missing",
    "present",
)


class DeriveSpec(Spec):
    """A new column: 1/0 where conditions hold (`flag`), or the quarter/year of a date, calendar or
    financial (April to March)."""

    flag: list[Condition] | None = None
    quarter_of: Name | None = None  # "2021 Q4"
    year_of: Name | None = None  # "2021"
    fy_quarter_of: Name | None = None  # "2021/22 Q3" (Q1 is April to June)
    fy_year_of: Name | None = None  # "2021/22"

    @model_validator(mode="after")
    def _one_kind(self) -> DeriveSpec:
        expected = "expected one of 'flag', 'quarter_of', 'year_of', 'fy_quarter_of', 'fy_year_of'"
        require_one(self.flag, self.quarter_of, self.year_of, self.fy_quarter_of, self.fy_year_of, expected=expected)
        return self

    @property
    def date_column(self) -> tuple[str, str] | None:
        """(kind, column) of a date-derived column: ("fy_quarter_of", "due_date")."""
        for kind in ("quarter_of", "year_of", "fy_quarter_of", "fy_year_of"):
            column = getattr(self, kind)
            if column is not None:
                return kind, column
        return None


class AggregateSpec(Spec):
    count: Literal["rows"] | None = None
    count_distinct: Name | None = None  # how many different values a column has (missing ones not counted)
    sum: Name | None = None
    mean: Name | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> AggregateSpec:
        require_one(
            self.count,
            self.count_distinct,
            self.sum,
            self.mean,
            expected="expected one of 'count: rows', 'count_distinct: <column>', 'sum: <column>', 'mean: <column>'",
        )
        return self


class PivotSpec(Spec):
    rows: Name
    columns: Name
    count: Literal["rows"] | None = None
    sum: Name | None = None


class ComputeSpec(Spec):
    percent: Annotated[list[Name], Field(min_length=2, max_length=2)] | None = None  # 100 × a / b
    difference: Annotated[list[Name], Field(min_length=2, max_length=2)] | None = None  # a − b
    ratio: Annotated[list[Name], Field(min_length=2, max_length=2)] | None = None  # a / b

    @model_validator(mode="after")
    def _one_kind(self) -> ComputeSpec:
        require_one(
            self.percent,
            self.difference,
            self.ratio,
            expected="expected one of 'percent: [a, b]', 'difference: [a, b]', 'ratio: [a, b]'",
        )
        return self


class SortSpec(Spec):
    column: Name
    descending: Literal["yes", "no"] = "no"


class DisplayColumn(Spec):
    name: Text
    header: Text | None = None
    format: Format | None = None
    decimals: Decimals | None = None
    align: Align | None = None
    markup: Literal["yes", "no"] = "no"  # cells read as inline markup (**bold** lead-ins, *italic*, links)


class HeaderGroupSpec(Spec):
    """A heading over adjacent columns, named as `columns:` names them (or by their header)."""

    label: Text
    columns: list[Text] = Field(min_length=1)


def _display_shorthand(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


class TableSpec(Spec):
    caption: Text
    source: Name | None = None  # a source declared under `sources:`
    function: Name | None = None  # a function in the paper's data/tables.py
    where: list[Condition] = []
    derive: dict[Name, DeriveSpec] = {}
    group_by: list[Name] = []
    aggregate: dict[Name, AggregateSpec] = {}
    pivot: PivotSpec | None = None
    compute: dict[Name, ComputeSpec] = {}
    sort: list[SortSpec] = []
    keep_order: Literal["yes", "no"] = "no"  # groups in the order they first appear in the data, not sorted
    total_row: Text | None = None  # e.g. "Grand Total"
    total_column: Text | None = None  # e.g. "Total" (sums each row's numbers)
    row_groups: Name | None = None  # a column whose repeated values are shown once
    row_headers: Literal["yes", "no"] = "no"  # the first column's cells head their rows (TH scope=row)
    columns: list[Annotated[DisplayColumn, BeforeValidator(_display_shorthand)]] = []
    header_groups: list[HeaderGroupSpec] = []  # a spanning header row above the column headers
    notes: Text | None = None  # "Source: …" line under the table
    landscape: Literal["yes", "no"] = "no"

    @model_validator(mode="after")
    def _one_origin(self) -> TableSpec:
        if (self.source is None) == (self.function is None):
            raise ValueError("expected 'source: <name>' or 'function: <name>' (one of them)")
        if self.pivot and (self.group_by or self.aggregate):
            raise ValueError("use either 'pivot' or 'group_by' with 'aggregate', not both")
        if bool(self.group_by) != bool(self.aggregate):
            raise ValueError("'group_by' and 'aggregate' go together")
        if self.row_headers == "yes" and self.row_groups:
            raise ValueError("'row_headers' and 'row_groups' both make a column of row headers; keep one")
        if self.keep_order == "yes" and not (self.group_by or self.pivot):
            raise ValueError("'keep_order' orders the groups of 'group_by' or 'pivot'; this table has neither")
        return self


def _series_colour(value: Any, info: ValidationInfo) -> Any:
    """A position in the house palette ("1" is its first colour) or a colour of its own, #rrggbb."""
    house = info.context.get("house", DEFAULT_HOUSE) if isinstance(info.context, dict) else DEFAULT_HOUSE
    count = len(house.palette)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"#[0-9a-fA-F]{6}", text):
            return readable_on_white(text)  # as the house palette's colours must be
        position = parse_integer(text)
        if position is not None and 1 <= position <= count:
            return text
    shown = f"'{value}'" if isinstance(value, str) else type(value).__name__
    raise ValueError(f"expected a house palette position (1 to {count}) or a colour as #rrggbb, got {shown}")


SeriesColour = Annotated[str, BeforeValidator(_series_colour)]
ChartKind = Literal["bar", "horizontal_bar", "stacked_bar", "stacked_horizontal_bar", "grouped_bar", "line", "heat_map"]


class ReferenceLine(Spec):
    """A line across the chart at a value (a target, a tolerance), labelled."""

    value: Number
    label: Text


class Divider(Spec):
    """A dotted line between two categories (e.g. "now", between past and forecast quarters)."""

    after: Text  # the category it follows, as the chart's axis shows it
    label: Text


class Annotation(Spec):
    """A short note pointing at one category's bar or point."""

    category: Text
    text: Text


class CategoryColour(Spec):
    """Bars of some categories in a colour of their own (e.g. the quarters after "now"), named in the
    legend and hatched their own way, so the colour is never the only sign."""

    categories: list[Text] = []  # the categories, as the axis prints them
    from_: Text | None = Field(default=None, alias="from")  # or a run of them, first to last
    to: Text | None = None
    colour: SeriesColour
    label: Text  # what the legend calls these bars

    @model_validator(mode="after")
    def _one_way(self) -> CategoryColour:
        if bool(self.categories) == (self.from_ is not None or self.to is not None):
            raise ValueError("expected 'categories: [..]' or 'from:' with 'to:' (one of them)")
        if not self.categories and (self.from_ is None or self.to is None):
            raise ValueError("'from' and 'to' go together")
        return self


class ChartSpec(Spec):
    caption: Text
    kind: ChartKind
    table: Name | None = None  # the table whose rows are plotted (its total row is left out)
    category: Name | None = None  # the column along the axis (default: the table's first column)
    series: list[Text] = []  # the columns plotted (default: every number column)
    x_label: Text | None = None
    y_label: Text | None = None
    alt: Text | None = None  # default: written from the data
    register_name: Name | None = Field(default=None, alias="register")  # heat_map: under `risk_registers:`
    horizon: Literal["short-term", "long-term"] | None = None
    landscape: Literal["yes", "no"] = "no"
    colours: list[SeriesColour] = []  # one per series: a house palette position or #rrggbb
    category_colours: list[CategoryColour] = []  # bar charts of one series: some bars in other colours
    reference_lines: list[ReferenceLine] = []
    dividers: list[Divider] = []
    annotations: list[Annotation] = []

    @model_validator(mode="after")
    def _inputs(self) -> ChartSpec:
        if self.kind == "heat_map" and (self.reference_lines or self.dividers or self.annotations):
            raise ValueError("'reference_lines', 'dividers' and 'annotations' are for bar and line charts")
        if self.kind == "heat_map":
            if self.register_name is None:
                raise ValueError("a heat_map needs 'register: <name>'")
            if self.colours or self.category_colours:
                raise ValueError("a heat_map's colours are its register's bands; 'colours' is for bar and line charts")
        elif self.table is None:
            raise ValueError(f"a {self.kind} chart needs 'table: <name>'")
        if self.category_colours and self.kind not in ("bar", "horizontal_bar"):
            raise ValueError(f"'category_colours' is for bar and horizontal_bar charts of one series, not {self.kind}")
        return self


def _expression(value: Any) -> Any:
    """An expression is read when data.yaml is, so that a mistake in it is reported at its line."""
    from panelpapers.data.expression import parse

    if isinstance(value, str):
        parse(value)  # ExpressionError is a ValueError: "expected …, got …"
    return value


class ValueSpec(Spec):
    """One number: a table cell, an aggregate of a source's rows, or arithmetic over figures."""

    table: Name | None = None
    row: Text | None = None  # the row's first-column text, "total", or "first"/"last"
    column: Text | None = None  # as the table names it (pivoted columns are data values)
    source: Name | None = None
    where: list[Condition] = []
    count: Literal["rows"] | None = None
    sum: Name | None = None
    sum_of_rows: Text | None = None  # with `table`: the sum of a column over the body rows
    stated: Number | None = None  # a figure typed by hand, to check against the data
    figure: Text | None = None  # a figure declared under `figures:`, e.g. actions.outstanding
    expression: Annotated[Text, AfterValidator(_expression)] | None = None  # "actions.open + actions.closed"
    format: Format | None = None
    decimals: Decimals | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ValueSpec:
        kinds = [
            self.table is not None and self.sum_of_rows is None,
            self.table is not None and self.sum_of_rows is not None,
            self.source is not None,
            self.stated is not None,
            self.figure is not None,
            self.expression is not None,
        ]
        if sum(kinds) != 1:
            raise ValueError(
                "expected one of: 'table' with 'row' and 'column', 'table' with 'sum_of_rows', "
                "'source' with 'count'/'sum', 'stated: <number>', 'figure: <name>', 'expression: <figures>'"
            )
        if kinds[0] and (self.row is None or self.column is None):
            raise ValueError("a table cell needs 'row' and 'column'")
        if kinds[2] and (self.count is None) == (self.sum is None):
            raise ValueError("a source figure needs 'count: rows' or 'sum: <column>'")
        return self


class CheckSpec(Spec):
    name: Text
    equal: Annotated[list[ValueSpec], Field(min_length=2, max_length=2)]


class Band(Spec):
    name: Text
    up_to: Integer  # highest likelihood × impact score in the band
    colour: Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]


DEFAULT_BANDS = [
    Band(name="Low", up_to=4, colour="#9fd49b"),
    Band(name="Medium", up_to=9, colour="#ffe08a"),
    Band(name="High", up_to=16, colour="#f5a25d"),
    Band(name="Very high", up_to=25, colour="#e8625f"),
]


class RiskRegisterSpec(Spec):
    file: Text
    marking: Marking | None = None  # default: the highest marking of the content that uses it
    scale: Annotated[list[Text], Field(min_length=2, max_length=9)] = ["VL", "L", "M", "H", "VH"]
    bands: list[Band] = DEFAULT_BANDS
    likelihood_label: Text = "Likelihood"
    impact_label: Text = "Impact"


class RegisterTableSpec(Spec):
    caption: Text
    register_name: Name = Field(alias="register")
    horizon: Literal["short-term", "long-term"] | None = None
    landscape: Literal["yes", "no"] = "yes"


class DataFile(Spec):
    sources: dict[Name, SourceSpec] = {}
    risk_registers: dict[Name, RiskRegisterSpec] = {}
    tables: dict[Name, TableSpec] = {}
    register_tables: dict[Name, RegisterTableSpec] = {}
    charts: dict[Name, ChartSpec] = {}
    figures: dict[Name, dict[Name, ValueSpec]] = {}
    checks: list[CheckSpec] = []
