"""Everything a paper computes from its data, gathered before anything is written: sources, risk
registers, tables, charts, the figures text may quote, and the reconciliation checks. Reads the
paper's optional data.yaml; a paper without one never imports pandas or matplotlib."""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panelpapers.data.declarations import DataFile, ValueSpec
from panelpapers.errors import Location, Problem
from panelpapers.house import DEFAULT_HOUSE, House
from panelpapers.load.content_format import validate
from panelpapers.load.source import YamlFile, load_yaml
from panelpapers.model import Chart, Table

if TYPE_CHECKING:
    from panelpapers.data.computed_tables import ComputedTable
    from panelpapers.data.paper_python import PaperPython
    from panelpapers.data.risks import RiskRegister
    from panelpapers.data.sources import Source

DATA_FILE = "data.yaml"
FUNCTIONS_FILE = "data/tables.py"  # paper_python.py's, named here so a paper without one loads nothing


@dataclass(frozen=True)
class DataSource:
    """A source or risk register of data.yaml, as the rest of the paper sees it: where it lies and
    the marking its author declared (None: the highest marking of the content that uses it)."""

    name: str
    path: Path  # the data file, or data.yaml itself for inline rows
    declared_marking: str | None
    location: Location  # its declaration in data.yaml


@dataclass
class PaperData:
    file: YamlFile | None
    complete: bool = True  # False when data.yaml or its data have problems (already reported)
    figures_known: bool = True  # False when data.yaml could not be read: which figures exist is unknown
    tables: dict[str, Table] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)
    figures: dict[str, dict[str, str]] = field(default_factory=dict)
    sources: dict[str, DataSource] = field(default_factory=dict)  # sources and risk registers by name
    # What each table, chart and figure is computed from: "table:x", "chart:x", "figure:group.name"
    # -> names of sources and risk registers.
    origins: dict[str, frozenset[str]] = field(default_factory=dict)
    uses_functions: frozenset[str] = frozenset()  # tables computed by data/tables.py


@dataclass(frozen=True)
class Value:
    number: Any
    text: str  # formatted as in tables
    origin: str  # where it came from, for messages: "table 'x', row …, from data/actions.csv"
    data: frozenset[str] = frozenset()  # the sources and risk registers it is computed from


def load_paper_data(
    folder: Path, house: House = DEFAULT_HOUSE, draw: bool = True
) -> tuple[PaperData | None, list[Problem]]:
    """The paper's data (tables computed, charts drawn) and every problem found in it. With `draw`
    false the charts are checked but not drawn (charts.py): what `check` and a failed build need."""
    path = folder / DATA_FILE
    if not path.is_file():
        return None, []
    # So that placements, and figures quoted in text, are not reported a second time.
    failed = PaperData(None, complete=False, figures_known=False)
    loaded, problems = load_yaml(path)
    if loaded is None:
        return failed, problems
    spec, problems = validate(loaded, DataFile, house)
    if spec is None:
        return failed, problems
    # Text quoting a figure is not also reported when the data behind the figure is what failed.
    failed.figures = {group: dict.fromkeys(named, "?") for group, named in spec.figures.items()}
    failed.figures_known = True
    try:
        data, problems = _compute(folder, loaded, spec, house, draw)
    except _Stop as stop:
        return failed, stop.problems
    return data or failed, problems


