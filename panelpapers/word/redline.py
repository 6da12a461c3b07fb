"""`panelpapers diff OLD NEW --docx R`: NEW's paper as a DOCX whose differences from OLD are Word
tracked changes (w:ins / w:del by "panelpapers", dated from NEW's build), so that a reviewer reads
the comparison in Word, and "accept all" gives NEW's text and "reject all" OLD's.

NEW's built DOCX is the base: its styles, sections, pictures and anchors stay as they are. Its blocks
(paragraphs and tables) are aligned with OLD's by their text; a changed paragraph gets a word-level
diff (difflib on words, as Word's own compare reads), a changed table cell the same, a paragraph or
table row only on one side is inserted or deleted whole, a table's rows marked in w:trPr and a
picture's run inside w:ins or w:del (a deleted picture's image is carried into NEW's package). A
chart whose picture changed in place gets a comment (the earlier picture is not shown beside it)."""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from panelpapers.word.reading import w

AUTHOR = "panelpapers"
INITIALS = "pp"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
WORD = re.compile(r"\w+|\s+|[^\w\s]")
PICTURE = "\ufffc"  # a drawing's place in a paragraph's text
CONTAINERS = {w("hyperlink"), w("smartTag"), w("fldSimple"), w("sdt"), w("sdtContent")}
TEXT_OF = {w("tab"): "\t", w("br"): "\n", w("cr"): "\n", w("drawing"): PICTURE, w("pict"): PICTURE}


class RedlineError(Exception):
    """A side cannot be redlined: one line, naming the file."""


@dataclass
class Marks:
    """Numbers and dates the tracked changes carry, and what the redline changed."""

    date: str
    next_id: int
    old_pictures: dict[str, str]  # relationship id -> digest of the picture, in OLD
    new_pictures: dict[str, str]
    changes: int = 0
    charts: list[tuple[Any, str]] = field(default_factory=list)  # (NEW paragraph, comment)
    old_part: Any = None  # OLD's and NEW's document parts, to carry a deleted picture across
    new_part: Any = None
    next_picture_id: int = 1  # wp:docPr ids must be unique in NEW

    def mark(self, tag: str) -> Any:
        from lxml import etree

        element = etree.Element(w(tag))
        element.set(w("id"), str(self.next_id))
        element.set(w("author"), AUTHOR)
        element.set(w("date"), self.date)
        self.next_id += 1
        self.changes += 1
        return element

    def carry_picture(self, drawing: Any) -> bool:
        """Points a copy of OLD's picture at the same image added to NEW's package, so that it can
        stand in NEW as deleted; False if it names something that is not an image."""
        import io

        if self.old_part is None or self.new_part is None:
            return False
        for element in drawing.iter():
            for name, rid in list(element.attrib.items()):
                if not name.startswith(f"{{{R}}}"):
                    continue
                part = self.old_part.related_parts.get(rid)
                if part is None or not part.partname.startswith("/word/media/"):
                    return False
                try:
                    new_rid, _ = self.new_part.get_or_add_image(io.BytesIO(part.blob))
                except Exception:  # python-docx reads no such image format: leave the picture out
                    return False
                element.set(name, new_rid)
        for properties in drawing.iter(f"{{{WP}}}docPr"):
            properties.set("id", str(self.next_picture_id))
            self.next_picture_id += 1
        return True


# Paragraph text as atoms: one run per piece of content --------------------------------------------


def runs_of(paragraph: Any) -> Iterator[Any]:
    """The runs of a paragraph in reading order, inside links and fields too, not inside pictures."""
    for child in paragraph:
        if child.tag == w("r"):
            yield child
        elif child.tag in CONTAINERS:
            yield from runs_of(child)


def atom_text(content: Any) -> str:
    if content.tag == w("t"):
        return content.text or ""
    return TEXT_OF.get(content.tag, "")


def split_runs(paragraph: Any) -> list[tuple[str, Any]]:
    """Splits every run holding more than one piece of content (text, a tab, a picture) into runs of
    one piece each, and returns (text, run) in order."""
    atoms: list[tuple[str, Any]] = []
    for run in list(runs_of(paragraph)):
        properties = run.find(w("rPr"))
        contents = [c for c in run if c.tag != w("rPr")]
        if len(contents) <= 1:
            atoms.append((atom_text(contents[0]) if contents else "", run))
            continue
        parent, place = run.getparent(), run.getparent().index(run)
        parent.remove(run)
        for offset, content in enumerate(contents):
            piece = _run(properties, content)
            parent.insert(place + offset, piece)
            atoms.append((atom_text(content), piece))
    return atoms


