"""Reading built papers back into a plain structure a reviewer thinks in: paper → section → numbered
paragraph, recommendations, tables as cells, charts as images. A build folder's review records (see
render/record.py) are the source; a bare PDF is read as text lines, leaving out page furniture. A
bare PDF says nothing of its house style, so it is read with the words of the house of the content
project it lies in, else of the project the reader works in."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from panelpapers.house import DEFAULT_HOUSE, House
from panelpapers.render.record import Passage, Record, squash


@dataclass(frozen=True)
class Box:
    page: int  # 0-based page of the PDF file
    left: float  # PDF points, origin top-left
    top: float
    right: float
    bottom: float


@dataclass
class Layout:
    """Where text sits on the pages of one PDF, for the visual backstop."""

    pdf: Path
    pages: Sequence[int]
    lines: list[tuple[str, Box]] = field(default_factory=list)  # body text lines, no furniture


@dataclass
class PaperContent:
    name: str  # what the report calls it: "02-risk-management", or a pack's bookmark title
    title: str
    marking: str
    status: str  # draft | final
    passages: list[Passage]
    layout: Layout | None = None
    from_record: bool = False  # read from a review record rather than from PDF text

    @classmethod
    def of_record(cls, name: str, record: Record) -> PaperContent:
        return cls(name, record.title, record.marking, record.status, list(record.passages), from_record=True)


# PDF ----------------------------------------------------------------------------------------------

FURNITURE_MARGIN = 0.068  # share of the page height above/below the body: markings, page numbers


def _words_before_number(pattern: str) -> str:
    """ "Table" of "Table {number}: {caption}": how a printed label starts."""
    return re.escape(pattern.split("{", 1)[0].strip())


SECTION_LINE = re.compile(r"^(\d{1,2})\.\s+([A-Z].{0,80})$")
PARAGRAPH_LINE = re.compile(r"^(\d{1,2}\.\d{1,3})\.\s+(.*)$")
RECOMMENDATION_LINE = re.compile(r"^([a-z])\.\s+(.*)$")
AGENDA_PAGE_NUMBER = re.compile(r"\s+\d{1,3}$")


@dataclass(frozen=True)
class PrintedWords:
    """What one house prints that reading its PDFs back depends on: the page furniture to leave out,
    the summary's heading, the words that start a caption and the end of the recommendations' lead."""

    summary: str
    draft: str
    furniture: re.Pattern[str]
    table_word: str
    chart_word: str
    appendix_word: str
    lead_end: str  # "recommended to:": the lead's last two words, which end its last printed line

    @classmethod
    def of(cls, house: House) -> PrintedWords:
        wording = house.wording
        markings = "|".join(re.escape(marking) for marking in sorted(house.labels, key=len, reverse=True))
        number = rf"(?:{re.escape(wording.supplement_page_prefix)})?\d+"  # a lettered supplement's "S2" too
        page = "|".join(
            re.escape(pattern).replace(r"\{page\}", number).replace(r"\{pages\}", number)
            for pattern in (wording.page_number, wording.pack_page_number)
        )
        draft = re.escape(wording.draft)
        return cls(
            summary=wording.report_summary,
            draft=wording.draft,
            furniture=re.compile(rf"^({page}|\d+|{draft}|({markings})( {draft})?)$"),
            table_word=_words_before_number(wording.table_label),
            chart_word=_words_before_number(wording.chart_label),
            appendix_word=_words_before_number(wording.appendix),
            lead_end=" ".join(wording.recommendations_lead.split()[-2:]),
        )

    @property
    def caption_line(self) -> re.Pattern[str]:
        """A table's or chart's caption, which its cells or labels follow."""
        return re.compile(rf"^({self.table_word}|{self.chart_word}) \d+[:.]\s")


BUILT_IN_WORDS = PrintedWords.of(DEFAULT_HOUSE)
# The built-in house's caption words, which the comparison masks numbers after.
TABLE_WORD, CHART_WORD = BUILT_IN_WORDS.table_word, BUILT_IN_WORDS.chart_word
APPENDIX_WORD = BUILT_IN_WORDS.appendix_word


def house_reading(path: Path) -> House:
    """The house whose words a bare PDF is read with: that of the content project the PDF lies in,
    else that of the project the current folder lies in (outside any project, the built-in one)."""
    from panelpapers.project import find_root, load_project

    return load_project(find_root(path.resolve().parent) or Path.cwd()).house


def pdf_lines(pdf: Any, page_index: int, words: PrintedWords = BUILT_IN_WORDS) -> list[tuple[str, Box]]:
    """Body text lines of one page, top to bottom, with their boxes; furniture left out."""
    page = pdf[page_index]
    width, height = page.get_size()
    textpage = page.get_textpage()
    runs: list[tuple[float, float, float, float, str]] = []
    for i in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(i)
        text = textpage.get_text_bounded(left, bottom, right, top)
        if text.strip():
            runs.append((height - top, left, height - bottom, right, text))
    runs.sort()
    lines: list[tuple[str, Box]] = []
    current: list[tuple[float, float, float, float, str]] = []

    def close() -> None:
        if not current:
            return
        current.sort(key=lambda run: run[1])
        pieces = [current[0][4]]
        for before, run in zip(current, current[1:], strict=False):
            touching = run[1] - before[3] < 1.0  # one word drawn glyph by glyph (chart labels)
            pieces.append(run[4] if touching else " " + run[4])
        text = squash("".join(pieces))
        box = Box(
            page_index,
            min(r[1] for r in current),
            min(r[0] for r in current),
            max(r[3] for r in current),
            max(r[2] for r in current),
        )
        margin = FURNITURE_MARGIN * height
        in_margin = box.bottom < margin or box.top > height - margin
        near_edge = box.top < 2 * margin or box.bottom > height - 2 * margin
        if not (in_margin or words.furniture.match(text) and near_edge):
            lines.append((text, box))
        current.clear()

    for run in runs:
        middle = (run[0] + run[2]) / 2
        if current and not (current[0][0] - 1 <= middle <= current[0][2] + 1):
            close()
        current.append(run)
    close()
    page.close()
    return lines


def read_pdf(path: Path, house: House | None = None) -> list[PaperContent]:
    """A paper, or a pack split into its papers by the top-level bookmarks, read with `house`'s words
    (default: the house `house_reading` finds)."""
    import pypdfium2 as pdfium

    words = PrintedWords.of(house or house_reading(path))

    pdf = pdfium.PdfDocument(str(path))
    try:
        count = len(pdf)
        toc = [
            (item.level, item.get_title(), dest.get_index())
            for item in pdf.get_toc()
            if (dest := item.get_dest()) is not None
        ]
        first_title: dict[int, str] = {}
        for level, title, page_index in toc:
            if level == 0:
                first_title.setdefault(page_index, title)  # oral items point at the agenda's page
        starts = sorted(first_title.items())
        headings = {title for _level, title, _page in toc}
        metadata = pdf.get_metadata_dict()
        parts: list[tuple[str, range]]
        if len(starts) < 2:
            parts = [(metadata.get("Title") or path.stem, range(count))]
        else:
            if starts[0][0] > 0:
                starts.insert(0, (0, "front"))
            ends = [start for start, _ in starts[1:]] + [count]
            parts = [(title, range(start, end)) for (start, title), end in zip(starts, ends, strict=True)]
        papers = []
        for title, pages in parts:
            layout = Layout(path, pages, [line for p in pages for line in pdf_lines(pdf, p, words)])
            marking = metadata.get("Keywords", "") if len(parts) == 1 else ""
            status = "draft" if _has_draft_mark(pdf, pages, words.draft) else "final"
            lines = layout.lines
            if len(parts) > 1 and pages is parts[0][1]:
                # A pack's front sheet: the page numbers of the agenda follow the papers' length.
                lines = [(AGENDA_PAGE_NUMBER.sub("", text), box) for text, box in lines]
            passages = passages_from_lines(lines, headings, words)
            papers.append(PaperContent(title, title, marking, status, passages, layout))
        return papers
    finally:
        pdf.close()


def _has_draft_mark(pdf: Any, pages: range, draft: str) -> bool:
    if not pages:
        return False
    page = pdf[pages[0]]
    found = draft in page.get_textpage().get_text_range()
    page.close()
    return found


def passages_from_lines(
    lines: list[tuple[str, Box]], headings: set[str], words: PrintedWords = BUILT_IN_WORDS
) -> list[Passage]:
    """Lines become passages where a number, a heading or a caption starts one; other lines run on.
    Headings are known from the PDF's bookmarks; without them a heading joins the paragraph above."""
    passages: list[Passage] = []
    section = ""
    kind, number = "", ""  # the block being gathered
    texts: list[str] = []
    in_recommendations = False

    caption = ""
    summary, caption_line = words.summary, words.caption_line

    def close() -> None:
        if texts:
            passages.append(
                Passage(
                    kind or "text",
                    section,
                    number,
                    squash(" ".join(texts)),
                    caption=caption if kind in ("table", "chart") else "",
                )
            )

    for text, _box in lines:
        starts: tuple[str, str, str] | None = None
        if text == summary:
            close()
            section, kind, number, texts = summary, "text", "", []
            passages.append(Passage("heading", section, "", text))
            continue
        if text in headings and not SECTION_LINE.match(text):
            close()
            passages.append(Passage("heading", section, "", text))
            kind, number, texts = "text", "", []
            continue
        if match := PARAGRAPH_LINE.match(text):
            starts = ("paragraph", match[1], match[2])
        elif (match := SECTION_LINE.match(text)) and len(text) < 70:
            close()
            section = match[2].strip()
            passages.append(Passage("section", section, match[1], section))
            kind, number, texts = "text", "", []
            in_recommendations = False
            continue
        elif in_recommendations and (match := RECOMMENDATION_LINE.match(text)):
            starts = ("recommendation", match[1], match[2])
        elif match := caption_line.match(text):
            starts = ("table" if re.fullmatch(words.table_word, match[1]) else "chart", "", text)
        if starts:
            close()
            kind, number, texts = starts[0], starts[1], [starts[2]]
            caption = text if starts[0] in ("table", "chart") else ""
        else:
            texts.append(text)
        if text.endswith(words.lead_end):
            in_recommendations = True
            close()
            # What follows is a recommendation, lettered "a." or, when it is the only one, not.
            kind, number, texts = "recommendation", "", []
    close()
    return passages
