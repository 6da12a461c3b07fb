"""The house vocabulary, in one place: the ordered protective markings, the organisations and their
mastheads, the section titles and every fixed word a paper, front sheet or pack prints. Resolving
copies these words into the model; writers and templates print what the model hands them and decide
no wording of their own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class Marking:
    """A protective marking, as a house uses it."""

    label: str  # as content names it: "OFFICIAL-SENSITIVE"
    publish: bool  # may appear in the public variant
    header: str  # printed at the top and bottom of its pages
    status_line: str | None = None  # printed on the cover of a paper of this marking: "Non-restricted paper"


@dataclass(frozen=True)
class Exemption:
    """A reason a house may give for withholding an item from the public variant: a FOIA section or a
    Schedule 12A paragraph, named by a short key in content and printed in its words."""

    key: str  # as content names it: "s12a-para3"
    words: str  # printed beside the withheld item: "Schedule 12A, paragraph 3 (financial or business affairs)"


@dataclass(frozen=True)
class MastheadLine:
    """One organisation's mark in a masthead, with its name beside it."""

    style: str  # names its look in the print CSS (.mopac, .mps)
    mark: str  # "MOPAC"
    words: tuple[str, ...]  # the name beside the mark, line by line
    words_in_docx: str  # the name on one line, as the DOCX prints it
    logo: Logo | None = None  # a picture printed in place of the mark


@dataclass(frozen=True)
class Logo:
    image: bytes  # PNG or JPEG, read from the content project when the house style is loaded
    media_type: str  # "image/png" or "image/jpeg"
    height_mm: float = 14.0


MOPAC = MastheadLine(
    "mopac",
    "MOPAC",
    ("MAYOR OF LONDON", "OFFICE FOR POLICING AND CRIME"),
    "MAYOR OF LONDON · OFFICE FOR POLICING AND CRIME",
)
MPS = MastheadLine("mps", "MET", ("METROPOLITAN POLICE", "SERVICE"), "METROPOLITAN POLICE SERVICE")


@dataclass(frozen=True)
class Masthead:
    organisation: str  # as paper.yaml names it: "MPS", "MOPAC", "joint"
    lines: tuple[MastheadLine, ...]


# Organisations a paper may be reported by, and the masthead each prints.
ORGANISATIONS = tuple(
    Masthead(name, lines) for name, lines in (("MPS", (MPS,)), ("MOPAC", (MOPAC,)), ("joint", (MOPAC, MPS)))
)

# summary.yaml keys and the headings they print under, in order.
SUMMARY_PARTS: tuple[tuple[str, str], ...] = (
    ("purpose", "Overall Summary of the Purpose of the Report"),
    ("key_considerations", "Key Considerations for the Panel"),
    ("interdependencies", "Interdependencies/Cross Cutting Issues"),
)
# The mandatory implication files and the numbered sections they become, in order.
IMPLICATION_SECTIONS: tuple[tuple[str, str], ...] = (
    ("equality.yaml", "Equality and Diversity Impact"),
    ("financial.yaml", "Financial Implications"),
    ("legal.yaml", "Legal Implications"),
    ("risk.yaml", "Risk Implications"),
)
CONTACT_SECTION = "Contact Details"
APPENDIX_SECTION = "Appendices and Background Papers"


