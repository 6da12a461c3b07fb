"""Reading built papers back into a plain structure a reviewer thinks in: paper → section → numbered
paragraph, recommendations, tables as cells, figures as images. The HTML the build writes beside
each PDF is the cleanest source; a bare PDF is read as text lines, leaving out page furniture."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUMMARY = "Report Summary"


@dataclass(frozen=True)
class TableCells:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    labels: tuple[str, ...] = ()  # what each row is called ("1 VIOLENT CRIME"), to name cells by


@dataclass(frozen=True)
class Block:
    """One thing a reviewer would point at: a paragraph, a heading, a recommendation, a table …"""

    kind: str  # section | heading | paragraph | recommendation | item | text | table | figure
    section: str  # the title of the section it sits in
    number: str  # "1.3" for numbered paragraphs, "a" for recommendations, "" otherwise
    text: str
    table: TableCells | None = None
    image: str = ""  # digest of a figure's picture: a chart can change while its caption does not
    caption: str = ""  # "Table 2: Corporate risk register …" for tables and figures


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
    blocks: list[Block]
    layout: Layout | None = None


def squash(text: str) -> str:
    return " ".join(text.split())


# HTML ---------------------------------------------------------------------------------------------


def _classes(element: Any) -> set[str]:
    return set((element.get("class") or "").split())


BLOCK_TAGS = frozenset({"p", "div", "li", "td", "th", "tr", "h1", "h2", "h3", "h4", "caption", "figcaption"})


def _text(element: Any) -> str:
    """Words as a reader sees them: a line break or a new block separates words."""
    return squash("".join(_words(element)))


def _words(element: Any) -> list[str]:
    if not isinstance(element.tag, str):
        return [element.tail or ""]  # a comment: only what follows it is text
    parts = [" "] if element.tag in BLOCK_TAGS else []
    if element.tag == "br":
        parts.append(" ")
    parts.append(element.text or "")
    for child in element:
        parts.extend(_words(child))
        if isinstance(child.tag, str):
            parts.append(child.tail or "")
    if element.tag in BLOCK_TAGS:
        parts.append(" ")
    return parts


def read_html(path: Path) -> PaperContent:
    import lxml.html

    document = lxml.html.fromstring(path.read_bytes())
    head_text = " ".join(style.text_content() for style in document.iter("style"))
    keywords = document.find(".//meta[@name='keywords']")
    titles = document.find_class("title")
    blocks: list[Block] = []
    _walk_html(document.find("body"), blocks, [""])
    return PaperContent(
        name=path.stem,
        title=_text(titles[0]) if titles else _text(document.find(".//title")),
        marking=(keywords.get("content") or "") if keywords is not None else "",
        status="draft" if re.search(r'content:\s*"DRAFT"', head_text) else "final",
        blocks=blocks,
    )


def _walk_html(element: Any, blocks: list[Block], section: list[str]) -> None:
    """Document order; an element that makes a block takes its whole subtree with it."""
    if element is None or not isinstance(element.tag, str):
        return
    tag, classes = element.tag, _classes(element)
    here = section[0]
    if "summary-heading" in classes:
        section[0] = SUMMARY
        return
    if "section-title" in classes:
        number_span = element.find_class("number")
        number = _text(number_span[0]).rstrip(".") if number_span else ""
        title = _text(element)
        title = title[len(number) + 1 :].strip() if number and title.startswith(number) else title
        section[0] = title
        blocks.append(Block("section", title, number, title))
        return
    if "title" in classes and tag == "h1":
        return  # compared as the paper's title
    if "numbered-paragraph" in classes:
        number = (element.get("id") or "").removeprefix("para-")
        body = element.find_class("body")
        blocks.append(Block("paragraph", here, number, _text(body[0]) if body else _text(element)))
        return
    if tag == "ol" and "recommendations" in classes:
        for item in element.iterchildren("li"):
            marker = item.find_class("marker")
            number = _text(marker[0]).rstrip(".)") if marker else ""
            text = item.find_class("item-text")
            blocks.append(Block("recommendation", here, number, _text(text[0]) if text else _text(item)))
        return
    if tag == "table":
        blocks.append(_html_table(element, here))
        return
    if tag == "figure":
        if element.find(".//table") is not None:
            for child in element.iterchildren():
                _walk_html(child, blocks, section)
            return
        caption_element = element.find(".//figcaption")
        caption = _text(caption_element) if caption_element is not None else ""
        blocks.append(Block("figure", here, "", caption, image=_image_digest(element), caption=caption))
        return
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        blocks.append(Block("heading", here, "", _text(element)))
        return
    if tag == "li":
        marker = element.find_class("marker")
        text = element.find_class("item-text")
        words = f"{_text(marker[0])} {_text(text[0])}" if marker and text else _text(element)
        blocks.append(Block("item", here, "", words))
        return
    if tag == "p":
        if _text(element):
            blocks.append(Block("text", here, "", _text(element)))
        return
    for child in element.iterchildren():
        _walk_html(child, blocks, section)


def _html_table(table: Any, section: str) -> Block:
    caption_element = table.find("caption")
    caption = _text(caption_element) if caption_element is not None else ""
    rows: list[tuple[str, ...]] = []
    labels: list[str] = []
    header: tuple[str, ...] = ()
    for row in table.iter("tr"):
        cells = [cell for cell in row if isinstance(cell.tag, str) and cell.tag in ("td", "th")]
        in_head = row.getparent() is not None and row.getparent().tag == "thead"
        if not header and (in_head or all(cell.tag == "th" for cell in cells)):
            header = tuple(_text(cell) for cell in cells)
        else:
            rows.append(tuple(_text(cell) for cell in cells))
            labels.append(_row_label(cells))
    text = squash(" ".join([caption, *header, *(" ".join(r) for r in rows)]))
    return Block(
        "table", section, "", text, table=TableCells(caption, header, tuple(rows), tuple(labels)), caption=caption
    )


def _row_label(cells: list[Any]) -> str:
    """The first cell names the row; a bare reference number borrows the first wordy cell's opening
    ("1" becomes "1 VIOLENT CRIME") so that a reviewer knows which row is meant."""
    if not cells:
        return ""
    first = _opening(cells[0])
    if len(first) <= 3:
        for cell in cells[1:]:
            words = _opening(cell)
            if len(words) > 3 and any(ch.isalpha() for ch in words):
                return f"{first} {words}".strip()  # an empty first cell: a row group's later rows
    return first


def _opening(cell: Any) -> str:
    """A cell's words up to its first line break."""
    parts: list[str] = []
    for piece in _pieces(cell):
        if piece is None:
            break
        parts.append(piece)
    return squash("".join(parts))


