"""What a reviewed DOCX asks of the content: each tracked change and comment, found at its source.

A change to text an author wrote (an anchor of kind `text`) can be written back; a change to text
that data computes (a quoted figure, a table cell, a caption, a chart) or the house prints
(mastheads, markings, fixed headings) is only reported, naming where it would have to be made."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from panelpapers.errors import ContentError
from panelpapers.house import House
from panelpapers.model import (
    Block,
    Chart,
    Heading,
    Image,
    ItemList,
    Paper,
    Paragraph,
    Source,
    Table,
    plain_text,
)
from panelpapers.render.docx_anchors import Target, parse_target
from panelpapers.resolve.paper import DataUse
from panelpapers.word.reading import PARAGRAPH_MARK, Piece, Reviewed, Span

HOUSE_FILE = "panelpapers.yaml"


def squash(text: str) -> str:
    return " ".join(text.replace(PARAGRAPH_MARK, " ").split())


@dataclass
class Edit:
    """Text to write into a file: the value at `key` becomes `value`, or a new item, or none."""

    file: Path
    key: tuple[str | int, ...]
    action: str  # replace | insert_after | remove | split | join_with_next
    value: str = ""
    more: tuple[str, ...] = ()  # for a split: the texts of the new items after this one


@dataclass
class Finding:
    where: str  # "content/…/summary.yaml:7"
    message: str
    kind: str  # change | comment | data | house | conflict | unplaced
    edit: Edit | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Current:
    """The paper as its content stands now: each anchored value's printed text, and its data."""

    folder: Path
    paper: Paper
    texts: dict[tuple[str, str], str] = field(default_factory=dict)  # (file, pointer) -> printed text
    tables: dict[str, Table] = field(default_factory=dict)  # pointer of its declaration -> table
    charts: dict[str, Chart] = field(default_factory=dict)
    figures: list[tuple[str, str, str]] = field(default_factory=list)  # (text pointer file, figure, value)
    inputs: dict[str, str] = field(default_factory=dict)
    data_lines: dict[str, int] = field(default_factory=dict)  # "figures/actions/total" -> line in data.yaml


def load_current(folder: Path, house: House) -> Current:
    from panelpapers.data.paper_data import load_paper_data
    from panelpapers.inputs import input_hashes
    from panelpapers.load.content import load_paper
    from panelpapers.resolve.paper import resolve_paper

    source, problems = load_paper(folder, house)
    data, found = load_paper_data(folder, house, draw=False)  # text and figures: no picture is compared
    uses: list[DataUse] = []
    paper, more = resolve_paper(source, data, house, uses=uses)
    problems += found + more
    if problems or paper is None:
        raise ContentError(problems)
    current = Current(folder, paper, inputs=input_hashes(source, folder.parent.parent))
    current.texts[("paper.yaml", "/title")] = paper.title
    current.texts[("paper.yaml", "/report_by")] = plain_text(paper.report_by)
    for part in paper.summary:
        _walk(part.blocks, current)
    for item in paper.recommendations.items:
        _text(current, item.source, plain_text(item.content))
    for section in paper.sections:
        _text(current, section.title_source, section.title)
        _walk(section.blocks, current)
    for appendix in paper.appendices:
        _text(current, appendix.title_source, appendix.heading)
        _walk(appendix.blocks, current)
    figures = data.figures if data is not None else {}
    for use in uses:
        if use.kind == "figure":
            group, _, name = use.name.partition(".")
            current.figures.append((str(use.location), use.name, figures.get(group, {}).get(name, "")))
    if data is not None and data.file is not None:
        current.data_lines = {"/".join(map(str, k)): line for k, line in data.file.lines.items()}
    return current


def _text(current: Current, source: Source | None, text: str) -> None:
    if source is not None:
        current.texts[(source.file, source.pointer)] = text


