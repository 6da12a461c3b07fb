"""Word's own list numbering for the papers' lists: each list its own definition in numbering.xml
(w:abstractNum and a w:num that names it) and each item a w:numPr, so that Word, LibreOffice and a
tagged PDF export know a list (L, LI, Lbl) where typed "a)" would be plain text. The markers are the
model's: a list's number format and the text around the number are read from its first marker, and a
list whose markers Word would count differently is left with typed markers (see `typed_markers`)."""

from __future__ import annotations

import re
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from panelpapers.model import ItemList, ListStyle

EMU_PER_TWIP = 635  # python-docx lengths are in EMU; Word's indents in twentieths of a point
WORD_FORMATS: dict[ListStyle, str] = {"letter": "lowerLetter", "roman": "lowerRoman", "bullet": "bullet"}
_CORE = {"letter": re.compile(r"^(\W*)([a-z]+)(\W*)$"), "roman": re.compile(r"^(\W*)([ivxlcdm]+)(\W*)$")}
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))  # fmt: skip


def word_label(style: ListStyle, number: int) -> str:
    """The number as Word writes it in a lowerLetter or lowerRoman list (Word's letters after z are aa,
    bb, …: the letter repeated)."""
    if style == "letter":
        return chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1)
    out = ""
    for value, letters in _ROMAN:
        count, number = divmod(number, value)
        out += letters * count
    return out


def _value(style: ListStyle, core: str) -> int | None:
    """The number a letter or numeral stands for in Word's count, or None."""
    for number in range(1, 1000):
        if word_label(style, number) == core:
            return number
    return None


def level_pattern(item_list: ItemList) -> tuple[str, int] | None:
    """(w:lvlText, w:start) that make Word print exactly the list's markers, or None if none does."""
    markers = [item.marker for item in item_list.items]
    if not markers or not all(markers):
        return None
    if item_list.style == "bullet":
        return (markers[0], 1) if len(set(markers)) == 1 and "%" not in markers[0] else None
    found = _CORE[item_list.style].match(markers[0])
    start = _value(item_list.style, found.group(2)) if found else None
    if found is None or start is None:
        return None
    before, after = found.group(1), found.group(3)
    expected = [f"{before}{word_label(item_list.style, start + i)}{after}" for i in range(len(markers))]
    if expected != markers or "%" in before + after:
        return None
    return f"{before}%1{after}", start


class Numbering:
    """The document's numbering part, to which each list adds a definition of its own."""

    def __init__(self, doc: Any) -> None:
        self.element = doc.part.numbering_part.element  # w:numbering
        self.next_abstract = 1 + max(
            (int(item.get(qn("w:abstractNumId"))) for item in self.element.iter(qn("w:abstractNum"))), default=-1
        )
        self.next_num = 1 + max((int(num.get(qn("w:numId"))) for num in self.element.iter(qn("w:num"))), default=0)

    def new_list(self, item_list: ItemList, indents: tuple[int, int]) -> int | None:
        """A w:num for `item_list`, numbered from its first marker: its numId, or None when Word's
        numbering cannot print the list's markers (they stay typed). `indents`: (left, first line) of
        its paragraphs' style in EMU, which the level repeats: LibreOffice indents a list item as its
        list level says, not as its paragraph style does."""
        pattern = level_pattern(item_list)
        if pattern is None:
            return None
        text, start = pattern
        abstract = OxmlElement("w:abstractNum")
        abstract.set(qn("w:abstractNumId"), str(self.next_abstract))
        kind = OxmlElement("w:multiLevelType")
        kind.set(qn("w:val"), "singleLevel")
        level = OxmlElement("w:lvl")
        level.set(qn("w:ilvl"), "0")
        for tag, value in (("w:start", str(start)), ("w:numFmt", WORD_FORMATS[item_list.style]),
                           ("w:lvlText", text), ("w:lvlJc", "left")):  # fmt: skip
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            level.append(child)
        level.append(_level_indents(*indents))
        abstract.extend([kind, level])
        nums = self.element.findall(qn("w:num"))
        if nums:
            nums[0].addprevious(abstract)  # every w:abstractNum comes before the first w:num
        else:
            self.element.append(abstract)
        num = OxmlElement("w:num")
        num.set(qn("w:numId"), str(self.next_num))
        link = OxmlElement("w:abstractNumId")
        link.set(qn("w:val"), str(self.next_abstract))
        num.append(link)
        self.element.append(num)
        self.next_abstract += 1
        self.next_num += 1
        return self.next_num - 1


def _level_indents(left: int, first: int) -> Any:
    """A level's w:pPr: the text at `left`, the marker at `left + first` (EMU), a tab between them."""
    properties = OxmlElement("w:pPr")
    tabs = OxmlElement("w:tabs")
    tab = OxmlElement("w:tab")
    tab.set(qn("w:val"), "num")
    tab.set(qn("w:pos"), str(left // EMU_PER_TWIP))
    tabs.append(tab)
    indent = OxmlElement("w:ind")
    indent.set(qn("w:left"), str(left // EMU_PER_TWIP))
    indent.set(qn("w:hanging"), str(-first // EMU_PER_TWIP))
    properties.extend([tabs, indent])
    return properties


def number_paragraph(paragraph: Any, num_id: int) -> None:
    """Makes the paragraph an item of list `num_id` (level 0)."""
    numbering = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    numbering.get_or_add_ilvl().val = 0
    numbering.get_or_add_numId().val = num_id
