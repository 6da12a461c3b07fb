"""Reads a reviewed DOCX: its anchors, its tracked changes and its comments, from the XML itself.

python-docx has no word for tracked changes, so the parts are parsed with lxml, safely: the zip's
declared and actual sizes are checked before anything is inflated, and the XML parser resolves no
entities, reads no DTD, touches no network and refuses huge trees."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from panelpapers.render.docx_anchors import ANCHOR_PREFIX, ANCHOR_PROPERTY, INPUT_PROPERTY, PAPER_PROPERTY
from panelpapers.zip_limits import WORD_DOCUMENT, zip_directory_problem

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
PARAGRAPH_MARK = "\n"  # in a piece of text, where a paragraph ends inside one anchor


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


class ReviewedFileError(Exception):
    """The file cannot be read as a reviewed paper: one line, the file named by the caller."""


@dataclass
class Span:
    """A stretch of text as the reviewer left it: unchanged, inserted or deleted."""

    text: str
    state: str  # same | ins | del
    bold: bool = False
    italic: bool = False
    author: str = ""
    date: str = ""
    formatted: bool = False  # a tracked change of formatting (bold, italic) on unchanged text
    moved: bool = False


@dataclass
class Piece:
    """The text of one anchor (or of a stretch outside every anchor), in reading order."""

    anchor: str  # "_pp12"; "" outside every anchor
    spans: list[Span] = field(default_factory=list)
    after: str = ""  # for a paragraph typed outside every anchor: the anchor it follows
    table_cell: tuple[int, int] | None = None  # (row, column) of a cell, counted from 0
    paragraph_deleted: bool = False  # every paragraph it was in lost its mark too

    def old(self) -> str:
        return "".join(s.text for s in self.spans if s.state != "ins")

    def new(self) -> str:
        return "".join(s.text for s in self.spans if s.state != "del")

    @property
    def changed(self) -> bool:
        return any(s.state != "same" or s.formatted for s in self.spans)


@dataclass
class Comment:
    id: str
    author: str
    date: str
    text: str
    anchor: str  # the anchor of the text it is attached to
    quoted: str  # the text it is attached to
    parent: str | None = None  # the comment it replies to


@dataclass
class Reviewed:
    properties: dict[str, str]
    pieces: list[Piece]
    comments: list[Comment]
    alt_texts: dict[str, str]  # anchor -> the alt text its picture now has

    @property
    def anchors(self) -> dict[str, str]:
        return {k[len(ANCHOR_PROPERTY):]: v for k, v in self.properties.items() if k.startswith(ANCHOR_PROPERTY)}

    @property
    def inputs(self) -> dict[str, str]:
        return {k[len(INPUT_PROPERTY):]: v for k, v in self.properties.items() if k.startswith(INPUT_PROPERTY)}

    @property
    def paper(self) -> str:
        return self.properties.get(PAPER_PROPERTY, "")


def parse_xml(data: bytes) -> Any:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, dtd_validation=False, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise ReviewedFileError(f"its XML is broken ({err}); open it in Word and save it again") from err
    if root.getroottree().docinfo.internalDTD is not None or b"<!ENTITY" in data[:4096]:
        raise ReviewedFileError("its XML declares a DTD or entities, which a Word document never does; refused")
    return root


def open_parts(path: Path) -> dict[str, bytes]:
    """The parts a reviewed paper is read from, after the zip passes its size checks."""
    if not zipfile.is_zipfile(path):
        head = path.read_bytes()[:8] if path.is_file() else b""
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise ReviewedFileError("is encrypted or an old binary .doc; save it from Word as an unprotected .docx")
        if head.startswith(b"PK"):
            raise ReviewedFileError("is a damaged zip file (cut short?); save it from Word again")
        raise ReviewedFileError("is not a DOCX (not a zip file); save it from Word as .docx")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            refused = zip_directory_problem(infos, WORD_DOCUMENT)
            if refused is not None:
                raise ReviewedFileError(f"refused: {refused}")
            wanted = ("word/document.xml", "word/comments.xml", "word/commentsExtended.xml", "docProps/custom.xml")
            parts: dict[str, bytes] = {}
            for info in infos:
                if info.filename not in wanted:
                    continue
                with archive.open(info) as part:
                    data = part.read(WORD_DOCUMENT.max_unpacked + 1)  # the declared size may lie
                if len(data) > WORD_DOCUMENT.max_unpacked:
                    raise ReviewedFileError("unpacks to more than its declared size (a zip bomb?); refused")
                parts[info.filename] = data
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as err:
        raise ReviewedFileError(f"is a damaged zip file ({err}); save it from Word again") from err
    if "word/document.xml" not in parts:
        raise ReviewedFileError("is a zip file but not a Word document (no word/document.xml)")
    return parts


def read_properties(data: bytes | None) -> dict[str, str]:
    if data is None:
        return {}
    root = parse_xml(data)
    out = {}
    for prop in root.iter(f"{{{CUSTOM}}}property"):
        value = prop.find(f"{{{VT}}}lpwstr")
        if prop.get("name") and value is not None:
            out[prop.get("name")] = value.text or ""
    return out


def _flag(props: Any, tag: str) -> bool:
    if props is None:
        return False
    element = props.find(w(tag))
    return element is not None and element.get(w("val"), "true") not in ("false", "0", "none")


def read_reviewed(path: Path) -> Reviewed:
    parts = open_parts(path)
    properties = read_properties(parts.get("docProps/custom.xml"))
    body = parse_xml(parts["word/document.xml"]).find(w("body"))
    if body is None:
        raise ReviewedFileError("its document has no body")
    reader = _BodyReader()
    reader.read(body)
    comments = read_comments(parts, reader)
    return Reviewed(properties, [p for p in reader.pieces if p.spans], comments, reader.alt_texts)


class _BodyReader:
    """Walks the body in reading order, sorting its text into pieces by the anchor it lies in."""

    def __init__(self) -> None:
        self.open: dict[str, str] = {}  # bookmark id -> name, of our anchors open here
        self.pieces: list[Piece] = []
        self.by_anchor: dict[str, Piece] = {}
        self.last_anchor = ""
        self.comment_text: dict[str, list[str]] = {}
        self.comment_anchor: dict[str, str] = {}
        self.open_comments: set[str] = set()
        self.alt_texts: dict[str, str] = {}
        self.cell: tuple[int, int] | None = None
        self.outside: Piece | None = None

    def current(self) -> str:
        return list(self.open.values())[-1] if self.open else ""

    def piece(self, anchor: str, cell: tuple[int, int] | None = None) -> Piece:
        if anchor and anchor in self.by_anchor and cell is None:
            return self.by_anchor[anchor]
        piece = Piece(anchor, table_cell=cell)
        if anchor and cell is None:
            self.by_anchor[anchor] = piece
        self.pieces.append(piece)
        return piece

    def read(self, body: Any) -> None:
        for element in body:
            if element.tag == w("p"):
                self.paragraph(element)
            elif element.tag == w("tbl"):
                self.table(element)
            elif element.tag == w("sdt"):
                content = element.find(w("sdtContent"))
                if content is not None:
                    self.read(content)
            elif element.tag in (w("bookmarkStart"), w("bookmarkEnd")):
                self.bookmark(element)

    def table(self, table: Any) -> None:
        """Cells are reported by row and column under the table's anchor, found in its first cell."""
        anchor = ""
        for start in table.iter(w("bookmarkStart")):
            if (start.get(w("name")) or "").startswith(ANCHOR_PREFIX):
                anchor = start.get(w("name"))
                break
        for r, row in enumerate(table.iter(w("tr"))):
            for c, cell in enumerate(row.findall(w("tc"))):
                before = dict(self.open)
                self.cell = (r, c)
                for paragraph in cell.iter(w("p")):
                    self.paragraph(paragraph, table_anchor=anchor)
                self.cell = None
                self.open = before

    def bookmark(self, element: Any) -> None:
        if element.tag == w("bookmarkStart"):
            name = element.get(w("name")) or ""
            if name.startswith(ANCHOR_PREFIX):
                self.open[element.get(w("id")) or name] = name
                self.last_anchor = name
        else:
            self.open.pop(element.get(w("id")) or "", None)

    def paragraph(self, paragraph: Any, table_anchor: str = "") -> None:
        mark = paragraph.find(f"{w('pPr')}/{w('rPr')}")
        mark_inserted = mark is not None and mark.find(w("ins")) is not None
        mark_deleted = mark is not None and mark.find(w("del")) is not None
        touched: list[Piece] = []
        self.outside = None
        for element in paragraph.iter():
            tag = element.tag
            if tag in (w("bookmarkStart"), w("bookmarkEnd")):
                self.bookmark(element)
            elif tag == w("commentRangeStart"):
                self.open_comments.add(element.get(w("id")) or "")
                self.comment_anchor.setdefault(element.get(w("id")) or "", self.current() or table_anchor)
            elif tag == w("commentRangeEnd"):
                self.open_comments.discard(element.get(w("id")) or "")
            elif tag == w("commentReference"):
                self.comment_anchor.setdefault(element.get(w("id")) or "", self.current() or table_anchor)
            elif tag in (w("t"), w("delText"), w("tab"), w("br")):
                text = element.text or "" if tag in (w("t"), w("delText")) else ("\t" if tag == w("tab") else " ")
                if not text or element.getparent().tag != w("r"):
                    continue
                touched.append(self.add(element.getparent(), text, table_anchor))
            elif tag == w("docPr") and self.current():
                self.alt_texts[self.current()] = element.get("descr") or ""
        if not touched:
            return
        if self.outside is not None and all(s.state == "ins" for s in self.outside.spans) and self.cell is None:
            self.outside.after = self.last_anchor  # a paragraph the reviewer typed after an anchored one
        for piece in dict.fromkeys(id(p) for p in touched):
            found = next(p for p in touched if id(p) == piece)
            if mark_inserted or mark_deleted:
                # a paragraph split or joined inside an anchor: the piece's text crosses a paragraph mark
                state = "ins" if mark_inserted else "del"
                author, date = _who(mark.find(w(state)))
                if found.anchor and found.spans and found is touched[-1]:
                    found.spans.append(Span(PARAGRAPH_MARK, state, author=author, date=date))
            if mark_deleted and all(s.state == "del" for s in found.spans if s.text != PARAGRAPH_MARK):
                found.paragraph_deleted = True

    def add(self, run: Any, text: str, table_anchor: str) -> Piece:
        state, author, date, moved = "same", "", "", False
        for ancestor in run.iterancestors():
            if ancestor.tag in (w("ins"), w("moveTo")):
                state, moved = "ins", ancestor.tag == w("moveTo")
            elif ancestor.tag in (w("del"), w("moveFrom")):
                state, moved = "del", ancestor.tag == w("moveFrom")
            else:
                continue
            author, date = _who(ancestor)
            break
        props = run.find(w("rPr"))
        change = props.find(w("rPrChange")) if props is not None else None
        formatted = False
        if change is not None and state == "same":
            old = change.find(w("rPr"))
            formatted = (_flag(props, "b"), _flag(props, "i")) != (_flag(old, "b"), _flag(old, "i"))
            author, date = _who(change)
        anchor = self.current()
        if self.cell is not None:  # one piece per cell
            same_cell = self.pieces and self.pieces[-1].table_cell == self.cell
            piece = self.pieces[-1] if same_cell else self.piece(table_anchor, self.cell)
        else:
            piece = self.piece(anchor) if anchor else self._outside()
        span = Span(text, state, _flag(props, "b"), _flag(props, "i"), author, date, formatted, moved)
        piece.spans.append(span)
        for comment in self.open_comments:
            self.comment_text.setdefault(comment, []).append(text if state != "del" else "")
        return piece

    def _outside(self) -> Piece:
        """The text of this paragraph that lies outside every anchor: house text, or new text."""
        if self.outside is None:
            self.outside = self.piece("")
        return self.outside


