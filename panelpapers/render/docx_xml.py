"""The few things python-docx has no public word for, in one place: hyperlinks, page fields,
paragraph borders, outline levels and fixed zip entry times."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

# Zip entries carry their own time; a fixed one makes two saves byte-identical.
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def text_element(text: str) -> Any:
    """A w:t that keeps its leading and trailing spaces."""
    element = OxmlElement("w:t")
    element.text = text
    element.set(qn("xml:space"), "preserve")
    return element


def add_hyperlink(paragraph: Any, href: str, text: str, bold: bool = False, italic: bool = False) -> None:
    rel_id = paragraph.part.relate_to(href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    props.append(style)
    for flag, tag in ((bold, "w:b"), (italic, "w:i")):
        if flag:
            props.append(OxmlElement(tag))
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), "0B5FA5")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.extend([colour, underline])
    run.append(props)
    run.append(text_element(text))
    link.append(run)
    paragraph._p.append(link)


def add_bookmark(paragraph: Any, name: str, number: int) -> None:
    """Marks the whole paragraph as bookmark `name`, the target of an internal link."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(number))
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(end)


def add_internal_link(paragraph: Any, anchor: str, text: str) -> None:
    """A link to bookmark `anchor` in the same document, in the paragraph's own style; a tab in
    `text` becomes a real tab."""
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), anchor)
    run = OxmlElement("w:r")
    for i, part in enumerate(text.split("\t")):
        if i:
            run.append(OxmlElement("w:tab"))
        run.append(text_element(part))
    link.append(run)
    paragraph._p.append(link)


def add_field(paragraph: Any, instruction: str, placeholder: str = "1") -> None:
    """A simple field such as PAGE or NUMPAGES; Word and LibreOffice compute these at layout."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = placeholder
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def fix_zip_times(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def repeat_as_header(row: Any) -> None:
    """Word repeats this table row at the top of every page the table runs onto."""
    _row_flag(row, "w:tblHeader")


def keep_row_together(row: Any) -> None:
    """A row never splits across pages."""
    _row_flag(row, "w:cantSplit")


def _row_flag(row: Any, tag: str) -> None:
    properties = row._tr.get_or_add_trPr()
    if properties.find(qn(tag)) is None:
        flag = OxmlElement(tag)
        flag.set(qn("w:val"), "true")
        properties.append(flag)


def pad_cells(table: Any, top_bottom_pt: float = 2.5, left_right_pt: float = 4) -> None:
    """Space between each cell's text and its borders (w:tblCellMar, in twentieths of a point), as the
    PDF's table cells have; without it a cell's text touches its rules."""
    margins = OxmlElement("w:tblCellMar")
    sides = (("top", top_bottom_pt), ("left", left_right_pt), ("bottom", top_bottom_pt), ("right", left_right_pt))
    for side, points in sides:
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(round(points * 20)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties = table._tbl.tblPr
    successors = ("w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
    properties.insert_element_before(margins, *successors)


def first_column_heads_rows(table: Any, heads: bool) -> None:
    """Word's "First Column" table option (tblLook), which python-docx's new tables switch on: on only
    where the first column's cells head their rows (`row_headers: "yes"`)."""
    look = table._tbl.tblPr.find(qn("w:tblLook"))
    if look is None:
        look = OxmlElement("w:tblLook")
        table._tbl.tblPr.append(look)
    look.set(qn("w:firstColumn"), "1" if heads else "0")
    if (bits := look.get(qn("w:val"))) is not None:  # the same options as hex bits; 0x0080 is this one
        look.set(qn("w:val"), f"{(int(bits, 16) & ~0x0080) | (0x0080 if heads else 0):04X}")


