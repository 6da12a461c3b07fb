"""A DOCX read into a flat list of blocks, in reading order: paragraphs with their style, outline
level, list numbering and formatted runs; tables as rows of cell texts with their header rows;
pictures with their bytes and alt text. Page headers and footers are read apart, as furniture.
Nothing here decides what a block means; `placing` does."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

import docx
from docx.document import Document
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run as DocxRun

HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
ALIGNMENTS = {1: "center", 2: "right"}  # WD_ALIGN_PARAGRAPH's values
PICTURE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Picture:
    data: bytes
    extension: str  # png, jpg, svg; or the part's own (emf, …) when the content format cannot place it
    alt: str  # "" when the picture has none


@dataclass
class Paragraph:
    index: int  # the block's position in the document, for the report
    style: str
    runs: list[Run]
    heading_level: int | None = None  # from a Heading N style or an outline level (1 = top)
    list_format: str | None = None  # Word list numbering: bullet, decimal, lowerLetter, lowerRoman, …
    list_level: int = 0
    pictures: list[Picture] = field(default_factory=list)
    in_contents_control: bool = False  # inside Word's table-of-contents field

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass
class Table:
    index: int
    rows: list[list[list[Run]]]  # row › cell › formatted runs
    header_rows: int  # rows marked to repeat as headers (0 when Word does not say)
    merged_down: set[tuple[int, int]] = field(default_factory=set)  # (row, column) continuing the cell above
    align: list[str | None] = field(default_factory=list)  # per column: center or right when every cell says so
    landscape: bool = False  # printed on a landscape page

    def texts(self) -> list[list[str]]:
        return [["".join(run.text for run in cell).strip() for cell in row] for row in self.rows]


Block = Paragraph | Table


@dataclass
class WordPaper:
    blocks: list[Block]
    furniture_text: list[str]  # what the page headers and footers print
    styled: bool  # does the document use paragraph styles (else: a plain text document)


def read_word_paper(archive: zipfile.ZipFile) -> WordPaper:
    """The blocks of the document in the (checked) archive."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as copy:  # python-docx reads a file; give it the checked entries
        for entry in archive.infolist():
            copy.writestr(entry, archive.read(entry))
    document = docx.Document(io.BytesIO(data.getvalue()))
    formats = _list_formats(document)
    blocks: list[Block] = []
    _read_body(document, document.element.body, blocks, formats, in_contents=False)
    _mark_landscape(document, blocks)
    furniture: list[str] = []
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            if not part.is_linked_to_previous:
                furniture.extend(paragraph.text for paragraph in part.paragraphs if paragraph.text.strip())
    styles = {block.style for block in blocks if isinstance(block, Paragraph) and block.text.strip()}
    styled = len(styles) > 1 or any(block.heading_level for block in blocks if isinstance(block, Paragraph))
    return WordPaper(blocks, furniture, styled)


def _read_body(
    document: Document, parent: Any, blocks: list[Block], formats: dict[tuple[str, str], str], in_contents: bool
) -> None:
    for element in parent.iterchildren():
        if element.tag == qn("w:p"):
            blocks.append(_paragraph(document, DocxParagraph(element, document), len(blocks), formats, in_contents))
        elif element.tag == qn("w:tbl"):
            table = DocxTable(element, document)
            blocks.append(_table(table, len(blocks)))
        elif element.tag == qn("w:sdt"):
            gallery = element.find(f"{qn('w:sdtPr')}/{qn('w:docPartObj')}/{qn('w:docPartGallery')}")
            contents = gallery is not None and "Contents" in (gallery.get(qn("w:val")) or "")
            content = element.find(qn("w:sdtContent"))
            if content is not None:
                _read_body(document, content, blocks, formats, in_contents or contents)


def _paragraph(
    document: Document, paragraph: DocxParagraph, index: int, formats: dict[tuple[str, str], str], in_contents: bool
) -> Paragraph:
    style = paragraph.style.name if paragraph.style is not None and paragraph.style.name else "Normal"
    runs: list[Run] = []
    pictures: list[Picture] = []
    for element in paragraph._p.iter(qn("w:r")):
        if element.getparent() is not None and element.getparent().tag in (qn("w:del"), qn("w:moveFrom")):
            continue  # tracked deletions are not the paper's text
        run = DocxRun(element, paragraph)
        if run.text:
            runs.append(Run(run.text, _on(run, "bold"), _on(run, "italic")))
        for drawing in element.iter(qn("w:drawing")):
            pictures.append(_picture(document, drawing))
    level = _heading_level(paragraph, style)
    list_format, list_level = _numbering(paragraph, formats)
    return Paragraph(index, style, runs, level, list_format, list_level, pictures, in_contents)


def _on(run: DocxRun, attribute: str) -> bool:
    direct = getattr(run.font, attribute)
    if direct is not None:
        return bool(direct)
    style = run.style
    while style is not None:
        value = getattr(style.font, attribute)
        if value is not None:
            return bool(value)
        style = style.base_style
    return False


def _heading_level(paragraph: DocxParagraph, style: str) -> int | None:
    match = HEADING_STYLE.match(style)
    if match:
        return int(match.group(1))
    if style.lower() == "title":
        return 1
    for properties in (paragraph._p.pPr, getattr(paragraph.style, "element", None)):
        found = properties.find(f".//{qn('w:outlineLvl')}") if properties is not None else None
        if found is not None and (found.get(qn("w:val")) or "").isdigit() and int(found.get(qn("w:val"))) < 9:
            return int(found.get(qn("w:val"))) + 1
    return None


