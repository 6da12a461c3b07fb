"""HTML for print of the agenda front sheet and of the pack's page-number overlay, through the same
sandboxed Jinja environment as the papers. WeasyPrint turns both into PDF."""

from __future__ import annotations

from panelpapers.agenda import FrontSheet
from panelpapers.writers.html import environment

# The front sheet belongs to the joint panel, so it carries both mastheads.
FRONT_SHEET_MASTHEAD = {"organisation": "joint"}


def render_agenda_html(sheet: FrontSheet) -> str:
    return environment().get_template("agenda.html.j2").render(sheet=sheet, paper=FRONT_SHEET_MASTHEAD)


def render_page_numbers_html(sizes: list[tuple[float, float]]) -> str:
    """`sizes`: (width, height) in points of every pack page, in order."""
    return environment().get_template("pack-numbers.html.j2").render(sizes=sizes)
