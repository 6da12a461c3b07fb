"""Charts with matplotlib in one house style: bars (vertical, horizontal, stacked, grouped), lines
and the 5×5 risk heat map. Each chart is drawn once and saved twice, as SVG with real text for the
PDF and as a 300 dpi PNG for the DOCX. Both are deterministic: fixed SVG ids, no dates, only the
bundled Liberation Sans font or the house's own font files. Colour never carries meaning alone: bars
carry hatching and value labels, heat-map cells name their band."""

from __future__ import annotations

import difflib
import io
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from panelpapers.data.computed_tables import ComputedTable, default_format, format_value, header_text
from panelpapers.data.declarations import ChartSpec
from panelpapers.data.risks import RiskRegister, band_of, heat_map_cells, score_text
from panelpapers.house import Fonts, text_colour_on
from panelpapers.model import Chart, ChartData, HeatMapCell
from panelpapers.resources import fonts

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.text import Annotation
    from matplotlib.text import Text as MplText

FONT_FAMILY = "Liberation Sans"
# The PDF's stylesheet names the same bundled font "Panel Sans"; WeasyPrint draws an SVG's text with
# the document's fonts, so naming it keeps system fonts out of the PDF.
SVG_FONT_FAMILY = "Panel Sans"
HATCHES = ("", "///", "...", "xx", "\\\\\\", "oo")
MARKERS = ("o", "s", "^", "D", "v", "P")
PNG_DPI = 300
WIDTH_MM = 160.0  # the portrait page's text width
LANDSCAPE_WIDTH_MM = 257.0  # a landscape A4 page's text width (297 mm less two 20 mm margins)
LANDSCAPE_HEIGHT_MM = 115.0  # leaves room on that page for the caption and a heading
GAP_PT = 2.0  # the least space between two labels, or between a label and a line
MM_PER_INCH = 25.4
SCALE_WORDS = {"VL": "Very low", "L": "Low", "M": "Medium", "H": "High", "VH": "Very high"}
KIND_WORDS = {
    "bar": "Bar chart",
    "horizontal_bar": "Horizontal bar chart",
    "stacked_horizontal_bar": "Stacked horizontal bar chart",
    "stacked_bar": "Stacked bar chart",
    "grouped_bar": "Grouped bar chart",
    "line": "Line chart",
    "heat_map": "Risk heat map",
}


class ChartError(ValueError):
    """A chart that cannot be drawn; `path` points into its declaration (() for the chart itself)."""

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.path = path


@cache
def pyplot() -> Any:
    """matplotlib, set up once: Agg backend, the bundled font only, fixed SVG ids."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    for font in fonts():
        font_manager.fontManager.addfont(str(font))
    matplotlib.rcParams.update(
        {
            "font.family": FONT_FAMILY,
            "font.size": 9,
            "svg.fonttype": "none",  # text stays text: selectable in the PDF, readable in tests
            "svg.hashsalt": "panelpapers",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.edgecolor": "#333333",
            "axes.titlesize": 10,
            "hatch.color": "#ffffff",
            "hatch.linewidth": 0.8,
            "legend.frameon": False,
            "path.simplify": False,
        }
    )
    return plt


@cache
def _family_of(fonts: Fonts) -> str:
    """The house's font files registered with matplotlib; the family name matplotlib reads from them."""
    from matplotlib import font_manager

    pyplot()
    for path in fonts.files:
        font_manager.fontManager.addfont(str(path))
    return str(font_manager.FontProperties(fname=str(fonts.files[0])).get_name())


@contextmanager
def house_font(fonts: Fonts | None) -> Iterator[None]:
    """Charts drawn inside are set in the house's own font (the bundled one when it names none)."""
    plt = pyplot()
    family = FONT_FAMILY if fonts is None else _family_of(fonts)
    with plt.rc_context({"font.family": family}):
        yield


