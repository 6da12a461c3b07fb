"""A catalogue of bad input.

Each case copies the example meeting, breaks one thing in it (editing the YAML as text, so line
numbers are predictable) and builds again into an output folder that already holds a good build.
The build must:

- exit with status 1 (no traceback);
- report the problem on stderr as `path:line: message`, the path relative to the current folder;
- leave every file of the earlier output exactly as it was.

The expected line is found by searching the edited file, never hard-coded, so the example content
can change. A problem inside a multi-line text is reported at the line where that text starts.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
from conftest import run_in_this_process

PAPER = "02-risk-management"  # the example meeting's paper folder
SQUARED = "\u00b2".encode().decode("latin-1")  # "²" as the edits below see UTF-8 text (see _read)
HANG_SECONDS = 120  # a broken meeting is refused in seconds; one still building after this hangs

# --- Editing content as text ----------------------------------------------------------------------
# Files are read as bytes and decoded as latin-1, so every byte round-trips unchanged: the UTF-8 of
# the example is kept as it is, and a deliberately invalid byte can be written with "\xe9".

Edit = Callable[[Path], None]


def _read(path: Path) -> str:
    return path.read_bytes().decode("latin-1")


def _write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("latin-1"))


def sub(name: str, pattern: str, replacement: str) -> Edit:
    """Replaces the first match of `pattern` (multi-line regex) in the file."""

    def edit(meeting: Path) -> None:
        path = meeting / name
        text, count = re.subn(pattern, replacement, _read(path), count=1, flags=re.M)
        assert count == 1, f"{pattern!r} not found in {name}"
        _write(path, text)

    return edit


def append(name: str, lines: str) -> Edit:
    def edit(meeting: Path) -> None:
        path = meeting / name
        text = _read(path)
        _write(path, text + ("" if text.endswith("\n") else "\n") + lines)

    return edit


def add_paragraph(name: str, value: str) -> Edit:
    """Adds an entry, written exactly as `value`, to the end of the file's (only) list."""

    def edit(meeting: Path) -> None:
        indent = re.search(r"^( *)- ", _read(meeting / name), re.M)
        assert indent, f"no list in {name}"
        append(name, "".join(f"{indent[1]}{line}\n" for line in ("- " + value).split("\n")))(meeting)

    return edit


def write(name: str, data: bytes) -> Edit:
    def edit(meeting: Path) -> None:
        (meeting / name).write_bytes(data)

    return edit


def delete(name: str) -> Edit:
    def edit(meeting: Path) -> None:
        (meeting / name).unlink()

    return edit


def copy(name: str, new_name: str) -> Edit:
    def edit(meeting: Path) -> None:
        shutil.copyfile(meeting / name, meeting / new_name)

    return edit


def open_bracket_on_last_line(name: str) -> Edit:
    """`key: value` on the file's last line becomes `key: [value` (never closed)."""

    def edit(meeting: Path) -> None:
        path = meeting / name
        lines = _read(path).rstrip("\n").split("\n")
        key, value = lines[-1].split(": ", 1)
        lines[-1] = f"{key}: [{value}"
        _write(path, "\n".join(lines) + "\n")

    return edit


def end_last_line_with(name: str, words: str) -> Edit:
    """Adds `words` to the file's last line (inside the last multi-line paragraph)."""

    def edit(meeting: Path) -> None:
        path = meeting / name
        _write(path, _read(path).rstrip("\n") + words + "\n")

    return edit


def duplicate_first_label(meeting: Path) -> None:
    """The second paragraph label in supporting.yaml is changed to the first one."""
    path = meeting / PAPER / "supporting.yaml"
    text = _read(path)
    labels = list(re.finditer(r"^(\s*(?:- )?label: )(\S+)$", text, re.M))
    assert len(labels) >= 2, "supporting.yaml needs two labels for this case"
    second = labels[1]
    _write(path, text[: second.start(2)] + labels[0][2] + text[second.end(2) :])


def first_label(text: str) -> str:
    return re.search(r"^\s*(?:- )?label: (\S+)$", text, re.M)[1]


def nest_flow(name: str, depth: int) -> Edit:
    """Adds `deep: [[[…x…]]]`, a list nested `depth` levels deep on one line."""
    return append(name, f"deep: {'[' * depth}x{']' * depth}\n")


def nest_block(name: str, depth: int) -> Edit:
    """Adds `deep:` holding `- - - … x`, a block list nested `depth` levels deep on the next line."""
    return append(name, f"deep:\n  {'- ' * depth}x\n")


GOVERNANCE = "04-governance-statement/"
GOVERNANCE_DATA = GOVERNANCE + "data.yaml"
EXTRA_XLSX = GOVERNANCE + "data/extra.xlsx"


def xlsx_source(damage: Callable[[dict[str, bytes]], None]) -> Edit:
    """Declares a workbook source in the governance paper's data.yaml and writes the workbook: a
    valid one made by openpyxl, whose zip parts (name -> bytes) `damage` then changes."""

    def edit(meeting: Path) -> None:
        path = meeting / EXTRA_XLSX
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(damaged_workbook(damage))
        source = "  extra:\n    file: data/extra.xlsx\n    columns: {name: text, count: integer}\n"
        sub(GOVERNANCE_DATA, r"^sources:\n", "sources:\n" + source)(meeting)

    return edit


