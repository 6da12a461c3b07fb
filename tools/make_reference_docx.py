"""Creates templates/reference.docx, the Word file whose named styles and page setup every DOCX
paper starts from. Run once; afterwards a designer may edit the styles in Word directly (keep the
style names). The file is the same byte for byte on every run.
Usage: python tools/make_reference_docx.py [OUT]"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from panelpapers.render.docx_xml import fix_zip_times

OUT = Path(__file__).resolve().parent.parent / "templates" / "reference.docx"
FONT = "Arial"  # Word's own Arial; LibreOffice maps it to Liberation Sans, the PDF's font
LANGUAGE = "en-GB"  # the papers' language: spelling, hyphenation and what a screen reader speaks
# Styles that look like headings, with the outline level each has beside Word's Heading N (level N),
# so that Word's navigation pane, its contents and a tagged PDF made from the DOCX see them as
# headings. The levels are the PDF's: the paper title alone at level 1, the summary box, the
# contents, each numbered section (Heading 2) and each appendix at level 2, a group's heading at 3.
OUTLINE_LEVELS = {
    "Paper Title": 1,
    "Summary Heading": 2,
    "Summary Part": 3,
    "Contents Heading": 2,
    "Appendix Title": 2,
}


def paragraph_style(doc, name, size=11, bold=False, before=0, after=6, base="Normal", color=None):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base] if name != base else None
    style.font.name = FONT
    fonts = style.element.rPr.rFonts
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)  # a theme font would override the named one
    fonts.set(qn("w:cs"), FONT)
    style.font.size = Pt(size)
    style.font.bold = bold
    if color:
        style.font.color.rgb = RGBColor.from_string(color)
    style.paragraph_format.space_before = Pt(before)
    style.paragraph_format.space_after = Pt(after)
    return style


def hanging(style, left_cm, hang_cm):
    fmt = style.paragraph_format
    fmt.left_indent = Cm(left_cm)
    fmt.first_line_indent = Cm(-hang_cm)
    fmt.tab_stops.add_tab_stop(Cm(left_cm))


def main() -> None:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.2)
    section.left_margin = section.right_margin = Cm(2.0)
    section.header_distance = section.footer_distance = Cm(1.0)

    normal = paragraph_style(doc, "Normal", after=6)
    normal.paragraph_format.line_spacing = 1.1
    normal.paragraph_format.widow_control = True  # no line of a paragraph alone at a page's top or foot
    paragraph_style(doc, "Masthead", size=20, bold=True, after=10, color="003C71")
    words = doc.styles.add_style("Masthead Words", WD_STYLE_TYPE.CHARACTER)
    words.font.size = Pt(8)
    words.font.bold = True
    words.font.color.rgb = RGBColor.from_string("1D1D1B")
    paragraph_style(doc, "Panel Name", size=13, bold=True, after=2)
    paragraph_style(doc, "Meeting Date", after=18)
    paragraph_style(doc, "Paper Title", size=16, bold=True, after=4)
    paragraph_style(doc, "Report By", after=12)
    summary_heading = paragraph_style(doc, "Summary Heading", size=13, bold=True, before=4, after=4)
    summary_part = paragraph_style(doc, "Summary Part", bold=True, before=8, after=3)
    for style in (summary_heading, summary_part):
        style.paragraph_format.keep_with_next = True
    # Heading 1 is the agenda's; a paper's numbered sections are Heading 2, under its title.
    for name in ("Heading 1", "Heading 2"):
        style = paragraph_style(doc, name, size=12.5, bold=True, before=10, after=6, color="000000")
        style.font.italic = False
        style.paragraph_format.keep_with_next = True
    # A group's heading and those nested under it, as the PDF sets h3, h4 and h5: black in the body
    # font (not Word's default blue, #4F81BD, 4.0:1 on white), bold and never underlined (an underline
    # reads as a link), stepping down to level 3 at 11.5pt, between level 2 and the 11pt body.
    nested = (("Heading 3", 12, False), ("Heading 4", 12, True), ("Heading 5", 11.5, False))
    for name, size, italic in nested:
        style = paragraph_style(doc, name, size=size, bold=True, before=8 if name == "Heading 3" else 6, after=3,
                                color="000000")
        style.font.italic = italic
        style.font.underline = False
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.left_indent = Cm(1.2)
    hanging(paragraph_style(doc, "Numbered Paragraph"), 1.2, 1.2)
    hanging(paragraph_style(doc, "Recommendation"), 0.8, 0.8)
    hanging(paragraph_style(doc, "List Item", after=3), 2.0, 0.8)
    hanging(paragraph_style(doc, "List Item 2", after=3), 2.8, 0.8)
    hanging(paragraph_style(doc, "Bullet Item", after=3), 1.6, 0.6)
    for name in ("Marking Header", "Marking Footer"):
        style = paragraph_style(doc, name, size=9, bold=True, after=0)
        style.paragraph_format.tab_stops.add_tab_stop(Cm(8.5), WD_TAB_ALIGNMENT.CENTER)
        style.paragraph_format.tab_stops.add_tab_stop(Cm(17.0), WD_TAB_ALIGNMENT.RIGHT)

    # Tables and charts computed from data (panelpapers/tables.py, charts.py).
    caption = paragraph_style(doc, "Caption", size=10, bold=True, before=8, after=4, color="000000")
    caption.font.italic = False
    caption.paragraph_format.keep_with_next = True
    paragraph_style(doc, "Table Text", size=9, after=0).paragraph_format.line_spacing = 1.0
    paragraph_style(doc, "Table Notes", size=8.5, before=3, after=10).font.italic = True
    figure = paragraph_style(doc, "Figure", after=2)
    figure.paragraph_format.keep_with_next = True
    figure.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph_style(doc, "Appendix Title", size=12.5, bold=True, after=8).paragraph_format.keep_with_next = True

    # A paper's contents list (paper.yaml `contents: true`): section titles linked to their headings.
    paragraph_style(doc, "Contents Heading", size=13, bold=True, after=8)
    hanging(paragraph_style(doc, "Contents Entry", after=5), 0.9, 0.9)
    # The agenda front sheet (agenda.docx): people listed line under line.
    paragraph_style(doc, "Agenda Entry", after=1)

    for name, level in OUTLINE_LEVELS.items():
        set_outline_level(doc.styles[name], level)
    set_language(doc)

    doc.core_properties.author = ""
    doc.core_properties.title = "Audit Panel paper"
    doc.core_properties.language = LANGUAGE
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    doc.save(buffer)
    out.write_bytes(fix_zip_times(buffer.getvalue()))
    print(f"wrote {out}")


def set_outline_level(style, level: int) -> None:
    """`level` 1 is Heading 1's; Word stores it from 0."""
    properties = style.element.get_or_add_pPr()
    outline = properties.find(qn("w:outlineLvl"))
    if outline is None:
        outline = OxmlElement("w:outlineLvl")
        successors = ("w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
        properties.insert_element_before(outline, *successors)
    outline.set(qn("w:val"), str(level - 1))


def set_language(doc) -> None:
    """en-GB for Latin and East Asian text in the document defaults and for the theme's fonts (Word's blank
    document says en-US). The template's Word 2010 copy of its styles (stylesWithEffects.xml), which
    Word rewrites from styles.xml on saving, is dropped rather than left saying en-US."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    language = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    theme_language = doc.settings.element.find(qn("w:themeFontLang"))
    for element in (language, theme_language):
        for attribute in ("w:val", "w:eastAsia"):  # w:bidi stays a right-to-left script's language
            element.set(qn(attribute), LANGUAGE)
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(rel_id)


if __name__ == "__main__":
    main()
