"""The front sheet of one pack variant: which items it lists, the page each paper starts on, and the
marking it carries."""

from __future__ import annotations

from panelpapers.model import AgendaRow, FrontSheet, Meeting, Paper


def front_sheet(
    meeting: Meeting, papers: dict[str, Paper], first_pages: dict[str, str], show_markings: bool
) -> FrontSheet:
    """`first_pages`: the pack page number each paper starts on ("12", or "S2" in a lettered
    supplement). `papers` are this variant's papers by folder name; an agenda paper missing from them
    was left out of the variant, and is then named only by its agenda number (its title is not
    published). `show_markings`: each paper's row says its marking (the restricted pack, whose papers
    differ), and a paper withheld from the public says why."""
    words = meeting.words
    rows = []
    for item in meeting.items:
        if item.paper is None:
            rows.append(AgendaRow(item.number, item.title, item.presenter, words.oral))
        elif item.paper in papers:
            paper = papers[item.paper]
            marking = paper.highest_marking if show_markings else None
            if marking and item.withheld_note:  # why the public front sheet withholds it
                marking = words.appendix_title_separator.join([marking, item.withheld_note])
            page = first_pages[item.paper]
            rows.append(AgendaRow(item.number, item.title, item.presenter, page, item.paper, marking))
        else:
            title = words.paper_not_published
            if item.withheld_note:
                title = words.appendix_title_separator.join([title, item.withheld_note])
            rows.append(AgendaRow(item.number, title, None, words.not_published))
    included = list(papers.values())
    return FrontSheet(
        meeting=meeting,
        marking=meeting.house.highest(p.highest_marking for p in included),
        draft=any(p.status == "draft" for p in included),
        rows=tuple(rows),
    )