def damaged_workbook(damage: Callable[[dict[str, bytes]], None]) -> bytes:
    """A workbook of a header and two rows (name, count) written by openpyxl, then `damage`d."""
    import io
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in (["name", "count"], ["alpha", 3], ["beta", 4]):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as original:
        parts = {info.filename: original.read(info) for info in original.infolist()}
    damage(parts)
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    return damaged.getvalue()


def missing_shared_string(parts: dict[str, bytes]) -> None:
    """Cells read from the shared strings part, which holds fewer strings than a cell asks for."""
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    texts = re.findall(r'<c r="(\w+)" t="inlineStr"><is><t>([^<]*)</t></is></c>', sheet)
    for i, (cell, text) in enumerate(texts):
        index = i if cell != "A3" else 99  # "beta" points at a string that is not there
        inline = f'<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>'
        sheet = sheet.replace(inline, f'<c r="{cell}" t="s"><v>{index}</v></c>')
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    strings = "".join(f"<si><t>{text}</t></si>" for _, text in texts[:-1])
    parts["xl/sharedStrings.xml"] = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + strings + "</sst>"
    ).encode()
    types = parts["[Content_Types].xml"].decode().replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    parts["[Content_Types].xml"] = types.encode()


def zip_bomb(parts: dict[str, bytes]) -> None:
    """A sheet of 3 million rows: 100 MB of XML that deflates to well under a megabyte."""
    sheet = parts["xl/worksheets/sheet1.xml"]
    rows = b'<row><c t="n"><v>1</v></c><c t="n"><v>2</v></c></row>' * 2_000_000
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b"</sheetData>", rows + b"</sheetData>")


def yes_decimals(value: str) -> Edit:
    """The survey table's "Yes" column shown with `decimals: value`."""
    return sub(GOVERNANCE_DATA, r'(header: "Yes", format: percent, decimals:) 0', rf"\1 {value}")


def empty_after_filter(meeting: Path) -> None:
    """The table the survey chart draws keeps no rows."""
    sub(GOVERNANCE_DATA, r"^(    source: survey\n)", r"\1    where: [{column: question, equals: Q99}]\n")(meeting)


def stray_paper_folder(meeting: Path) -> None:
    """A copy of a paper whose paper.yaml was left out (or not yet written)."""
    shutil.copytree(meeting / PAPER, meeting / "05-late-paper")
    (meeting / "05-late-paper" / "paper.yaml").unlink()


# --- Finding the expected line in the edited file -------------------------------------------------

LineOf = Callable[[str], int]


def line_of(text: str, pattern: str, nth: int = 0) -> int:
    """1-based line of the `nth` match of `pattern` (multi-line regex); nth=-1 is the last."""
    matches = list(re.finditer(pattern, text, re.M))
    assert matches, f"{pattern!r} not found"
    return text.count("\n", 0, matches[nth].start()) + 1


def first(pattern: str) -> LineOf:
    return lambda text: line_of(text, pattern)


def second(pattern: str) -> LineOf:
    return lambda text: line_of(text, pattern, 1)


def last(pattern: str) -> LineOf:
    return lambda text: line_of(text, pattern, -1)


def text_start_of_last(pattern: str) -> LineOf:
    """The line a list item's text starts on: the next line when the item is a `|`/`>` block."""

    def line(text: str) -> int:
        number = line_of(text, pattern, -1)
        opener = text.splitlines()[number - 1].rstrip()
        return number + 1 if opener.endswith(("|", ">", "|-", ">-")) else number

    return line


FIRST_KEY = first(r"^\w")  # a missing top-level key is reported where the file's mapping starts
WHOLE_FILE = None  # a problem with the file as a whole: `path: message`, a line number optional


# --- The catalogue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    file: str  # the file the problem is reported against, relative to the meeting folder
    edit: Edit
    message: str | Callable[[str], str]  # a substring of the message (or made from the file)
    line: LineOf | None


P = f"{PAPER}/"
PAPER_YAML = P + "paper.yaml"