def _walk(blocks: tuple[Block, ...], current: Current) -> None:
    for block in blocks:
        if isinstance(block, Paragraph):
            _text(current, block.source, plain_text(block.content))
            _text(current, block.lead_source, plain_text(block.lead))
            if block.items:
                _items(block.items, current)
        elif isinstance(block, Heading):
            _text(current, block.source, plain_text(block.content))
        elif isinstance(block, ItemList):
            _items(block, current)
        elif isinstance(block, Table) and block.source is not None:
            current.tables[block.source.pointer] = block
            _text(current, block.source, block.label)
        elif isinstance(block, Chart) and block.source is not None:
            current.charts[block.source.pointer] = block
            _text(current, block.source, block.label)
        elif isinstance(block, Image):
            _text(current, block.alt_source, block.alt)
            _text(current, block.caption_source, block.label)


def _items(items: ItemList, current: Current) -> None:
    for item in items.items:
        _text(current, item.source, plain_text(item.content))
        if item.sublist:
            _items(item.sublist, current)


# Reading the changes ---------------------------------------------------------------------------


@dataclass
class Change:
    old: str
    new: str
    start: int  # where in the old text
    spans: list[Span]

    @property
    def who(self) -> str:
        first = self.spans[0]
        return ", ".join(part for part in (first.author, first.date) if part)

    def describe(self) -> str:
        old, new = self.old.strip(PARAGRAPH_MARK), self.new.strip(PARAGRAPH_MARK)
        if not old and not new:
            return "split the paragraph here" if PARAGRAPH_MARK in self.new else "joined the paragraph with the next"
        if old == new:
            return f"\"{old}\" set in {'bold' if self.spans[0].bold else 'italic' if self.spans[0].italic else 'plain'}"
        if not old:
            return f"inserted \"{new}\""
        if not new:
            return f"deleted \"{old}\""
        return f"\"{old}\" → \"{new}\""


def changes_of(piece: Piece) -> list[Change]:
    """Runs of adjacent changed spans, each one change (a deletion beside an insertion: a replacement)."""
    out: list[Change] = []
    position = 0
    group: list[Span] = []
    start = 0

    def close() -> None:
        if group:
            old = "".join(s.text for s in group if s.state != "ins")
            new = "".join(s.text for s in group if s.state != "del")
            out.append(Change(old, new, start, list(group)))
            group.clear()

    for span in piece.spans:
        if span.state == "same" and not span.formatted:
            close()
        else:
            if not group:
                start = position
            group.append(span)
        if span.state != "ins":
            position += len(span.text)
    close()
    return out


SPLIT_MARK = "\ue000"  # where a split falls, in a value being edited (a private-use character)
NUMBER = re.compile(r"\(?[0-9a-zA-Z]{1,4}(\.[0-9]{1,3})*[.)]?\s*")  # "1.2.", "b.", "(iv)" before a paragraph


def split_parts(piece: Piece) -> list[str]:
    """The paragraphs a passage now reads as, where the reviewer typed paragraph marks inside it."""
    if not any(s.text == PARAGRAPH_MARK and s.state == "ins" for s in piece.spans):
        return []
    kept = [s.text for s in piece.spans if s.state == "ins" or (s.state == "same" and s.text != PARAGRAPH_MARK)]
    text = "".join(kept)
    return [squash(part) for part in text.split(PARAGRAPH_MARK) if squash(part)]


def joins_next(piece: Piece) -> bool:
    """The passage's paragraph lost its mark (its text kept): the next paragraph runs on into it."""
    last = piece.spans[-1]
    return last.text == PARAGRAPH_MARK and last.state == "del" and not piece.paragraph_deleted


def next_paragraph(pieces: list[Piece]) -> Piece | None:
    """The piece a joined paragraph runs into: the next one, past a paragraph number the house prints."""
    for piece in pieces:
        if not piece.anchor and piece.table_cell is None and not piece.changed and NUMBER.fullmatch(piece.old()):
            continue
        return piece
    return None


def _clip(text: str, room: int = 60) -> str:
    """A long paragraph quoted by its start and end, so that one line still says which it is."""
    return text if len(text) <= room else f"{text[: room // 2 - 2].rstrip()} … {text[-(room // 2 - 2):].lstrip()}"


def _holds_figures(raw: str) -> str | None:
    return "it holds figures computed from data" if "{{" in raw else None


def _markup_closed(text: str) -> bool:
    return text.count("*") % 2 == 0 and text.count("[") == text.count("]") and text.count("`") % 2 == 0


