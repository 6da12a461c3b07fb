"""The three faces of a review diff: one self-contained HTML file (styles and page images inline, so
it opens offline), a short Markdown summary for a pull-request comment, and lines for the terminal.
Each opens with the highest protective marking of what it shows (see `shown_marking`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from panelpapers.house import DEFAULT_HOUSE, House
from panelpapers.review.compare import Change, Comparison, PaperDiff
from panelpapers.review.visual import PagePair, VisualResult, compare_visually

QUOTE_WORDS = 12


def shown_marking(comparison: Comparison, house: House = DEFAULT_HOUSE) -> str:
    """The highest marking of every paper compared, on either side. A paper whose marking is not known
    (a bare PDF that does not say, a pack read from its PDF) counts as the highest marking there is:
    a report must never claim to be less sensitive than what it quotes."""
    markings = [
        side.marking if side.marking in house.labels else house.labels[-1]
        for paper in comparison.papers
        for side in (paper.old, paper.new)
        if side is not None
    ]
    return house.highest(markings)


@dataclass
class Review:
    comparison: Comparison
    visuals: dict[str, VisualResult] = field(default_factory=dict)
    house: House = DEFAULT_HOUSE  # whose markings, in order, the report is marked with

    @property
    def changes(self) -> list[Change]:
        found = self.comparison.changes
        return found + [c for v in self.visuals.values() for c in v.pictures_changed]

    @property
    def headline(self) -> list[Change]:
        return [c for c in self.changes if c.headline]

    def paper_changes(self, paper: PaperDiff) -> list[Change]:
        visual = self.visuals.get(paper.name)
        return paper.changes + (visual.pictures_changed if visual else [])

    def page_pairs(self, paper: PaperDiff) -> list[PagePair]:
        visual = self.visuals.get(paper.name)
        return visual.pairs if visual else []

    @property
    def marking(self) -> str:
        return shown_marking(self.comparison, self.house)

    @property
    def pages_compared(self) -> int:
        return sum(v.pages_compared for v in self.visuals.values())


def review(comparison: Comparison, show_pages: bool = True, house: House = DEFAULT_HOUSE) -> Review:
    """Adds the visual backstop to every paper found on both sides."""
    result = Review(comparison, house=house)
    for paper in comparison.papers:
        result.visuals[paper.name] = compare_visually(paper, show_pages)
    return result


def _quote(text: str, words: int = QUOTE_WORDS) -> str:
    split = text.split()
    return " ".join(split[:words]) + (" …" if len(split) > words else "")


def describe(change: Change) -> str:
    """One line in the paper's own words: "paragraph 1.5 changed: 77 → 81"."""
    if change.what == "paper":
        return f"paper {change.status}: {change.note}"
    if change.what in ("title", "marking", "status"):
        return f"{change.what} changed: {change.note}"
    if change.what == "picture":
        return change.note
    label = change.label
    if change.status == "added" and change.new:
        return f"{label} added: “{_quote(change.new.text)}”"
    if change.status == "removed" and change.old:
        return f"{label} removed: “{_quote(change.old.text)}”"
    parts = [edit_summary(change)] if change.words else []
    parts += [cell_summary(cell) for cell in change.cells]
    if change.note:
        parts.append(change.note)
    return f"{label} changed: " + "; ".join(p for p in parts if p)


def edit_summary(change: Change, limit: int = 3) -> str:
    """The edits of a word diff as "old → new", a few of them."""
    edits: list[str] = []
    words = list(change.words)
    index = 0
    while index < len(words):
        kind, text = words[index]
        if kind == "delete" and index + 1 < len(words) and words[index + 1][0] == "insert":
            edits.append(f"{_quote(text, 8).strip()} → {_quote(words[index + 1][1], 8).strip()}")
            index += 2
            continue
        if kind == "delete":
            edits.append(f"removed “{_quote(text, 8).strip()}”")
        elif kind == "insert":
            edits.append(f"added “{_quote(text, 8).strip()}”")
        index += 1
    more = f" (+{len(edits) - limit} more)" if len(edits) > limit else ""
    return "; ".join(edits[:limit]) + more


def cell_summary(cell: object) -> str:
    row, column, old, new = (getattr(cell, name) for name in ("row", "column", "old", "new"))
    if not row:
        return f"column “{column}” {'added' if old is None else 'removed'}"
    if not column:
        return f"row “{row}” added: {new}" if old is None else f"row “{row}” removed: {old}"
    return f"{row}, {column}: {old} → {new}"


def terminal_lines(result: Review) -> list[str]:
    changes = result.changes
    lines = [result.marking, f"{result.comparison.old_label} → {result.comparison.new_label}"]
    if not changes:
        return [*lines, "no changes"]
    for change in result.headline:
        lines.append(f"! {change.paper}: {describe(change)}")
    for paper in result.comparison.papers:
        for change in result.paper_changes(paper):
            if not change.headline:
                lines.append(f"  {paper.name}: {describe(change)}")
    count = len(changes)
    lines.append(f"{count} change{'s' if count != 1 else ''}")
    return lines


def markdown(result: Review, html_report: str | None = None) -> str:
    """The summary for a pull-request comment; `html_report`, the name of the HTML report written
    beside it, if one was: the summary points to it only then."""
    changes = result.changes
    marking = f"**{result.marking}**"
    title = f"### Draft changes: `{result.comparison.old_label}` → `{result.comparison.new_label}`"
    if not changes:
        return f"{marking}\n\n{title}\n\nNo changes to the papers' words, tables, charts or markings.\n\n{marking}\n"
    out = [marking, "", title, "", f"**{len(changes)} change{'s' if len(changes) != 1 else ''}**", ""]
    if result.headline:
        out.append("**To note first** (recommendations, markings, titles):")
        out.append("")
        out += [f"- **{c.paper}**: {_md(describe(c))}" for c in result.headline]
        out.append("")
    for paper in result.comparison.papers:
        rest = [c for c in result.paper_changes(paper) if not c.headline]
        if rest:
            out.append(f"**{paper.name}**")
            out.append("")
            out += [f"- {_md(describe(c))}" for c in rest]
            out.append("")
    if html_report:
        pages = any(pair.old_image or pair.new_image for v in result.visuals.values() for pair in v.pairs)
        shown = ", with the pages side by side" if pages else ""
        out += [f"The HTML report ({_md(html_report)}) shows each change word by word{shown}.", ""]
    out.append(marking)
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    """Keeps authors' words from turning into Markdown or HTML in a pull-request comment."""
    for character in "\\`*_[]<>|#":
        text = text.replace(character, "\\" + character)
    return text


def trimmed(words: tuple[tuple[str, str], ...], keep: int = 12) -> list[tuple[str, str]]:
    """Long stretches of unchanged words shortened to their ends, so an edit in a table stands out."""
    out: list[tuple[str, str]] = []
    last = len(words) - 1
    for index, (kind, text) in enumerate(words):
        split = text.split()
        if kind != "equal" or len(split) <= 2 * keep:
            out.append((kind, text))
        elif index == 0:
            out.append((kind, "… " + " ".join(split[-keep:]) + " "))
        elif index == last:
            out.append((kind, " ".join(split[:keep]) + " …"))
        else:
            out.append((kind, " ".join(split[:keep]) + " … " + " ".join(split[-keep:]) + " "))
    return out


def html(result: Review) -> str:
    from panelpapers.resources import template_environment

    template = template_environment().get_template("diff.html.j2")
    return template.render(review=result, describe=describe, trimmed=trimmed)