CASES = [
    # YAML itself
    Case(
        "duplicate-key",
        PAPER_YAML,
        append(PAPER_YAML, "title: A second title\n"),
        lambda text: f"duplicate key 'title' (first at line {line_of(text, r'^title:')})",
        last(r"^title:"),
    ),
    Case(
        "invalid-yaml-indentation",
        PAPER_YAML,
        sub(PAPER_YAML, r"^meeting:", "  meeting:"),
        "invalid YAML",
        first(r"^  meeting:"),
    ),
    Case(
        "invalid-yaml-unclosed-bracket",
        PAPER_YAML,
        open_bracket_on_last_line(PAPER_YAML),
        "invalid YAML",
        first(r"\["),
    ),
    Case(
        "anchor",
        PAPER_YAML,
        sub(PAPER_YAML, r"^title: ", "title: &t "),
        "anchors (&name) are not allowed",
        first(r"^title:"),
    ),
    Case(
        "alias",
        PAPER_YAML,
        sub(PAPER_YAML, r"^meeting: .*$", "meeting: *t"),
        "aliases (*name) are not allowed",
        first(r"^meeting:"),
    ),
    Case(
        "python-tag",
        PAPER_YAML,
        sub(PAPER_YAML, r"^title: ", "title: !!python/object:os.system "),
        "YAML tags",
        first(r"^title:"),
    ),
    # whole files
    Case("empty-file", P + "risk.yaml", write(P + "risk.yaml", b""), "file is empty", first(r"\A")),
    Case(
        "comments-only-file",
        P + "risk.yaml",
        write(P + "risk.yaml", b"# to be written\n"),
        "file is empty",
        first(r"\A"),
    ),
    Case(
        "not-utf8-line",
        P + "legal.yaml",
        add_paragraph(P + "legal.yaml", "Caf\xe9 society."),
        "not UTF-8",
        first("Caf"),
    ),
    Case(
        "not-utf8-utf16-file",
        P + "legal.yaml",
        write(
            P + "legal.yaml",
            b"\xff\xfe" + "paragraphs:\n  - No implications.\n".encode("utf-16-le"),
        ),
        "not UTF-8",
        first(r"\A"),
    ),
    Case(
        "control-character",
        P + "financial.yaml",
        add_paragraph(P + "financial.yaml", "A bell\x07 pasted from elsewhere."),
        "control character U+0007",
        first("\x07"),
    ),
    Case(
        "file-over-1mb",
        P + "supporting.yaml",
        append(P + "supporting.yaml", "# " + "x" * 1_000_000 + "\n"),
        "the limit is 1,000,000",
        WHOLE_FILE,
    ),
    Case(
        "missing-section-file",
        P + "legal.yaml",
        delete(P + "legal.yaml"),
        "missing section file 'legal.yaml'",
        WHOLE_FILE,
    ),
    Case(
        "unknown-section-file",
        P + "finacial.yaml",
        copy(P + "financial.yaml", P + "finacial.yaml"),
        "unknown section file 'finacial.yaml'; did you mean 'financial.yaml'?",
        WHOLE_FILE,
    ),
    # keys and values
    Case(
        "unknown-key-typo",
        PAPER_YAML,
        sub(PAPER_YAML, r"^title:", "titel:"),
        "unknown key 'titel'; did you mean 'title'?",
        first(r"^titel:"),
    ),
    Case(
        "missing-required-key",
        PAPER_YAML,
        sub(PAPER_YAML, r"^report_by:.*\n", ""),
        "missing required key 'report_by'",
        FIRST_KEY,
    ),
    Case(
        "missing-nested-key",
        P + "contact.yaml",
        sub(P + "contact.yaml", r"^\s+name:.*\n", ""),
        "missing required key 'name'",
        first(r"^\s*- "),
    ),
    Case(
        "list-for-text",
        PAPER_YAML,
        sub(PAPER_YAML, r"^title:.*$", "title: [a, b]"),
        "expected text, got a list",
        first(r"^title:"),
    ),
    Case(
        "empty-text",
        PAPER_YAML,
        sub(PAPER_YAML, r"^title:.*$", 'title: ""'),
        "expected some text",
        first(r"^title:"),
    ),
    Case(
        "marking-not-in-vocabulary",
        PAPER_YAML,
        sub(PAPER_YAML, r"^marking:.*$", "marking: SECRET"),
        "expected one of 'OFFICIAL' or 'OFFICIAL-SENSITIVE'",
        first(r"^marking:"),
    ),
    Case(
        "bad-organisation",
        PAPER_YAML,
        sub(PAPER_YAML, r"^organisation:.*$", "organisation: Met"),
        "expected one of 'MPS', 'MOPAC' or 'joint'",
        first(r"^organisation:"),
    ),
    Case(
        "bad-status",
        PAPER_YAML,
        sub(PAPER_YAML, r"^status:.*$", "status: published"),
        "expected one of 'draft' or 'final'",
        first(r"^status:"),
    ),
    Case(
        "bad-date",
        PAPER_YAML,
        sub(PAPER_YAML, r"^date:.*$", "date: 2022-13-01"),
        "expected a date as YYYY-MM-DD",
        first(r"^date:"),
    ),
    Case(
        "bad-email",
        P + "contact.yaml",
        sub(P + "contact.yaml", r"email: .*$", "email: priya at example"),
        "expected an email address",
        first(r"email:"),
    ),
    Case(
        "bad-label",
        P + "supporting.yaml",
        sub(P + "supporting.yaml", r"label: \S+$", "label: Bad_Label"),
        "expected a label of lower-case letters, digits and hyphens",
        first(r"label: Bad_Label"),
    ),
    Case(
        "bad-item-style",
        P + "supporting.yaml",
        sub(P + "supporting.yaml", r"item_style: \S+$", "item_style: greek"),
        "expected one of 'letter', 'roman' or 'bullet'",
        first(r"item_style: greek"),
    ),
    Case(
        "empty-bullets",
        P + "legal.yaml",
        add_paragraph(P + "legal.yaml", "bullets: []"),
        "expected at least one entry",
        first(r"bullets: \[\]"),
    ),
    Case(
        "lead-is-a-mapping",
        P + "supporting.yaml",
        sub(P + "supporting.yaml", r"^(\s*(?:- )?)lead: .*$", r"\1lead: {money: risk 6}"),
        "expected text, got a mapping",
        first(r"lead: \{"),
    ),
    Case(
        "recommendations-empty",
        P + "recommendations.yaml",
        write(P + "recommendations.yaml", b'lead: "The Audit Panel is recommended to:"\nitems: []\n'),
        "expected at least one entry",
        first(r"^items:"),
    ),
    # meeting.yaml
    Case(
        "agenda-paper-and-oral",
        "meeting.yaml",
        sub("meeting.yaml", rf"^(\s*)- paper: {PAPER}$", r"\g<0>\n\1  oral: Risk update"),
        "expected 'paper: <folder>' or 'oral: <title>'",
        first(rf"- paper: {PAPER}$"),
    ),
    Case(
        "agenda-unknown-paper",
        "meeting.yaml",
        sub("meeting.yaml", rf"- paper: {PAPER}$", "- paper: 03-no-such-paper"),
        "agenda names paper folder '03-no-such-paper', which does not exist",
        first(r"- paper: 03-no-such-paper"),
    ),
    Case(
        "meeting-bad-time",
        "meeting.yaml",
        sub("meeting.yaml", r"^time:.*$", 'time: "25:00"'),
        "expected a 24-hour time",
        first(r"^time:"),
    ),
    Case(
        "meeting-bad-next-date",
        "meeting.yaml",
        sub("meeting.yaml", r"^next_meeting:.*$", "next_meeting: 2022-04-31"),
        "expected a date as YYYY-MM-DD",
        first(r"^next_meeting:"),
    ),
    Case(
        "meeting-unknown-key",
        "meeting.yaml",
        sub("meeting.yaml", r"^venue:", "venu:"),
        "unknown key 'venu'; did you mean 'venue'?",
        first(r"^venu:"),
    ),
    # text markup
    Case(
        "unknown-paragraph-label",
        P + "legal.yaml",
        add_paragraph(P + "legal.yaml", """'See paragraph {{ ref("no-such-label") }}.'"""),
        "unknown paragraph label 'no-such-label'",
        first("no-such-label"),
    ),
    Case(
        "duplicate-label",
        P + "supporting.yaml",
        duplicate_first_label,
        lambda text: f"label '{first_label(text)}' is already used",
        second(r"^\s*(?:- )?label: "),
    ),
    Case(
        "file-link",
        P + "legal.yaml",
        add_paragraph(P + "legal.yaml", "See [x](file:///etc/passwd)."),
        "is not allowed: use an https://",
        first("file:///"),
    ),
    Case(
        "http-link",
        P + "legal.yaml",
        add_paragraph(P + "legal.yaml", "See [x](http://example.org/)."),
        "is not allowed: use an https://",
        first("http://"),
    ),
    Case(
        "http-link-inside-long-paragraph",
        P + "legal.yaml",
        end_last_line_with(P + "legal.yaml", " See [x](http://example.org/)."),
        "is not allowed: use an https://",
        text_start_of_last(r"^\s*- "),
    ),
    Case(
        "image",
        P + "equality.yaml",
        add_paragraph(P + "equality.yaml", "See ![chart](https://example.org/x.png)."),
        "images are not allowed",
        first(r"!\[chart\]"),
    ),
    Case(
        "raw-html",
        P + "risk.yaml",
        add_paragraph(P + "risk.yaml", "Hello <script>alert(1)</script> there."),
        "raw HTML is not allowed",
        first("<script>"),
    ),
    Case(
        "undefined-name",
        P + "financial.yaml",
        add_paragraph(P + "financial.yaml", "'The total is {{ undefined_name }}.'"),
        "'undefined_name' is undefined",
        first("undefined_name"),
    ),
    Case(
        "sandbox-escape",
        P + "financial.yaml",
        add_paragraph(P + "financial.yaml", "'Look: {{ ref.__globals__ }}.'"),
        "expression not allowed",
        first("__globals__"),
    ),
    Case(
        "expression-syntax-error",
        P + "risk.yaml",
        add_paragraph(P + "risk.yaml", "'See {{ ref( }} here.'"),
        "cannot read '{{ … }}' expression",
        first(r"ref\( }}"),
    ),
    Case(
        "expression-syntax-error-in-literal-block",
        P + "risk.yaml",
        add_paragraph(P + "risk.yaml", "|\n  First line of the paragraph.\n  See {{ ref( }} here."),
        "cannot read '{{ … }}' expression",
        first(r"ref\( }}"),
    ),
    Case(
        "unquoted-comma-in-inline-data-row",
        "04-governance-statement/data.yaml",
        sub("04-governance-statement/data.yaml", r'topic: "Skills, recruitment and development"',
            "topic: Skills, recruitment and development"),
        "'recruitment and development' is not a declared column; quote a value that contains a comma",
        first("Skills, recruitment"),
    ),
    # hostile input: each once ended in a crash, a hang or silence
    Case(
        "yaml-nested-flow-10000-deep",
        PAPER_YAML,
        nest_flow(PAPER_YAML, 10_000),
        "nested more than 100 levels deep",
        first(r"^deep:"),
    ),
    Case(
        "yaml-nested-block-10000-deep",
        P + "legal.yaml",
        nest_block(P + "legal.yaml", 10_000),
        "nested more than 100 levels deep",
        first(r"^  - - - "),
    ),
    Case(
        "integer-superscript-digit",
        GOVERNANCE_DATA,
        sub(GOVERNANCE_DATA, r"yes: 64,", f"yes: {SQUARED},"),
        "column 'yes': expected a whole number, got '\u00b2'",
        first(f"yes: {SQUARED}"),
    ),
    Case(
        "integer-beyond-64-bits",
        GOVERNANCE_DATA,
        sub(GOVERNANCE_DATA, r"yes: 64,", "yes: 99999999999999999999999,"),
        "column 'yes': expected a whole number of at most 18 digits, got '99999999999999999999999'",
        first(r"yes: 9999"),
    ),
    Case(
        "decimals-superscript-digit",
        GOVERNANCE_DATA,
        yes_decimals(SQUARED),
        "expected a number of decimal places from 0 to 10, got '\u00b2'",
        first(f"decimals: {SQUARED}"),
    ),
    Case(
        "decimals-beyond-64-bits",
        GOVERNANCE_DATA,
        yes_decimals("99999999999999999999999"),
        "expected a number of decimal places from 0 to 10, got '99999999999999999999999'",
        first("decimals: 9999"),
    ),
    Case(
        "table-decimals-negative",
        GOVERNANCE_DATA,
        yes_decimals("-1"),
        "expected a number of decimal places from 0 to 10, got '-1'",
        first("decimals: -1"),
    ),
    Case(
        "figure-decimals-negative",
        "03-audit-actions/data.yaml",
        sub("03-audit-actions/data.yaml", r"total: \{source: actions, count: rows\}",
            "total: {source: actions, count: rows, format: number, decimals: -1}"),
        "expected a number of decimal places from 0 to 10, got '-1'",
        first("decimals: -1"),
    ),
    Case(
        "pivot-on-a-column-of-many-values",
        "03-audit-actions/data.yaml",
        sub("03-audit-actions/data.yaml", r"pivot: \{rows: business_group, columns: due_quarter, count: rows\}",
            "pivot: {rows: business_group, columns: ref, count: rows}"),
        "columns, one per value; the limit is 100: pivot on a column with fewer values",
        first("columns: ref"),
    ),
    Case(
        "figure-expression-30000-terms",
        "03-audit-actions/data.yaml",
        sub("03-audit-actions/data.yaml", r"expression: \"actions.outstanding \+ actions.closed",
            "expression: \"actions.outstanding + actions.closed" + " + 0" * 30_000),
        "the limit is 500",
        first("expression: "),
    ),
    Case(
        "figure-expression-beyond-floating-point",
        "03-audit-actions/data.yaml",
        sub("03-audit-actions/data.yaml", r"expression: \"actions.outstanding \+ actions.closed",
            "expression: \"actions.outstanding * 1e308 * 10 + actions.closed"),
        "is too large a number to show",
        first("expression: "),
    ),
    Case(
        "chart-table-empty-after-filter",
        GOVERNANCE_DATA,
        empty_after_filter,
        "chart 'survey_chart': its table 'survey_results' has no rows after its 'where' conditions",
        first(r"^  survey_chart:"),
    ),
    Case(
        "xlsx-missing-shared-string",
        EXTRA_XLSX,
        xlsx_source(missing_shared_string),
        "cannot read workbook: a cell in this row refers to text the workbook does not hold",
        lambda _: 3,
    ),
    Case(
        "xlsx-zip-bomb",
        EXTRA_XLSX,
        xlsx_source(zip_bomb),
        "bytes; the limit is 50,000,000 (a zip bomb?)",
        WHOLE_FILE,
    ),
    Case(
        "expression-huge-power",
        P + "financial.yaml",
        add_paragraph(P + "financial.yaml", "'A big number: {{ 9**(9**9) }}.'"),
        "too large",
        first(r"9\*\*"),
    ),
    Case(
        "expression-repeated-text",
        P + "financial.yaml",
        add_paragraph(P + "financial.yaml", "'Long: {{ \"ab\" * 10**9 }}.'"),
        "too long",
        first(r"10\*\*9"),
    ),
    Case(
        "expression-nested-loops",
        P + "financial.yaml",
        add_paragraph(
            P + "financial.yaml",
            "'{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}'",
        ),
        "statements are not allowed in text",
        first(r"\{% for"),
    ),
    Case(
        "expression-long-range",
        P + "financial.yaml",
        add_paragraph(P + "financial.yaml", "'{{ range(10**10)|list }}'"),
        "range of 10000000000 numbers; the limit is 10,000",
        first(r"range\("),
    ),
    Case(
        "expression-padded-text",
        P + "financial.yaml",
        add_paragraph(P + "financial.yaml", "'{{ \"x\".ljust(10**9) }}'"),
        "calling 'ljust' is not allowed in text",
        first(r"ljust"),
    ),
    Case(
        "expression-wide-filter",
        P + "financial.yaml",
        add_paragraph(P + "financial.yaml", "'{{ \"x\"|center(10**9) }}'"),
        "filter 'center' is not allowed in text",
        first(r"center"),
    ),
    Case(
        "expression-printf-width",
        P + "financial.yaml",
        add_paragraph(P + "financial.yaml", "'{{ \"%0999999999d\" % 1 }}'"),
        "formatting text with % is not allowed",
        first(r"%0999"),
    ),
    Case(
        "paper-folder-without-paper-yaml",
        "05-late-paper",
        stray_paper_folder,
        "a paper folder without paper.yaml; add paper.yaml or remove the folder",
        WHOLE_FILE,
    ),
]


