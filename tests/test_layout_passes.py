"""How many times a paper is laid out: a grouped table whose page breaks fall only where a group
starts needs no second layout (render/continued_groups.py). The layouts are stand-ins here, pages of
table rows, so the count is exact; tests/test_typesetting.py and the byte-identity checks hold the
printed result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from panelpapers.render.continued_groups import lay_out_with_continued_groups

pytestmark = pytest.mark.quick


def row(name: str, starts_group: int = 0) -> str:
    """A grouped table's row; `starts_group`: the rows of the group it starts (0: inside a group)."""
    label = (
        f'<th scope="rowgroup" rowspan="{starts_group}" class="row-group left" '
        f'data-continued="Group {name} (continued)">Group {name}</th>'
        if starts_group
        else ""
    )
    return f'<tr data-group-column="0" data-row="{name}">{label}<td>x</td></tr>'


HTML = "<table>" + row("1-1", 2) + row("1-2") + row("1-3", 2) + row("1-4") + "</table>"


@dataclass
class Element:
    data_row: str

    def get(self, name: str) -> str | None:
        return self.data_row if name == "data-row" else None


@dataclass
class Box:
    element_tag: str = "div"
    element: Element | None = None
    children: list[Box] = field(default_factory=list)


@dataclass
class Page:
    _page_box: Box


@dataclass
class Document:
    pages: list[Page]


def pages_breaking_before(first_rows: list[str]) -> Any:
    """A stand-in layout: each page holds the table's rows from one of `first_rows` to the next."""
    names = ["1-1", "1-2", "1-3", "1-4"]
    starts = [names.index(name) for name in first_rows] + [len(names)]
    return Document(
        [
            Page(Box(children=[Box("tr", Element(name)) for name in names[start:end]]))
            for start, end in zip(starts, starts[1:], strict=False)
        ]
    )


def counted(breaks: list[str]) -> tuple[Any, list[str]]:
    laid_out: list[str] = []

    def lay_out(html: str) -> Any:
        laid_out.append(html)
        return pages_breaking_before(breaks)

    return lay_out, laid_out


def test_a_page_break_where_a_group_starts_needs_one_layout() -> None:
    lay_out, laid_out = counted(["1-1", "1-3"])  # page 2 opens with the second group's first row
    _document, html = lay_out_with_continued_groups(HTML, lay_out)
    assert html == HTML
    assert laid_out == [HTML]


def test_a_page_break_inside_a_group_is_laid_out_again_with_the_label_continued() -> None:
    lay_out, laid_out = counted(["1-1", "1-2"])  # page 2 opens inside the first group
    _document, html = lay_out_with_continued_groups(HTML, lay_out)
    assert "Group 1-1 (continued)</th>" in html
    assert laid_out == [HTML, html]
