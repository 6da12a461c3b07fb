"""A chart too tall for the space left on its page would go to the next page and leave a gap, often
a third of a page or more, after the paragraph that introduces it. A typesetter shrinks such a
figure a little instead. So the paper is laid out, each chart that a page break pushed to the top of
the next page is measured against the space left on the page before, and a chart that fits there at
no less than MIN_SCALE of its size is printed that much smaller; the paper is laid out again and a
chart that still did not move back keeps its size. Charts stay where the author put them, so the
reading order of the PDF, the DOCX and the site stays the same. A paper whose charts all fit is
laid out once, as before."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

# Chart text is set at 7 to 9 pt (data/charts.py); at 0.8 it is still 5.6 to 7.2 pt.
MIN_SCALE = 0.8
# How many times the paper may be laid out again to fit charts pushed by charts fitted before them.
MAX_ROUNDS = 3
# A little room for rounding in WeasyPrint's layout, in CSS px (1/96 inch).
SLACK_PX = 2.0
_FORCED_BREAKS = ("page", "left", "right", "recto", "verso")
_CHART_IMAGE = r'(<figure class="chart[^"]*" id="{id}">.*?<img [^>]*?style=")width: ([\d.]+)mm; height: ([\d.]+)mm'


@dataclass(frozen=True)
class _Figure:
    id: str
    page: int
    top: float
    bottom: float
    image_height: float
    chain: tuple[Any, ...]  # the elements it sits in, outermost first


def _walk(box: Any, chain: tuple[Any, ...] = ()) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    yield box, chain
    element = getattr(box, "element", None)
    inner = (*chain, box) if element is not None else chain
    for child in getattr(box, "children", ()):
        yield from _walk(child, inner)


def _page_facts(document: Any) -> tuple[list[tuple[float, float, float, Any]], list[_Figure], list[set[int]]]:
    """For each page: (content top, content bottom, bottom of its last line or picture, page size);
    the first box of every chart on each page; and the elements each page holds boxes of."""
    pages = []
    figures: list[_Figure] = []
    elements: list[set[int]] = []
    for number, page in enumerate(document.pages):
        page_box = page._page_box
        root = next(child for child in page_box.children if getattr(child, "element_tag", None) == "html")
        last = page_box.content_box_y()
        seen: set[int] = set()
        here: set[str] = set()
        for box, chain in _walk(root):
            kind = type(box).__name__
            if kind in ("LineBox", "InlineReplacedBox", "BlockReplacedBox", "TableRowBox"):
                last = max(last, box.position_y + box.margin_height())
            element = getattr(box, "element", None)
            if element is not None:
                seen.add(id(element))
            if element is not None and box.element_tag == "figure" and "chart" in (element.get("class") or ""):
                figure_id = element.get("id")
                if figure_id and figure_id not in here:
                    here.add(figure_id)
                    image = next((b for b, _ in _walk(box) if getattr(b, "element_tag", None) == "img"), None)
                    height = image.height if image is not None else 0.0
                    figures.append(
                        _Figure(
                            figure_id,
                            number,
                            box.position_y,
                            box.position_y + box.margin_height(),
                            height,
                            tuple(b.element for b in chain),
                        )
                    )
        top = page_box.content_box_y()
        pages.append((top, top + page_box.height, last, (page_box.width, page_box.height)))
        elements.append(seen)
    return pages, figures, elements


def charts_to_shrink(document: Any) -> dict[str, float]:
    """Chart figure id → the scale at which it fits at the foot of the page before the one a page
    break pushed it to, for charts that fit at MIN_SCALE or more."""
    pages, figures, elements = _page_facts(document)
    first_seen: dict[str, int] = {}
    scales: dict[str, float] = {}
    for figure in figures:
        if figure.id in first_seen or figure.page == 0 or figure.image_height <= 0:
            first_seen.setdefault(figure.id, figure.page)
            continue
        first_seen[figure.id] = figure.page
        top, _bottom, _last, size = pages[figure.page]
        _top_before, bottom_before, last_before, size_before = pages[figure.page - 1]
        if size != size_before:  # a landscape page: the break is the page's, not the chart's
            continue
        # An element that opens on this page with a forced break (an appendix, a marking change)
        # starts here whatever the chart's size.
        opened = [element for element in figure.chain if id(element) not in elements[figure.page - 1]]
        if any(_forces_break(element, document) for element in opened):
            continue
        free = bottom_before - last_before
        needed = figure.bottom - top  # the chart and whatever keeps with it (its heading)
        excess = needed - free + SLACK_PX
        if free <= 0 or excess <= 0:
            continue
        scale = (figure.image_height - excess) / figure.image_height
        if scale >= MIN_SCALE:
            scales[figure.id] = round(scale, 3)
    return scales


def _forces_break(element: Any, document: Any) -> bool:
    for page in document.pages:
        for box, _chain in _walk(page._page_box):
            if getattr(box, "element", None) is element:
                return str(box.style["break_before"]) in _FORCED_BREAKS
    return False


def shrink_charts(html: str, scales: dict[str, float]) -> str:
    """The HTML with each chart in `scales` printed at that scale (width and height alike)."""
    for figure_id, scale in sorted(scales.items()):
        pattern = re.compile(_CHART_IMAGE.format(id=re.escape(figure_id)), re.DOTALL)

        def smaller(match: re.Match[str], scale: float = scale) -> str:
            width, height = float(match.group(2)) * scale, float(match.group(3)) * scale
            return f"{match.group(1)}width: {width:.1f}mm; height: {height:.1f}mm"

        html = pattern.sub(smaller, html, count=1)
    return html


def _first_pages(document: Any) -> dict[str, int]:
    _pages, figures, _elements = _page_facts(document)
    first: dict[str, int] = {}
    for figure in figures:
        first.setdefault(figure.id, figure.page)
    return first


def lay_out_with_fitted_charts(html: str, lay_out: Callable[[str], Any]) -> tuple[Any, str]:
    """The laid-out document and the HTML it was laid out from, each pushed chart that fits at the
    foot of the page before printed smaller. `lay_out`: HTML to a WeasyPrint document. A chart
    pulled back can push a later one; each round fits those, up to MAX_ROUNDS."""
    document = lay_out(html)
    if '<figure class="chart' not in html:
        return document, html
    kept: dict[str, float] = {}
    current = html
    for _ in range(MAX_ROUNDS):
        wanted = {k: v for k, v in charts_to_shrink(document).items() if k not in kept}
        if not wanted:
            break
        before = _first_pages(document)
        trial_html = shrink_charts(html, kept | wanted)
        trial = lay_out(trial_html)
        after = _first_pages(trial)
        moved = {k: v for k, v in wanted.items() if after.get(k, 0) < before[k]}
        if moved != wanted:  # lay out again without the charts that did not move back
            if not moved:
                break
            trial_html = shrink_charts(html, kept | moved)
            trial = lay_out(trial_html)
        kept |= moved
        document, current = trial, trial_html
    return document, current