@dataclass(frozen=True)
class Wording:
    """Fixed words. `{name}` fields are filled in when the model is resolved; in the page-number
    patterns `{page}` and `{pages}` become the page counters of the PDF and the fields of the DOCX."""

    report_by: str = "Report by: {report_by}"
    report_summary: str = "Report Summary"
    recommendations: str = "Recommendations"
    recommendation: str = "Recommendation"  # the heading when there is only one, which has no letter
    recommendations_lead: str = "The Audit Panel is recommended to:"
    contents: str = "Contents"
    # Under the contents heading: the numbers are the paper's own, which inside the meeting pack
    # differ from the pack's page numbers and page labels.
    contents_page_numbers: str = (
        "Page numbers are this paper's own, as at the foot of each page (\u201c{footer}\u201d), not pack pages."
    )
    appendix: str = "Appendix {ref}"
    appendix_title_separator: str = " – "
    appendix_marking: str = " ({marking})"  # after an appendix's title in its heading and in the list
    withheld_appendix: str = "not published ({marking})"
    # A withheld item's exemption, after its stub in the public variant and its heading in the
    # restricted one, each part after the appendix title separator; and a released item's note.
    exempt_reason: str = "exempt: {reason}"
    exempt_audience: str = "may be seen by {audience}"
    exempt_release: str = "to be released on {date}"
    released: str = "Released on {date}"
    no_appendices: str = "There are no appendices to this report."
    background_papers: str = "Background papers"
    no_background_papers: str = "Background papers: none."
    contact_person: str = "{role}: {who}"
    contact_people: str = "{role}:"  # above the people listed together under one role ("Report authors:")
    contact_email: str = "Email: "
    contact_phone: str = "Telephone: {phone}"
    table_label: str = "Table {number}: {caption}"
    chart_label: str = "Figure {number}: {caption}"
    # Every date the papers, the front sheet and the site print ({day} {month} {year} {weekday}); where
    # a weekday goes with it (the front sheet, a paper's `date_format: with_weekday`) and the time.
    date: str = "{day} {month} {year}"
    date_with_weekday: str = "{weekday} {date}"
    meeting_when: str = "{date_with_weekday}, {time}"
    paragraph_number: str = "{number}."  # a numbered paragraph's number, "1.1.", in the PDF, DOCX and site
    continued_group: str = "{label} (continued)"  # a table's row group carried over to a new page
    # What a table cell holding only a trend arrow says to a screen reader (and, in Word, beside it)
    trend_up: str = "rising"  # ↑
    trend_down: str = "falling"  # ↓
    trend_level: str = "stable"  # ↔ (the words of the risk register's key)
    trend_fluctuating: str = "fluctuating"  # ↕
    draft: str = "DRAFT"
    page_number: str = "Page {page} of {pages}"
    # The agenda front sheet and the pack
    agenda_title: str = "{panel}, {when}: agenda"
    agenda_description: str = "{panel} agenda, {when}"
    agenda_docx_title: str = "{panel}: agenda"
    membership: str = "Membership"
    attendees: str = "Attendees"
    audit_representatives: str = "Audit Representatives"
    business: str = "Business to be considered"
    item_column: str = "Item"
    page_column: str = "Page"
    oral: str = "Oral"
    paper_not_published: str = "Paper not published"
    not_published: str = "Not published"
    contact: str = "Contact:"
    next_meeting: str = "The next meeting of the Audit Panel is scheduled to be held on {date}"
    pack_title: str = "{panel}, {when}: meeting pack"
    pack_subject: str = "{panel} meeting pack"
    pack_agenda_bookmark: str = "Agenda"
    pack_page_number: str = "Pack page {page} of {pages}"
    # The public HTML edition (site/ of the public variant)
    site_skip_link: str = "Skip to main content"
    site_index_title: str = "{panel}, {when}"
    site_paper_title: str = "{title} – {panel}, {date}"
    site_back_to_meeting: str = "All papers for this meeting"
    site_other_formats: str = "Other formats of this paper"
    site_meeting_documents: str = "The whole meeting"
    site_pdf_link: str = "PDF, {size}, {pages}"
    site_docx_link: str = "Word document, {size}"
    site_pack_link: str = "Meeting pack: the agenda and every published paper (PDF, {size}, {pages})"
    site_agenda_link: str = "Agenda (Word document, {size})"
    site_supplement_link: str = "Supplementary pack: the late papers (PDF, {size}, {pages})"
    site_pages: str = "{pages} pages"
    site_one_page: str = "1 page"
    site_kilobytes: str = "{size} KB"
    site_megabytes: str = "{size} MB"
    site_presented_by: str = "Presented by {presenter}"
    site_chart_data: str = "The data in {label}"
    site_in_this_paper: str = "In this paper"
    # What was published (`panelpapers publish`): each version's change note, and the page listing them
    publication_first: str = "First published on {date}."
    version_corrected: str = "Version {version} – corrected {date}"  # on a corrected paper and front sheet
    supplement_heading: str = "Supplementary agenda – published {date}"  # on a supplementary pack's front sheet
    supplement_page_prefix: str = "S"  # before a lettered supplement's page numbers: "S1", "S2" …
    publication_supplement: str = "Supplementary pack published on {date}: {papers}."
    publication_corrected: str = "Version {version} – corrected {date}. Changed: {papers}."
    publication_paper_changes: str = "{paper} ({count})"  # one paper in a change note: its changed passages
    publication_version: str = "Version {version}"
    publication_page_title: str = "{meeting}: published versions"
    publication_pack_link: str = "Meeting pack (PDF)"
    publication_site_link: str = "Papers and agenda on the web"

    def contents_note(self) -> str:
        """The contents page's note, its example footer in the house's own words ("Page 2 of 8")."""
        return self.contents_page_numbers.format(footer=self.page_number.format(page=2, pages=8))

    def date_text(self, date: dt.date, weekday: bool = False) -> str:
        """`date` in the house's words: "17 January 2022", with `weekday` "Monday 17 January 2022"."""
        text = self.date.format(day=date.day, month=f"{date:%B}", year=date.year, weekday=f"{date:%A}")
        return self.date_with_weekday.format(weekday=f"{date:%A}", date=text) if weekday else text

    def trend(self, text: str) -> str:
        """The words for a cell's text that is a trend arrow alone ("↑"); "" for any other text."""
        arrows = {"↑": self.trend_up, "↓": self.trend_down, "↔": self.trend_level, "↕": self.trend_fluctuating}
        return arrows.get(text.strip(), "")