def _run(properties: Any, content: Any) -> Any:
    from lxml import etree

    run = etree.Element(w("r"))
    if properties is not None:
        run.append(copy.deepcopy(properties))
    run.append(content)
    return run


def _text(text: str, tag: str = "t") -> Any:
    from lxml import etree

    element = etree.Element(w(tag))
    element.text = text
    if text != text.strip() or not text:
        element.set(XML_SPACE, "preserve")
    return element


def cut_at(atoms: list[tuple[str, Any]], offsets: set[int]) -> list[tuple[int, int, Any]]:
    """Splits text runs at the given character offsets; returns (start, end, run) for every run."""
    out: list[tuple[int, int, Any]] = []
    start = 0
    for text, run in atoms:
        end = start + len(text)
        inside = sorted(o - start for o in offsets if start < o < end)
        content = run.find(w("t"))
        if inside and content is not None:
            properties = run.find(w("rPr"))
            parent, place = run.getparent(), run.getparent().index(run)
            parent.remove(run)
            bounds = [0, *inside, len(text)]
            for n, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
                piece = _run(properties, _text(text[a:b]))
                parent.insert(place + n, piece)
                out.append((start + a, start + b, piece))
        else:
            out.append((start, end, run))
        start = end
    return out


# Word-level diff of one paragraph ------------------------------------------------------------------


def word_opcodes(old: str, new: str) -> list[tuple[str, int, int, int, int]]:
    """Opcodes in characters, from a diff of words; a lone space kept between two changes is taken
    into the change, as Word's compare does, so a rewritten phrase reads as one deletion and one insertion."""
    old_words, new_words = WORD.findall(old), WORD.findall(new)
    ops = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False).get_opcodes()
    merged: list[list[Any]] = []
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        lone_space = (
            tag == "equal" and 0 < n < len(ops) - 1 and all(not t.strip() for t in old_words[i1:i2])
        )
        if merged and (lone_space or (tag != "equal" and merged[-1][0] != "equal")):
            merged[-1] = ["replace", merged[-1][1], i2, merged[-1][3], j2]
        else:
            merged.append([tag, i1, i2, j1, j2])
    old_at = _offsets(old_words)
    new_at = _offsets(new_words)
    return [(tag, old_at[i1], old_at[i2], new_at[j1], new_at[j2]) for tag, i1, i2, j1, j2 in merged]


def _offsets(words: list[str]) -> list[int]:
    out = [0]
    for word in words:
        out.append(out[-1] + len(word))
    return out


def redline_paragraph(old: Any, new: Any, marks: Marks) -> None:
    """Turns NEW's paragraph `new` into a redline of it against OLD's `old`."""
    check_chart(old, new, marks)
    if paragraph_text(old) == paragraph_text(new):
        return
    old_atoms, new_atoms = split_runs(old), split_runs(new)
    old_text, new_text = "".join(t for t, _ in old_atoms), "".join(t for t, _ in new_atoms)
    ops = [op for op in word_opcodes(old_text, new_text) if op[0] != "equal"]
    old_runs = cut_at(old_atoms, {o for op in ops for o in op[1:3]})
    new_runs = cut_at(new_atoms, {o for op in ops for o in op[3:5]})
    for _tag, o1, o2, n1, n2 in ops:
        inserted = [run for start, end, run in new_runs if n1 <= start and end <= n2 and end > start]
        for run in inserted:
            _wrap(run, marks.mark("ins"))
        if o2 > o1:
            deleted = marks.mark("del")
            for start, end, run in old_runs:
                if o1 <= start and end <= o2 and end > start:
                    deleted.append(as_deleted(run, marks))
            _place(deleted, new, [(s, e, r) for s, e, r in new_runs if e > s], n1)


def _wrap(run: Any, mark: Any) -> None:
    run.addprevious(mark)
    mark.append(run)


def _place(element: Any, paragraph: Any, runs: list[tuple[int, int, Any]], at: int) -> None:
    """Puts a deletion where NEW's text reaches offset `at`: before the run starting there, else after
    the last run, else at the paragraph's end."""
    following = [run for start, _end, run in runs if start >= at]
    if following:
        first = following[0]
        target = first.getparent() if first.getparent().tag == w("ins") else first
        target.addprevious(element)
    elif runs:
        last = runs[-1][2]
        target = last.getparent() if last.getparent().tag == w("ins") else last
        target.addnext(element)
    else:
        paragraph.append(element)


