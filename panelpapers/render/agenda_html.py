"""HTML for print of the agenda front sheet and of the pack's page-number overlay, through the same
sandboxed Jinja environment as the papers. WeasyPrint turns both into PDF."""

from __future__ import annotations

from pathlib import Path

from panelpapers.model import FrontSheet
from panelpapers.render.html import environment


def render_agenda_html(sheet: FrontSheet, templates: Path | None = None) -> str:
    meeting = sheet.meeting
    return (
        environment(templates)
        .get_template("agenda.html.j2")
        .render(sheet=sheet, masthead=meeting.masthead, words=meeting.words, font_urls=meeting.house.font_urls)
    )


def render_page_numbers_html(
    sizes: list[tuple[float, float]],
    pattern: str,
    font_urls: dict[str, str],
    templates: Path | None = None,
    first_page: int = 1,
    prefix: str = "",
) -> str:
    """`sizes`: (width, height) in points of every pack page, in order; `pattern`: the words around
    the page counters ("Pack page {page} of {pages}"); `font_urls`: the house's (House.font_urls).
    `first_page`: the first page's number; a supplementary pack continues the main pack's, so its
    {pages} is its last page's number, which no CSS counter knows: it is written in. `prefix`: the
    letter before every number of a lettered supplement ("S1 of S6")."""
    if first_page > 1 or prefix:
        pattern = pattern.replace("{pages}", prefix + str(first_page + len(sizes) - 1))
    pattern = pattern.replace("{page}", prefix + "{page}")
    return (
        environment(templates)
        .get_template("pack-numbers.html.j2")
        .render(sizes=sizes, page_number=pattern, font_urls=font_urls, first_page=first_page)
    )