WORDING = Wording()
FRONT_SHEET = "agenda"  # the front sheet's name where papers are named by folder (manifest, corrections)
# Chart series colours, in order (#rrggbb): the Met's blue, then an Okabe-Ito-like set darkened where
# needed so that each has at least 3:1 contrast against white (WCAG 2.1 non-text contrast) and every
# pair stays apart under simulated deuteranopia, protanopia and tritanopia (tests/test_colours.py).
PAPER_PYTHON_SECONDS = 30
PALETTE = ("#003c71", "#1a85ff", "#d55e00", "#6b6b6b", "#117733", "#c46f9f")


def relative_luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1's contrast ratio of two #rrggbb colours, from 1 to 21."""
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_colour_on(background: str) -> str:
    """Black or white, whichever reads better on `background` (at least 4.58:1 on any colour)."""
    return "#000000" if contrast_ratio("#000000", background) >= contrast_ratio("#ffffff", background) else "#ffffff"


# The four faces a paper prints in, and the packaged Liberation Sans files (beside the templates) that
# print them when a house names no fonts of its own.
FONT_FACES = ("regular", "bold", "italic", "bold_italic")
PACKAGED_FONT_URLS = {
    "regular": "fonts/LiberationSans-Regular.ttf",
    "bold": "fonts/LiberationSans-Bold.ttf",
    "italic": "fonts/LiberationSans-Italic.ttf",
    "bold_italic": "fonts/LiberationSans-BoldItalic.ttf",
}
# How the print CSS names a house's own font file: never by its path, so an output does not depend
# on where the project lies. The PDF writer's fetcher serves `house-font:bold` from the house's file.
HOUSE_FONT_SCHEME = "house-font"


@dataclass(frozen=True)
class Fonts:
    """A house's own typeface: four font files inside its content project (checked when the house
    style is loaded), the family name they share, and the font the DOCX names, since a Word
    document carries no font files and its reader's machine supplies the font."""

    files: tuple[Path, Path, Path, Path]  # in FONT_FACES order
    family: str  # as matplotlib and browsers know it: "Liberation Serif"
    word_font: str  # what the DOCX's styles name
    on_site: bool = False  # may the public HTML edition serve the files? (a licence may allow print only)
    licence: Path | None = None  # published beside them when it does

    def file(self, face: str) -> Path:
        return self.files[FONT_FACES.index(face)]