def as_deleted(run: Any, marks: Marks) -> Any:
    """A copy of OLD's run as deleted text; a picture comes too, its image added to NEW's package
    (one that is not a plain image, such as an embedded object, is left out)."""
    run = copy.deepcopy(run)
    for content in list(run):
        if content.tag == w("t"):
            content.tag = w("delText")
        elif content.tag == w("instrText"):
            content.tag = w("delInstrText")
        elif content.tag == w("drawing") and marks.carry_picture(content):
            continue
        elif content.tag in (w("drawing"), w("pict"), w("object")):
            run.remove(content)
    return run


# Whole paragraphs, tables and rows on one side only -----------------------------------------------


def mark_paragraph(paragraph: Any, tag: str, marks: Marks) -> None:
    """Marks a paragraph's mark as inserted or deleted (a paragraph holding a section break is left)."""
    from lxml import etree

    properties = paragraph.find(w("pPr"))
    if properties is None:
        properties = etree.Element(w("pPr"))
        paragraph.insert(0, properties)
    if properties.find(w("sectPr")) is not None:
        return
    run_properties = properties.find(w("rPr"))
    if run_properties is None:
        run_properties = etree.Element(w("rPr"))
        later = [c for c in properties if c.tag in (w("sectPr"), w("pPrChange"))]
        if later:
            later[0].addprevious(run_properties)
        else:
            properties.append(run_properties)
    run_properties.insert(0, marks.mark(tag))


def insert_block(block: Any, marks: Marks, whole_rows: bool = False) -> None:
    """Marks NEW's paragraph or table as inserted."""
    if block.tag == w("tbl"):
        for row in block.iter(w("tr")):
            mark_row(row, "ins", marks)
        return
    for _, run in split_runs(block):
        _wrap(run, marks.mark("ins"))
    if not whole_rows:
        mark_paragraph(block, "ins", marks)


def deleted_copy(block: Any, marks: Marks, in_row: bool = False) -> Any:
    """A copy of OLD's paragraph or table for NEW's document, as deleted text: without OLD's anchors,
    comments or links, which would clash with NEW's or name OLD's relationships; its pictures come
    with their images added to NEW's package."""
    block = copy.deepcopy(block)
    for element in list(block.iter(w("bookmarkStart"), w("bookmarkEnd"), w("commentRangeStart"),
                                   w("commentRangeEnd"), w("proofErr"))):
        element.getparent().remove(element)
    for element in list(block.iter(*CONTAINERS)):
        parent = element.getparent()
        for child in list(element):
            if child.tag in (w("r"), w("hyperlink"), w("smartTag"), w("fldSimple"), w("sdtContent")):
                element.addprevious(child)
        parent.remove(element)
    for section in list(block.iter(w("sectPr"))):
        section.getparent().remove(section)
    if block.tag == w("tbl"):
        for row in block.iter(w("tr")):
            mark_row(row, "del", marks, deleting=True)
        return block
    for run in list(block.iter(w("r"))):
        if run.getparent().tag == w("del"):
            continue
        deleted = as_deleted(run, marks)
        mark = marks.mark("del")
        run.addprevious(mark)
        run.getparent().remove(run)
        mark.append(deleted)
    if not in_row:
        mark_paragraph(block, "del", marks)
    return block


def mark_row(row: Any, tag: str, marks: Marks, deleting: bool = False) -> None:
    from lxml import etree

    properties = row.find(w("trPr"))
    if properties is None:
        properties = etree.Element(w("trPr"))
        row.insert(1 if row.find(w("tblPrEx")) is not None else 0, properties)
    properties.append(marks.mark(tag))
    for paragraph in list(row.iter(w("p"))):
        if deleting:
            paragraph.addprevious(deleted_copy(paragraph, marks, in_row=True))
            paragraph.getparent().remove(paragraph)
        else:
            insert_block(paragraph, marks, whole_rows=True)


# Aligning blocks ---------------------------------------------------------------------------------


def blocks_of(container: Any) -> list[Any]:
    return [child for child in container if child.tag in (w("p"), w("tbl"))]


def block_text(block: Any) -> str:
    if block.tag == w("tbl"):
        return "\x1f".join(paragraph_text(p) for p in block.iter(w("p")))
    return paragraph_text(block)


def paragraph_text(paragraph: Any) -> str:
    return "".join(atom_text(c) for run in runs_of(paragraph) for c in run if c.tag != w("rPr"))


def block_key(block: Any) -> str:
    """What aligns two blocks: a paragraph's text; a table's first row, so an edited cell leaves the
    table aligned with its old self."""
    if block.tag == w("tbl"):
        first = block.find(w("tr"))
        return "table\x1f" + ("" if first is None else block_text(first))
    return "p\x1f" + paragraph_text(block)