# --- Running the cases ----------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder under `folder`, with the sha256 of each file."""
    return {
        path.relative_to(folder).as_posix(): (
            hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "<folder>"
        )
        for path in sorted(folder.rglob("*"))
    }


@pytest.fixture(scope="module")
def good_output(example_build: Path) -> Path:
    """A good build of the example meeting (the run's shared one), copied into each case."""
    assert any(p.is_file() for p in example_build.rglob("*")), "the good build wrote nothing"
    return example_build


@pytest.fixture
def workspace(tmp_path, good_output, example_meeting) -> tuple[Path, Path]:
    """(meeting folder, output folder holding a good build), both under tmp_path."""
    meeting = tmp_path / "content" / example_meeting.name
    shutil.copytree(example_meeting, meeting)
    out = tmp_path / "out"
    shutil.copytree(good_output, out)
    return meeting, out


@dataclass(frozen=True)
class Expected:
    file: str  # relative to the meeting folder
    message: str
    line: int | None  # None: a whole-file problem, with or without a line number


def expected(case: Case, meeting: Path) -> Expected:
    path = meeting / case.file
    text = _read(path) if path.is_file() else ""
    message = case.message(text) if callable(case.message) else case.message
    return Expected(case.file, message, case.line(text) if case.line else None)


def shown_path(path: Path, cwd: Path) -> str:
    """How the CLI names a file: relative to the current folder when inside it, else absolute."""
    return path.relative_to(cwd).as_posix() if path.is_relative_to(cwd) else str(path)