def _pieces(element: Any) -> Iterator[str | None]:
    """Text in reading order; None where a line break is."""
    yield element.text or "" if isinstance(element.tag, str) else ""
    for child in element:
        if isinstance(child.tag, str):
            if child.tag == "br":
                yield None
            else:
                yield from _pieces(child)
        yield child.tail or ""


def _image_digest(element: Any) -> str:
    """The picture itself: an <img>'s source (a data: URI) or inline SVG markup."""
    import lxml.html

    parts: list[bytes] = []
    for image in element.iter("img", "object", "embed"):
        parts.append((image.get("src") or image.get("data") or "").encode("utf-8"))
    for node in element.iter():
        if isinstance(node.tag, str) and node.tag.rsplit("}", 1)[-1] == "svg":
            parts.append(lxml.html.tostring(node))
    return hashlib.sha256(b"\0".join(parts)).hexdigest()[:16] if parts else ""


# DOCX (the agenda of a meeting pack has no HTML beside it) ---------------------------------------


def read_docx(path: Path) -> PaperContent:
    from docx import Document

    document = Document(str(path))
    blocks: list[Block] = []
    section = ""
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = squash("".join(node.text or "" for node in child.iter() if node.tag.endswith("}t")))
            style = child.find(".//{*}pStyle")
            style_name = style.get(style.keys()[0]) if style is not None and style.keys() else ""
            if not text:
                continue
            if "Heading" in style_name:
                section = text
                blocks.append(Block("heading", section, "", text))
            else:
                blocks.append(Block("text", section, "", text))
        elif tag == "tbl":
            rows = [
                [_docx_cell_text(cell) for cell in row.iter() if cell.tag.endswith("}tc")]
                for row in child.iter()
                if row.tag.endswith("}tr")
            ]
            # An agenda's page column follows the papers' length, not anything a reviewer must read.
            keep = [i for i, heading in enumerate(rows[0] if rows else []) if not heading.lower().startswith("page")]
            kept = [tuple(row[i] for i in keep if i < len(row)) for row in rows]
            header, body_rows = (kept[0], tuple(kept[1:])) if kept else ((), ())
            text = squash(" ".join(" ".join(r) for r in kept))
            blocks.append(Block("table", section, "", text, table=TableCells("", header, body_rows)))
    core = document.core_properties
    return PaperContent(path.stem, core.title or path.stem, core.keywords or "", "final", blocks)


