"""Each paragraph as a line: its own numbering ("1.1", "2.", "a)", "ii.", a bullet), the heading
notation of a plain document ("# Title", a paragraph wholly in bold) and its formatted text separated,
and formatted text turned into the content's inline markup."""

from __future__ import annotations

import re
from dataclasses import dataclass

from panelpapers.wordimport.reading import Paragraph, Run

PARAGRAPH_NUMBER = re.compile(r"^(\d{1,2}(?:\.\d{1,3})+)\.?(?:\s+|$)")
SECTION_NUMBER = re.compile(r"^(\d{1,2})(?:[.)]|\s*[-–])(?:\s+|$)")
LETTER = re.compile(r"^(?:\(([a-z])\)|([a-z])[.)])\s+")
ROMAN = re.compile(r"^(?:\(([ivx]{1,5})\)|([ivx]{1,5})[.)])\s+")
BULLET = re.compile(r"^[•·▪◦‣●○■–\-*]\s+")
MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+")
HTML_TAG = re.compile(r"</?([bi])>", re.IGNORECASE)
MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]*)\)")
SINGLE_STAR = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![\w*])")  # *italic*, not **bold**
WORD_LIST = {
    "bullet": "bullet",
    "lowerLetter": "letter",
    "upperLetter": "letter",
    "lowerRoman": "roman",
    "upperRoman": "roman",
    "decimal": "number",
}


@dataclass
class Line:
    """A paragraph with its numbering and notation taken off."""

    block: Paragraph
    runs: list[Run]
    kind: str | None = None  # paragraph (1.1), section (2.), letter, roman, bullet, number (Word's list)
    number: str = ""
    heading_level: int | None = None  # from the style, or a plain document's own notation
    bold_whole: bool = False  # every letter is bold (a plain document's heading)

    @property
    def text(self) -> str:
        return " ".join("".join(run.text for run in self.runs).split())

    @property
    def markup(self) -> str:
        return to_markup(self.runs)


def read_line(paragraph: Paragraph, plain: bool) -> Line:
    """The line of a paragraph; `plain` documents (no styles) also have their text notation read:
    `#` headings, `**bold**`, `<b>`/`<i>` and `[text](link)`."""
    runs = notation_runs(paragraph.runs) if plain else list(paragraph.runs)
    runs = _trim(runs)
    line = Line(paragraph, runs, heading_level=paragraph.heading_level)
    if plain:
        heading = MARKDOWN_HEADING.match(line.text)
        if heading:
            line.heading_level = len(heading.group(1))
            line.runs = _cut(line.runs, heading.end())
    for _ in range(2):  # "- 1.1. text": a bullet marker, then the paragraph's number
        text = "".join(run.text for run in line.runs).lstrip()
        found = _numbering(text)
        if found is None:
            break
        kind, number, length = found
        if line.kind == "bullet" and kind == "bullet":
            break
        if line.kind is None or line.kind == "bullet":
            line.kind, line.number = kind, number
        line.runs = _cut(line.runs, length)
    if line.kind is None and paragraph.list_format is not None:
        line.kind = WORD_LIST.get(paragraph.list_format, "number")
    letters = [run for run in line.runs if run.text.strip()]
    line.bold_whole = bool(letters) and all(run.bold for run in letters)
    return line


def _numbering(text: str) -> tuple[str, str, int] | None:
    leading = len(text) - len(text.lstrip())
    body = text.lstrip()
    for kind, pattern in (
        ("paragraph", PARAGRAPH_NUMBER),
        ("section", SECTION_NUMBER),
        ("roman", ROMAN),
        ("letter", LETTER),
        ("bullet", BULLET),
    ):
        match = pattern.match(body)
        if match:
            groups = [group for group in match.groups() if group] if match.groups() else []
            return kind, groups[0] if groups else "", leading + match.end()
    return None


def _cut(runs: list[Run], length: int) -> list[Run]:
    """The (trimmed) runs without their first `length` characters."""
    left = length  # the runs are trimmed, so the text starts at its first letter
    kept: list[Run] = []
    for run in runs:
        if left >= len(run.text):
            left -= len(run.text)
            continue
        kept.append(Run(run.text[left:], run.bold, run.italic))
        left = 0
    return _trim(kept)


def _trim(runs: list[Run]) -> list[Run]:
    runs = [run for run in runs if run.text]
    while runs and not runs[0].text.strip():
        runs.pop(0)
    while runs and not runs[-1].text.strip():
        runs.pop()
    if runs:
        runs[0] = Run(runs[0].text.lstrip(), runs[0].bold, runs[0].italic)
        runs[-1] = Run(runs[-1].text.rstrip(), runs[-1].bold, runs[-1].italic)
    return runs


def notation_runs(runs: list[Run]) -> list[Run]:
    """A plain document's text notation as formatting: `**bold**`, `*italic*`, `<b>…</b>`, `<i>…</i>`;
    a link `[text](target)` keeps its text (the target of an exported link is seldom the real one).
    `*x*` is italic only where the stars hug a word at both ends, as Markdown reads them; a lone
    star ("5 * 3", "note*") stays a star."""
    text = MARKDOWN_LINK.sub(r"\1", "".join(run.text for run in runs))
    text = SINGLE_STAR.sub(r"<i>\1</i>", text)
    result: list[Run] = []
    bold = italic = False
    for piece in re.split(r"(\*\*|</?[bBiI]>)", text):
        if piece == "**":
            bold = not bold
        elif HTML_TAG.fullmatch(piece):
            on = not piece.startswith("</")
            if piece.lower().strip("</>") == "b":
                bold = on
            else:
                italic = on
        elif piece:
            result.append(Run(piece, bold, italic))
    return result


MARKUP_SPECIAL = re.compile(r"([\\`*_\[\]<>~])")
JINJA_OPENING = re.compile(r"\{([{%#])")
ENTITY = re.compile(r"&(#?\w+;)")


def escape(text: str) -> str:
    """Text as inline markup that prints as itself: markup characters escaped, `{{` kept literal."""
    text = MARKUP_SPECIAL.sub(r"\\\1", text)
    text = ENTITY.sub(r"\\&\1", text)
    return JINJA_OPENING.sub(lambda match: '{{ "{' + match.group(1) + '" }}', text)


def to_markup(runs: list[Run]) -> str:
    """Formatted runs as inline markup: bold `**…**`, italic `*…*`, white space collapsed, a line
    break as `\\` at the end of a line. Spaces at the edge of a bold or italic stretch go outside it,
    where CommonMark needs them."""
    merged: list[Run] = []
    for run in runs:
        text = run.text.replace("\t", " ")
        if merged and (merged[-1].bold, merged[-1].italic) == (run.bold, run.italic):
            merged[-1] = Run(merged[-1].text + text, run.bold, run.italic)
        else:
            merged.append(Run(text, run.bold, run.italic))
    out: list[str] = []
    for run in merged:
        lines = run.text.split("\n")
        pieces = []
        for line in lines:
            body = " ".join(line.split())
            if not body:
                pieces.append(" " if line else "")
                continue
            marker = "***" if run.bold and run.italic else "**" if run.bold else "*" if run.italic else ""
            before = " " if line[:1].isspace() else ""
            after = " " if line[-1:].isspace() else ""
            pieces.append(f"{before}{marker}{escape(body)}{marker}{after}")
        out.append("\\\n".join(pieces))
    text = "".join(out)
    text = re.sub(r"[ ]{2,}", " ", text).strip()
    return re.sub(r"\s*\\\n\s*", "\\\n", text)