def reported(stderr: str, want: Expected, meeting: Path, cwd: Path) -> bool:
    path = re.escape(shown_path(meeting / want.file, cwd))
    line = r"(?::\d+)?" if want.line is None else f":{want.line}"
    pattern = re.compile(rf"^{path}{line}: .*{re.escape(want.message)}")
    return any(pattern.search(row) for row in stderr.splitlines())


def build_refused(
    panelpapers_cli, meeting: Path, out: Path, wants: list[Expected], cwd: Path | None = None
) -> list[str]:
    """Builds the broken meeting; returns what went wrong (nothing if all is as it should be)."""
    cwd = cwd or meeting.parents[1]  # by default the folder holding content/
    before = snapshot(out)
    try:
        result = panelpapers_cli("build", meeting, "--out", out, cwd=cwd, timeout=HANG_SECONDS)
    except subprocess.TimeoutExpired:
        return [f"the build was still running after {HANG_SECONDS} s"]
    failures = []
    if "Traceback" in result.stderr:
        failures.append("a traceback was printed")
    if result.returncode != 1:
        failures.append(f"exit status {result.returncode}, expected 1")
    for want in wants:
        if not reported(result.stderr, want, meeting, cwd):
            where = f"{want.file}:{want.line}" if want.line else want.file
            failures.append(f"no line '{where}: …{want.message}…'")
    after = snapshot(out)
    if after != before:
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        failures.append(f"the earlier output changed: {changed[:10]}")
    if failures:
        failures.append("stderr was:\n" + result.stderr)
    return failures


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_and_output_kept(case: Case, workspace) -> None:
    meeting, out = workspace
    case.edit(meeting)
    # The catalogue's builds run the CLI in this process (conftest.run_in_this_process): each is
    # refused in a fraction of a second, less than starting a Python would take. They check with
    # worker processes as an author's build does (serial=False). The tests below run the CLI in a
    # process of its own, as an author does.
    failures = build_refused(partial(run_in_this_process, serial=False), meeting, out, [expected(case, meeting)])
    assert not failures, "\n".join(failures)


