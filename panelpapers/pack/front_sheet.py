"""The front sheet of one pack variant: which items it lists, the page each paper starts on, and the
marking it carries."""

from __future__ import annotations

from panelpapers.house import highest_marking
from panelpapers.model import AgendaRow, FrontSheet, Meeting, Paper


def front_sheet(meeting: Meeting, papers: dict[str, Paper], first_pages: dict[str, int]) -> FrontSheet:
    """`papers` are this variant's papers by folder name; an agenda paper missing from them was left
    out of the variant, and is then named only by its agenda number (its title is not published)."""
    words = meeting.words
    rows = []
    for item in meeting.items:
        if item.paper is None:
            rows.append(AgendaRow(item.number, item.title, item.presenter, words.oral))
        elif item.paper in papers:
            rows.append(AgendaRow(item.number, item.title, item.presenter, str(first_pages[item.paper]), item.paper))
        else:
            rows.append(AgendaRow(item.number, words.paper_not_published, None, words.not_published))
    included = list(papers.values())
    # An appendix with content is printed inside its paper, so its marking counts too.
    printed = [p.marking for p in included] + [a.marking for p in included for a in p.appendices if a.blocks]
    return FrontSheet(
        meeting=meeting,
        marking=highest_marking(printed),
        draft=any(p.status == "draft" for p in included),
        rows=tuple(rows),
    )