def save(figure: MplFigure) -> tuple[bytes, bytes]:
    plt = pyplot()
    family = plt.rcParams["font.family"][0]
    svg, png = io.BytesIO(), io.BytesIO()
    figure.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    figure.savefig(png, format="png", dpi=PNG_DPI, metadata={"Software": None})
    plt.close(figure)
    svg_text = svg.getvalue().replace(f"'{family}'".encode(), f"'{SVG_FONT_FAMILY}'".encode())
    return svg_text, png.getvalue()


def _new_figure(width_mm: float, height_mm: float) -> tuple[MplFigure, Axes]:
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(width_mm / MM_PER_INCH, height_mm / MM_PER_INCH), layout="constrained")
    return figure, axes


# Bar and line charts ----------------------------------------------------------------------------


def chart_series(computed: ComputedTable, spec: ChartSpec) -> tuple[str, list[str], list[str], list[list[float]]]:
    """(category column, category labels, series names, values per series) from a table's body rows."""
    import pandas as pd

    body = computed.body
    if body.empty:
        after = " after its 'where' conditions" if computed.spec.where else ""
        raise ChartError(
            f"its table '{computed.name}' has no rows{after}; a chart needs at least one row to draw: "
            "check the table's conditions and its data"
        )
    category = spec.category or str(body.columns[0])
    if category not in body.columns:
        raise ChartError(f"table '{computed.name}' has no column '{category}'")
    names = spec.series or [
        str(c)
        for c in body.columns
        if c != category
        and c != computed.spec.total_column
        and pd.api.types.is_numeric_dtype(body[c])
        and c not in computed.spec.compute
    ]
    for name in names:
        if name not in body.columns:
            raise ChartError(f"table '{computed.name}' has no column '{name}'")
    if not names:
        raise ChartError(f"table '{computed.name}' has no number columns to plot")
    labels = [format_value(v, "text") for v in body[category]]
    values = [[0.0 if pd.isna(v) else float(v) for v in body[name]] for name in names]
    return category, labels, names, values


Style = tuple[str, int]  # a series' colour, and which hatching (bars) or marker (lines) it has