def markup(spans: list[Span]) -> str:
    """Inserted text in the content's inline markup: bold as **…**, italic as *…*."""
    out = ""
    for span in spans:
        if span.state == "del":
            continue
        text = span.text
        if text.strip() and span.bold and span.italic:
            text = f"***{text}***"
        elif text.strip() and span.bold:
            text = f"**{text}**"
        elif text.strip() and span.italic:
            text = f"*{text}*"
        out += text
    return out


def display(path: Path) -> str:
    from panelpapers.errors import Location

    return str(Location(path))


def _spaced(text: str, mark: str) -> str:
    """`mark` around the words, keeping the spaces outside, as inline markup wants."""
    core = text.strip()
    lead, tail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
    return f"{lead}{mark}{core}{mark}{tail}" if core else text


class Absorber:
    """Finds every change and comment of a reviewed paper at its source in the current content."""

    def __init__(self, reviewed: Reviewed, current: Current) -> None:
        self.reviewed = reviewed
        self.current = current
        self.meeting = current.folder.parent
        self.anchors = {name: parse_target(value) for name, value in reviewed.anchors.items()}
        self.findings: list[Finding] = []
        self.stale = {name for name, digest in reviewed.inputs.items() if current.inputs.get(name) != digest}

    def file(self, target: Target) -> Path:
        return self.meeting / target.file

    def where(self, target: Target, near: str = "") -> str:
        """file:line of the value, or of the line within its block text holding `near`."""
        from panelpapers.load.source import load_yaml

        path = self.file(target)
        loaded, _ = load_yaml(path)
        if loaded is None:
            return display(path)
        location = loaded.text_location(target.key)
        line = location.line or 1
        words = near.split()
        if words:
            lines = path.read_text(encoding="utf-8").split("\n")
            for offset, text in enumerate(lines[line - 1 : line + 40]):
                if words[0] in text:
                    line += offset
                    break
        return f"{display(path)}:{line}"

    def run(self) -> list[Finding]:
        pieces = self.reviewed.pieces
        joined: set[int] = set()  # pieces read as the second half of a joined paragraph
        for index, piece in enumerate(pieces):
            target = self.anchors.get(piece.anchor) if piece.anchor else None
            if id(piece) in joined:
                continue
            if piece.table_cell is not None:
                if piece.changed:
                    self.table_cell(piece, target)
            elif target is None:
                if piece.changed:
                    self.outside(piece)
            elif not piece.changed:
                continue
            elif target.kind == "text" and joins_next(piece):
                following = next_paragraph(pieces[index + 1 :])
                if following is not None and following.anchor:
                    joined.add(id(following))
                self.joined(piece, target, following)
            elif target.kind == "text" and len(split_parts(piece)) > 1:
                self.split(piece, target)
            else:
                self.anchored(piece, target)
        self.alt_texts()
        self.comments()
        return self.findings

    def add(self, where: str, message: str, kind: str, edit: Edit | None = None) -> None:
        self.findings.append(Finding(where, message, kind, edit))

    def anchored(self, piece: Piece, target: Target) -> None:
        changes = changes_of(piece)
        if target.kind != "text":
            for change in changes:
                self.reported(target, change)
            return
        where = self.where(target, changes[0].old or piece.old()[max(0, changes[0].start - 20) : changes[0].start])
        if self.settled(piece, target, where):
            return
        if piece.paragraph_deleted and not squash(piece.new()):
            self.add(where, f"deleted paragraph \"{squash(piece.old())}\" ({changes[0].who})", "change",
                     Edit(self.file(target), target.key, "remove"))
            return
        before = len(self.findings)
        value = self.new_value(piece, target, changes, where)
        if value is None and len(self.findings) > before:
            return  # a change that could not be placed, reported as such
        self.change_lines(piece, target, changes, kind="change" if value is not None else "unplaced")
        if value is not None and len(self.findings) > before:
            self.findings[-1].edit = Edit(self.file(target), target.key, "replace", value)

    def now(self, target: Target) -> str:
        """The printed text of the anchored value as the content stands now ("" if it is gone)."""
        return self.current.texts.get((target.file.split("/", 1)[-1], target.pointer), "")

    def settled(self, piece: Piece, target: Target, where: str) -> bool:
        """True when the passage is not to be edited: the content already reads as the reviewer
        wrote it (absorbed before), or it changed since the DOCX was built (a conflict, reported)."""
        now = self.current.texts.get((target.file.split("/", 1)[-1], target.pointer))
        if now is not None and squash(now) == squash(piece.new()) != squash(piece.old()):
            return True
        if now is None or squash(now) != squash(piece.old()):
            then = squash(piece.old())
            self.add(
                where,
                f"conflict: this text changed since the DOCX was built; not applied. In the DOCX: \"{then}\"; "
                f"the reviewer's: \"{squash(piece.new())}\"; the content now: \"{squash(now or '')}\"",
                "conflict",
            )
            return True
        return False

    def change_lines(self, piece: Piece, target: Target, changes: list[Change], marks: bool = True,
                     kind: str = "change") -> None:
        """One line per change; without `marks`, changes that split or join paragraphs are left to
        the caller's own line. Kind "unplaced" for changes of a passage that is not applied."""
        old = piece.old()
        for change in changes:
            if not change.old.strip(PARAGRAPH_MARK) and not change.new.strip(PARAGRAPH_MARK):
                continue  # a paragraph split at its end: the new paragraph is reported by itself
            if not marks and PARAGRAPH_MARK in change.old + change.new:
                continue
            near = change.old or (old[: change.start].split() or [""])[-1]
            self.add(self.where(target, near), f"{change.describe()} ({change.who})", kind)

    def split(self, piece: Piece, target: Target) -> None:
        """A paragraph the reviewer split: its item keeps the first part, the others become new items
        after it, when the passage is one plain item of a list; otherwise one line, nothing applied."""
        changes = changes_of(piece)
        where = self.where(target, piece.old()[:40])
        seen = split_parts(piece)
        who = next(c.who for c in changes if PARAGRAPH_MARK in c.new)
        what = f"paragraph split in {len(seen)}: " + " / ".join(f'"{_clip(part)}"' for part in seen) + f" ({who})"
        if squash(self.now(target)) == seen[0]:
            return  # split before: the item holds the first part, those after it the others
        if self.settled(piece, target, where):
            return
        raw = self.raw_value(target) or ""
        reason = self.not_a_plain_item(target, allowed={"text", "paragraph", "label"}) or _holds_figures(raw)
        value = None if reason else self.new_value(piece, target, changes, where, mark=SPLIT_MARK)
        parts = tuple(part.strip() for part in (value or "").split(SPLIT_MARK) if part.strip())
        if not reason and value is None:
            reason = "its other changes cannot be placed in the content's text"
        elif not reason and (len(parts) != len(seen) or not all(map(_markup_closed, parts))):
            reason = "the split falls inside inline markup (bold, italic or a link)"
        self.change_lines(piece, target, changes, marks=False, kind="unplaced" if reason else "change")
        if reason:
            self.add(where, f"{what}: not applied, as {reason}; make this change by hand", "unplaced")
            return
        self.add(where, what, "change", Edit(self.file(target), target.key, "split", parts[0], parts[1:]))

    def joined(self, piece: Piece, target: Target, following: Piece | None) -> None:
        """A paragraph whose mark the reviewer deleted, joining the next paragraph to it: one item of
        the two, when they are neighbouring plain items of one list; otherwise one line, nothing applied."""
        head = Piece(piece.anchor, piece.spans[:-1])
        who = changes_of(piece)[-1].who
        where = self.where(target, (piece.old().split() or [""])[-1])
        tail = squash(following.new()) if following is not None else ""
        what = f"paragraph joined with the next: \"{_clip(squash(head.new()))}\" + \"{_clip(tail)}\" ({who})"
        second = self.anchors.get(following.anchor) if following is not None and following.anchor else None
        if following is not None and squash(self.now(target)) == squash(f"{head.new()} {following.new()}"):
            return  # joined before: the item already holds both texts
        reason = None
        if following is None or second is None or following.table_cell is not None:
            reason = "the next paragraph has no anchor (house text, a table, or its anchor was lost)"
        elif second.kind != "text":
            reason = "the next paragraph comes from data or the house"
        else:
            reason = (self.not_a_plain_item(target, allowed={"text", "paragraph", "label"})
                      or self.not_a_plain_item(second, allowed={"text", "paragraph"})
                      or self.not_neighbours(target, second)
                      or _holds_figures((self.raw_value(target) or "") + (self.raw_value(second) or "")))
        if reason or following is None or second is None:
            self.change_lines(head, target, changes_of(head), kind="unplaced")
            if following is not None and second is not None:
                if second.kind == "text":
                    self.change_lines(following, second, changes_of(following), kind="unplaced")
                else:
                    for change in changes_of(following):
                        self.reported(second, change)
            self.add(where, f"{what}: not applied, as {reason}; make this change by hand", "unplaced")
            return
        if self.settled(piece, target, where) or self.settled(following, second, self.where(second)):
            return
        before = len(self.findings)
        first_value = self.new_value(head, target, changes_of(head), where)
        second_value = self.new_value(following, second, changes_of(following), self.where(second))
        if first_value is None or second_value is None:
            self.add(where, f"{what}: not applied, as its other changes cannot be placed; make this change by hand",
                     "unplaced")
            return
        del self.findings[before:]
        self.change_lines(head, target, changes_of(head))
        self.change_lines(following, second, changes_of(following))
        value = first_value.rstrip() + (" " if first_value.strip() and second_value.strip() else "") + \
            second_value.lstrip()
        self.add(where, what, "change", Edit(self.file(target), target.key, "join_with_next", value.strip()))

    def not_a_plain_item(self, target: Target, allowed: set[str]) -> str | None:
        """Why the text at `target` cannot be split or joined as list items; None when it can."""
        from panelpapers.word.yaml_edit import EditError, list_item

        try:
            _, _, keys = list_item(self.file(target).read_text(encoding="utf-8"), target.key)
        except (EditError, OSError):
            return "it is not an item of a list (a title, heading or lead-in)"
        extra = sorted(set(keys) - allowed)
        if extra:
            return f"its item also has {', '.join(extra)}, which cannot be shared out between paragraphs"
        return None

    def not_neighbours(self, first: Target, second: Target) -> str | None:
        from panelpapers.word.yaml_edit import list_item

        text = self.file(first).read_text(encoding="utf-8")
        list_key, index, _ = list_item(text, first.key)
        if first.file == second.file and list_item(text, second.key)[:2] == (list_key, index + 1):
            return None
        return "the two paragraphs are not neighbouring items of one list"

    def raw_value(self, target: Target) -> str | None:
        from panelpapers.word.yaml_edit import EditError, compose, find

        try:
            node, _ = find(compose(self.file(target).read_text(encoding="utf-8")), target.key)
        except (EditError, OSError):
            return None
        return str(node.value)

    def new_value(self, piece: Piece, target: Target, changes: list[Change], where: str,
                  mark: str = " ") -> str | None:
        """The value with the reviewer's changes, written into the author's own text (markup and
        figures kept); None, with a finding, where a change cannot be placed there."""
        raw = self.raw_value(target)
        if raw is None:
            return None
        old = piece.old()
        for index in range(len(changes) - 1, -1, -1):
            change = changes[index]
            end = change.start + len(change.old)
            next_start = changes[index + 1].start if index + 1 < len(changes) else len(old)
            left, right = old[: change.start], old[end:next_start]
            new = markup(change.spans) if change.new.strip(PARAGRAPH_MARK) != change.old else "".join(
                _spaced(s.text, "**" if s.bold else "*" if s.italic else "") for s in change.spans
            )
            new = new.replace(PARAGRAPH_MARK, mark)
            placed = False
            for k in (24, 16, 10, 6, 3, 1, 0):
                needle = left[-k:] if k else ""
                after = right[:k] if k else ""
                pattern = needle + change.old + after
                if pattern and raw.count(pattern) == 1:
                    raw = raw.replace(pattern, needle + new + after)
                    placed = True
                    break
            if not placed:
                self.unplaced(change, where)
                return None
        return " ".join(raw.split()) if "\n" not in raw.strip() else raw

    def unplaced(self, change: Change, where: str) -> None:
        for use_where, name, value in self.current.figures:
            if value and value in change.old and use_where.split(":")[0] == where.split(":")[0]:
                group, _, figure = name.partition(".")
                line = self.current.data_lines.get(f"figures/{group}/{figure}")
                data = display(self.current.folder / "data.yaml") + (f":{line}" if line else "")
                self.add(
                    where,
                    f"{change.describe()} ({change.who}) is the figure {{{{ {name} }}}}, computed from data; "
                    f"not applied: change the data it counts, or the figure's definition at {data}",
                    "data",
                )
                return
        self.add(where, f"{change.describe()} ({change.who}) crosses inline markup or a figure; not applied: "
                 "make this change by hand", "unplaced")

    def reported(self, target: Target, change: Change) -> None:
        where = self.where(target)
        if target.kind == "composed":
            why = "a heading the house composes around this value; not applied: edit the value here"
        elif target.kind in ("caption", "chart"):
            what = self.current.tables.get(target.pointer) or self.current.charts.get(target.pointer)
            files = ", ".join(getattr(what, "data_files", ()) or ()) or "the paper's data"
            why = f"comes from data ({files}); not applied: change its declaration here or the data"
        else:
            why = "not applied"
        self.add(where, f"{change.describe()} ({change.who}): {why}", "data")

    def table_cell(self, piece: Piece, target: Target | None) -> None:
        assert piece.table_cell is not None
        row, column = piece.table_cell
        table = self.current.tables.get(target.pointer) if target is not None else None
        where = self.where(target) if target is not None else display(self.current.folder / "data.yaml")
        header_rows = 1 + (1 if table is not None and table.header_groups else 0)
        name = table.headers[column] if table is not None and column < len(table.headers) else f"{column + 1}"
        files = ", ".join(table.data_files) if table is not None and table.data_files else "the paper's data"
        label = f"table '{target.key[-1]}'" if target is not None else "a table"
        row_text = f"row {row - header_rows + 1}" if row >= header_rows else "header row"
        for change in changes_of(piece):
            self.add(
                where,
                f"{label}, {row_text}, column '{name}': {change.describe()} ({change.who}) comes from data "
                f"({files}); not applied: change the data, or the table's definition here",
                "data",
            )

    def outside(self, piece: Piece) -> None:
        after = self.anchors.get(piece.after) if piece.after else None
        if after is not None and after.kind == "text":
            text = markup(piece.spans).strip()
            who = changes_of(piece)[0].who
            self.add(self.where(after), f"new paragraph after this one: \"{squash(piece.new())}\" ({who})", "change",
                     Edit(self.file(after), after.key, "insert_after", text))
            return
        house = display(self.current.folder.parent.parent.parent / HOUSE_FILE)
        for change in changes_of(piece):
            self.add(house, f"house text: {change.describe()} ({change.who}); not applied: the house prints this "
                     "(masthead, marking, fixed heading or wording); change it in panelpapers.yaml", "house")

    def alt_texts(self) -> None:
        for anchor, alt in self.reviewed.alt_texts.items():
            target = self.anchors.get(anchor)
            if target is None or target.kind != "alt":
                continue
            now = self.current.texts.get((target.file.split("/", 1)[-1], target.pointer))
            if now is not None and squash(alt) != squash(now):
                self.add(self.where(target), f"alt text \"{squash(now)}\" → \"{squash(alt)}\"", "change",
                         Edit(self.file(target), target.key, "replace", squash(alt)))

    def comments(self) -> None:
        by_id = {c.id: c for c in self.reviewed.comments}
        for comment in self.reviewed.comments:
            target = self.anchors.get(comment.anchor)
            where = self.where(target, comment.quoted) if target is not None else display(
                self.current.folder.parent.parent.parent / HOUSE_FILE)
            parent = by_id.get(comment.parent or "")
            lead = f"reply by {comment.author} to {parent.author}" if parent else f"comment by {comment.author}"
            on = f" on \"{squash(comment.quoted)}\"" if comment.quoted.strip() else ""
            self.add(where, f"{lead}: \"{squash(comment.text)}\"{on}" + (f" ({comment.date})" if comment.date else ""),
                     "comment")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
