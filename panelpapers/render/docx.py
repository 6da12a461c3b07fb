"""DOCX with python-docx, starting from templates/reference.docx: every paragraph names a style
from that file, so a designer restyles the papers in Word without touching code."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from panelpapers.house import Fonts, Masthead, Wording, counter_parts
from panelpapers.model import (
    Appendix,
    Block,
    Chart,
    Emph,
    Heading,
    Image,
    Inlines,
    ItemList,
    LineBreak,
    Link,
    Paper,
    Paragraph,
    Source,
    Strong,
    Table,
    Text,
    plain_text,
)
from panelpapers.render.docx_anchors import ANCHOR_PREFIX, ANCHOR_PROPERTY, INPUT_PROPERTY, PAPER_PROPERTY, Target
from panelpapers.render.docx_numbering import Numbering, number_paragraph
from panelpapers.render.docx_xml import (
    add_bookmark,
    add_field,
    add_hyperlink,
    add_internal_link,
    box_paragraph,
    first_column_heads_rows,
    fix_zip_times,
    join_cells_down,
    keep_row_together,
    pad_cells,
    repeat_as_header,
    set_alt_text,
    set_custom_properties,
    shade_cell,
    start_with_tab,
    wrap_in_bookmark,
)
from panelpapers.resources import reference_docx


class Anchors:
    """Hidden bookmarks around each piece of author text, and the map of what each names (see
    docx_anchors). Numbered in document order, so two builds give the same bytes."""

    def __init__(self, slug: str) -> None:
        self.slug = slug
        self.count = 0
        self.targets: list[tuple[str, str]] = []  # (property name, target)

    def next_id(self) -> int:
        """A bookmark id, unique in the document."""
        self.count += 1
        return self.count

    def mark(self, paragraph: Any, start: int, kind: str, source: Source | None) -> None:
        """Wraps what `paragraph` holds from child `start` on (see `children`) as written at `source`."""
        if source is None:
            return
        number = self.next_id()
        name = f"{ANCHOR_PREFIX}{number}"
        wrap_in_bookmark(paragraph._p, start, name, number)
        target = Target(kind, f"{self.slug}/{source.file}", source.pointer)
        self.targets.append((ANCHOR_PROPERTY + name, str(target)))


def children(paragraph: Any) -> int:
    """Where the next run will go: marks the start of an anchored piece of text."""
    return len(paragraph._p)


def add_masthead(doc: Any, masthead: Masthead) -> None:
    """Each line: the organisation's mark, then its name in small capitals beside it."""
    from docx.shared import Mm

    for line in masthead.lines:
        if line.logo is not None:
            paragraph = doc.add_paragraph(style="Masthead")
            picture = paragraph.add_run().add_picture(io.BytesIO(line.logo.image), height=Mm(line.logo.height_mm))
            set_alt_text(picture, line.mark, line.mark)
            paragraph.add_run("   ")
        else:
            paragraph = doc.add_paragraph(f"{line.mark}   ", style="Masthead")
        paragraph.add_run(line.words_in_docx, style="Masthead Words")


def add_inlines(paragraph: Any, inlines: Inlines, bold: bool = False, italic: bool = False) -> None:
    for node in inlines:
        if isinstance(node, Text):
            run = paragraph.add_run(node.text)
            run.bold = bold or None
            run.italic = italic or None
        elif isinstance(node, LineBreak):
            paragraph.add_run().add_break()
        elif isinstance(node, Strong):
            add_inlines(paragraph, node.children, True, italic)
        elif isinstance(node, Emph):
            add_inlines(paragraph, node.children, bold, True)
        elif isinstance(node, Link):
            add_hyperlink(paragraph, node.href, plain_text(node.children), bold, italic)


def add_anchored(paragraph: Any, inlines: Inlines, anchors: Anchors, source: Source | None, bold: bool = False) -> None:
    start = children(paragraph)
    add_inlines(paragraph, inlines, bold)
    anchors.mark(paragraph, start, "text", source)


def add_list(doc: Any, item_list: ItemList, anchors: Anchors, lists: Numbering, depth: int = 0) -> None:
    """A Word list: its markers are Word's numbering, so they are no text of the paragraphs."""
    style = "Bullet Item" if item_list.style == "bullet" else ("List Item" if depth == 0 else "List Item 2")
    num_id = lists.new_list(item_list, style_indents(doc.styles[style]))
    for item in item_list.items:
        paragraph = doc.add_paragraph(style=style)
        if num_id is None:  # markers that Word's numbering cannot print stay typed
            paragraph.add_run(f"{item.marker}\t")
        else:
            number_paragraph(paragraph, num_id)
        add_anchored(paragraph, item.content, anchors, item.source)
        if item.sublist:
            add_list(doc, item.sublist, anchors, lists, depth + 1)