def _numbering(paragraph: DocxParagraph, formats: dict[tuple[str, str], str]) -> tuple[str | None, int]:
    """Word's own list numbering of the paragraph (direct, or from its style): the number format and
    level, or None."""
    for properties in (paragraph._p.pPr, getattr(paragraph.style, "element", None)):
        numbering = properties.find(f".//{qn('w:numPr')}") if properties is not None else None
        if numbering is None:
            continue
        number = numbering.find(qn("w:numId"))
        level = numbering.find(qn("w:ilvl"))
        number_id = number.get(qn("w:val")) if number is not None else None
        level_text = level.get(qn("w:val")) if level is not None else "0"
        if number_id in (None, "0"):
            return None, 0
        return formats.get((number_id, level_text or "0"), "decimal"), int(level_text or 0)
    return None, 0


def _list_formats(document: Document) -> dict[tuple[str, str], str]:
    """(numId, level) → the level's number format, from the numbering part."""
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return {}
    abstract = {
        item.get(qn("w:abstractNumId")): {
            level.get(qn("w:ilvl")): (
                level.find(qn("w:numFmt")).get(qn("w:val")) if level.find(qn("w:numFmt")) is not None else "decimal"
            )
            for level in item.iter(qn("w:lvl"))
        }
        for item in numbering.iter(qn("w:abstractNum"))
    }
    formats: dict[tuple[str, str], str] = {}
    for num in numbering.iter(qn("w:num")):
        link = num.find(qn("w:abstractNumId"))
        levels = abstract.get(link.get(qn("w:val")) if link is not None else None, {})
        for level, number_format in levels.items():
            formats[(num.get(qn("w:numId")), level)] = number_format or "decimal"
    return formats


def _picture(document: Document, drawing: Any) -> Picture:
    properties = drawing.find(f".//{qn('wp:docPr')}")
    alt = (properties.get("descr") or "").strip() if properties is not None else ""
    blip = drawing.find(f".//{qn('a:blip')}")
    target = blip.get(qn("r:embed")) if blip is not None else None
    part = document.part.related_parts.get(target) if target else None
    if part is None:
        return Picture(b"", "missing", alt)
    extension = PICTURE_TYPES.get(part.content_type, part.partname.ext)
    return Picture(part.blob, extension, alt)


def _mark_landscape(document: Document, blocks: list[Block]) -> None:
    """Marks the tables printed in a landscape section. A section's properties close it: they stand
    in its last paragraph, and the body's own are the last section's."""
    tables = iter(block for block in blocks if isinstance(block, Table))
    waiting: list[Table] = []
    for element in document.element.body.iter(qn("w:tbl"), qn("w:sectPr")):
        if element.tag == qn("w:tbl"):
            if next(element.iterancestors(qn("w:tbl")), None) is None:  # not a table inside a cell
                waiting.extend(table for table in [next(tables, None)] if table is not None)
            continue
        size = element.find(qn("w:pgSz"))
        for table in waiting:
            table.landscape = size is not None and size.get(qn("w:orient")) == "landscape"
        waiting.clear()


def _table(table: DocxTable, index: int) -> Table:
    rows: list[list[list[Run]]] = []
    merged_down: set[tuple[int, int]] = set()
    alignments: list[list[str | None]] = []
    header_rows = 0
    counting = True
    for number, row in enumerate(table.rows):
        properties = row._tr.trPr
        is_header = properties is not None and properties.find(qn("w:tblHeader")) is not None
        if counting and is_header:
            header_rows += 1
        else:
            counting = False
        cells: list[list[Run]] = []
        aligned: list[str | None] = []
        for column, cell in enumerate(row.cells):
            if cell._tc.getparent() is not row._tr or _joined_to_above(cell):
                merged_down.add((number, column))  # python-docx gives the cell above for a merged one
            runs: list[Run] = []
            for paragraph in cell.paragraphs:
                if runs:
                    runs.append(Run("\n"))  # a cell's paragraphs are lines, as the register prints them
                runs.extend(Run(run.text, _on(run, "bold"), _on(run, "italic")) for run in paragraph.runs if run.text)
            cells.append(runs)
            alignment = cell.paragraphs[0].alignment if cell.paragraphs else None
            aligned.append(ALIGNMENTS.get(int(alignment)) if alignment is not None else None)
        rows.append(cells)
        alignments.append(aligned)
    body = alignments[header_rows or 1 :]
    width = max((len(row) for row in rows), default=0)
    align = [_same([row[column] if column < len(row) else None for row in body]) for column in range(width)]
    return Table(index, rows, header_rows, merged_down, align)


def _joined_to_above(cell: Any) -> bool:
    """A cell drawn with no rule above it (its own top border nil or none), as this project's DOCX joins
    the cells of a row group: read as merged down where its text repeats the cell above's."""
    properties = cell._tc.tcPr
    top = properties.find(f"{qn('w:tcBorders')}/{qn('w:top')}") if properties is not None else None
    return top is not None and top.get(qn("w:val")) in ("nil", "none")


def _same(values: list[str | None]) -> str | None:
    return values[0] if values and all(value == values[0] for value in values) else None