def _docx_cell_text(cell: Any) -> str:
    """A cell's paragraphs, one space apart."""
    paragraphs = [
        "".join(t.text or "" for t in p.iter() if t.tag.endswith("}t")) for p in cell.iter() if p.tag.endswith("}p")
    ]
    return squash(" ".join(paragraphs))


# PDF ----------------------------------------------------------------------------------------------

FURNITURE_MARGIN = 0.068  # share of the page height above/below the body: markings, page numbers
FURNITURE = re.compile(r"^(Page \d+( of \d+)?|\d+|DRAFT|OFFICIAL(-SENSITIVE)?( DRAFT)?)$")
SECTION_LINE = re.compile(r"^(\d{1,2})\.\s+([A-Z].{0,80})$")
PARAGRAPH_LINE = re.compile(r"^(\d{1,2}\.\d{1,3})\.\s+(.*)$")
RECOMMENDATION_LINE = re.compile(r"^([a-z])\.\s+(.*)$")
AGENDA_PAGE_NUMBER = re.compile(r"\s+\d{1,3}$")
CAPTION_LINE = re.compile(r"^(Table|Figure) \d+[:.]\s")  # a table's cells or a chart's labels follow


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
            papers.append(PaperContent(title, title, marking, status, blocks_from_lines(lines, headings), layout))
        return papers
    finally:
        pdf.close()


def _has_draft_mark(pdf: Any, pages: range) -> bool:
    if not pages:
        return False
    page = pdf[pages[0]]
    found = "DRAFT" in page.get_textpage().get_text_range()
    page.close()
    return found


def blocks_from_lines(lines: list[tuple[str, Box]], headings: set[str]) -> list[Block]:
    """Lines become blocks where a number, a heading or a caption starts one; other lines run on.
    Headings are known from the PDF's bookmarks; without them a heading joins the paragraph above."""
    blocks: list[Block] = []
    section = ""
    kind, number = "", ""  # the block being gathered
    texts: list[str] = []
    in_recommendations = False

    caption = ""

    def close() -> None:
        if texts:
            blocks.append(
                Block(
                    kind or "text",
                    section,
                    number,
                    squash(" ".join(texts)),
                    caption=caption if kind in ("table", "figure") else "",
                )
            )

    for text, _box in lines:
        starts: tuple[str, str, str] | None = None
        if text == SUMMARY:
            close()
            section, kind, number, texts = SUMMARY, "text", "", []
            blocks.append(Block("heading", section, "", text))
            continue
        if text in headings and not SECTION_LINE.match(text):
            close()
            blocks.append(Block("heading", section, "", text))
            kind, number, texts = "text", "", []
            continue
        if match := PARAGRAPH_LINE.match(text):
            starts = ("paragraph", match[1], match[2])
        elif (match := SECTION_LINE.match(text)) and len(text) < 70:
            close()
            section = match[2].strip()
            blocks.append(Block("section", section, match[1], section))
            kind, number, texts = "text", "", []
            in_recommendations = False
            continue
        elif in_recommendations and (match := RECOMMENDATION_LINE.match(text)):
            starts = ("recommendation", match[1], match[2])
        elif match := CAPTION_LINE.match(text):
            starts = (match[1].lower(), "", text)
        if starts:
            close()
            kind, number, texts = starts[0], starts[1], [starts[2]]
            caption = text if starts[0] in ("table", "figure") else ""
        else:
            texts.append(text)
        if text.endswith("recommended to:"):
            in_recommendations = True
            close()
            kind, number, texts = "text", "", []
    close()
    return blocks