class _Stop(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems


def _compute(
    folder: Path, file: YamlFile, spec: DataFile, house: House, draw: bool
) -> tuple[PaperData | None, list[Problem]]:
    sources, registers = _read_sources(folder, file, spec)
    data = PaperData(file)
    problems: list[Problem] = []
    if any(table.function for table in spec.tables.values()):
        with _paper_python(folder, file, house) as python:
            computed = _compute_tables(spec, file, sources, python.functions, data, problems)
    else:
        computed = _compute_tables(spec, file, sources, {}, data, problems)
    _register_tables(spec, file, registers, data, problems)
    _draw_charts(spec, file, computed, registers, house, data, problems, draw)
    if problems:
        raise _Stop(problems)
    values = _quote_figures(spec, file, computed, sources, data, problems)
    _run_checks(spec, file, computed, sources, values, problems)
    _record_origins(spec, file, sources, registers, computed, data)
    return (None, problems) if problems else (data, [])


def _record_origins(
    spec: DataFile,
    file: YamlFile,
    sources: dict[str, Source],
    registers: dict[str, RiskRegister],
    computed: dict[str, ComputedTable],
    data: PaperData,
) -> None:
    """Which sources each table and chart comes from, so that markings can follow the data."""
    for name, source in sources.items():
        declared = spec.sources[name].marking
        data.sources[name] = DataSource(name, source.path, declared, file.location(("sources", name)))
    for name, register in registers.items():
        declared = spec.risk_registers[name].marking
        data.sources[name] = DataSource(name, register.path, declared, file.location(("risk_registers", name)))
    for name, table in computed.items():
        data.origins[f"table:{name}"] = table.sources
    for name, register_table_spec in spec.register_tables.items():
        data.origins[f"table:{name}"] = frozenset({register_table_spec.register_name})
    for name, chart_spec in spec.charts.items():
        if chart_spec.kind == "heat_map":
            data.origins[f"chart:{name}"] = frozenset({chart_spec.register_name or ""})
        else:
            data.origins[f"chart:{name}"] = data.origins.get(f"table:{chart_spec.table}", frozenset())
    data.uses_functions = frozenset(name for name, table in spec.tables.items() if table.function)


def _read_sources(folder: Path, file: YamlFile, spec: DataFile) -> tuple[dict[str, Source], dict[str, RiskRegister]]:
    """Every declared source and risk register, typed; stops if any is broken, since tables over
    broken data would only repeat the same problems."""
    from panelpapers.data.risks import read_register
    from panelpapers.data.sources import read_source

    problems: list[Problem] = []
    sources: dict[str, Source] = {}
    for name, source_spec in spec.sources.items():
        source, found = read_source(name, source_spec, folder, file)
        problems.extend(found)
        if source is not None:
            sources[name] = source
    registers: dict[str, RiskRegister] = {}
    for name, register_spec in spec.risk_registers.items():
        register, found = read_register(name, register_spec, folder, file)
        problems.extend(found)
        if register is not None:
            registers[name] = register
    if problems:
        raise _Stop(problems)
    return sources, registers


def _compute_tables(
    spec: DataFile,
    file: YamlFile,
    sources: dict[str, Source],
    functions: dict[str, Callable[..., Any]],
    data: PaperData,
    problems: list[Problem],
) -> dict[str, ComputedTable]:
    from panelpapers.data.computed_tables import TableError, compute_table
    from panelpapers.data.paper_python import PaperPythonFailed

    computed: dict[str, ComputedTable] = {}
    for name, table_spec in spec.tables.items():
        try:
            computed[name] = compute_table(name, table_spec, sources, functions)
            data.tables[name] = computed[name].table
        except TableError as err:
            problems.append(Problem(file.location(err.path), f"table '{name}': {err.message}"))
        except _Stop:
            raise
        except PaperPythonFailed as err:  # reported at data/tables.py, the line it failed at
            raise _Stop([err.problem]) from None
        except Exception as err:  # the author's function or a pandas operation on their data failed
            problems.append(
                Problem(
                    file.location(("tables", name)),
                    f"table '{name}' could not be computed: {type(err).__name__}: {err}",
                )
            )
    return computed


def _register_tables(
    spec: DataFile, file: YamlFile, registers: dict[str, RiskRegister], data: PaperData, problems: list[Problem]
) -> None:
    from panelpapers.data.risks import register_table

    for name, table_spec in spec.register_tables.items():
        if name in data.tables:
            problems.append(
                Problem(file.location(("register_tables", name)), f"name '{name}' is already used by a table")
            )
        elif table_spec.register_name not in registers:
            where = ("register_tables", name, "register")
            problems.append(_unknown(file, where, "risk register", table_spec.register_name, registers))
        else:
            data.tables[name] = register_table(name, table_spec, registers[table_spec.register_name])


def _draw_charts(
    spec: DataFile,
    file: YamlFile,
    computed: dict[str, ComputedTable],
    registers: dict[str, RiskRegister],
    house: House,
    data: PaperData,
    problems: list[Problem],
    draw: bool,
) -> None:
    """Every chart, in the house's palette and font; with `draw` false, every chart checked only."""
    from contextlib import nullcontext

    from panelpapers.data.charts import house_font

    if not spec.charts:
        return
    # Only a drawing sets type: a check leaves matplotlib not even set up.
    with house_font(house.fonts) if draw else nullcontext():
        _draw_each_chart(spec, file, computed, registers, house.palette, data, problems, draw)


def _draw_each_chart(
    spec: DataFile,
    file: YamlFile,
    computed: dict[str, ComputedTable],
    registers: dict[str, RiskRegister],
    palette: tuple[str, ...],
    data: PaperData,
    problems: list[Problem],
    draw: bool,
) -> None:
    from panelpapers.data.charts import ChartError, bar_or_line_chart, heat_map

    for name, chart_spec in spec.charts.items():
        where = ("charts", name)
        try:
            if chart_spec.kind == "heat_map":
                assert chart_spec.register_name is not None
                if chart_spec.register_name not in registers:
                    problems.append(
                        _unknown(file, (*where, "register"), "risk register", chart_spec.register_name, registers)
                    )
                    continue
                data.charts[name] = heat_map(name, chart_spec, registers[chart_spec.register_name], draw)
            else:
                assert chart_spec.table is not None
                if chart_spec.table not in computed:
                    if chart_spec.table in spec.tables:
                        continue  # the table's own problem is reported already
                    problems.append(_unknown(file, (*where, "table"), "table", chart_spec.table, computed))
                    continue
                data.charts[name] = bar_or_line_chart(name, computed[chart_spec.table], chart_spec, palette, draw)
        except ChartError as err:
            problems.append(Problem(file.location((*where, *err.path)), f"chart '{name}': {err}"))


def _quote_figures(
    spec: DataFile,
    file: YamlFile,
    computed: dict[str, ComputedTable],
    sources: dict[str, Source],
    data: PaperData,
    problems: list[Problem],
) -> dict[str, Value]:
    """The figures text may quote, by "group.name"; later figures may name earlier ones."""
    values: dict[str, Value] = {}
    for group, named in spec.figures.items():
        data.figures[group] = {}
        for name, value_spec in named.items():
            value = _value(value_spec, ("figures", group, name), file, computed, sources, values, problems)
            if value is not None:
                values[f"{group}.{name}"] = value
                data.figures[group][name] = value.text
                data.origins[f"figure:{group}.{name}"] = value.data
    return values


def _run_checks(
    spec: DataFile,
    file: YamlFile,
    computed: dict[str, ComputedTable],
    sources: dict[str, Source],
    values: dict[str, Value],
    problems: list[Problem],
) -> None:
    for i, check in enumerate(spec.checks):
        check_path: tuple[str | int, ...] = ("checks", i)
        left, right = (
            _value(v, (*check_path, "equal", j), file, computed, sources, values, problems)
            for j, v in enumerate(check.equal)
        )
        if left is None or right is None:
            continue
        if not _equal(left.number, right.number):
            problems.append(
                Problem(
                    file.location(check_path),
                    f"check '{check.name}' failed: {left.text} ({left.origin}) "
                    f"does not equal {right.text} ({right.origin})",
                )
            )


def _equal(a: Any, b: Any) -> bool:
    from panelpapers.data.computed_tables import is_close, number

    x, y = number(a), number(b)
    return x is not None and y is not None and is_close(x, y)


def _unknown(file: YamlFile, path: tuple[str | int, ...], kind: str, name: str, known: dict[str, Any]) -> Problem:
    return Problem(file.location(path), f"unknown {kind} '{name}' (declared: {', '.join(known) or 'none'})")


def _value(
    spec: ValueSpec,
    path: tuple[str | int, ...],
    file: YamlFile,
    computed: dict[str, ComputedTable],
    sources: dict[str, Source],
    values: dict[str, Value],
    problems: list[Problem],
) -> Value | None:
    """One number from the data, formatted as its table column is (or as declared)."""
    from panelpapers.data.computed_tables import format_value

    def fail(message: str, where: tuple[str | int, ...] = path) -> None:
        problems.append(Problem(file.location(where), message))

    if spec.stated is not None:
        line = file.location((*path, "stated")).line
        kind = "number" if not float(spec.stated).is_integer() else "integer"
        text = format_value(spec.stated, spec.format or kind, spec.decimals)
        return Value(spec.stated, text, f"stated in {file.path.name} line {line}")
    if spec.expression is not None:
        return _expression_value(spec, path, values, fail)
    if spec.figure is not None:
        if spec.figure not in values:
            fail(f"unknown figure '{spec.figure}' (declared so far: {', '.join(values) or 'none'})", (*path, "figure"))
            return None
        return values[spec.figure]
    if spec.table is not None:
        if spec.table not in computed:
            fail(f"unknown table '{spec.table}' (tables: {', '.join(computed) or 'none'})", (*path, "table"))
            return None
        return _table_value(spec, path, computed[spec.table], fail)
    assert spec.source is not None
    if spec.source not in sources:
        fail(f"unknown source '{spec.source}' (sources: {', '.join(sources) or 'none'})", (*path, "source"))
        return None
    return _source_value(spec, path, sources[spec.source], fail)


def _expression_value(
    spec: ValueSpec, path: tuple[str | int, ...], values: dict[str, Value], fail: Callable[..., None]
) -> Value | None:
    """Arithmetic over figures declared before it: `actions.open + actions.closed`."""
    from panelpapers.data.computed_tables import format_value, number
    from panelpapers.data.expression import evaluate, names, parse

    assert spec.expression is not None
    tree = parse(spec.expression)
    used = list(dict.fromkeys(names(tree)))
    for name in used:
        if name not in values:
            near = difflib.get_close_matches(name, list(values), n=1)
            hint = f"; did you mean '{near[0]}'?" if near else f" (declared so far: {', '.join(values) or 'none'})"
            fail(f"unknown figure '{name}' in expression '{spec.expression}'{hint}", (*path, "expression"))
            return None
        if number(values[name].number) is None:
            fail(f"figure '{name}' in expression '{spec.expression}' has no value", (*path, "expression"))
            return None
    try:
        result = evaluate(tree, lambda name: number(values[name].number) or 0.0)
    except ZeroDivisionError:
        fail(f"expression '{spec.expression}' divides by zero", (*path, "expression"))
        return None
    if not math.isfinite(result):
        fail(f"expression '{spec.expression}' is too large a number to show", (*path, "expression"))
        return None
    whole = float(result).is_integer() and all(float(values[n].number).is_integer() for n in used)
    text = format_value(result, spec.format or ("integer" if whole else "number"), spec.decimals)
    parts = ", ".join(f"{name} {values[name].text}" for name in used)
    origin = f"{spec.expression}, with {parts}" if parts else spec.expression
    return Value(result, text, origin, frozenset().union(*(values[name].data for name in used)))


def _table_value(
    spec: ValueSpec, path: tuple[str | int, ...], table: ComputedTable, fail: Callable[..., None]
) -> Value | None:
    """A cell of a computed table, or the sum of a column over its body rows."""
    from panelpapers.data.computed_tables import default_format, format_value

    column = spec.sum_of_rows or spec.column
    assert column is not None
    if column not in table.frame.columns:
        fail(f"table '{spec.table}' has no column '{column}'", (*path, "column"))
        return None
    column_format = table.column_format(column)
    kind = spec.format or column_format.format or default_format(table.frame[column])
    if spec.sum_of_rows is not None:
        total = table.body[column].sum()
        text = format_value(total, kind, spec.decimals)
        return Value(total, text, f"sum of the rows of {table.describe()}", table.sources)
    assert spec.row is not None
    row = _find_row(table, spec.row)
    if row is None:
        first_column = ", ".join(map(str, table.frame.iloc[:, 0]))
        fail(f"table '{spec.table}' has no row '{spec.row}' (first column: {first_column})", (*path, "row"))
        return None
    number = table.frame.iloc[row][column]
    decimals = spec.decimals if spec.decimals is not None else column_format.decimals
    where = f"{table.describe()}, row '{spec.row}', column '{column}'"
    return Value(number, format_value(number, kind, decimals), where, table.sources)


def _source_value(
    spec: ValueSpec, path: tuple[str | int, ...], source: Source, fail: Callable[..., None]
) -> Value | None:
    """A count of a source's rows, or a sum of one of its columns, after `where`."""
    from panelpapers.data.computed_tables import TableError, apply_where, describe_conditions, format_value

    try:
        rows = apply_where(source.frame, spec.where, (*path, "where"))
    except TableError as err:
        fail(err.message, err.path)
        return None
    where = f" where {describe_conditions(spec.where)}" if spec.where else ""
    if spec.count:
        text = format_value(len(rows), spec.format or "integer", spec.decimals)
        return Value(len(rows), text, f"count of rows in {source.describe()}{where}", frozenset({source.name}))
    assert spec.sum is not None
    if spec.sum not in rows.columns:
        fail(f"source '{spec.source}' has no column '{spec.sum}'", (*path, "sum"))
        return None
    total = rows[spec.sum].sum()
    kind = spec.format or ("number" if rows[spec.sum].dtype == "Float64" else "integer")
    text = format_value(total, kind, spec.decimals)
    return Value(total, text, f"sum of '{spec.sum}' in {source.describe()}{where}", frozenset({source.name}))


def _find_row(table: Any, row: str) -> int | None:
    frame = table.frame
    if row == "total":
        return len(frame) - 1 if table.has_total else None
    if row in ("first", "last"):
        return None if table.body.empty else (0 if row == "first" else len(table.body) - 1)
    for i, value in enumerate(frame.iloc[:, 0]):
        if str(value) == row:
            return i
    return None


def _paper_python(folder: Path, file: YamlFile, house: House) -> PaperPython:
    """The paper's data/tables.py, run in a process of its own if the house allows it (paper_python.py)."""
    from panelpapers.data.paper_python import PaperPython, PaperPythonFailed, refusal

    path = folder / FUNCTIONS_FILE
    if not path.is_file():
        raise _Stop(
            [Problem(file.location(("tables",)), f"a table names a 'function', but {FUNCTIONS_FILE} does not exist")]
        )
    refused = refusal(path, house)
    if refused is not None:
        raise _Stop([refused])
    try:
        return PaperPython(path, house.paper_python_seconds)
    except PaperPythonFailed as err:
        raise _Stop([err.problem]) from None