def series_styles(spec: ChartSpec, names: list[str], palette: tuple[str, ...]) -> list[Style]:
    """Every series drawn its own way: the palette's colours in turn (or the author's `colours`) and,
    once the colours come round again, the next hatching or marker with each, so no two series look
    alike; a chart with more series than colours × hatchings can tell apart is refused."""
    if spec.colours and len(spec.colours) != len(names):
        raise ChartError(
            f"'colours' gives {len(spec.colours)} colours for {len(names)} series ({', '.join(names)}); "
            "expected one per series",
            ("colours",),
        )
    styles: list[Style] = []
    drawn: dict[Style, str] = {}
    for i, name in enumerate(names):
        chosen = spec.colours[i] if spec.colours else None
        colour = palette[i % len(palette)] if chosen is None else _colour(chosen, palette)
        style = (colour, (i % len(palette) + i // len(palette)) % len(HATCHES))
        if style in drawn:
            limit = len(palette) * len(HATCHES)
            raise ChartError(
                f"series '{name}' would be drawn exactly like series '{drawn[style]}' (colour {colour}, the same "
                f"hatching): give the series 'colours' that tell them apart, or plot fewer series "
                f"(at most {limit} can be told apart)"
            )
        drawn[style] = name
        styles.append(style)
    return styles


def _colour(chosen: str, palette: tuple[str, ...]) -> str:
    """A position in the house palette ("3" is its third colour), or a colour as it is ("#aa0000")."""
    return chosen if chosen.startswith("#") else palette[int(chosen) - 1]


def _value_text(value: float, kind: str) -> str:
    return format_value(value, kind if kind != "text" else "number")


def bar_or_line_chart(
    chart_name: str, computed: ComputedTable, spec: ChartSpec, palette: tuple[str, ...], draw: bool = True
) -> Chart:
    """`palette`: the house's series colours, in order. Every problem is found before anything is
    drawn: with `draw` false (`check`, or a build that has already failed) the chart is only checked
    and comes back with no picture (empty SVG and PNG), its alt text and data as drawn."""
    category, labels, names, values = chart_series(computed, spec)
    value_kind = computed.column_format(names[0]).format or default_format(computed.body[names[0]])
    series_headers = [computed.column_format(n).header or header_text(n) for n in names]
    horizontal = spec.kind in ("horizontal_bar", "stacked_horizontal_bar")
    landscape = spec.landscape == "yes"
    width = LANDSCAPE_WIDTH_MM if landscape else WIDTH_MM
    upright_height = LANDSCAPE_HEIGHT_MM if landscape else 85.0
    height = max(70.0, 9.0 * len(labels) + 25) if horizontal else upright_height
    styles = series_styles(spec, series_headers, palette)
    groups = category_groups(spec, labels, series_headers, styles, palette)
    marked = mark_positions(spec, labels)
    svg = png = b""
    if draw:
        figure, axes = _new_figure(width, height)
        series = list(zip(series_headers, values, strict=True))
        if spec.kind == "line":
            value_labels = _draw_lines(axes, series, value_kind, styles)
        elif spec.kind in ("stacked_bar", "stacked_horizontal_bar"):
            value_labels = _draw_stacked_bars(axes, series, value_kind, horizontal, styles)
        else:
            value_labels = _draw_bars(axes, series, value_kind, horizontal, styles, groups)
        notes = _draw_marks(axes, spec, marked, value_kind, horizontal)  # before the legend, which lists lines
        _label_axes(axes, spec, labels, header_text(category), series_headers, value_kind, horizontal)
        _place_legend(figure, axes, groups)
        fit_category_ticks(figure, axes, labels, horizontal)
        _clear_notes(figure, axes, notes, value_labels, horizontal)
        _freeze_layout(figure)
        _clear_reference_lines(figure, axes, value_labels, spec, horizontal)
        svg, png = save(figure)
    said = _mark_sentences(spec, value_kind) + "".join(f" {group.sentence}" for group in groups)
    alt = spec.alt or describe_series(spec, labels, series_headers, values, value_kind) + said
    rows = tuple((label, *(_value_text(series[i], value_kind) for series in values)) for i, label in enumerate(labels))
    data = ChartData((header_text(category), *series_headers), rows)
    return Chart(0, spec.caption, alt, svg, png, width, height, landscape, chart_name, data=data)


@dataclass(frozen=True)
class CategoryGroup:
    """Bars the author coloured by category: which, in what colour and hatching, named how."""

    positions: frozenset[int]
    colour: str
    hatch: str
    label: str
    sentence: str  # for the generated alt text


def category_groups(
    spec: ChartSpec, labels: list[str], series: list[str], styles: list[Style], palette: tuple[str, ...]
) -> list[CategoryGroup]:
    """The author's `category_colours`, checked against the chart's categories; each group takes the
    next hatching after the series' own, so colour is never the only difference."""
    if not spec.category_colours:
        return []
    if len(series) != 1:
        raise ChartError(
            f"'category_colours' colours the bars of a chart of one series; this one has {len(series)} "
            f"({', '.join(series)}): colour series with 'colours' instead",
            ("category_colours",),
        )

    def position(category: str, path: tuple[str | int, ...]) -> int:
        if category not in labels:
            near = difflib.get_close_matches(category, labels, n=1)
            hint = f"did you mean '{near[0]}'? " if near else ""
            raise ChartError(f"no category '{category}' on this chart; {hint}(categories: {', '.join(labels)})", path)
        return labels.index(category)

    groups: list[CategoryGroup] = []
    taken: dict[int, str] = {}
    for i, entry in enumerate(spec.category_colours):
        where: tuple[str | int, ...] = ("category_colours", i)
        if entry.categories:
            chosen = [position(c, (*where, "categories", j)) for j, c in enumerate(entry.categories)]
            named = ", ".join(entry.categories)
        else:
            assert entry.from_ is not None and entry.to is not None
            first, last = position(entry.from_, (*where, "from")), position(entry.to, (*where, "to"))
            if last < first:
                raise ChartError(f"'{entry.to}' comes before '{entry.from_}' on the axis; swap 'from' and 'to'", where)
            chosen = list(range(first, last + 1))
            named = f"{entry.from_} to {entry.to}"
        for p in chosen:
            if p in taken:
                twice = f"category '{labels[p]}' is coloured twice: in '{taken[p]}' and in '{entry.label}'"
                raise ChartError(twice, where)
            taken[p] = entry.label
        hatch = HATCHES[(styles[0][1] + i + 1) % len(HATCHES)]
        sentence = f"The bars for {named} are shown as {entry.label}."
        groups.append(CategoryGroup(frozenset(chosen), _colour(entry.colour, palette), hatch, entry.label, sentence))
    return groups


Series = list[tuple[str, list[float]]]  # (name, one value per category)

MARK_COLOUR = "#333333"  # reference lines, dividers and notes: dark grey, 12.6:1 on white


@dataclass(frozen=True)
class MarkPositions:
    """Where the author's dividers and notes stand on the category axis."""

    dividers: tuple[float, ...]  # between two categories: after one, at its index + 0.5
    annotations: tuple[int, ...]


def mark_positions(spec: ChartSpec, labels: list[str]) -> MarkPositions:
    """Each divider's and note's place; a category not on the chart is the author's problem."""

    def position(category: str, path: tuple[str | int, ...]) -> int:
        if category not in labels:
            raise ChartError(f"no category '{category}' on this chart (categories: {', '.join(labels)})", path)
        return labels.index(category)

    dividers = tuple(position(d.after, ("dividers", i, "after")) + 0.5 for i, d in enumerate(spec.dividers))
    notes = tuple(position(n.category, ("annotations", i, "category")) for i, n in enumerate(spec.annotations))
    return MarkPositions(dividers, notes)


def _mark_sentences(spec: ChartSpec, value_kind: str) -> str:
    """What the default alt text gains for the reference lines, dividers and notes, so that a reader
    who cannot see them still hears them."""
    lines = spec.reference_lines
    said = [f"A dashed line marks {line.label} at {_value_text(line.value, value_kind)}." for line in lines]
    said += [f"A dotted line after {divider.after} marks {divider.label}." for divider in spec.dividers]
    said += [f"{note.category}: {note.text}." for note in spec.annotations]
    return "".join(f" {sentence}" for sentence in said)


def _draw_marks(
    axes: Axes, spec: ChartSpec, marked: MarkPositions, value_kind: str, horizontal: bool
) -> list[Annotation]:
    """The author's reference lines, dividers and notes, drawn over the data; returns the notes and
    divider labels, which must stay clear of the bars."""
    notes: list[Annotation] = []
    for line in spec.reference_lines:
        value = _value_text(line.value, value_kind)
        draw = axes.axvline if horizontal else axes.axhline
        # Named in the legend rather than beside the line, where bars would cover the words.
        draw(line.value, color=MARK_COLOUR, linestyle="--", linewidth=1, label=f"{line.label} ({value})", zorder=3)
    for divider, at in zip(spec.dividers, marked.dividers, strict=True):
        (axes.axhline if horizontal else axes.axvline)(at, color=MARK_COLOUR, linestyle=":", linewidth=1.2)
        divider_label = axes.annotate(
            divider.label,
            (1.0, at) if horizontal else (at, 1.0),
            xycoords=("axes fraction", "data") if horizontal else ("data", "axes fraction"),
            xytext=(-3, 3) if horizontal else (3, -3),
            textcoords="offset points",
            ha="right" if horizontal else "left",
            va="bottom" if horizontal else "top",
            fontsize=7,
            color=MARK_COLOUR,
        )
        notes.append(divider_label)
    for note, at in zip(spec.annotations, marked.annotations, strict=True):
        note_box = axes.annotate(  # a little inside the top edge, clear of the dividers' labels there
            note.text,
            (0.97, at) if horizontal else (at, 0.9),
            xycoords=("axes fraction", "data") if horizontal else ("data", "axes fraction"),
            xytext=(-4, 0) if horizontal else (0, -4),
            textcoords="offset points",
            ha="right" if horizontal else "center",
            va="center" if horizontal else "top",
            fontsize=7,
            color=MARK_COLOUR,
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": MARK_COLOUR, "linewidth": 0.5},
        )
        notes.append(note_box)
    return notes


def _draw_lines(axes: Axes, series: Series, value_kind: str, styles: list[Style]) -> list[Annotation]:
    """Each series a line with its own marker; returns the value labels."""
    value_labels = []
    for (name, points), (colour, variant) in zip(series, styles, strict=True):
        positions = list(range(len(points)))
        axes.plot(positions, points, marker=MARKERS[variant], color=colour, label=name)
        for x, y in zip(positions, points, strict=True):
            text = _value_text(y, value_kind)
            label = axes.annotate(text, (x, y), textcoords="offset points", xytext=(0, 5), ha="center", fontsize=7)
            value_labels.append(label)
    return value_labels


def _draw_stacked_bars(
    axes: Axes, series: Series, value_kind: str, horizontal: bool, styles: list[Style]
) -> list[Annotation]:
    """Each category's bars stacked, each part labelled where it is tall enough, the total at the end;
    returns the value labels."""
    value_labels: list[Annotation] = []
    positions = list(range(len(series[0][1])))
    bottoms = [0.0] * len(positions)
    tallest = max(sum(column) for column in zip(*(values for _, values in series), strict=True)) or 1
    for (name, values), (colour, variant) in zip(series, styles, strict=True):
        stack: dict[str, Any] = {"left": bottoms} if horizontal else {"bottom": bottoms}
        bars = (axes.barh if horizontal else axes.bar)(
            positions,
            values,
            **stack,
            color=colour,
            hatch=HATCHES[variant],
            label=name,
            edgecolor="white",
            linewidth=0.5,
        )
        value_labels += axes.bar_label(
            bars,
            labels=[_value_text(v, value_kind) if v >= tallest * 0.06 else "" for v in values],
            label_type="center",
            fontsize=7,
            color="black",  # on a white chip, readable over any colour or hatching
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.9},
        )
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    for x, total in zip(positions, bottoms, strict=True):
        total_label = axes.annotate(
            _value_text(total, value_kind),
            (total, x) if horizontal else (x, total),
            textcoords="offset points",
            xytext=(3, 0) if horizontal else (0, 2),
            ha="left" if horizontal else "center",
            va="center" if horizontal else "bottom",
            fontsize=8,
            fontweight="bold",
        )
        value_labels.append(total_label)
    return value_labels


def _draw_bars(
    axes: Axes, series: Series, value_kind: str, horizontal: bool, styles: list[Style], groups: list[CategoryGroup]
) -> list[Annotation]:
    """One bar per category, or several side by side (grouped) when there are several series; the
    author's category groups in their own colour and hatching. Returns the value labels."""
    positions = list(range(len(series[0][1])))
    width = 0.8 / len(series)
    value_labels: list[Annotation] = []
    for i, ((name, values), (colour, variant)) in enumerate(zip(series, styles, strict=True)):
        offsets = [p - 0.4 + width * (i + 0.5) for p in positions]
        bars = (axes.barh if horizontal else axes.bar)(
            offsets,
            values,
            width,
            color=colour,
            hatch=HATCHES[variant],
            label=name if len(groups) == 0 or _ungrouped(groups, positions) else None,
            edgecolor="white",
            linewidth=0.5,
        )
        for group in groups:
            for p in group.positions:
                bars[p].set_facecolor(group.colour)
                bars[p].set_hatch(group.hatch)
        value_labels += axes.bar_label(bars, labels=[_value_text(v, value_kind) for v in values], padding=2, fontsize=7)
    return value_labels


def _ungrouped(groups: list[CategoryGroup], positions: list[int]) -> bool:
    """Whether some bars keep the series' own colour (and so the series needs its legend entry)."""
    return bool(set(positions) - set().union(*(g.positions for g in groups)))


def _label_axes(
    axes: Axes,
    spec: ChartSpec,
    labels: list[str],
    category_header: str,
    series_headers: list[str],
    value_kind: str,
    horizontal: bool,
) -> None:
    positions = list(range(len(labels)))
    if horizontal:
        axes.set_yticks(positions, labels)
        axes.invert_yaxis()
        axes.margins(x=0.12)
    else:
        axes.set_xticks(positions, labels)  # fitted later, once the plot's width is known
        axes.margins(y=0.12)
    category_label = spec.x_label if not horizontal else spec.y_label
    value_label = spec.y_label if not horizontal else spec.x_label
    (axes.set_ylabel if horizontal else axes.set_xlabel)(category_label or category_header)
    (axes.set_xlabel if horizontal else axes.set_ylabel)(
        value_label or (series_headers[0] if len(series_headers) == 1 else "Count")
    )
    if value_kind == "integer":  # counts: whole-number ticks only
        from matplotlib.ticker import MaxNLocator

        (axes.xaxis if horizontal else axes.yaxis).set_major_locator(MaxNLocator(integer=True))


LEGEND_SHARE = 0.2  # the most of the chart's width a legend beside the plot may take
LEGEND_WRAP = 32  # characters per line of a legend entry


def _place_legend(figure: MplFigure, axes: Axes, groups: list[CategoryGroup]) -> None:
    """A legend when there is more than one thing to tell apart (series, reference lines, coloured
    categories): beside the plot when it is narrow, otherwise below it, in as many columns as fit,
    so the bars keep the chart's width."""
    from matplotlib.patches import Patch

    handles, names = axes.get_legend_handles_labels()
    for group in groups:
        handles.append(Patch(facecolor=group.colour, hatch=group.hatch, edgecolor="white", label=group.label))
        names.append(group.label)
    if len(handles) < 2:
        return
    names = [textwrap.fill(name, LEGEND_WRAP, break_long_words=False) for name in names]
    beside = axes.legend(handles, names, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    renderer = _drawn(figure)
    if beside.get_window_extent(renderer).width <= LEGEND_SHARE * figure.bbox.width:
        return
    beside.remove()
    for columns in range(len(handles), 0, -1):
        below = figure.legend(handles, names, loc="outside lower center", ncols=columns, fontsize=8)
        if below.get_window_extent(_drawn(figure)).width <= 0.98 * figure.bbox.width or columns == 1:
            return
        below.remove()


def _drawn(figure: MplFigure) -> Any:
    """The figure laid out, so that the extents of its texts can be measured. Drawn with the
    renderer's drawing turned off: layout and text metrics are Agg's as in a full draw, without
    painting a bitmap that would be thrown away (about a quarter of a chart's time)."""
    figure.draw_without_rendering()
    canvas: Any = figure.canvas  # Agg's, whose renderer measured the texts
    return canvas.get_renderer()


def _overlap(texts: Sequence[MplText], renderer: Any, gap: float) -> bool:
    """Whether any two of the texts' boxes come closer than `gap` pixels."""
    grown = [t.get_window_extent(renderer).padded(gap / 2) for t in texts if t.get_visible() and t.get_text()]
    return any(a.overlaps(b) for i, a in enumerate(grown) for b in grown[i + 1 :])


def fit_category_ticks(
    figure: MplFigure, axes: Axes, labels: list[str], horizontal: bool, positions: list[float] | None = None
) -> None:
    """Category names never overlap: each way of printing them is measured, and the first that fits
    is kept: as they are; wrapped at spaces onto two or three lines; turned 45° or upright (vertical
    charts); and, only if none fits, every second (third …) name, starting with the first."""
    positions = positions or [float(i) for i in range(len(labels))]
    axis = axes.yaxis if horizontal else axes.xaxis
    gap = GAP_PT * figure.dpi / 72
    wrapped = [[textwrap.fill(label, width, break_long_words=False) for label in labels] for width in (18, 12, 8)]
    ways: list[tuple[list[str], float]] = [(labels, 0.0)]
    ways += [(texts, 0.0) for texts in wrapped if max(t.count("\n") for t in texts) < 3]
    turned = [] if horizontal else [(labels, 45.0), (labels, 90.0)]
    ways += turned
    for step in range(1, len(labels) + 1):
        for texts, angle in ways if step == 1 else (turned or ways[-1:]):
            axis.set_ticks(positions[::step], texts[::step])
            for tick in axis.get_ticklabels():
                tick.set_rotation(angle)
                tick.set_rotation_mode("anchor" if angle == 45 else "default")
                tick.set_horizontalalignment("right" if angle == 45 else ("right" if horizontal else "center"))
            if not _overlap(axis.get_ticklabels(), _drawn(figure), gap):
                return


def _bars_and_labels(axes: Axes, value_labels: list[Annotation], renderer: Any) -> list[Any]:
    from matplotlib.patches import Rectangle

    boxes = [p.get_window_extent(renderer) for p in axes.patches if isinstance(p, Rectangle) and p.get_width()]
    return boxes + [t.get_window_extent(renderer) for t in value_labels if t.get_text()]


def _clear_notes(
    figure: MplFigure, axes: Axes, notes: list[Annotation], value_labels: list[Annotation], horizontal: bool
) -> None:
    """Notes and divider labels sit at the plot's far edge; while one would cover a bar or a value
    label, the value axis is lengthened (by a tenth at a time, up to double) to make room."""
    if not notes:
        return
    for _ in range(8):
        renderer = _drawn(figure)
        covered = _bars_and_labels(axes, value_labels, renderer)
        if not any(n.get_window_extent(renderer).overlaps(box) for n in notes for box in covered):
            return
        low, high = axes.get_xlim() if horizontal else axes.get_ylim()
        (axes.set_xlim if horizontal else axes.set_ylim)(low, low + (high - low) * 1.1)


def _freeze_layout(figure: MplFigure) -> None:
    """Lays the figure out one last time and keeps it so: what was measured is what is saved."""
    _drawn(figure)
    figure.set_layout_engine("none")


def _clear_reference_lines(
    figure: MplFigure, axes: Axes, value_labels: list[Annotation], spec: ChartSpec, horizontal: bool
) -> None:
    """A value label that a reference line would strike through moves just beyond the line, away
    from the axis, so the line passes between the bar and its number."""
    if not spec.reference_lines:
        return
    renderer = _drawn(figure)
    gap = GAP_PT * figure.dpi / 72
    to_points = 72 / figure.dpi
    for value in sorted(line.value for line in spec.reference_lines):
        x, y = axes.transData.transform((value, value))
        at = x if horizontal else y
        for label in value_labels:
            box = label.get_window_extent(renderer)
            low, high = (box.x0, box.x1) if horizontal else (box.y0, box.y1)
            if label.get_text() and low < at + gap and high > at - gap:
                dx, dy = label.xyann
                shift = (at + gap - low) * to_points
                label.xyann = (dx + shift, dy) if horizontal else (dx, dy + shift)


def describe_series(spec: ChartSpec, labels: list[str], names: list[str], values: list[list[float]], kind: str) -> str:
    """Alt text from the data: what the chart shows and every number in it, largest first."""
    totals = [sum(col) for col in zip(*values, strict=True)]
    order = sorted(range(len(labels)), key=lambda i: (-totals[i], i))
    lead = f"{KIND_WORDS[spec.kind]}: {spec.caption}. "
    if len(names) == 1:
        parts = [f"{labels[i]} {_value_text(totals[i], kind)}" for i in order]
        return (
            lead
            + f"{labels[order[0]]} has the most, {_value_text(totals[order[0]], kind)}; "
            + "; ".join(parts[1:])
            + "."
        )
    described = []
    for i in order:
        split = ", ".join(f"{name} {_value_text(series[i], kind)}" for name, series in zip(names, values, strict=True))
        described.append(f"{labels[i]} {_value_text(totals[i], kind)} ({split})")
    if len(set(totals)) == 1:  # e.g. a survey: every question had the same number of answers
        return lead + f"Every bar totals {_value_text(totals[0], kind)}. " + "; ".join(described) + "."
    most = f"{labels[order[0]]} has the most, {_value_text(totals[order[0]], kind)}. "
    return lead + most + "; ".join(described) + "."


# Risk heat map ----------------------------------------------------------------------------------


BAND_PT = 8.0  # the band named in each cell: the least that reads in print


def heat_map(name: str, spec: ChartSpec, register: RiskRegister, draw: bool = True) -> Chart:
    """With `draw` false, as bar_or_line_chart: checked, with no picture."""
    cells = heat_map_cells(register, spec.horizon)
    svg, png = _draw_heat_map(spec, register, cells) if draw else (b"", b"")
    alt = spec.alt or describe_heat_map(spec, register)
    data = heat_map_data(spec, register)
    return Chart(0, spec.caption, alt, svg, png, WIDTH_MM, 118.0, spec.landscape == "yes", name, cells, data=data)


def _draw_heat_map(spec: ChartSpec, register: RiskRegister, cells: tuple[HeatMapCell, ...]) -> tuple[bytes, bytes]:
    from matplotlib.patches import Rectangle

    scale = register.spec.scale
    size = len(scale)
    figure, axes = _new_figure(WIDTH_MM, 118.0)
    for cell in cells:
        x, y = scale.index(cell.impact), scale.index(cell.likelihood)
        band, colour = band_of(register, cell.likelihood, cell.impact)
        axes.add_patch(Rectangle((x, y), 1, 1, facecolor=colour, edgecolor="white", linewidth=2))
        ink = text_colour_on(colour)  # black or white, whichever reads on the band's colour (≥ 4.5:1)
        axes.text(x + 0.05, y + 0.95, band, fontsize=BAND_PT, color=ink, va="top", ha="left")
        if cell.current:
            axes.text(
                x + 0.5,
                y + 0.5,
                ", ".join(cell.current),
                fontsize=11,
                fontweight="bold",
                color=ink,
                ha="center",
                va="center",
            )
        if cell.target:
            axes.text(
                x + 0.5,
                y + 0.18,
                ", ".join(f"({ref})" for ref in cell.target),
                fontsize=8,
                fontstyle="italic",
                color=ink,
                ha="center",
                va="center",
            )
    words = [f"{SCALE_WORDS.get(s, s)} ({s})" if s in SCALE_WORDS else s for s in scale]
    axes.set_xlim(0, size)
    axes.set_ylim(0, size)
    axes.set_aspect("equal")
    centres = [i + 0.5 for i in range(size)]
    axes.set_yticks(centres, words, fontsize=8)
    axes.tick_params(length=0, labelsize=8)
    for side in ("left", "bottom"):
        axes.spines[side].set_visible(False)
    axes.set_xlabel(spec.x_label or register.spec.impact_label)
    axes.set_ylabel(spec.y_label or register.spec.likelihood_label)
    axes.set_title("Bold numbers: current position of each risk.   Numbers in brackets: target position.", fontsize=8)
    fit_category_ticks(figure, axes, words, horizontal=False, positions=centres)
    _freeze_layout(figure)
    return save(figure)


def heat_map_data(spec: ChartSpec, register: RiskRegister) -> ChartData:
    """Each risk the heat map places, with its current and target positions: the refs the map shows."""
    scale = f"{register.spec.likelihood_label} v {register.spec.impact_label}"
    headers = ("Risk", f"Current position ({scale})", f"Target position ({scale})")
    rows = tuple((r.ref, score_text(r.current), score_text(r.target)) for r in register.in_horizon(spec.horizon))
    return ChartData(headers, rows)


def describe_heat_map(spec: ChartSpec, register: RiskRegister) -> str:
    risks = register.in_horizon(spec.horizon)
    current = ", ".join(f"risk {r.ref} at {score_text(r.current)}" for r in risks)
    target = ", ".join(f"risk {r.ref} at {score_text(r.target)}" for r in risks)
    return (
        f"{KIND_WORDS['heat_map']}: {spec.caption}. Likelihood v impact on the scale {', '.join(register.spec.scale)}. "
        f"Current positions: {current}. Target positions: {target}."
    )