class Pages:
    """The document's sections, each of one orientation and one marking. A change of either starts a
    new section on a new page, so no page mixes two markings and each section's header and footer
    can say the marking of its pages."""

    def __init__(self, doc: Any, marking: str) -> None:
        self.doc = doc
        self.markings = [marking]  # one per section, in order

    def turn(self, landscape: bool) -> bool:
        """A new section if the orientation changes; True if one was started."""
        from docx.enum.section import WD_ORIENT

        if (self.doc.sections[-1].orientation == WD_ORIENT.LANDSCAPE) == landscape:
            return False
        self._new_section(landscape, self.markings[-1])
        return True

    def mark(self, marking: str, landscape: bool = False) -> bool:
        """A new section if the marking changes (turned as asked); True if one was started."""
        if marking == self.markings[-1]:
            return False
        self._new_section(landscape, marking)
        return True

    def _new_section(self, landscape: bool, marking: str) -> None:
        from docx.enum.section import WD_ORIENT, WD_SECTION

        current = self.doc.sections[-1]
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        sides = (int(current.page_width or 0), int(current.page_height or 0))
        long_side, short_side = max(sides), min(sides)
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (long_side, short_side) if landscape else (short_side, long_side)
        self.markings.append(marking)


def text_width(doc: Any) -> int:
    section = doc.sections[-1]
    return int(section.page_width - section.left_margin - section.right_margin)


ALIGNMENTS = {"left": 0, "center": 1, "right": 2}  # WD_ALIGN_PARAGRAPH values


