"""Reading built papers back into a plain structure a reviewer thinks in: paper → section → numbered
paragraph, recommendations, tables as cells, charts as images. A build folder's review records (see
render/record.py) are the source; a bare PDF is read as text lines, leaving out page furniture."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from panelpapers.house import DEFAULT_HOUSE
from panelpapers.render.record import Passage, Record, squash

# A bare PDF says nothing of its house style: it is read with the built-in one's words.
WORDING = DEFAULT_HOUSE.wording
MARKINGS = DEFAULT_HOUSE.labels
SUMMARY = WORDING.report_summary


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


_MARKINGS = "|".join(re.escape(marking) for marking in sorted(MARKINGS, key=len, reverse=True))
_PAGE = "|".join(
    re.escape(pattern).replace(r"\{page\}", r"\d+").replace(r"\{pages\}", r"\d+")
    for pattern in (WORDING.page_number, WORDING.pack_page_number)
)
_DRAFT = re.escape(WORDING.draft)
FURNITURE = re.compile(rf"^({_PAGE}|\d+|{_DRAFT}|({_MARKINGS})( {_DRAFT})?)$")
SECTION_LINE = re.compile(r"^(\d{1,2})\.\s+([A-Z].{0,80})$")
PARAGRAPH_LINE = re.compile(r"^(\d{1,2}\.\d{1,3})\.\s+(.*)$")
RECOMMENDATION_LINE = re.compile(r"^([a-z])\.\s+(.*)$")
AGENDA_PAGE_NUMBER = re.compile(r"\s+\d{1,3}$")
TABLE_WORD, CHART_WORD = _words_before_number(WORDING.table_label), _words_before_number(WORDING.chart_label)
APPENDIX_WORD = _words_before_number(WORDING.appendix)
CAPTION_LINE = re.compile(rf"^({TABLE_WORD}|{CHART_WORD}) \d+[:.]\s")  # a table's cells or a chart's labels follow


def pdf_lines(pdf: Any, page_index: int) -> list[tuple[str, Box]]:
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
        if not (in_margin or FURNITURE.match(text) and (box.top < 2 * margin or box.bottom > height - 2 * margin)):
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


def read_pdf(path: Path) -> list[PaperContent]:
    """A paper, or a pack split into its papers by the top-level bookmarks."""
    import pypdfium2 as pdfium

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
            layout = Layout(path, pages, [line for p in pages for line in pdf_lines(pdf, p)])
            marking = metadata.get("Keywords", "") if len(parts) == 1 else ""
            status = "draft" if _has_draft_mark(pdf, pages) else "final"
            lines = layout.lines
            if len(parts) > 1 and pages is parts[0][1]:
                # A pack's front sheet: the page numbers of the agenda follow the papers' length.
                lines = [(AGENDA_PAGE_NUMBER.sub("", text), box) for text, box in lines]
            papers.append(PaperContent(title, title, marking, status, passages_from_lines(lines, headings), layout))
        return papers
    finally:
        pdf.close()


def _has_draft_mark(pdf: Any, pages: range) -> bool:
    if not pages:
        return False
    page = pdf[pages[0]]
    found = WORDING.draft in page.get_textpage().get_text_range()
    page.close()
    return found


def passages_from_lines(lines: list[tuple[str, Box]], headings: set[str]) -> list[Passage]:
    """Lines become passages where a number, a heading or a caption starts one; other lines run on.
    Headings are known from the PDF's bookmarks; without them a heading joins the paragraph above."""
    passages: list[Passage] = []
    section = ""
    kind, number = "", ""  # the block being gathered
    texts: list[str] = []
    in_recommendations = False

    caption = ""

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
        if text == SUMMARY:
            close()
            section, kind, number, texts = SUMMARY, "text", "", []
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
        elif match := CAPTION_LINE.match(text):
            starts = ("table" if re.fullmatch(TABLE_WORD, match[1]) else "chart", "", text)
        if starts:
            close()
            kind, number, texts = starts[0], starts[1], [starts[2]]
            caption = text if starts[0] in ("table", "chart") else ""
        else:
            texts.append(text)
        if text.endswith("recommended to:"):
            in_recommendations = True
            close()
            # What follows is a recommendation, lettered "a." or, when it is the only one, not.
            kind, number, texts = "recommendation", "", []
    close()
    return passages
