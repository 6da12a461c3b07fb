"""Review diffs in the paper's own language: which paragraph, recommendation, table cell or chart
changed between two drafts. Passages are matched by their words, not their numbers, so a paragraph
inserted early is reported once and the renumbering it causes (also in "see paragraph 1.12") is not."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from panelpapers.manifest import MANIFEST_FILE, ManifestError, read_manifest
from panelpapers.render.record import Passage, RecordError, TableCells, read_record
from panelpapers.review.extract import APPENDIX_WORD, CHART_WORD, TABLE_WORD, PaperContent, read_pdf

VARIANT_FOLDERS = ("restricted", "public")
PACK_STEM = "pack"  # a pack repeats its papers
UNNUMBERED_NAMES = {"text": "paragraph", "item": "list item"}  # what a reader calls them
SIMILAR = 0.5  # below this share of words in common, an edit is a removal plus an addition


@dataclass(frozen=True)
class CellChange:
    row: str
    column: str  # "" when the whole row was added or removed
    old: str | None  # None: added
    new: str | None  # None: removed


@dataclass(frozen=True)
class Change:
    status: str  # added | removed | changed
    what: str  # paragraph | recommendation | table | chart | marking | title | status | paper | …
    paper: str
    old: Passage | None = None
    new: Passage | None = None
    words: tuple[tuple[str, str], ...] = ()  # (equal|delete|insert, text) for word-level highlighting
    cells: tuple[CellChange, ...] = ()
    note: str = ""

    @property
    def headline(self) -> bool:
        """Recommendations, markings and titles are what a chair must not miss."""
        return self.what in ("recommendation", "marking", "title", "status", "paper")

    @property
    def label(self) -> str:
        block = self.new or self.old
        if block is None:
            return self.what
        old_number = self.old.number if self.old else ""
        number = block.number
        renumbered = f" (was {old_number})" if self.old and self.new and old_number != number else ""
        if block.kind == "paragraph":
            return f"paragraph {number}{renumbered}"
        if block.kind == "recommendation":  # a paper's only recommendation has no letter
            return f"recommendation {number}{renumbered}" if number else "recommendation"
        if block.kind == "section":
            return f"section {number}{renumbered}"
        if block.kind in ("table", "chart"):
            old_caption, new_caption = (CAPTION_NUMBER.match(b.caption) if b else None for b in (self.old, self.new))
            moved = old_caption and new_caption and old_caption[0] != new_caption[0]
            return (block.caption or block.kind) + (f" (was {old_caption[0]})" if moved and old_caption else "")
        where = f" in {block.section}" if block.section else ""
        return f"{UNNUMBERED_NAMES.get(block.kind, block.kind)}{where}"


@dataclass
class PaperDiff:
    name: str
    old: PaperContent | None
    new: PaperContent | None
    changes: list[Change] = field(default_factory=list)
    pairs: list[tuple[Passage | None, Passage | None]] = field(default_factory=list)  # how blocks matched


@dataclass
class Comparison:
    old_label: str
    new_label: str
    papers: list[PaperDiff]

    @property
    def changes(self) -> list[Change]:
        return [change for paper in self.papers for change in paper.changes]


# Loading either side ------------------------------------------------------------------------------


class DiffInputError(Exception):
    """OLD or NEW cannot be read as papers: exit status 2, like diff."""


class NoPapersFound(DiffInputError):
    """A side holds no papers (in the variant compared: a build folder's may hold none of them)."""


def load_side(path: Path, variant: str = "restricted", records: bool = True) -> list[PaperContent]:
    """A PDF (a paper or a whole pack), or a build folder: each paper read from the review record its
    variant's manifest lists, with the PDF beside it for page positions. A folder without manifests,
    or `records=False`, is read as bare PDFs."""
    if path.is_file():
        if path.suffix.lower() == ".pdf":
            return read_pdf(path)
        raise DiffInputError(f"{path}: expected a PDF or a build folder")
    if not path.is_dir():
        raise DiffInputError(f"{path}: no such file or folder")
    manifests = sorted(path.rglob(MANIFEST_FILE))
    papers = [paper for found in manifests for paper in _papers_in(found, path, variant, records)]
    if not manifests:
        papers = [_bare_pdf(file, path) for file in sorted(path.rglob("*.pdf")) if file.stem != PACK_STEM]
    if not papers:
        raise NoPapersFound(f"{path}: no built papers found (expected a build folder or .pdf files)")
    return sorted(papers, key=lambda paper: paper.name)


def _papers_in(manifest_path: Path, root: Path, variant: str, records: bool) -> list[PaperContent]:
    try:
        manifest = read_manifest(manifest_path)
    except ManifestError as err:
        raise DiffInputError(str(err)) from None
    if manifest.variant != variant:
        return []
    folder = manifest_path.parent
    prefix = [part for part in folder.relative_to(root).parts if part not in VARIANT_FOLDERS]
    if not (records and manifest.papers):  # built before review records existed: read its papers' PDFs
        pdfs = [folder / name for name in manifest.outputs if name.endswith(".pdf") and Path(name).stem != PACK_STEM]
        return [_bare_pdf(pdf, root) for pdf in sorted(pdfs) if pdf.is_file()]
    papers = []
    for name, files in manifest.papers.items():
        try:
            paper = PaperContent.of_record("/".join([*prefix, name]), read_record(folder / files.record))
        except RecordError as err:
            raise DiffInputError(str(err)) from None
        if files.pdf is not None and (folder / files.pdf).is_file():
            found = read_pdf(folder / files.pdf)
            paper.layout = found[0].layout if found else None
        papers.append(paper)
    return papers


def _bare_pdf(file: Path, root: Path) -> PaperContent:
    name = "/".join(part for part in file.relative_to(root).with_suffix("").parts if part not in VARIANT_FOLDERS)
    found = read_pdf(file)
    paper = (
        found[0] if len(found) == 1 else PaperContent(name, name, "", "final", [p for f in found for p in f.passages])
    )
    paper.name = name
    return paper


# Comparing ----------------------------------------------------------------------------------------

PARAGRAPH_REFERENCE = re.compile(r"\b(paragraphs?|paras?\.?)(\s+)(\d+\.\d+(?:(?:\s*(?:,|and|to|or|–|-)\s*)\d+\.\d+)*)")
NUMBER = re.compile(r"\d+\.\d+")
WORD = re.compile(r"(?:[£$€]?\d+(?:[.,]\d+)*%?|\w+(?:['’-]\w+)*|\S)\s*")  # "34." is "34" then "."
CAPTION_NUMBER = re.compile(rf"\b({TABLE_WORD}|{CHART_WORD}|{APPENDIX_WORD}) (\d+)\b")


def _masked(text: str) -> str:
    """Text with numbers that only say where things are replaced, for matching."""
    text = PARAGRAPH_REFERENCE.sub(lambda m: m[1] + m[2] + NUMBER.sub("#", m[3]), text)
    return CAPTION_NUMBER.sub(lambda m: m[1] + " #", text)


def _renumbered(text: str, numbers: dict[str, str]) -> str:
    """Old text with its paragraph references, table and figure numbers moved to the new numbering."""
    text = PARAGRAPH_REFERENCE.sub(lambda m: m[1] + m[2] + NUMBER.sub(lambda n: numbers.get(n[0], n[0]), m[3]), text)
    return CAPTION_NUMBER.sub(lambda m: numbers.get(m[0], m[0]), text)


def _numbering(pairs: list[tuple[Passage | None, Passage | None]]) -> dict[str, str]:
    """How the matched passages were renumbered: paragraphs ("1.3" → "1.4"), tables and charts
    ("Table 2" → "Table 3"), so that references to them in the old text can follow."""
    numbers = {a.number: b.number for a, b in pairs if a and b and a.kind == b.kind == "paragraph"}
    for a, b in pairs:
        if a and b and a.kind == b.kind and a.kind in ("table", "chart"):
            old, new = CAPTION_NUMBER.match(a.caption), CAPTION_NUMBER.match(b.caption)
            if old and new:
                numbers[old[0]] = new[0]
    return numbers


def _key(block: Passage) -> str:
    return f"{block.kind}|{_masked(block.text)}|{block.image}"


def _similarity(old: Passage, new: Passage) -> float:
    if old.kind != new.kind:
        return 0.0
    return difflib.SequenceMatcher(None, _masked(old.text).split(), _masked(new.text).split(), autojunk=False).ratio()


def match_blocks(old: list[Passage], new: list[Passage]) -> list[tuple[Passage | None, Passage | None]]:
    """Pairs in reading order: identical blocks first (wherever numbering moved them), then, between
    them, the most similar blocks of the same kind; what is left over was added or removed."""
    matcher = difflib.SequenceMatcher(None, [_key(b) for b in old], [_key(b) for b in new], autojunk=False)
    pairs: list[tuple[Passage | None, Passage | None]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs.extend(zip(old[i1:i2], new[j1:j2], strict=True))
        else:
            pairs.extend(_pair_similar(old[i1:i2], new[j1:j2]))
    return pairs


def _pair_similar(old: list[Passage], new: list[Passage]) -> list[tuple[Passage | None, Passage | None]]:
    pairs: list[tuple[Passage | None, Passage | None]] = []
    next_new = 0
    for block in old:
        scores = [(_similarity(block, candidate), j) for j, candidate in enumerate(new) if j >= next_new]
        best = max(scores, default=(0.0, -1), key=lambda s: (s[0], -s[1]))
        if best[0] >= SIMILAR:
            pairs.extend((None, added) for added in new[next_new : best[1]])
            pairs.append((block, new[best[1]]))
            next_new = best[1] + 1
        else:
            pairs.append((block, None))
    pairs.extend((None, added) for added in new[next_new:])
    return pairs


def word_diff(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """Word-level highlighting; punctuation stays with its word so "77" → "81" reads as one edit."""
    old_words, new_words = WORD.findall(old), WORD.findall(new)
    matcher = difflib.SequenceMatcher(
        None, [w.strip() for w in old_words], [w.strip() for w in new_words], autojunk=False
    )
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append(("equal", "".join(new_words[j1:j2])))
            continue
        if i2 > i1:
            out.append(("delete", "".join(old_words[i1:i2])))
        if j2 > j1:
            out.append(("insert", "".join(new_words[j1:j2])))
    return tuple(out)


def table_changes(old: TableCells, new: TableCells) -> tuple[CellChange, ...]:
    """Cells named by their row label (first cell) and column heading; rows by label, not position."""
    changes: list[CellChange] = []
    columns = [c for c in new.header if c in old.header] if old.header and new.header else []
    for heading in old.header:
        if heading not in new.header:
            changes.append(CellChange("", heading, heading, None))
    for heading in new.header:
        if heading not in old.header:
            changes.append(CellChange("", heading, None, heading))
    old_rows, new_rows = _rows_by_label(old), _rows_by_label(new)
    for label, row in old_rows.items():
        if label not in new_rows:
            changes.append(CellChange(label, "", " | ".join(row), None))
    for label, row in new_rows.items():
        if label not in old_rows:
            changes.append(CellChange(label, "", None, " | ".join(row)))
            continue
        before = old_rows[label]
        if columns:
            for heading in columns:
                a = _cell(before, old.header.index(heading))
                b = _cell(row, new.header.index(heading))
                if a != b:
                    changes.append(CellChange(label, heading, a, b))
        else:
            for index in range(max(len(before), len(row))):
                a, b = _cell(before, index), _cell(row, index)
                if a != b:
                    changes.append(CellChange(label, f"column {index + 1}", a, b))
    return tuple(changes)


def _rows_by_label(table: TableCells) -> dict[str, tuple[str, ...]]:
    labels = (
        list(table.labels) if len(table.labels) == len(table.rows) else [row[0] if row else "" for row in table.rows]
    )
    if len(set(labels)) == len(labels):
        return dict(zip(labels, table.rows, strict=True))
    return {f"row {i + 1}": row for i, row in enumerate(table.rows)}  # labels repeat: fall back to position


def _cell(row: tuple[str, ...], index: int) -> str:
    return row[index] if index < len(row) else ""


def compare_papers(old: PaperContent | None, new: PaperContent | None, name: str) -> PaperDiff:
    result = PaperDiff(name, old, new)
    if old is None or new is None:
        present = new or old
        title = present.title if present is not None else name
        result.changes.append(Change("added" if old is None else "removed", "paper", name, note=title))
        return result
    for what in ("title", "marking", "status"):
        before, after = getattr(old, what), getattr(new, what)
        if before != after:
            result.changes.append(
                Change("changed", what, name, words=word_diff(before, after), note=f"{before} → {after}")
            )
    pairs = result.pairs = match_blocks(old.passages, new.passages)
    numbers = _numbering(pairs)
    for before, after in pairs:
        if before is None and after is not None:
            result.changes.append(Change("added", after.kind, name, None, after))
        elif after is None and before is not None:
            result.changes.append(Change("removed", before.kind, name, before, None))
        elif before is not None and after is not None:
            result.changes.extend(_compare_pair(before, after, numbers, name))
    return result


def _compare_pair(old: Passage, new: Passage, numbers: dict[str, str], paper: str) -> list[Change]:
    old_text = _renumbered(old.text, numbers)
    old_table = replace(old.table, caption=_renumbered(old.table.caption, numbers)) if old.table else None
    if old_text == new.text and old.image == new.image and old_table == new.table:
        return []
    cells = table_changes(old.table, new.table) if old.table and new.table else ()
    note = "the chart's picture changed" if old.image != new.image else ""
    words = word_diff(old_text, new.text) if old_text != new.text and not cells else ()
    if new.kind == "chart" and not new.image and _renumbered(old.caption, numbers) == new.caption:
        words, note = (), "the chart changed (its labels moved or differ)"  # a PDF's chart labels are not prose
    if old_table and new.table and old_table.caption != new.table.caption:
        words = word_diff(old_table.caption, new.table.caption)
    return [Change("changed", new.kind, paper, old, new, words, cells, note)]


def compare(old: list[PaperContent], new: list[PaperContent], old_label: str, new_label: str) -> Comparison:
    old_by_name = {p.name: p for p in old}
    new_by_name = {p.name: p for p in new}
    if len(old) == len(new) == 1 and not old_by_name.keys() & new_by_name.keys():
        new_by_name = {old[0].name: new[0]}  # two single files: compare them whatever they are called
    names = list(old_by_name) + [n for n in new_by_name if n not in old_by_name]
    papers = [compare_papers(old_by_name.get(n), new_by_name.get(n), n) for n in names]
    return Comparison(old_label, new_label, papers)


def compare_paths(old: Path, new: Path, variant: str = "restricted") -> Comparison:
    old_side, new_side = load_side(old, variant), load_side(new, variant)
    if _from_records(old_side) != _from_records(new_side):
        # A draft built before review records existed: compare both as PDFs, like with like.
        old_side, new_side = load_side(old, variant, records=False), load_side(new, variant, records=False)
    return compare(old_side, new_side, str(old), str(new))


def _from_records(papers: list[PaperContent]) -> bool:
    return any(paper.from_record for paper in papers)