def shade_cell(cell: Any, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def join_cells_down(upper: Any, lower: Any) -> None:
    """No rule between a cell and the one below it (each cell's own tcBorders: nil at the shared side),
    so that two cells of one column read as one band, as a merged cell would, each keeping its text."""
    for cell, side in ((upper, "bottom"), (lower, "top")):
        properties = cell._tc.get_or_add_tcPr()
        borders = properties.find(qn("w:tcBorders"))
        if borders is None:
            borders = OxmlElement("w:tcBorders")
            # CT_TcPr's order: tcW, gridSpan, hMerge, vMerge, tcBorders, shd, …
            successors = ("w:shd", "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")
            properties.insert_element_before(borders, *successors)
        rule = OxmlElement(f"w:{side}")
        rule.set(qn("w:val"), "nil")
        order = ("top", "start", "left", "bottom", "end", "right", "insideH", "insideV", "tl2br", "tr2bl")
        later = [borders.find(qn(f"w:{name}")) for name in order[order.index(side) + 1 :]]
        following = next((element for element in later if element is not None), None)
        if following is not None:
            following.addprevious(rule)
        else:
            borders.append(rule)


def set_alt_text(inline_shape: Any, description: str, title: str) -> None:
    """Alt text of a picture: what a screen reader says (docPr descr), and its short title."""
    doc_pr = inline_shape._inline.docPr
    doc_pr.set("descr", description)
    doc_pr.set("title", title)


# The order of a paragraph's properties that Word insists on (CT_PPr in ECMA-376), to insert new
# ones in place.
_PARAGRAPH_PROPERTIES = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr",
    "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
    "w:sectPr", "w:pPrChange",
)


def _insert_property(properties: Any, element: Any) -> None:
    tag = element.tag.split("}", 1)[1]
    existing = properties.find(qn(f"w:{tag}"))
    if existing is not None:
        properties.remove(existing)
    successors = _PARAGRAPH_PROPERTIES[_PARAGRAPH_PROPERTIES.index(f"w:{tag}") + 1 :]
    properties.insert_element_before(element, *successors)


def box_paragraph(element: Any, colour: str = "000000", width_eighths: int = 8, padding_pt: int = 4) -> None:
    """A rule on all four sides of the paragraph element (w:p; width in eighths of a point). Word and LibreOffice
    draw one box around a run of adjacent paragraphs with identical borders: a box made of
    paragraphs, not a one-cell layout table that a screen reader announces as a table."""
    border = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        rule = OxmlElement(f"w:{side}")
        rule.set(qn("w:val"), "single")
        rule.set(qn("w:sz"), str(width_eighths))
        rule.set(qn("w:space"), str(padding_pt))
        rule.set(qn("w:color"), colour)
        border.append(rule)
    _insert_property(element.get_or_add_pPr(), border)


def set_outline_level(properties: Any, level: int) -> None:
    """The heading level a paragraph or paragraph style has in Word's navigation pane, its table of
    contents and a tagged PDF export (0 = level 1, as Heading 1)."""
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), str(level))
    _insert_property(properties, outline)


def start_with_tab(element: Any) -> None:
    """A tab before everything else in the paragraph element (w:p)."""
    run = OxmlElement("w:r")
    run.append(OxmlElement("w:tab"))
    properties = element.pPr
    if properties is not None:
        properties.addnext(run)
    else:
        element.insert(0, run)


def wrap_in_bookmark(paragraph_element: Any, start: int, name: str, number: int) -> None:
    """Marks the children of a paragraph element (w:p) from index `start` to its end as bookmark `name`."""
    begin = OxmlElement("w:bookmarkStart")
    begin.set(qn("w:id"), str(number))
    begin.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(number))
    paragraph_element.insert(start, begin)
    paragraph_element.append(end)


CUSTOM_PROPERTIES_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_PROPERTIES_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VARIANT_TYPES_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
# The format id every custom property carries (ECMA-376 part 1, 22.3.2.2); ids start at 2.
CUSTOM_PROPERTY_FORMAT = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def set_custom_properties(doc: Any, properties: list[tuple[str, str]]) -> None:
    """docProps/custom.xml: named text properties (File › Properties › Custom in Word and LibreOffice).
    Word keeps a text value to 255 characters; longer ones are refused here."""
    from xml.sax.saxutils import escape, quoteattr

    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    rows = []
    for pid, (name, value) in enumerate(properties, start=2):
        if len(value) > 255 or len(name) > 255:
            raise ValueError(f"custom property {name!r} is longer than Word keeps (255 characters)")
        rows.append(
            f'<property fmtid="{CUSTOM_PROPERTY_FORMAT}" pid="{pid}" name={quoteattr(name)}>'
            f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        )
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Properties xmlns="{CUSTOM_PROPERTIES_NS}" xmlns:vt="{VARIANT_TYPES_NS}">{"".join(rows)}</Properties>'
    )
    package = doc.part.package
    part = Part(PackURI("/docProps/custom.xml"), CUSTOM_PROPERTIES_TYPE, xml.encode("utf-8"), package)
    package.relate_to(part, RELATIONSHIP_TYPE.CUSTOM_PROPERTIES)
