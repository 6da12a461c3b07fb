"""A table's row group that runs onto a new page gets its label again at the top of that page
("2013/14 (continued)"). WeasyPrint repeats a table's header rows on every page but prints a cell
spanning rows only where it starts, and it knows nothing of page breaks before layout; so the
paper is laid out, the rows that open a page inside a group are found in the layout, and the HTML
is rewritten so that each such row starts a header cell of its own, spanning the rest of the group.
The rewrite can move later breaks (the new label may be wider), so it is repeated until the rows
found are the rows rewritten; a paper without grouped tables is laid out once, as before."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

# How many layouts a paper may take before the last is kept; two settle every case seen so far
# (the second layout only confirms the first's breaks).
MAX_LAYOUTS = 4

_ROW = re.compile(r'<tr([^>]*) data-row="(\d+)-(\d+)">')
_GROUP_START = re.compile(r'<th scope="rowgroup" rowspan="(\d+)" class="([^"]*)" data-continued="([^"]*)">')
_GROUP_COLUMN = re.compile(r'data-group-column="(\d+)"')
_CELL_END = re.compile(r"</t[dh]>")


def _rows(box: Any) -> Iterator[str]:
    """The data-row of every table row laid out in a box, in document order."""
    element = getattr(box, "element", None)
    if getattr(box, "element_tag", None) == "tr" and element is not None and element.get("data-row"):
        yield element.get("data-row")
        return
    for child in getattr(box, "children", ()):
        yield from _rows(child)


def rows_opening_pages(document: Any) -> set[str]:
    """The grouped-table rows (data-row "table-row") that are the first of their table on a page
    after the table's first page."""
    seen_tables: set[str] = set()
    found: set[str] = set()
    for page in document.pages:
        first_here: dict[str, str] = {}
        for row in _rows(page._page_box):
            table = row.split("-", 1)[0]
            first_here.setdefault(table, row)
        for table, row in first_here.items():
            if table in seen_tables:
                found.add(row)
            seen_tables.add(table)
    return found


def _split_rows(html: str) -> list[tuple[int, int, str]]:
    """Each grouped row's (start offset, end offset, text) in the HTML, its <tr …> to its </tr>."""
    rows = []
    for match in _ROW.finditer(html):
        end = html.index("</tr>", match.end()) + len("</tr>")
        rows.append((match.start(), end, html[match.start() : end]))
    return rows


def continue_groups(html: str, rows: set[str]) -> str:
    """The HTML with a row group's label cell restarted, as "<label> (continued)", at each of `rows`
    that falls inside a group; rows that start a group of their own are left as they are."""
    if not rows:
        return html
    pieces: list[str] = []
    last = 0
    label: tuple[str, str, int, int] | None = None  # (class, continued label, rows left, piece index)
    for start, end, text in _split_rows(html):
        row_id = _ROW.match(text)
        assert row_id is not None
        name = f"{row_id.group(2)}-{row_id.group(3)}"
        pieces.append(html[last:start])
        last = end
        group = _GROUP_START.search(text)
        if group is not None:
            label = (group.group(2), group.group(3), int(group.group(1)), len(pieces))
        elif label is not None and label[2] > 0 and name in rows:
            css, continued, left, opened = label
            # The cell above now stops before this row; this row starts the rest of the group.
            above = pieces[opened]
            cell_above = _GROUP_START.search(above)
            assert cell_above is not None
            shortened = cell_above.group(0).replace(
                f'rowspan="{cell_above.group(1)}"', f'rowspan="{int(cell_above.group(1)) - left}"'
            )
            pieces[opened] = above[: cell_above.start()] + shortened + above[cell_above.end() :]
            cell = (
                f'<th scope="rowgroup" rowspan="{left}" class="{css} continued" data-continued="{continued}">'
                f"{continued}</th>"  # the attribute's text is already escaped for HTML
            )
            column = _GROUP_COLUMN.search(text)
            text = _insert_cell(text, cell, int(column.group(1)) if column else 0)
            label = (css, continued, left, len(pieces))
        pieces.append(text)
        if label is not None:
            label = (label[0], label[1], label[2] - 1, label[3])
    pieces.append(html[last:])
    return "".join(pieces)


def _insert_cell(row: str, cell: str, column: int) -> str:
    """`row` with `cell` before its `column`th cell (0: first), counting the cells it has."""
    opening = row.index(">") + 1
    position = opening
    for _ in range(column):
        match = _CELL_END.search(row, position)
        if match is None:
            break
        position = match.end()
    return row[:position] + cell + row[position:]


def lay_out_with_continued_groups(html: str, lay_out: Callable[[str], Any], document: Any = None) -> tuple[Any, str]:
    """The laid-out document and the HTML it was laid out from, each group continued where a page
    breaks it. `lay_out`: HTML to a WeasyPrint document; `document`: `html` laid out already, if it is."""
    document = lay_out(html) if document is None else document
    if 'data-continued="' not in html:
        return document, html
    applied: set[str] = set()
    current = html
    for _ in range(MAX_LAYOUTS - 1):
        wanted = rows_opening_pages(document)
        if wanted == applied:
            break
        applied = wanted
        rewritten = continue_groups(html, wanted)
        if rewritten == current:  # each row found starts a group of its own: this layout is the one
            break
        current = rewritten
        document = lay_out(current)
    return document, current
