"""The resolved meeting and its agenda, format-neutral and frozen, and the front sheet of one pack
variant: which items it lists, the page each paper starts on, and the marking it carries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from panelpapers.content import MEETING_FILE, MeetingSource
from panelpapers.errors import Location
from panelpapers.model import MARKINGS, Paper, format_date
from panelpapers.schema import MARKING_RANK

ORAL = "Oral"


@dataclass(frozen=True)
class Member:
    name: str
    role: str | None


@dataclass(frozen=True)
class AttendeeGroup:
    organisation: str
    people: tuple[str, ...]


@dataclass(frozen=True)
class AgendaItem:
    number: int  # 1, 2, … in agenda order, the same in every variant
    title: str  # the oral item's words, or the paper's title
    presenter: str | None
    paper: str | None  # the paper's folder name; None for an oral item


@dataclass(frozen=True)
class Meeting:
    slug: str  # the folder name, e.g. "2022-01-17-audit-panel"
    panel: str
    date: dt.date
    time: str
    venue: str
    membership: tuple[Member, ...]
    attendees: tuple[AttendeeGroup, ...]
    audit_representatives: tuple[str, ...]
    contact_name: str
    contact_email: str
    next_meeting: dt.date | None
    items: tuple[AgendaItem, ...]
    location: Location  # meeting.yaml

    @property
    def when_text(self) -> str:
        return f"{self.date:%A}, {format_date(self.date)}, {self.time}"

    @property
    def next_meeting_text(self) -> str | None:
        return format_date(self.next_meeting) if self.next_meeting else None


def resolve_meeting(source: MeetingSource, papers: dict[str, Paper]) -> Meeting | None:
    """The meeting with paper titles filled in; None if the meeting file did not validate."""
    spec = source.spec
    if spec is None:
        return None
    items = tuple(
        AgendaItem(
            number=number,
            title=item.oral if item.oral is not None else papers[item.paper].title if item.paper in papers else "",
            presenter=item.presenter,
            paper=item.paper,
        )
        for number, item in enumerate(spec.agenda, start=1)
    )
    return Meeting(
        slug=source.folder.name,
        panel=spec.panel,
        date=spec.date,
        time=spec.time,
        venue=spec.venue,
        membership=tuple(Member(m.name, m.role) for m in spec.membership),
        attendees=tuple(AttendeeGroup(g.organisation, tuple(g.people)) for g in spec.attendees),
        audit_representatives=tuple(spec.audit_representatives),
        contact_name=spec.contact.name,
        contact_email=spec.contact.email,
        next_meeting=spec.next_meeting,
        items=items,
        location=Location(source.folder / MEETING_FILE, 1),
    )


# The front sheet of one variant ------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaRow:
    number: int
    title: str
    presenter: str | None
    page: str  # "12", "Oral", or "Not published" for a paper left out of this variant
    paper: str | None = None  # the paper's folder name when the paper is in this pack


@dataclass(frozen=True)
class FrontSheet:
    meeting: Meeting
    marking: str  # the highest marking of anything in the pack
    draft: bool  # any paper in the pack is a draft
    rows: tuple[AgendaRow, ...]


def highest_marking(markings: list[str]) -> str:
    return max(markings, key=MARKING_RANK.__getitem__, default=MARKINGS[0])


def front_sheet(meeting: Meeting, papers: dict[str, Paper], first_pages: dict[str, int]) -> FrontSheet:
    """`papers` are this variant's papers by folder name; an agenda paper missing from them was left
    out of the variant, and is then named only by its agenda number (its title is not published)."""
    rows = []
    for item in meeting.items:
        if item.paper is None:
            rows.append(AgendaRow(item.number, item.title, item.presenter, ORAL))
        elif item.paper in papers:
            rows.append(AgendaRow(item.number, item.title, item.presenter, str(first_pages[item.paper]), item.paper))
        else:
            rows.append(AgendaRow(item.number, "Paper not published", None, "Not published"))
    included = list(papers.values())
    # An appendix with content is printed inside its paper, so its marking counts too.
    printed = [p.marking for p in included] + [a.marking for p in included for a in p.appendices if a.blocks]
    return FrontSheet(
        meeting=meeting,
        marking=highest_marking(printed),
        draft=any(p.status == "draft" for p in included),
        rows=tuple(rows),
    )