def _who(change: Any) -> tuple[str, str]:
    if change is None:
        return "", ""
    return change.get(w("author")) or "", (change.get(w("date")) or "")[:10]


def read_comments(parts: dict[str, bytes], reader: _BodyReader) -> list[Comment]:
    data = parts.get("word/comments.xml")
    if data is None:
        return []
    paragraph_ids: dict[str, str] = {}  # w14:paraId of a comment's last paragraph -> comment id
    comments: list[Comment] = []
    for element in parse_xml(data).iter(w("comment")):
        cid = element.get(w("id")) or ""
        paragraphs = element.findall(w("p"))
        text = "\n".join("".join(t.text or "" for t in p.iter(w("t"))) for p in paragraphs)
        if paragraphs:
            paragraph_ids[paragraphs[-1].get(f"{{{W14}}}paraId") or ""] = cid
        quoted = "".join(reader.comment_text.get(cid, []))
        comments.append(
            Comment(cid, element.get(w("author")) or "", (element.get(w("date")) or "")[:10], text,
                    reader.comment_anchor.get(cid, ""), quoted)
        )
    extended = parts.get("word/commentsExtended.xml")
    if extended is not None:
        by_id = {c.id: c for c in comments}
        for entry in parse_xml(extended).iter(f"{{{W15}}}commentEx"):
            parent = entry.get(f"{{{W15}}}paraIdParent")
            child = paragraph_ids.get(entry.get(f"{{{W15}}}paraId") or "")
            if parent and child in by_id:
                by_id[child].parent = paragraph_ids.get(parent)
                if not by_id[child].anchor and by_id[child].parent in by_id:
                    by_id[child].anchor = by_id[by_id[child].parent or ""].anchor
    return comments