@dataclass(frozen=True)
class House:
    """One house style: everything above, for one panel's secretariat. The built-in one is the
    MPS-MOPAC Joint Audit Panel's; a content project's panelpapers.yaml describes its own."""

    markings: tuple[Marking, ...]  # lowest first
    organisations: tuple[Masthead, ...]
    front_sheet_organisation: str  # whose masthead the agenda front sheet carries
    summary_parts: tuple[tuple[str, str], ...] = SUMMARY_PARTS
    implication_sections: tuple[tuple[str, str], ...] = IMPLICATION_SECTIONS
    contact_section: str = CONTACT_SECTION
    appendix_section: str = APPENDIX_SECTION
    wording: Wording = WORDING
    palette: tuple[str, ...] = PALETTE
    fonts: Fonts | None = None  # None: the packaged Liberation Sans
    panel: str | None = None  # the panel a meeting or paper is of when its own file names none
    # May a paper's data/tables.py run during a build? Only where panelpapers.yaml says
    # `paper_python: allowed`; "refused here" when the command line or environment forbids it anyway.
    paper_python: Literal["allowed", "not allowed", "refused here"] = "not allowed"
    paper_python_seconds: int = PAPER_PYTHON_SECONDS  # how long all of a paper's Python may run
    # How papers print by default what their content may still choose for itself (content-format.md):
    # a lone recommendation, and the appendix section of a paper with no appendices.
    single_recommendation: Literal["unlettered", "lettered", "sentence"] = "unlettered"
    say_no_appendices: bool = True
    # A supplementary pack's page numbers: on from the main pack's last page, or lettered from S1.
    supplement_pages: Literal["continued", "lettered"] = "continued"
    exemptions: tuple[Exemption, ...] = ()  # the reasons a withheld item may give, in the house's order
    # The day a build publishes as of, deciding which withheld items are released (`--as-of`); None:
    # each paper's own date. Never the clock, so that a build gives the same outputs on any day.
    as_of: dt.date | None = None
    # The papers (by folder name, FRONT_SHEET for the front sheet) of a corrected version, each with
    # the note it prints: `panelpapers publish` builds with them (project.py reads them).
    corrections: tuple[tuple[str, str], ...] = ()

    @property
    def font_urls(self) -> dict[str, str]:
        """Where the print CSS's @font-face rules find each face."""
        if self.fonts is None:
            return dict(PACKAGED_FONT_URLS)
        return {face: f"{HOUSE_FONT_SCHEME}:{face}" for face in FONT_FACES}

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(marking.label for marking in self.markings)

    @property
    def public_marking(self) -> str:
        """The highest marking the public variant may carry."""
        return [marking.label for marking in self.markings if marking.publish][-1]

    def marking(self, label: str) -> Marking:
        return self.markings[self.rank(label)]

    def rank(self, label: str) -> int:
        return self.labels.index(label)

    def highest(self, labels: Iterable[str]) -> str:
        return max(labels, key=self.rank, default=self.labels[0])

    def is_publishable(self, label: str) -> bool:
        return self.marking(label).publish

    def correction(self, name: str) -> str:
        return dict(self.corrections).get(name, "")

    def exemption(self, key: str) -> Exemption:
        return next(exemption for exemption in self.exemptions if exemption.key == key)

    def masthead(self, organisation: str) -> Masthead:
        return next(masthead for masthead in self.organisations if masthead.organisation == organisation)


# The exemptions a police body's papers most often rely on (the Freedom of Information Act 2000).
FOIA_EXEMPTIONS = (
    Exemption("foia-s31", "Freedom of Information Act 2000, section 31 (law enforcement)"),
    Exemption(
        "foia-s36",
        "Freedom of Information Act 2000, section 36 (prejudice to the effective conduct of public affairs)",
    ),
    Exemption("foia-s43", "Freedom of Information Act 2000, section 43 (commercial interests)"),
)

DEFAULT_HOUSE = House(
    markings=(Marking("OFFICIAL", True, "OFFICIAL"), Marking("OFFICIAL-SENSITIVE", False, "OFFICIAL-SENSITIVE")),
    organisations=ORGANISATIONS,
    front_sheet_organisation="joint",  # the front sheet belongs to the joint panel: both mastheads
    exemptions=FOIA_EXEMPTIONS,
)


def counter_parts(pattern: str) -> tuple[tuple[str, str], ...]:
    """A page-number pattern as ("text", words), ("page", "") and ("pages", "") parts, in order, for
    writers that print the counters their own way (CSS counters, Word fields)."""
    parts: list[tuple[str, str]] = []
    rest = pattern
    while rest:
        at = [(rest.find(f"{{{name}}}"), name) for name in ("pages", "page") if f"{{{name}}}" in rest]
        if not at:
            parts.append(("text", rest))
            break
        index, name = min(at)
        if index:
            parts.append(("text", rest[:index]))
        parts.append((name, ""))
        rest = rest[index + len(name) + 2 :]
    return tuple(parts)