def column_widths(table: Table, total: int) -> list[int]:
    """Shares the text width by how much each column holds, so a description column gets room."""
    weights = []
    for i, header in enumerate(table.headers):
        longest = max([len(header)] + [len(plain_text(row.cells[i])) for row in table.rows])
        weights.append(min(longest, 60) + 6)
    return [total * w // sum(weights) for w in weights]


def add_table(doc: Any, table: Table, anchors: Anchors, words: Wording) -> None:
    caption = doc.add_paragraph(style="Caption")
    start = children(caption)
    caption.add_run(table.label)
    anchors.mark(caption, start, "caption", table.source)
    grid = doc.add_table(rows=2 if table.header_groups else 1, cols=len(table.headers))
    grid.style = doc.styles["Table Grid"]
    grid.autofit = False
    pad_cells(grid)
    first_column_heads_rows(grid, table.row_headers)
    widths = column_widths(table, text_width(doc))
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width  # the table grid, which LibreOffice reads; Word reads the cells
    header = grid.rows[-1]
    repeat_as_header(header)
    keep_row_together(header)
    headers = zip(header.cells, table.headers, table.align, widths, strict=True)
    for column, (cell, text, align, width) in enumerate(headers):
        paragraph = cell.paragraphs[0]
        paragraph.style = "Table Text"
        paragraph.alignment = ALIGNMENTS[align]
        start = children(paragraph)
        paragraph.add_run(text).bold = True
        if column == 0:  # one anchor names the whole table: a cell is found by its row and column
            anchors.mark(paragraph, start, "table", table.source)
        shade_cell(cell, "D9E2EC")
        cell.width = width
    if table.header_groups:  # the spanning row above the column headers
        add_header_groups(doc, grid, table)
    above: Any = None  # the row group's cell in the row above
    for row in table.rows:
        cells = grid.add_row()
        keep_row_together(cells)
        columns = zip(cells.cells, row.cells, table.align, widths, strict=True)
        for i, (cell, content, align, width) in enumerate(columns):
            cell.width = width
            paragraph = cell.paragraphs[0]
            paragraph.style = "Table Text"
            paragraph.alignment = ALIGNMENTS[align]
            if i == table.group_column and not row.total:
                # No merged cell: LibreOffice's tagged PDF gives a merged cell no row span, so the rows
                # below it lack a cell. Each row has its group's label; no rule parts a group's cells.
                if row.group_rows == 0:
                    join_cells_down(above, cell)
                above = cell
            add_inlines(paragraph, content, bold=row.total or (i == 0 and table.row_headers))
            if trend := words.trend(plain_text(content)):
                # Word has no text alternative for a character: the arrow's words are printed beside it.
                paragraph.add_run(f" {trend}")
    doc.add_paragraph(table.notes or "", style="Table Notes")


def add_header_groups(doc: Any, grid: Any, table: Table) -> None:
    """Fills the grid's first row with the spanning header row: each group's cells merged into one.
    A column in no group has no cell of its own there: its header, in the second row, is merged up
    over both rows, so no header cell is empty (a screen reader would announce a blank header)."""
    row = grid.rows[0]
    repeat_as_header(row)
    keep_row_together(row)
    column = 0
    for group in table.header_groups:
        if not group.label:
            for each in range(column, column + group.span):
                shade_cell(grid.cell(0, each).merge(grid.cell(1, each)), "D9E2EC")  # the top cell's look holds
            column += group.span
            continue
        cell = row.cells[column]
        if group.span > 1:
            cell = cell.merge(row.cells[column + group.span - 1])
        paragraph = cell.paragraphs[0]
        paragraph.style = "Table Text"
        paragraph.alignment = ALIGNMENTS["center"]
        paragraph.add_run(group.label).bold = True
        shade_cell(cell, "D9E2EC")
        column += group.span


def add_image(doc: Any, image: Image, anchors: Anchors) -> None:
    from docx.shared import Mm

    from panelpapers.render.raster import svg_to_png

    picture = image.data
    if image.media_type == "image/svg+xml":
        picture = svg_to_png(image.data, image.width_mm, image.height_mm)
    # As for charts: caption and picture in one paragraph, so no page break comes between them.
    paragraph = doc.add_paragraph(style="Caption")
    if image.label:
        start = children(paragraph)
        paragraph.add_run(image.label).add_break()
        anchors.mark(paragraph, start, "composed", image.caption_source)
    start = children(paragraph)
    shape = paragraph.add_run().add_picture(io.BytesIO(picture), width=Mm(image.width_mm))
    anchors.mark(paragraph, start, "alt", image.alt_source)
    set_alt_text(shape, image.alt, image.label or image.alt)


def add_chart(doc: Any, chart: Chart, anchors: Anchors) -> None:
    from docx.shared import Mm

    # Caption and picture share one paragraph so that no page break can come between them.
    paragraph = doc.add_paragraph(style="Caption")
    start = children(paragraph)
    paragraph.add_run(chart.label).add_break()
    anchors.mark(paragraph, start, "caption", chart.source)
    start = children(paragraph)
    shape = paragraph.add_run().add_picture(io.BytesIO(chart.png), width=Mm(chart.width_mm))
    anchors.mark(paragraph, start, "chart", chart.source)
    set_alt_text(shape, chart.alt, chart.label)


def add_appendix(
    doc: Any, appendix: Appendix, pages: Pages, anchors: Anchors, lists: Numbering, words: Wording
) -> None:
    """An appendix's own content starts on a new page, turned if its first block is wide."""
    if not pages.mark(appendix.marking, appendix.landscape) and not pages.turn(appendix.landscape):
        from docx.enum.text import WD_BREAK

        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    heading = doc.add_paragraph(style="Appendix Title")
    start = children(heading)
    heading.add_run(appendix.heading)
    anchors.mark(heading, start, "composed", appendix.title_source)
    add_blocks(doc, appendix.blocks, anchors, lists, words, pages, in_appendix=True)


def add_blocks(
    doc: Any,
    blocks: tuple[Block, ...],
    anchors: Anchors,
    lists: Numbering,
    words: Wording,
    pages: Pages | None = None,
    in_appendix: bool = False,
) -> None:
    """`pages`: the document's sections; None inside the summary box, which never turns."""
    for block in blocks:
        if pages is not None:
            pages.turn(isinstance(block, Table | Chart) and block.landscape)
        if isinstance(block, Table):
            add_table(doc, block, anchors, words)
        elif isinstance(block, Chart):
            add_chart(doc, block, anchors)
        elif isinstance(block, Image):
            add_image(doc, block, anchors)
        elif isinstance(block, Heading):  # a group's heading (level 3 in the outline), and those nested under it
            heading = doc.add_paragraph(style=f"Heading {block.level + 2}")
            if in_appendix:  # an appendix's text is not numbered: its headings start at the margin, as it does
                heading.paragraph_format.left_indent = 0
            add_anchored(heading, block.content, anchors, block.source)
        elif isinstance(block, ItemList):
            add_list(doc, block, anchors, lists)
        elif isinstance(block, Paragraph):
            paragraph = doc.add_paragraph(style="Numbered Paragraph" if block.number else "Normal")
            if block.number:
                paragraph.add_run(f"{words.paragraph_number.format(number=block.number)}\t")
            if block.lead:
                add_anchored(paragraph, block.lead, anchors, block.lead_source, bold=True)
                paragraph.add_run(" ")
            add_anchored(paragraph, block.content, anchors, block.source)
            if block.items:  # a lead-in never ends a page without the first of its items
                paragraph.paragraph_format.keep_with_next = True
                add_list(doc, block.items, anchors, lists)


def add_contents(doc: Any, paper: Paper) -> None:
    """The contents as plain text, each entry linked to its section's heading. No page numbers: a
    Word contents field would open empty until refreshed, and the PDF's numbers would be wrong in a
    document that Word paginates itself (the PDF carries the right ones)."""
    doc.add_page_break()
    doc.add_paragraph(paper.words.contents, style="Contents Heading")
    for section in paper.sections:
        entry = doc.add_paragraph(style="Contents Entry")
        add_internal_link(entry, f"section-{section.number}", f"{section.number}.\t{section.title}")
    doc.add_page_break()


def indents(paragraph: Any) -> tuple[int, int]:
    """(left, first line) indents of a paragraph, set on it or on its styles, in EMU."""
    left, first = paragraph.paragraph_format.left_indent, paragraph.paragraph_format.first_line_indent
    return style_indents(paragraph.style, left, first)


def style_indents(style: Any, left: Any = None, first: Any = None) -> tuple[int, int]:
    """(left, first line) indents in EMU: `left` and `first` where given, else a paragraph style's (or
    those it is based on)."""
    while style is not None and (left is None or first is None):
        left = style.paragraph_format.left_indent if left is None else left
        first = style.paragraph_format.first_line_indent if first is None else first
        style = style.base_style
    return int(left or 0), int(first or 0)


def align_in_box(paragraph: Any) -> None:
    """Word and LibreOffice draw one box around adjacent bordered paragraphs only while their text
    starts at the same place: an indented paragraph (a bulleted list) would break out into a box
    of its own. It keeps its look but starts at the left edge, tabbing to where its first line was."""
    left, first = indents(paragraph)
    if left + first <= 0:
        return
    if paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None:
        # Word prints a list's marker where the first line starts and no tab can come before it: the
        # item moves left as a whole, its marker at the edge and its text hanging as before.
        paragraph.paragraph_format.left_indent = -first
        paragraph.paragraph_format.first_line_indent = first
        paragraph.paragraph_format.tab_stops.add_tab_stop(-first)
        return
    paragraph.paragraph_format.first_line_indent = -left
    paragraph.paragraph_format.tab_stops.add_tab_stop(left + first)
    start_with_tab(paragraph._p)


def new_document(templates: Path | None = None, fonts: Fonts | None = None) -> Any:
    """A document with the reference file's styles, page setup and headers, and an empty body;
    `templates`: a project's own templates, whose reference.docx (if any) replaces the packaged one;
    `fonts`: the house's own, whose name replaces the reference's body font."""
    from docx import Document

    doc = Document(str(reference_docx(templates)))
    body = doc.element.body
    for child in list(body):
        if child.tag.endswith("}p") or child.tag.endswith("}tbl"):
            body.remove(child)
    if fonts is not None:
        use_word_font(doc, fonts.word_font)
    remember_style_ids(doc)
    return doc


def remember_style_ids(doc: Any) -> None:
    """Each style named by the document's paragraphs, runs and tables has its id found once.
    python-docx finds it again each time a style is set by name, scanning every style of the
    reference document for the default one (about half of a paper's DOCX time); the ids do not
    change while a document is written, as nothing here adds a style or changes a default."""
    part = doc.part  # every story of the document finds its styles through this part
    find = part.get_style_id
    found: dict[tuple[str, Any], str | None] = {}

    def style_id(style_or_name: Any, style_type: Any) -> str | None:
        if not isinstance(style_or_name, str):
            return find(style_or_name, style_type)  # type: ignore[no-any-return]
        key = (style_or_name, style_type)
        if key not in found:
            found[key] = find(style_or_name, style_type)
        return found[key]

    part.get_style_id = style_id


def use_word_font(doc: Any, name: str) -> None:
    """Names the house's font wherever the reference's styles name their body font (the Normal
    style's), and in the document defaults. A Word document carries no font files: the reader's
    machine draws the font it names."""
    from docx.oxml.ns import qn

    body_font = doc.styles["Normal"].font.name
    attributes = [qn(f"w:{attr}") for attr in ("ascii", "hAnsi", "cs", "eastAsia")]
    for fonts in doc.styles.element.iter(qn("w:rFonts")):
        for attribute in attributes:
            if body_font is not None and fonts.get(attribute) == body_font:
                fonts.set(attribute, name)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        run = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if run is not None:
            fonts = run.find(qn("w:rFonts"))
            if fonts is None:
                fonts = run.makeelement(qn("w:rFonts"), {})
                run.insert(0, fonts)
            for attribute in list(fonts.attrib):
                if attribute.endswith("Theme") or attribute.endswith("theme"):
                    del fonts.attrib[attribute]  # a theme font would win over the named one
            for attribute in attributes[:3]:
                fonts.set(attribute, name)


def finish(doc: Any) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return fix_zip_times(out.getvalue())


def set_page_furniture(doc: Any, markings: list[str], cover_marking: str, draft: bool, words: Wording) -> None:
    """Each section's marking at top and bottom of its pages, DRAFT top right, "Page N of M" bottom
    right; the first page (the cover) carries `cover_marking`, the highest of the document."""
    for index, (section, marking) in enumerate(zip(doc.sections, markings, strict=True)):
        if index:
            # Each section gets its own marking; tab stops follow its width.
            section.header.is_linked_to_previous = False
            section.footer.is_linked_to_previous = False
        fill_furniture(doc, section, section.header, section.footer, marking, draft, words)
    if cover_marking != markings[0]:
        first = doc.sections[0]
        first.different_first_page_header_footer = True
        fill_furniture(doc, first, first.first_page_header, first.first_page_footer, cover_marking, draft, words)


def fill_furniture(doc: Any, section: Any, header: Any, footer: Any, marking: str, draft: bool, words: Wording) -> None:
    from docx.enum.text import WD_TAB_ALIGNMENT

    top = header.paragraphs[0]
    top.style = doc.styles["Marking Header"]
    bottom = footer.paragraphs[0]
    bottom.style = doc.styles["Marking Footer"]
    if section.page_width > section.page_height:
        width = section.page_width - section.left_margin - section.right_margin
        for paragraph in (top, bottom):
            stops = paragraph.paragraph_format.tab_stops
            for style_stop in paragraph.style.paragraph_format.tab_stops:
                stops.add_tab_stop(style_stop.position, WD_TAB_ALIGNMENT.CLEAR)
            stops.add_tab_stop(width // 2, WD_TAB_ALIGNMENT.CENTER)
            stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    top.add_run(f"\t{marking}\t{words.draft if draft else ''}")
    bottom.add_run(f"\t{marking}\t")
    for kind, text in counter_parts(words.page_number):
        if kind == "text":
            bottom.add_run(text).bold = False
        else:
            add_field(bottom, "PAGE" if kind == "page" else "NUMPAGES")


def set_properties(
    doc: Any, *, title: str, author: str, subject: str, marking: str, date: dt.date, comments: str = ""
) -> None:
    # Dates come from the meeting, never the clock, so two builds are byte-identical.
    when = dt.datetime.combine(date, dt.time(0, 0))
    props = doc.core_properties
    props.title = title
    props.author = author
    props.last_modified_by = author
    props.subject = subject
    props.keywords = marking
    props.category = marking
    props.comments = comments
    props.created = when
    props.modified = when
    props.revision = 1
    props.language = "en-GB"


def add_report_by(doc: Any, paper: Paper, anchors: Anchors) -> None:
    """The cover's "Report by: …": the house's words around the author's, which alone are anchored."""
    before, found, after = paper.words.report_by.partition("{report_by}")
    paragraph = doc.add_paragraph(style="Report By")
    if not found:
        add_inlines(paragraph, paper.report_by_line)
        return
    for words, inlines in ((before, ()), ("", paper.report_by), (after, ())):
        if words.format():
            paragraph.add_run(words.format())
        if inlines:
            add_anchored(paragraph, inlines, anchors, paper.report_by_source)


def render_docx(paper: Paper, templates: Path | None = None) -> bytes:
    doc = new_document(templates, paper.house.fonts)
    anchors = Anchors(paper.slug)
    lists = Numbering(doc)
    pages = Pages(doc, paper.marking)
    add_masthead(doc, paper.masthead)
    doc.add_paragraph(paper.meeting.upper(), style="Panel Name")
    doc.add_paragraph(paper.date_text, style="Meeting Date")
    add_anchored(doc.add_paragraph(style="Paper Title"), (Text(paper.title),), anchors, paper.title_source)
    add_report_by(doc, paper, anchors)
    if paper.status_line:
        doc.add_paragraph(paper.status_line, style="Report By").runs[0].bold = True
    if paper.version_note:
        doc.add_paragraph(paper.version_note, style="Report By").runs[0].bold = True

    # The Report Summary box: paragraphs sharing one border, which Word and LibreOffice draw as one
    # box; a one-cell table would be announced as a table by a screen reader.
    box_start = doc.add_paragraph(paper.words.report_summary, style="Summary Heading")
    for part in paper.summary:
        doc.add_paragraph(part.title, style="Summary Part")
        add_blocks(doc, part.blocks, anchors, lists, paper.words)
    doc.add_paragraph(paper.recommendations_heading, style="Summary Part")
    # The lead line ("The Panel is recommended to:") never ends a page without its first item.
    if paper.recommendations_lead:  # none above a recommendation written as one sentence
        doc.add_paragraph(paper.recommendations_lead).paragraph_format.keep_with_next = True
    recommendations = lists.new_list(paper.recommendations, style_indents(doc.styles["Recommendation"]))
    for item in paper.recommendations.items:
        if item.marker:
            paragraph = doc.add_paragraph(style="Recommendation")
            if recommendations is None:
                paragraph.add_run(f"{item.marker}\t")
            else:
                number_paragraph(paragraph, recommendations)
        else:  # a paper's only recommendation: no letter, so no hanging indent
            paragraph = doc.add_paragraph()
        add_anchored(paragraph, item.content, anchors, item.source)
    from docx.text.paragraph import Paragraph as DocxParagraph

    for element in [box_start._p, *box_start._p.itersiblings()]:
        if element.tag == box_start._p.tag:
            align_in_box(DocxParagraph(element, box_start._parent))
            box_paragraph(element)

    if paper.contents:
        add_contents(doc, paper)
    for section in paper.sections:
        pages.mark(section.marking)
        # Level 2 in the outline, under the paper's title, as in the PDF.
        heading = doc.add_paragraph(f"{section.number}. ", style="Heading 2")
        add_anchored(heading, (Text(section.title),), anchors, section.title_source)
        if paper.contents:
            add_bookmark(heading, f"section-{section.number}", anchors.next_id())
        add_blocks(doc, section.blocks, anchors, lists, paper.words, pages)
    for appendix in paper.appendices:
        if appendix.blocks:
            add_appendix(doc, appendix, pages, anchors, lists, paper.words)

    furniture = [paper.furniture(marking) for marking in pages.markings]
    cover = paper.furniture(paper.highest_marking)
    set_page_furniture(doc, furniture, cover, paper.status == "draft", paper.words)
    set_properties(
        doc,
        title=paper.title,
        author=paper.author,
        subject=f"{paper.meeting}, {paper.date_text}" + (f" ({paper.words.draft})" if paper.status == "draft" else ""),
        marking=paper.highest_marking,
        date=paper.date,
        comments=" ".join(plain_text(paper.report_by_line).split()),
    )
    set_custom_properties(doc, build_properties(paper, anchors))
    return finish(doc)


def build_properties(paper: Paper, anchors: Anchors) -> list[tuple[str, str]]:
    """Which paper this is and what it was made from (the manifest's input hashes), then its anchors."""
    inputs = [(INPUT_PROPERTY + name, digest) for name, digest in paper.inputs]
    meeting = paper.inputs[0][0].split("/", 1)[0] if paper.inputs else ""
    which = [(PAPER_PROPERTY, f"{meeting}/{paper.slug}" if meeting else paper.slug)]
    return which + inputs + anchors.targets


class DocxWriter:
    name = "docx"
    suffix = ".docx"

    def __init__(self, templates: Path | None = None) -> None:
        self.templates = templates

    def render(self, paper: Paper) -> bytes:
        return render_docx(paper, self.templates)