def test_problems_in_several_files_are_reported_in_one_run(workspace, panelpapers_cli) -> None:
    meeting, out = workspace
    appendices = P + "appendices.yaml"
    sub(PAPER_YAML, r"^title:", "titel:")(meeting)
    sub(appendices, r"^(\s*)- ref: (.*)$", r"\g<0>\n\1  marking: SECRET")(meeting)
    sub("meeting.yaml", r"^venue:", "venu:")(meeting)
    wants = [
        Expected(PAPER_YAML, "unknown key 'titel'", line_of(_read(meeting / PAPER_YAML), r"^titel:")),
        Expected(
            appendices,
            "expected one of 'OFFICIAL' or 'OFFICIAL-SENSITIVE'",
            line_of(_read(meeting / appendices), r"marking: SECRET"),
        ),
        Expected(
            "meeting.yaml",
            "unknown key 'venu'",
            line_of(_read(meeting / "meeting.yaml"), r"^venu:"),
        ),
    ]
    failures = build_refused(panelpapers_cli, meeting, out, wants)
    assert not failures, "\n".join(failures)


def test_several_problems_in_one_file_are_all_reported(workspace, panelpapers_cli) -> None:
    meeting, out = workspace
    sub(PAPER_YAML, r"^status:.*$", "status: published")(meeting)
    sub(PAPER_YAML, r"^marking:.*$", "marking: SECRET")(meeting)
    paper = _read(meeting / PAPER_YAML)
    wants = [
        Expected(PAPER_YAML, "expected one of 'draft' or 'final'", line_of(paper, r"^status:")),
        Expected(
            PAPER_YAML,
            "expected one of 'OFFICIAL' or 'OFFICIAL-SENSITIVE'",
            line_of(paper, r"^marking:"),
        ),
    ]
    failures = build_refused(panelpapers_cli, meeting, out, wants)
    assert not failures, "\n".join(failures)


