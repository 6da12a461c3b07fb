"""The blocks of a Word paper placed into the content's section files. The document is read in
order as regions (the cover, the Report Summary and its parts, the recommendations, the supporting
sections, each implication section, contact details, the list of appendices, each appendix's
content), found by the house's own section titles wherever a heading or a short line says one, and
by the text's own numbering ("1.", "1.1", "a)", "i."). Every block is accounted for in `placements`:
placed, recognised as furniture, or put in a section file's holding place for a person to move."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from panelpapers.house import House
from panelpapers.wordimport.furniture import (
    furniture_reason,
    is_contents_entry,
    markings_in,
    repeated_lines,
    says_draft,
)
from panelpapers.wordimport.lines import Line, escape, notation_runs, read_line, to_markup
from panelpapers.wordimport.reading import Paragraph, Picture, Run, Table, WordPaper

HOLDING = "NOT PLACED BY IMPORT"  # marks the holding place in a section file
HOLDING_HEADING = f"{HOLDING}: move each paragraph where it belongs, or delete it"
HEADING_STYLES = {"paper title", "summary heading", "summary part", "appendix title", "contents heading", "title"}
CAPTION = re.compile(r"^(table|figure)\s+\d+[.:]?\s*[:–-]?\s*", re.IGNORECASE)
APPENDIX = re.compile(r"^appendix\s+([A-Z0-9]{1,3})\b\s*[-–—:]?\s*(.*)$", re.IGNORECASE)
REPORT_BY = re.compile(r"^report\s+by\s*:?\s*", re.IGNORECASE)


def report_by_pattern(house: House) -> re.Pattern[str]:
    """The cover's "Report by:" line in the house's own words ("Report of: {report_by}" → "Report of:"),
    or the built-in words."""
    words = house.wording.report_by.split("{report_by}", 1)[0].strip().rstrip(":").split()
    if not words:
        return REPORT_BY
    own = r"\s+".join(re.escape(word) for word in words)
    return re.compile(rf"^(?:{own}|report\s+by)\s*:?\s*", re.IGNORECASE)
DATE = re.compile(r"^(?:[A-Za-z]+,?\s+)?(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})(?:,?\s+\d{1,2}[:.]\d{2})?$")
CONTACT = re.compile(r"^([A-Za-z][A-Za-z ]{1,40}):\s*(.+)$")
EMAIL = re.compile(r"^e-?mail\s*:?\s*(\S+@\S+)$", re.IGNORECASE)
PHONE = re.compile(r"^(?:telephone|tel|phone)\s*:?\s*(.+)$", re.IGNORECASE)
MARKING_SUFFIX = re.compile(r"\s*\(([A-Z-]+)\)\s*$")
EXEMPTION_PARTS = "; "  # between an exemption's reason, audience and release date (resolve/paper.py)
MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
SHORT = 120  # a line at most this long, without a full stop at its end, may be a heading


@dataclass
class Placement:
    """One block of the Word paper and where it went, for the report."""

    found_in: str  # the region of the Word paper: cover, summary, supporting, legal, appendix A, …
    kind: str  # paragraph, table, image
    went_to: str  # the file it was written to, "furniture: a page number", or "holding place in …"
    text: str


@dataclass
class ImportedTable:
    name: str
    caption: str
    rows: list[list[str]]  # as cells of inline markup (markup columns) or plain text
    header_rows: int
    notes: str | None
    markup_columns: set[int]
    caption_given: bool
    row_groups: int | None = None  # the column whose cells Word merged down over each group's rows
    align: list[str | None] = field(default_factory=list)  # per column, as Word aligned its cells
    landscape: bool = False


@dataclass
class ImportedImage:
    file: str  # images/image-1.png
    picture: Picture
    caption: str | None


@dataclass
class ImportedPaper:
    cover: dict[str, Any] = field(default_factory=dict)
    cover_unplaced: list[str] = field(default_factory=list)  # written as comments in paper.yaml
    summary: dict[str, list[Any]] = field(default_factory=dict)
    recommendations_lead: str | None = None
    recommendations: list[str] = field(default_factory=list)
    recommendations_lettered: bool = False  # printed with letters (a lone one too: `single: lettered`)
    sections: list[dict[str, Any]] = field(default_factory=list)
    implications: dict[str, list[Any]] = field(default_factory=dict)
    contacts: list[dict[str, str]] = field(default_factory=list)
    contact_unplaced: list[str] = field(default_factory=list)
    appendices: list[dict[str, Any]] = field(default_factory=list)
    background_papers: list[str] = field(default_factory=list)
    appendices_unplaced: list[str] = field(default_factory=list)
    tables: list[ImportedTable] = field(default_factory=list)
    images: list[ImportedImage] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what a person must check, for the report
    other_papers: list[str] = field(default_factory=list)  # titles of the papers bound after this one


def _key(text: str) -> str:
    """A title compared loosely: case, numbering, punctuation and spacing aside."""
    text = re.sub(r"^\d{1,2}[.)]?\s+", "", text.strip())
    return re.sub(r"[^a-z]+", " ", text.lower()).strip()


@dataclass
class _Figure:
    picture: Picture
    caption: str | None
    source: Line


@dataclass
class _Table:
    table: Table
    caption: str | None
    notes: str | None


Item = Line | _Table | _Figure


class Placer:
    def __init__(self, house: House, word: WordPaper, panel_names: list[str]) -> None:
        self.house = house
        self.report_by = report_by_pattern(house)
        self.word = word
        self.panel_names = [name for name in panel_names if name]
        self.paper = ImportedPaper()
        self.region = "cover"
        self.summary_part: str | None = None
        self.section: dict[str, Any] | None = None
        self.group_path: list[dict[str, Any]] = []
        self.last_cover_line = ""
        self.section_level: int | None = None  # the heading level of the current section's title
        self.paragraph: dict[str, Any] | None = None  # the last numbered paragraph, for its items
        self.item: dict[str, Any] | None = None  # its last item, for sub-items
        self.appendix: dict[str, Any] | None = None
        self.listing_background = False
        self.numbered = False
        self.paragraph_count = 0
        self.held: dict[str, list[dict[str, Any]]] = {}  # tables and images by the file they wait in
        titles = {_key(title): f"summary:{key}" for key, title in house.summary_parts}
        titles |= {_key(title): file.removesuffix(".yaml") for file, title in house.implication_sections}
        titles |= {
            _key(house.wording.report_summary): "summary",
            _key(house.wording.recommendations): "recommendations",
            _key(house.wording.recommendation): "recommendations",
            _key(house.contact_section): "contact",
            _key(house.appendix_section): "appendices",
            "appendix": "appendices",  # plain papers often title the section just "Appendix" or "Appendices"
            "appendices": "appendices",
            _key(house.wording.contents): "contents",
        }
        self.titles = titles

    # ---- the whole document ----

    def place(self) -> ImportedPaper:
        lines = [read_line(block, not self.word.styled) for block in self.word.blocks if isinstance(block, Paragraph)]
        running_heads = repeated_lines(lines)
        self.numbered = any(line.kind == "paragraph" for line in lines)
        marks: list[str] = list(self.word.furniture_text)
        items = self._items(lines)
        further = self._further_papers(lines)
        if further:
            self.paper.other_papers = [title for _, title in further]
            begins = next(n for n, item in enumerate(items) if _block_index(item) >= further[0][0].block.index)
            self._hold_papers(items[begins:], further)
            items = items[:begins]
        for item in items:
            if isinstance(item, Line):
                reason = furniture_reason(item, self.house, running_heads)
                if reason is not None:
                    if reason == "a marking":
                        marks.append(item.text)
                    if reason != "an empty paragraph":
                        self._record("paragraph", f"furniture: {reason}", item.text)
                    continue
                if self.region == "appendix contents" and not is_contents_entry(item):
                    self.region = "appendix"
                if self.region in ("contents", "appendix contents") and is_contents_entry(item):
                    self._record("paragraph", "furniture: a contents page entry", item.text)
                    continue
                if is_contents_entry(item) and item.block.in_contents_control:
                    self._record("paragraph", "furniture: a contents page entry", item.text)
                    continue
                if self._region_change(item):
                    continue
                self._line(item)
            elif isinstance(item, _Table):
                self._table(item)
            else:
                self._figure(item)
        self._finish_cover(marks)
        return self.paper

    def _further_papers(self, lines: list[Line]) -> list[tuple[Line, str]]:
        """Papers bound after the first (an agenda pack): each starts at a cover whose "Report by:"
        line is followed by the Report Summary's title. The cover begins at its title, the line
        above "Report by:", or at the masthead, panel and date printed above that. The first line
        of each and its title."""
        texts = [line for line in lines if line.text]
        summary = _key(self.house.wording.report_summary)
        found: list[tuple[Line, str]] = []
        seen_report_by = False
        for number, line in enumerate(texts):
            if not self.report_by.match(line.text) or number == 0:
                continue
            following = [_key(after.text) for after in texts[number + 1 : number + 4]]
            if not seen_report_by:
                seen_report_by = True
                continue
            if summary not in following:
                continue
            start = number - 1
            while start > 0 and self._cover_furniture(texts[start - 1].text):
                start -= 1
            found.append((texts[start], texts[number - 1].text))
        return found

    def _cover_furniture(self, text: str) -> bool:
        """A line a cover prints above the title: a masthead, the panel's name, the date."""
        if _date(text) is not None or any(_key(text) == _key(name) for name in self.panel_names):
            return True
        saved = list(self.paper.cover.get("mastheads", []))
        hit = self._masthead(text)
        self.paper.cover["mastheads"] = saved  # only asked, not remembered
        return hit

    def _hold_papers(self, items: list[Item], further: list[tuple[Line, str]]) -> None:
        """Records every block of the papers after the first as not placed: each is imported from a
        DOCX of its own."""
        number, title = 1, ""
        for item in items:
            while number - 1 < len(further) and _block_index(item) >= further[number - 1][0].block.index:
                number, title = number + 1, further[number - 1][1]
            went_to = f"not placed: paper {number} of the Word file, “{title}”"
            kind, text = ("table", item.caption or "") if isinstance(item, _Table) else ("paper", "")
            if isinstance(item, Line):
                if not item.text:
                    continue
                kind, text = "paragraph", item.text
            elif isinstance(item, _Figure):
                kind, text = "image", item.picture.alt
            self.paper.placements.append(Placement(f"paper {number}", kind, went_to, " ".join(text.split())[:70]))

    def _items(self, lines: list[Line]) -> list[Item]:
        """Lines, tables and pictures in order, each table or picture with its caption (a Caption
        paragraph or a "Table 3: …" line before it) and a table with its notes."""
        by_block = {id(line.block): line for line in lines}
        items: list[Item] = []
        for block in self._tab_tables(self.word.blocks):
            if isinstance(block, Table):
                caption = None
                last = items[-1] if items else None
                if isinstance(last, Line) and self._is_caption(last, "table"):
                    items.pop()
                    caption = CAPTION.sub("", last.text)
                items.append(_Table(block, caption, None))
                continue
            line = by_block[id(block)]
            above = next((item for item in reversed(items) if not isinstance(item, Line) or item.text), None)
            if (
                not self.word.styled  # a plain document may print a table's caption below it
                and isinstance(above, _Table)
                and above.caption is None
                and self._is_caption(line, "table")
            ):
                above.caption = CAPTION.sub("", line.text)
                continue
            if (
                items
                and isinstance(items[-1], _Table)
                and items[-1].notes is None
                and line.text
                and (block.style.lower() == "table notes" or re.match(r"^(source|note|notes)\s*:", line.text, re.I))
            ):
                items[-1].notes = line.markup
                continue
            if block.pictures:
                caption = CAPTION.sub("", line.text) if line.text and self._is_caption(line, "figure") else None
                for picture in block.pictures:
                    items.append(_Figure(picture, caption, line))
                if caption is not None or not line.text:
                    continue
            items.append(line)
        return items

    def _tab_tables(self, blocks: list[Paragraph | Table]) -> list[Paragraph | Table]:
        """In a plain document a table is lines of cells separated by tabs: two or more such lines
        with the same number of cells become a table (unless every line after the first ends in a
        page number, which is a contents page)."""
        if self.word.styled:
            return blocks
        result: list[Paragraph | Table] = []
        run: list[Paragraph] = []

        def close() -> None:
            widths = {len(paragraph.text.split("\t")) for paragraph in run}
            # a contents page: every entry after the first ends in a page number, and they ascend
            # (a table whose last column is a count does not)
            pages = [re.search(r"\t\s*(\d{1,4})\s*$", paragraph.text) for paragraph in run[1:]]
            numbers = [int(page.group(1)) for page in pages if page]
            contents = len(numbers) == len(pages) and numbers == sorted(numbers)
            if len(run) >= 2 and len(widths) == 1 and not contents:
                rows = [
                    [notation_runs([Run(cell.strip())]) for cell in paragraph.text.split("\t")] for paragraph in run
                ]
                result.append(Table(run[0].index, rows, 1))
            else:
                result.extend(run)
            run.clear()

        for block in blocks:
            if isinstance(block, Paragraph) and "\t" in block.text.strip() and not block.pictures:
                run.append(block)
                continue
            close()
            result.append(block)
        close()
        return result

    @staticmethod
    def _is_caption(line: Line, kind: str) -> bool:
        match = CAPTION.match(line.text)
        # Word's "Caption"; pandoc's "Table Caption" and "Image Caption"
        style = line.block.style.lower()
        return bool(match and match.group(1).lower() == kind) or (
            style in ("caption", f"{'image' if kind == 'figure' else kind} caption") and bool(line.text)
        )

    def _record(self, kind: str, went_to: str, text: str) -> None:
        found = self.region
        if self.region.startswith("summary"):
            found = "summary"
        self.paper.placements.append(Placement(found, kind, went_to, " ".join(text.split())[:70]))

    # ---- regions ----

    def _headingish(self, line: Line) -> bool:
        if line.heading_level is not None or line.block.style.lower() in HEADING_STYLES:
            return True
        short = len(line.text) <= SHORT and not line.text.endswith(".")
        return short and (line.bold_whole or line.kind == "section")

    def _region_change(self, line: Line) -> bool:
        """Moves to the region a title names; True when `line` was that title."""
        if line.kind not in (None, "section") or len(line.text) > SHORT:
            return False
        appendix = APPENDIX.match(line.text)
        if appendix and self.region in ("appendices", "appendix") and self._appendix_heading(line, appendix):
            return True
        if self.region in ("appendices", "appendix") and self._appendix_by_title(line):
            return True
        region = self.titles.get(_key(line.text))
        if region is None:
            return False
        if region == "summary" and self.region.startswith("summary"):
            return False
        if region == "contents" and self.region == "appendix":
            self._record("paragraph", "furniture: the title of an appendix's contents page", line.text)
            self.region = "appendix contents"  # its entries are furniture; then the appendix goes on
            return True
        self._record("paragraph", "a section title (printed by the house style)", line.text)
        self.region = region
        self.paragraph = self.item = None
        if region.startswith("summary:"):
            self.summary_part = region.partition(":")[2]
            self.paper.summary.setdefault(self.summary_part, [])
        self.listing_background = False
        return True

    def _appendix_by_title(self, line: Line) -> bool:
        """A heading that repeats a listed appendix's title without "Appendix N" (a document attached
        as it is) starts that appendix's content."""
        listed = next((a for a in self.paper.appendices if _key(a["title"]) == _key(line.text)), None)
        if listed is None or "content" in listed or not line.text:
            return False
        listed["content"] = []
        self.appendix = listed
        self.region = "appendix"
        self.paragraph = self.item = None
        self._record("paragraph", f"appendices.yaml: appendix {listed['ref']}'s title", line.text)
        return True

    def _appendix_heading(self, line: Line, match: re.Match[str]) -> bool:
        ref = match.group(1).upper()
        title = MARKING_SUFFIX.sub("", match.group(2)).strip(" –-")
        listed = next((a for a in self.paper.appendices if a["ref"] == ref), None)
        starts_content = (
            self.region == "appendix"
            or (listed is not None and self._headingish(line))
            or (line.block.style.lower() == "appendix title")
        )
        if not starts_content:
            return False
        if listed is None:
            listed = {"ref": ref, "title": title or f"Appendix {ref}"}
            self.paper.appendices.append(listed)
            self.paper.notes.append(
                f"Appendix {ref} has content but was not in the list of appendices; check its title"
            )
        elif title and title != listed["title"]:
            listed["short_title"], listed["title"] = listed["title"], title
        listed.setdefault("content", [])
        self.appendix = listed
        self.region = "appendix"
        self.paragraph = self.item = None
        self._record("paragraph", f"appendices.yaml: appendix {ref}'s title", line.text)
        return True

    # ---- lines ----

    def _line(self, line: Line) -> None:
        region = self.region
        if region == "cover" and line.kind not in ("section", "paragraph"):
            self._cover_line(line)
        elif region.startswith("summary"):
            self._block_line(line, "summary.yaml", self.paper.summary.setdefault(self.summary_part or "purpose", []))
            if self.summary_part is None:
                self.summary_part = "purpose"
        elif region == "recommendations" and not self._headingish(line):
            self._recommendation(line)
        elif region in ("contents", "recommendations", "cover"):
            self.region = "supporting"
            self._supporting(line)
        elif region in {file.removesuffix(".yaml") for file, _ in self.house.implication_sections}:
            self._block_line(line, f"{region}.yaml", self.paper.implications.setdefault(region, []))
        elif region == "contact":
            self._contact(line)
        elif region == "appendices":
            self._appendix_list(line)
        elif region == "appendix":
            self._appendix_content(line)
        else:
            self._supporting(line)

    def _cover_line(self, line: Line) -> None:
        cover = self.paper.cover
        text = line.text
        style = line.block.style.lower()
        date = _date(text)
        if self.report_by.match(text) and "report_by" not in cover:
            cover["report_by"] = to_markup(_strip_prefix(line, self.report_by))
            self._record("paragraph", "paper.yaml: report_by", text)
            unplaced = self.paper.cover_unplaced
            if unplaced and self.last_cover_line == unplaced[-1] and "title" in cover:
                # the paper's title stands just above "Report by"; the line taken before it was
                # another page's (an agenda front sheet bound in front of the paper)
                unplaced[-1] = cover["title"]
                cover["title"] = escape(self.last_cover_line)
                self.paper.notes.append(f"the title is the line above 'Report by'; '{unplaced[-1]}' was left out")
        elif date is not None and "date" not in cover:
            cover["date"] = date
            cover["date_format"] = "with_weekday" if re.match(r"^[A-Za-z]+,?\s+\d", text) else "plain"
            self._record("paragraph", "paper.yaml: date", text)
        elif any(_key(text) == _key(name) for name in self.panel_names) and "meeting" not in cover:
            cover["meeting"] = next(name for name in self.panel_names if _key(text) == _key(name))
            self._record("paragraph", "paper.yaml: meeting (the panel)", text)
        elif self._masthead(text):
            self._record("paragraph", "paper.yaml: organisation (a masthead)", text)
        elif "title" not in cover and (style in ("paper title", "title") or line.heading_level or len(text) <= SHORT):
            if style not in ("paper title", "title") and self._looks_like_panel(text):
                self.paper.cover_unplaced.append(text)
                self.paper.notes.append(f"the panel named on the cover, '{text}', is not the house's or the meeting's")
                self._record("paragraph", "paper.yaml: a comment (an unknown panel)", text)
                return
            cover["title"] = escape(text)
            self._record("paragraph", "paper.yaml: title", text)
        else:
            self.paper.cover_unplaced.append(text)
            self._record("paragraph", "paper.yaml: a comment (not placed)", text)
        self.last_cover_line = text

    @staticmethod
    def _looks_like_panel(text: str) -> bool:
        return bool(re.search(r"\b(panel|committee|board)\b", text, re.IGNORECASE)) and text.upper() == text

    def _masthead(self, text: str) -> bool:
        """Does the line print one organisation's masthead? Each found is remembered."""
        found = self.paper.cover.setdefault("mastheads", [])
        squeezed = re.sub(r"[^A-Z]", "", text.upper())
        hit = False
        for masthead in self.house.organisations:
            for line in masthead.lines:
                words = re.sub(r"[^A-Z]", "", " ".join(line.words).upper())
                mark = re.sub(r"[^A-Z]", "", line.mark.upper())
                if (
                    (words and words in squeezed)
                    or (len(squeezed) > 8 and squeezed in words)
                    or (mark and squeezed.startswith(mark) and squeezed[len(mark) :] in words)
                ):
                    if line.mark not in found:
                        found.append(line.mark)
                    hit = True
        return hit

    def _block_line(self, line: Line, file: str, blocks: list[Any]) -> None:
        """A paragraph or bullet of a block list (summary parts, implication sections)."""
        if line.kind in ("bullet", "letter", "roman", "number"):
            if blocks and isinstance(blocks[-1], dict):
                blocks[-1]["bullets"].append(line.markup)
            else:
                blocks.append({"bullets": [line.markup]})
            self._record("paragraph", f"{file} (a bullet)", line.text)
        elif _continues(line) and blocks and isinstance(blocks[-1], str):
            blocks[-1] = f"{blocks[-1]} {line.markup}"
            self._record("paragraph", f"{file} (the rest of the paragraph above)", line.text)
        else:
            blocks.append(line.markup)
            self._record("paragraph", file, line.text)

    def _recommendation(self, line: Line) -> None:
        if not self.paper.recommendations and line.kind is None and line.text.endswith(":"):
            self.paper.recommendations_lead = line.markup
            self._record("paragraph", "recommendations.yaml: lead", line.text)
            return
        self.paper.recommendations.append(line.markup)
        self.paper.recommendations_lettered = line.kind == "letter"
        self._record("paragraph", "recommendations.yaml", line.text)

    # ---- supporting information ----

    def _supporting(self, line: Line) -> None:
        if self._supporting_heading(line):
            return
        if self.section is None:
            self._new_section("Supporting Information", line)
            self.paper.notes.append(
                "the supporting information had no section title; 'Supporting Information' was written"
            )
        if line.kind in ("letter", "roman", "bullet", "number") and self.paragraph is not None:
            self._item(line)
            return
        if _continues(line) and self.paragraph is not None and self.item is None:
            self.paragraph["text"] = f"{self.paragraph['text']} {line.markup}"
            self._record("paragraph", "supporting.yaml (the rest of the paragraph above)", line.text)
            return
        if line.kind == "paragraph" or not self.numbered:
            self._paragraph(line)
            return
        self._hold(line, "supporting.yaml")

    def _supporting_heading(self, line: Line) -> bool:
        if not self._headingish(line) and not (
            self.numbered and line.kind is None and len(line.text) <= SHORT and not line.text.endswith(".")
        ):
            return False
        if line.kind == "section" or self.section is None or (line.heading_level == 1 and self.word.styled):
            self._new_section(escape(line.text), line)
            return True
        depth = 1
        if self.word.styled and line.heading_level:
            # levels count from the section's own heading (Heading 1 in Word, Heading 2 under a
            # pandoc title); under a section that had none, from the first heading below it
            if self.section_level is None:
                self.section_level = line.heading_level - 1
            depth = max(1, min(3, line.heading_level - self.section_level))
        group = {"heading": line.markup}
        self.group_path = self.group_path[: depth - 1]
        siblings = self.group_path[-1].setdefault("groups", []) if self.group_path else self._section_groups()
        siblings.append(group)
        self.group_path.append(group)
        self.paragraph = self.item = None
        self._record("paragraph", "supporting.yaml (a heading)", line.text)
        return True

    def _new_section(self, title: str, line: Line) -> None:
        self.section = {"title": title, "groups": []}
        self.section_level = line.heading_level if self.word.styled else None
        self.paper.sections.append(self.section)
        self.group_path = []
        self.paragraph = self.item = None
        self.paragraph_count = 0
        self.region = "supporting"
        if title != "Supporting Information" or line.text:
            self._record("paragraph", "supporting.yaml (a section title)", line.text)

    def _section_groups(self) -> list[dict[str, Any]]:
        assert self.section is not None
        groups: list[dict[str, Any]] = self.section["groups"]
        return groups

    def _current_paragraphs(self) -> list[Any]:
        if self.group_path:
            group = self.group_path[-1]
            if group.get("groups"):  # paragraphs after nested groups: a group of their own at that level
                follow: dict[str, Any] = {"paragraphs": []}
                group["groups"].append(follow)
                self.group_path.append(follow)
                group = follow
            paragraphs: list[Any] = group.setdefault("paragraphs", [])
            return paragraphs
        groups = self._section_groups()
        if not groups or "heading" in groups[-1] or groups[-1].get("groups"):
            groups.append({"paragraphs": []})
        paragraphs = groups[-1]["paragraphs"]
        return paragraphs

    def _paragraph(self, line: Line) -> None:
        self.paragraph_count += 1
        expected = f"{len(self.paper.sections)}.{self.paragraph_count}"
        if line.number and line.number != expected:
            self.paper.notes.append(f"paragraph {line.number} of the Word paper is numbered {expected} here")
        paragraph: dict[str, Any] = {"text": line.markup}
        self._current_paragraphs().append(paragraph)
        self.paragraph, self.item = paragraph, None
        self._record("paragraph", "supporting.yaml", line.text)

    def _item(self, line: Line) -> None:
        assert self.paragraph is not None
        style = {"letter": "letter", "roman": "roman", "bullet": "bullet", "number": "letter"}[line.kind or "letter"]
        if (
            style == "roman"
            and line.number == "i"
            and self.item is not None
            and self.paragraph.get("item_style", "letter") == "letter"
            and self._last_letter() == "h"
        ):
            style = "letter"  # "i." after "h." is the ninth letter
        items = self.paragraph.setdefault("items", [])
        current = self.paragraph.get("item_style", "letter")
        if style == "roman" and items and current == "letter" and self.item is not None:
            self.item.setdefault("items", []).append({"text": line.markup})
            self._record("paragraph", "supporting.yaml (a sub-item)", line.text)
            return
        if not items and style != "letter":
            self.paragraph["item_style"] = style
        item = {"text": line.markup}
        items.append(item)
        self.item = item
        self._record("paragraph", "supporting.yaml (an item)", line.text)

    def _last_letter(self) -> str:
        return chr(ord("a") + len(self.paragraph.get("items", [])) - 1) if self.paragraph else ""

    def _hold(self, line: Line, file: str) -> None:
        groups = self._section_groups()
        if not groups or groups[-1].get("heading") != HOLDING_HEADING:
            groups.append({"heading": HOLDING_HEADING, "paragraphs": []})
        groups[-1]["paragraphs"].append({"text": line.markup})
        self.paragraph, self.item = groups[-1]["paragraphs"][-1], None
        self._record("paragraph", f"holding place in {file}", line.text)

    # ---- contact details and appendices ----

    def _contact(self, line: Line) -> None:
        text = line.text
        email, phone, person = EMAIL.match(text), PHONE.match(text), CONTACT.match(text)
        if email and self.paper.contacts:
            self.paper.contacts[-1]["email"] = email.group(1).strip("<>()[]")
        elif phone and self.paper.contacts:
            self.paper.contacts[-1]["phone"] = phone.group(1)
        elif person:
            parts = [part.strip() for part in person.group(2).split(",")]
            contact = {"role": person.group(1).strip(), "name": parts[0]}
            if len(parts) == 2:
                contact["team"] = parts[1]
            elif len(parts) > 2:
                contact["job_title"] = parts[1]
                contact["team"] = ", ".join(parts[2:])
            self.paper.contacts.append(contact)
        else:
            self.paper.contact_unplaced.append(text)
            self._record("paragraph", "holding place in contact.yaml (a comment)", text)
            return
        self._record("paragraph", "contact.yaml", text)

    def _appendix_list(self, line: Line) -> None:
        text = line.text
        wording = self.house.wording
        if _key(text) == _key(wording.background_papers):
            self.listing_background = True
            self._record("paragraph", "a section title (printed by the house style)", text)
            return
        if _key(text) in (_key(wording.no_background_papers), _key(wording.no_appendices)):
            self._record("paragraph", "appendices.yaml (an empty list)", text)
            return
        appendix = APPENDIX.match(text)
        if appendix and not self.listing_background:
            listed, exempt = exemption_of(appendix.group(2), self.house)
            marking = MARKING_SUFFIX.search(listed)
            entry: dict[str, Any] = {
                "ref": appendix.group(1).upper(),
                "title": escape(MARKING_SUFFIX.sub("", listed).strip(" –-") or text),
            }
            if marking and marking.group(1) in self.house.labels:
                entry["marking"] = marking.group(1)
            if exempt:
                entry["exempt"] = exempt
            self.paper.appendices.append(entry)
            self._record("paragraph", "appendices.yaml", text)
        elif self.listing_background or line.kind == "bullet":
            self.paper.background_papers.append(line.markup)
            self._record("paragraph", "appendices.yaml (a background paper)", text)
        else:
            self.paper.appendices_unplaced.append(text)
            self._record("paragraph", "holding place in appendices.yaml (a comment)", text)

    def _appendix_content(self, line: Line) -> None:
        assert self.appendix is not None
        content = self.appendix["content"]
        if (
            line.kind in ("letter", "roman", "number")
            and content
            and isinstance(content[-1], dict)
            and "text" in content[-1]
        ):
            last = content[-1]
            if line.kind == "roman" and last.get("items") and last.get("item_style", "letter") == "letter":
                parent = _as_item(last["items"][-1])
                parent.setdefault("items", []).append(line.markup)
                last["items"][-1] = parent
            else:
                if not last.get("items") and line.kind == "roman":
                    last["item_style"] = "roman"
                last.setdefault("items", []).append(line.markup)
            self._record("paragraph", "appendices.yaml (an item)", line.text)
            return
        if line.kind in ("letter", "roman", "number") and content and isinstance(content[-1], str):
            entry: dict[str, Any] = {"text": content[-1], "items": [line.markup]}
            if line.kind == "roman":
                entry["item_style"] = "roman"
            content[-1] = entry
            self._record("paragraph", "appendices.yaml (an item)", line.text)
            return
        if line.kind in ("bullet", "letter", "roman", "number"):
            if content and isinstance(content[-1], dict) and "bullets" in content[-1]:
                content[-1]["bullets"].append(line.markup)
            else:
                content.append({"bullets": [line.markup]})
            self._record("paragraph", "appendices.yaml (a bullet)", line.text)
            return
        # a plain document's appendix shows its headings only as short lines without a full stop
        plain_heading = not self.word.styled and line.kind is None and len(line.text) <= 80
        if self._headingish(line) or (plain_heading and not line.text.endswith((".", ",", ";", ":"))):
            level = line.heading_level or 2
            content.append({"subheading" if level >= 3 else "heading": line.markup})
            self._record("paragraph", "appendices.yaml (a heading)", line.text)
            return
        content.append(line.markup)
        self._record("paragraph", "appendices.yaml", line.text)

    # ---- tables and pictures ----

    def _table(self, item: _Table) -> None:
        texts = item.table.texts()
        if not texts or not any(any(cell for cell in row) for row in texts):
            self._record("table", "furniture: an empty table", "")
            return
        name = f"table_{len(self.paper.tables) + 1}"
        header_rows = item.table.header_rows or 1
        body = item.table.rows[header_rows:]  # header cells are bold by the table's style, not by markup
        markup_columns = {  # formatted cells, and cells of several lines (a line break is markup)
            column
            for row in body
            for column, cell in enumerate(row)
            if any(run.bold or run.italic for run in cell) or "\n" in "".join(run.text for run in cell).strip()
        }
        rows = [
            [
                to_markup(cell)
                if column in markup_columns and number >= header_rows
                else self._without_trend_words(" ".join("".join(r.text for r in cell).split()))
                for column, cell in enumerate(row)
            ]
            for number, row in enumerate(item.table.rows)
        ]
        caption = item.caption or f"Table {len(self.paper.tables) + 1} of the Word paper (write its caption)"
        table = ImportedTable(name, caption, rows, header_rows, item.notes, markup_columns, item.caption is not None)
        table.row_groups = self._row_groups(item.table, header_rows, name)
        table.align, table.landscape = item.table.align, item.table.landscape
        self.paper.tables.append(table)
        if item.caption is None:
            self.paper.notes.append(f"{name} had no caption; a placeholder was written in data.yaml")
        entry = {"table": name}
        if self._place_entry(entry):
            self._record("table", f"data/{name}.csv, placed in {self._file()}", caption)
        else:
            self._record("table", f"data/{name}.csv, holding place in {self._file()} (a comment)", caption)
            self.paper.notes.append(
                f"{name} stood where the content format has no tables ({self._file()}); place it yourself"
            )

    def _without_trend_words(self, text: str) -> str:
        """A trend arrow as the cell held it: the DOCX prints the house's words beside an arrow alone
        ("↓ falling"), which the writer adds again."""
        arrow, _, words = text.partition(" ")
        return arrow if words and self.house.wording.trend(arrow) == words else text

    def _row_groups(self, table: Table, header_rows: int, name: str) -> int | None:
        """The column whose cells Word merged down over runs of rows: the content's `row_groups`,
        which prints a run of equal values once. A column qualifies when its merged cells are
        exactly where a value repeats the one above, so that nothing prints merged that Word
        printed apart. The content has one such column; merges in others print on every row."""
        texts = table.texts()
        merged = sorted({column for row, column in table.merged_down if row > header_rows})
        for column in merged:
            if all(
                ((row, column) in table.merged_down) == (texts[row][column] == texts[row - 1][column])
                for row in range(header_rows + 1, len(texts))
                if column < len(texts[row]) and column < len(texts[row - 1])
            ):
                others = [number + 1 for number in merged if number != column]
                if others:
                    self.paper.notes.append(
                        f"{name}: cells merged down in column(s) {', '.join(map(str, others))} print on every row; "
                        "only one column can group rows"
                    )
                return column
        if merged:
            self.paper.notes.append(f"{name}: cells merged down in Word print on every row (they do not group rows)")
        return None

    def _figure(self, item: _Figure) -> None:
        picture = item.picture
        number = len(self.paper.images) + 1
        if picture.extension not in ("png", "jpg", "svg"):
            self._record(
                "image", f"not placed: a {picture.extension} picture (only PNG, JPEG and SVG can be)", picture.alt
            )
            self.paper.notes.append(f"picture {number} is {picture.extension}; save it as PNG and place it yourself")
            return
        image = ImportedImage(f"images/image-{number}.{picture.extension}", picture, item.caption)
        self.paper.images.append(image)
        entry: dict[str, Any] = {"image": image.file}
        if picture.alt:
            entry["alt"] = picture.alt
        else:
            self.paper.notes.append(f"{image.file} has no alt text: write it (check reports it until you do)")
        if item.caption:
            entry["caption"] = escape(item.caption)
        placed = self._place_entry(entry)
        where = (
            f"{image.file}, placed in {self._file()}"
            if placed
            else f"{image.file}, holding place in {self._file()} (a comment)"
        )
        self._record("image", where, picture.alt or "(no alt text)")

    def _file(self) -> str:
        if self.region.startswith("summary"):
            return "summary.yaml"
        if self.region in ("appendices", "appendix"):
            return "appendices.yaml"
        if self.region in ("cover", "recommendations", "contact"):
            return {"cover": "paper.yaml", "recommendations": "recommendations.yaml", "contact": "contact.yaml"}[
                self.region
            ]
        if self.region in ("supporting", "contents"):
            return "supporting.yaml"
        return f"{self.region}.yaml"

    def _place_entry(self, entry: dict[str, Any]) -> bool:
        """Places a table or image where the content format allows one (supporting information, an
        appendix's content); elsewhere it waits in the file's holding place. True when placed."""
        if self.region == "appendix" and self.appendix is not None:
            self.appendix["content"].append(entry)
            return True
        if self.region in ("supporting", "contents") and self.section is not None:
            self._current_paragraphs().append(entry)
            self.paragraph = self.item = None
            return True
        self.held.setdefault(self._file(), []).append(entry)
        return False

    # ---- the cover, once everything is read ----

    def _finish_cover(self, marks: list[str]) -> None:
        cover = self.paper.cover
        markings = markings_in(marks, self.house)
        for appendix in self.paper.appendices:
            if appendix.get("marking") in markings and appendix["marking"] != markings[0]:
                markings.remove(appendix["marking"])
        if markings:
            cover["marking"] = markings[-1]
        cover["status"] = "draft" if says_draft(marks) else None
        mastheads = cover.pop("mastheads", [])
        organisation = next(
            (
                masthead.organisation
                for masthead in self.house.organisations
                if sorted(line.mark for line in masthead.lines) == sorted(mastheads)
            ),
            None,
        )
        cover["organisation"] = organisation