def similar(old: Any, new: Any) -> bool:
    if old.tag != new.tag:
        return False
    if old.tag == w("tbl"):
        return True
    a, b = paragraph_text(old).split(), paragraph_text(new).split()  # spaces alone would make any two alike
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.5


def redline_blocks(old_container: Any, new_container: Any, marks: Marks) -> None:
    old, new = blocks_of(old_container), blocks_of(new_container)
    matcher = difflib.SequenceMatcher(None, [block_key(b) for b in old], [block_key(b) for b in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for old_block, new_block in zip(old[i1:i2], new[j1:j2], strict=True):
                redline_pair(old_block, new_block, marks)
            continue
        pairs, last = [], i1 - 1
        if i2 - i1 == j2 - j1 and all(a.tag == b.tag for a, b in zip(old[i1:i2], new[j1:j2], strict=True)):
            pairs = list(zip(range(i1, i2), range(j1, j2), strict=True))  # as many as before: changed in place
        for j in range(j1, j2) if not pairs else ():
            match = next((i for i in range(last + 1, i2) if similar(old[i], new[j])), None)
            if match is not None:
                pairs.append((match, j))
                last = match
        o, n = i1, j1
        for i, j in [*pairs, (i2, j2)]:
            before = new[n] if n < len(new) else None
            for gone in old[o:i]:
                copied = deleted_copy(gone, marks)
                if before is not None:
                    before.addprevious(copied)
                else:
                    _append_block(new_container, copied)
            for added in new[n:j]:
                insert_block(added, marks)
            if i < i2:
                redline_pair(old[i], new[j], marks)
            o, n = i + 1, j + 1


def _append_block(container: Any, block: Any) -> None:
    section = container.find(w("sectPr"))
    if section is not None:
        section.addprevious(block)
    else:
        container.append(block)


def redline_pair(old: Any, new: Any, marks: Marks) -> None:
    if new.tag == w("p"):
        redline_paragraph(old, new, marks)
    else:
        redline_table(old, new, marks)


def redline_table(old: Any, new: Any, marks: Marks) -> None:
    """Rows aligned by their text; a changed row is compared cell by cell."""
    old_rows, new_rows = old.findall(w("tr")), new.findall(w("tr"))
    texts = difflib.SequenceMatcher(
        None, [block_text(r) for r in old_rows], [block_text(r) for r in new_rows], autojunk=False
    )
    for tag, i1, i2, j1, j2 in texts.get_opcodes():
        paired = min(i2 - i1, j2 - j1)
        for old_row, new_row in zip(old_rows[i1 : i1 + paired], new_rows[j1 : j1 + paired], strict=True):
            old_cells, new_cells = old_row.findall(w("tc")), new_row.findall(w("tc"))
            if len(old_cells) == len(new_cells):
                for old_cell, new_cell in zip(old_cells, new_cells, strict=True):
                    redline_blocks(old_cell, new_cell, marks)
            else:  # a row whose cells were merged differently: the old row out, the new one in
                new_row.addprevious(deleted_copy_row(old_row, marks))
                mark_row(new_row, "ins", marks)
        if tag == "equal":
            continue
        for new_row in new_rows[j1 + paired : j2]:
            mark_row(new_row, "ins", marks)
        for old_row in old_rows[i1 + paired : i2]:
            following = new_rows[j2] if j2 < len(new_rows) else None
            copied = deleted_copy_row(old_row, marks)
            if following is not None:
                following.addprevious(copied)
            else:
                new.append(copied)


def deleted_copy_row(row: Any, marks: Marks) -> Any:
    row = copy.deepcopy(row)
    for element in list(row.iter(w("bookmarkStart"), w("bookmarkEnd"))):
        element.getparent().remove(element)
    mark_row(row, "del", marks, deleting=True)
    return row


# Charts ------------------------------------------------------------------------------------------


def pictures(document: Any) -> dict[str, str]:
    """Relationship id -> sha256 of the picture, for the pictures of a document's body."""
    out = {}
    for rid, part in document.part.related_parts.items():
        if part.partname.startswith("/word/media/"):
            out[rid] = hashlib.sha256(part.blob).hexdigest()
    return out


def check_chart(old: Any, new: Any, marks: Marks) -> None:
    """A paragraph whose pictures differ in OLD and NEW gets a comment saying so."""
    old_blips = [b.get(f"{{{R}}}embed") for b in old.iter(f"{{{A}}}blip")]
    new_blips = [b.get(f"{{{R}}}embed") for b in new.iter(f"{{{A}}}blip")]
    if not old_blips or not new_blips:
        return
    if [marks.old_pictures.get(b) for b in old_blips] == [marks.new_pictures.get(b) for b in new_blips]:
        return
    old_alt = [d.get("descr", "") for d in old.iter(f"{{{WP}}}docPr")]
    new_alt = [d.get("descr", "") for d in new.iter(f"{{{WP}}}docPr")]
    name = next((d.get("title") or d.get("name") for d in new.iter(f"{{{WP}}}docPr")), "")
    comment = f"This chart changed since the earlier draft ({name}); the earlier picture is not shown."
    if old_alt != new_alt:
        comment += f" It described: “{' '.join(old_alt)}”; it now describes: “{' '.join(new_alt)}”."
    marks.charts.append((new, comment))


# A paper ----------------------------------------------------------------------------------------


def redline(old_docx: bytes | None, new_docx: bytes) -> tuple[bytes, int]:
    """NEW's DOCX with its differences from OLD's (None: a paper new in NEW) as tracked changes, and
    how many changes and chart comments it holds."""
    import io

    import docx
    from docx.text.paragraph import Paragraph

    from panelpapers.render.docx import finish

    new_document = docx.Document(io.BytesIO(new_docx))
    old_document = docx.Document(io.BytesIO(old_docx)) if old_docx is not None else None
    built = new_document.core_properties.created or dt.datetime(2000, 1, 1)
    ids = [int(i) for i in new_document.element.body.xpath("//w:*/@w:id") if i.isdigit()]
    marks = Marks(
        built.strftime("%Y-%m-%dT%H:%M:%SZ"),
        max(ids, default=0) + 1,
        pictures(old_document) if old_document is not None else {},
        pictures(new_document),
    )
    new_body = new_document.element.body
    marks.old_part = old_document.part if old_document is not None else None
    marks.new_part = new_document.part
    picture_ids = [int(i) for i in new_body.xpath("//wp:docPr/@id") if i.isdigit()]
    marks.next_picture_id = max(picture_ids, default=0) + 1
    if old_document is None:
        for block in blocks_of(new_body):
            insert_block(block, marks)
    else:
        redline_blocks(old_document.element.body, new_body, marks)
    for paragraph, text in marks.charts:
        runs = Paragraph(paragraph, new_document._body).runs
        if runs:
            comment = new_document.add_comment(runs, text=text, author=AUTHOR, initials=INITIALS)
            comment._comment_elm.date = built  # not the clock: rebuilding gives the same bytes
    return finish(new_document), marks.changes + len(marks.charts)


# The command -------------------------------------------------------------------------------------


def write_redlines(target: Path, old: Path, new: Path, variant: str) -> None:
    """`diff OLD NEW --docx R`. Two papers' PDFs, each with its DOCX beside it: R is the redline.
    Two build folders (given, or built by --rev): R is a folder that gets one redline per changed
    paper, at the paper's path in the build (`R/<meeting>/<variant>/<paper>.docx`). Raises DiffInputError."""
    from panelpapers.publish import write_atomic
    from panelpapers.review.compare import DiffInputError

    try:
        if old.is_dir() and new.is_dir():
            old_papers, new_papers = papers_in(old, variant), papers_in(new, variant)
            if not new_papers:
                raise DiffInputError(f"{new}: no {variant} DOCX in this build folder; build it with panelpapers build")
            for name, new_file in sorted(new_papers.items()):
                old_file = old_papers.get(name)
                data, changes = redline(old_file.read_bytes() if old_file else None, new_file.read_bytes())
                if changes:
                    write_atomic(target / name, data)
            return
        if old.is_dir() or new.is_dir():
            raise DiffInputError("--docx compares two build folders or two papers, not a folder with a file")
        data, _changes = redline(docx_of(old).read_bytes(), docx_of(new).read_bytes())
    except (ValueError, KeyError, OSError) as err:  # python-docx's word for a file it cannot read
        raise DiffInputError(f"cannot redline {old} against {new}: {err}") from err
    write_atomic(target, data)


def papers_in(folder: Path, variant: str) -> dict[str, Path]:
    """The DOCX files of a build folder's variant, by their path in it."""
    return {
        str(path.relative_to(folder)): path
        for path in sorted(folder.rglob("*.docx"))
        if path.parent.name == variant and ".panelpapers-cache" not in path.parts
    }


def docx_of(side: Path) -> Path:
    from panelpapers.review.compare import DiffInputError

    paper = side.with_suffix(".docx")
    if side.suffix.lower() != ".pdf" or not paper.is_file():
        raise DiffInputError(f"{side}: no DOCX beside it for --docx; build the paper with panelpapers build")
    return paper