def test_several_text_problems_in_one_file_are_all_reported(workspace, panelpapers_cli) -> None:
    meeting, out = workspace
    legal = P + "legal.yaml"
    add_paragraph(legal, "See [x](http://example.org/).")(meeting)
    add_paragraph(legal, "'And {{ ref(\"no-such-label\") }}.'")(meeting)
    text = _read(meeting / legal)
    wants = [
        Expected(legal, "is not allowed: use an https://", line_of(text, "http://")),
        Expected(legal, "unknown paragraph label 'no-such-label'", line_of(text, "no-such-label")),
    ]
    failures = build_refused(panelpapers_cli, meeting, out, wants)
    assert not failures, "\n".join(failures)


def test_text_problems_are_reported_with_problems_in_other_files(workspace, panelpapers_cli) -> None:
    """One run reports everything: a typo in paper.yaml does not hide a bad link in legal.yaml."""
    meeting, out = workspace
    legal = P + "legal.yaml"
    sub(PAPER_YAML, r"^title:", "titel:")(meeting)
    add_paragraph(legal, "See [x](http://example.org/).")(meeting)
    wants = [
        Expected(PAPER_YAML, "unknown key 'titel'", line_of(_read(meeting / PAPER_YAML), r"^titel:")),
        Expected(legal, "is not allowed: use an https://", line_of(_read(meeting / legal), "http://")),
    ]
    failures = build_refused(panelpapers_cli, meeting, out, wants)
    assert not failures, "\n".join(failures)


def test_paths_outside_the_current_folder_are_absolute(workspace, panelpapers_cli) -> None:
    meeting, out = workspace
    elsewhere = meeting.parents[1] / "elsewhere"
    elsewhere.mkdir()
    sub(PAPER_YAML, r"^marking:.*$", "marking: SECRET")(meeting)
    line = line_of(_read(meeting / PAPER_YAML), r"^marking:")
    wants = [Expected(PAPER_YAML, "expected one of 'OFFICIAL' or 'OFFICIAL-SENSITIVE'", line)]
    failures = build_refused(panelpapers_cli, meeting, out, wants, cwd=elsewhere)
    assert not failures, "\n".join(failures)


@pytest.mark.quick
def test_catalogue_is_large_enough() -> None:
    assert len(CASES) >= 24
    assert len({c.id for c in CASES}) == len(CASES)


# --- Good input that looks odd: every value stays the text that was typed -------------------------


@pytest.mark.parametrize(
    ("title", "report_by"),
    [("1.10", "NO"), ("0755", "off"), ("2022-01-17", "null")],
    ids=["1.10-NO", "0755-off", "date-like-title-null"],
)
def test_values_stay_text(title: str, report_by: str, workspace, panelpapers_cli) -> None:
    meeting, out = workspace
    sub(PAPER_YAML, r"^title:.*$", f"title: {title}")(meeting)
    sub(PAPER_YAML, r"^report_by:.*$", f"report_by: {report_by}")(meeting)
    result = panelpapers_cli("build", meeting, "--out", out, cwd=meeting.parents[1])
    assert result.returncode == 0, result.stderr
    html = (out / meeting.name / "restricted" / f"{PAPER}.html").read_text(encoding="utf-8")
    assert f"<title>{title}</title>" in html  # "1.10" alone would match a paragraph number
    assert f"Report by: {report_by}" in html


# --- Several meetings, and folders that are not papers --------------------------------------------


def test_two_meetings_of_one_name_are_refused(workspace, panelpapers_cli) -> None:
    """Two meetings whose folders share a name would be written to one output folder, the second
    over the first: the build says so rather than publish either."""
    meeting, out = workspace
    other = meeting.parents[2] / "elsewhere" / "content" / meeting.name
    shutil.copytree(meeting, other)
    cwd = meeting.parents[2]
    before = snapshot(out)
    result = panelpapers_cli("build", meeting, other, "--out", out, cwd=cwd, timeout=HANG_SECONDS)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    first_shown, other_shown = shown_path(meeting, cwd), shown_path(other, cwd)
    want = (
        f"{other_shown}: another meeting folder of this name is built too ({first_shown}), "
        f"and both would be written to {meeting.name}/"
    )
    assert want in result.stderr.splitlines()[-2], result.stderr
    assert snapshot(out) == before


