"""The resolved meeting: meeting.yaml and the agenda, with paper titles filled in."""

from __future__ import annotations

from panelpapers.errors import Location
from panelpapers.house import DEFAULT_HOUSE, FRONT_SHEET, House
from panelpapers.load.content import MEETING_FILE, MeetingSource
from panelpapers.model import AgendaItem, AttendeeGroup, Meeting, Member, Paper


def resolve_meeting(source: MeetingSource, papers: dict[str, Paper], house: House = DEFAULT_HOUSE) -> Meeting | None:
    """The meeting with paper titles filled in; None if the meeting file did not validate."""
    spec = source.spec
    if spec is None:
        return None
    notes = withheld_notes(source, house)
    items = tuple(
        AgendaItem(
            number=number,
            title=item.oral if item.oral is not None else papers[item.paper].title if item.paper in papers else "",
            presenter=item.presenter,
            paper=item.paper,
            withheld_note=notes.get(item.paper or "", ""),
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
        masthead=house.masthead(house.front_sheet_organisation),
        house=house,
        version_note=house.correction(FRONT_SHEET),
    )


def withheld_notes(source: MeetingSource, house: House) -> dict[str, str]:
    """The exemption each paper withheld whole gives (paper.yaml `exempt:`), by folder name, for the
    public front sheet and site to print after "Paper not published"."""
    from panelpapers.resolve.paper import exemption_words

    notes: dict[str, str] = {}
    for paper in source.papers:
        spec = paper.specs.get("paper.yaml")
        if spec is not None and spec.exempt is not None and not house.is_publishable(spec.marking):
            notes[paper.folder.name] = exemption_words(spec.exempt, house)
    return notes