def _block_index(item: Item) -> int:
    """The item's position in the Word document."""
    if isinstance(item, _Table):
        return item.table.index
    return (item.source if isinstance(item, _Figure) else item).block.index


def _continues(line: Line) -> bool:
    """A paragraph that starts in the middle of a sentence (a small letter) is the rest of the one
    before it, cut in two where a page broke in the document the text came from."""
    return line.kind is None and line.heading_level is None and line.text[:1].islower()


def _strip_prefix(line: Line, pattern: re.Pattern[str]) -> list[Any]:
    from panelpapers.wordimport.lines import _cut

    match = pattern.match(line.text)
    return _cut(line.runs, match.end()) if match else line.runs


def _as_item(item: Any) -> dict[str, Any]:
    return item if isinstance(item, dict) else {"text": item}


def _date(text: str) -> dt.date | None:
    match = DATE.match(text.strip())
    if not match or match.group(2).lower() not in MONTHS:
        return None
    try:
        return dt.date(int(match.group(3)), MONTHS[match.group(2).lower()], int(match.group(1)))
    except ValueError:
        return None


def place_paper(
    word: WordPaper, house: House, panel_names: list[str]
) -> tuple[ImportedPaper, dict[str, list[dict[str, Any]]]]:
    """The Word paper placed into sections, with the tables and pictures that had to wait in a file's
    holding place, by file."""
    placer = Placer(house, word, panel_names)
    paper = placer.place()
    return paper, placer.held


def exemption_of(listed: str, house: House) -> tuple[str, dict[str, str]]:
    """An appendix's line in the list without the exemption a paper prints after it ("… – exempt:
    Freedom of Information Act 2000, section 36 (…); may be seen by …; to be released on 1 July
    2022"), and that exemption as appendices.yaml writes it; the line as it is, and {}, without one."""
    words = house.wording
    for exemption in house.exemptions:
        reason = words.appendix_title_separator + words.exempt_reason.format(reason=exemption.words)
        at = listed.find(reason)
        if at < 0:
            continue
        exempt = {"reason": exemption.key}
        audience_before, _, audience_after = words.exempt_audience.partition("{audience}")
        release_before, _, release_after = words.exempt_release.partition("{date}")
        for part in listed[at + len(reason) :].split(EXEMPTION_PARTS)[1:]:
            if part.startswith(release_before) and part.endswith(release_after):
                day = _date(part[len(release_before) : len(part) - len(release_after)])
                if day is not None:
                    exempt["release_after"] = day.isoformat()
                    continue
            if part.startswith(audience_before) and part.endswith(audience_after):
                exempt["audience"] = part[len(audience_before) : len(part) - len(audience_after)]
        return listed[:at], exempt
    return listed, {}