def test_hidden_folders_and_folders_without_yaml_are_not_papers(workspace, panelpapers_cli) -> None:
    """A hidden folder (an editor's or a tool's) and a folder of pictures are left alone; a folder
    named as papers are, or holding YAML, is taken for a paper missing its paper.yaml."""
    meeting, _ = workspace
    (meeting / ".drafts").mkdir()
    shutil.copyfile(meeting / PAPER / "legal.yaml", meeting / ".drafts" / "legal.yaml")
    (meeting / "pictures").mkdir()
    (meeting / "pictures" / "logo.png").write_bytes(b"\x89PNG")
    result = panelpapers_cli("check", meeting, cwd=meeting.parents[1], timeout=HANG_SECONDS)
    assert result.returncode == 0, result.stderr
    (meeting / "notes").mkdir()
    shutil.copyfile(meeting / PAPER / "legal.yaml", meeting / "notes" / "legal.yaml")
    (meeting / "06-empty").mkdir()
    result = panelpapers_cli("check", meeting, cwd=meeting.parents[1], timeout=HANG_SECONDS)
    assert result.returncode == 1, result.stderr
    stray = sorted(line.split(": ")[0] for line in result.stderr.splitlines() if "without paper.yaml" in line)
    assert stray == [shown_path(meeting / name, meeting.parents[1]) for name in ("06-empty", "notes")]


# --- Workbooks: limits read from the zip directory, and sizes a sheet declares for itself -------


def _sheet_with(parts: dict[str, bytes], old: bytes, new: bytes) -> None:
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert old in sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(old, new)


def test_workbook_parts_that_unpack_far_larger_than_a_spreadsheet_writes_are_refused(tmp_path) -> None:
    """20 MB of padding is within the size limit, but no spreadsheet program packs XML 1,000 times."""
    from panelpapers.data.sources import read_xlsx_rows

    path = tmp_path / "padded.xlsx"
    padding = b" " * 20_000_000
    path.write_bytes(damaged_workbook(lambda parts: _sheet_with(parts, b"<sheetData>", padding + b"<sheetData>")))
    _, _, problems = read_xlsx_rows(path, None)
    assert len(problems) == 1, problems
    assert str(problems[0]).startswith(f"{path}: workbook part xl/worksheets/sheet1.xml unpacks ")
    assert "times larger than it is packed" in problems[0].message


def test_a_sheet_declaring_itself_huge_is_read_as_it_is(tmp_path) -> None:
    """A sheet that declares A1:XFD1048576 would have every row padded to 16,384 cells."""
    from panelpapers.data.sources import read_xlsx_rows

    path = tmp_path / "declared.xlsx"
    path.write_bytes(damaged_workbook(lambda parts: _sheet_with(parts, b'ref="A1:B3"', b'ref="A1:XFD1048576"')))
    header, rows, problems = read_xlsx_rows(path, None)
    assert (header, [row.cells for row in rows], problems) == (
        ["name", "count"],
        [{"name": "alpha", "count": "3"}, {"name": "beta", "count": "4"}],
        [],
    )


def test_a_row_wider_than_the_limit_is_refused_at_its_row(tmp_path) -> None:
    from panelpapers.data.sources import read_xlsx_rows

    path = tmp_path / "wide.xlsx"
    far = b'<c r="ZZZ3" t="n"><v>1</v></c></row></sheetData>'
    path.write_bytes(damaged_workbook(lambda parts: _sheet_with(parts, b"</row></sheetData>", far)))
    _, _, problems = read_xlsx_rows(path, None)
    assert [str(p) for p in problems] == [f"{path}:3: row has 18,278 columns; the limit is 1,000"]


def test_a_stray_folder_added_after_a_build_is_reported_by_the_next_build(tmp_path, panelpapers_cli) -> None:
    """The build cache's fingerprint sees the folder too: a warm cache does not make it a no-op."""
    from conftest import reduced_meeting

    meeting = reduced_meeting(tmp_path / "content", ["04-governance-statement"])
    out = tmp_path / "out"
    first = panelpapers_cli("build", meeting, "--out", out, cwd=tmp_path, timeout=HANG_SECONDS * 3)
    assert first.returncode == 0, first.stderr
    shutil.copytree(meeting / "04-governance-statement", meeting / "05-late-paper")
    (meeting / "05-late-paper" / "paper.yaml").unlink()
    want = Expected("05-late-paper", "a paper folder without paper.yaml; add paper.yaml or remove the folder", None)
    failures = build_refused(panelpapers_cli, meeting, out, [want], cwd=tmp_path)
    assert not failures, "\n".join(failures)


def test_a_paper_folder_numbered_in_other_digits_is_not_a_crash(workspace, panelpapers_cli) -> None:
    """"²4-…" starts with what str.isdigit() calls a digit, but int() cannot read."""
    meeting, _ = workspace
    odd = "\u00b24-governance-statement"
    (meeting / "04-governance-statement").rename(meeting / odd)
    sub("meeting.yaml", r"paper: 04-governance-statement$", f"paper: {odd.encode().decode('latin-1')}")(meeting)
    result = panelpapers_cli("check", meeting, cwd=meeting.parents[1], timeout=HANG_SECONDS)
    assert result.returncode == 0, result.stderr
    assert "3 papers checked, no problems" in result.stdout + result.stderr
