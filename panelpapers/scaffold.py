"""`panelpapers new meeting|paper FOLDER`: writes the skeleton of a meeting or a paper, every file an
author fills in, with comments saying what goes where and placeholder text ("Replace this with …")
that passes `panelpapers check` as it stands. A new paper is also added to its meeting's agenda, by
appending one line to meeting.yaml, so the clerk's comments and layout are kept.

Every file written starts with a modeline pointing the YAML language server at the file's JSON
Schema in the content project's `schemas/` folder (written by `panelpapers schema --out schemas`)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import textwrap
from pathlib import Path
from typing import Any

import yaml

from panelpapers.errors import Location
from panelpapers.house import House
from panelpapers.load.content import MEETING_FILE
from panelpapers.load.folders import paper_folders
from panelpapers.load.schema import SECTION_FILES
from panelpapers.load.source import load_yaml, read_text
from panelpapers.project import find_root, load_project
from panelpapers.schemas import kind_of, schema_file

SCHEMAS_FOLDER = "schemas"
CONTENT_FOLDER = "content"
MEETING_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*$")
PAPER_NAME = re.compile(r"^(\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*$")
WIDTH = 100  # the content's line length
COMMENT_COLUMN = 33  # where a comment after a value starts, as in the documentation's examples
PLACEHOLDER_EMAIL = "replace.me@example.org"


class BadName(ValueError):
    """The folder named on the command line does not follow the naming pattern (a usage error)."""


class Refused(Exception):
    """`new` will not write here; the message is one line and nothing was written."""


def schema_root(start: Path) -> Path:
    """The content project's root, where `schemas/` lives: the folder with panelpapers.yaml at or
    above `start`; failing that the nearest one holding a `content/` folder; failing that the
    current folder."""
    folder = start.resolve()
    root = find_root(folder)
    if root is not None:
        return root
    for candidate in (folder, *folder.parents):
        if (candidate / CONTENT_FOLDER).is_dir():
            return candidate
    return Path.cwd()


def modeline(file: Path, root: Path) -> str:
    """`# yaml-language-server: $schema=<path of the file kind's schema, relative to the file>`."""
    kind = kind_of(file.name)
    assert kind is not None, file.name
    target = os.path.relpath(root.resolve() / SCHEMAS_FOLDER / schema_file(kind), file.parent.resolve())
    return f"# yaml-language-server: $schema={Path(target).as_posix()}\n"


def new_meeting(folder: Path) -> list[Path]:
    """Writes `folder`/meeting.yaml; `folder` is named <YYYY-MM-DD>-<name>. The files written."""
    match = MEETING_NAME.match(folder.name)
    if match is None:
        raise BadName(
            f"meeting folder name '{folder.name}' should be <YYYY-MM-DD>-<name>, e.g. 2022-04-04-audit-panel "
            "(the name in lower-case letters, digits and hyphens)"
        )
    date = _date(match.group(1), f"meeting folder name '{folder.name}'")
    _refuse_existing(folder)
    root = schema_root(folder.parent if folder.parent.exists() else Path.cwd())
    house = load_project(folder.parent if folder.parent.exists() else Path.cwd()).house
    path = folder / MEETING_FILE
    return _write_folder(folder, {path: modeline(path, root) + meeting_yaml(date, house.panel)})


def new_paper(folder: Path) -> list[Path]:
    """Writes every section file of a paper in `folder` (named <NN>-<name>, inside a meeting folder)
    and adds the paper to the end of the meeting's agenda. The files written, meeting.yaml last."""
    match = PAPER_NAME.match(folder.name)
    if match is None:
        raise BadName(
            f"paper folder name '{folder.name}' should be <NN>-<name>, e.g. 05-treasury-management "
            "(two digits, then lower-case letters, digits and hyphens)"
        )
    meeting_folder = folder.parent
    meeting_file = meeting_folder / MEETING_FILE
    if not meeting_file.is_file():
        raise Refused(
            f"{Location(meeting_folder)}: no {MEETING_FILE} here; a paper goes in a meeting folder "
            "(make one with: panelpapers new meeting content/<YYYY-MM-DD>-<name>)"
        )
    _refuse_existing(folder)
    number = match.group(1)
    for other in paper_folders(meeting_folder):
        if other.name.partition("-")[0] == number:
            used = f"paper number {number} is already used by '{other.name}'"
            raise Refused(f"{Location(folder)}: {used}; choose another, nothing was written")
    house = load_project(meeting_folder).house
    panel, date = _meeting_details(meeting_file, house.panel)
    new_meeting_text = _agenda_with(meeting_file, folder.name)
    root = schema_root(meeting_folder)
    skeleton = paper_files(house, panel, date)
    files = {folder / name: modeline(folder / name, root) + text for name, text in skeleton.items()}
    written = _write_folder(folder, files)
    if new_meeting_text is not None:
        _replace_text(meeting_file, new_meeting_text)
        written.append(meeting_file)
    return written


def _date(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadName(f"{what}: '{text}' is not a date (YYYY-MM-DD)") from None


def _refuse_existing(folder: Path) -> None:
    if folder.exists() or folder.is_symlink():
        raise Refused(f"{Location(folder)}: already exists; `new` never overwrites, so nothing was written")


def _write_folder(folder: Path, files: dict[Path, str]) -> list[Path]:
    """Makes `folder` (which must not exist) and writes `files` into it; on failure takes it away."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir()
    except FileExistsError:
        raise Refused(f"{Location(folder)}: already exists; nothing was written") from None
    try:
        for path, text in files.items():
            path.write_text(text, encoding="utf-8", newline="\n")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return list(files)


def _replace_text(path: Path, text: str) -> None:
    """Rewrites `path` whole (through a file beside it, so a crash leaves the old one), keeping a BOM."""
    bom = "\ufeff" if path.read_bytes().startswith(b"\xef\xbb\xbf") else ""
    staging = path.with_name(f".{path.name}.new")
    staging.write_bytes((bom + text).encode("utf-8"))
    os.replace(staging, path)


# ---- reading the meeting ----------------------------------------------------------------------


def _meeting_details(meeting_file: Path, house_panel: str | None) -> tuple[str, dt.date]:
    """The panel's name (the meeting's, else the house's) and the meeting's date, for the new paper.yaml."""
    loaded, problems = load_yaml(meeting_file)
    if loaded is None:
        raise Refused(f"{problems[0]}; fix it first, nothing was written")
    data = loaded.data if isinstance(loaded.data, dict) else {}
    panel, date = data.get("panel", house_panel), data.get("date")
    if not isinstance(panel, str) or not panel.strip():
        where = loaded.location(("panel",))
        raise Refused(f"{where}: the meeting needs a 'panel' for the paper to copy; nothing was written")
    try:
        return panel.strip(), dt.date.fromisoformat(date.strip() if isinstance(date, str) else "")
    except ValueError:
        where = loaded.location(("date",))
        needs = "the meeting needs a 'date' as YYYY-MM-DD for the paper to copy"
        raise Refused(f"{where}: {needs}; nothing was written") from None


def _agenda_with(meeting_file: Path, paper: str) -> str | None:
    """meeting.yaml's text with `- paper: <paper>` added to the end of its agenda (None if the agenda
    already names it)."""
    text, problems = read_text(meeting_file)
    if text is None:
        raise Refused(f"{problems[0]}; fix it first, nothing was written")
    try:
        before = yaml.load(text, Loader=yaml.BaseLoader)
        agenda = _agenda_node(yaml.compose(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        raise Refused(f"{Location(meeting_file)}: cannot be read as YAML; run panelpapers check") from None
    if not isinstance(before, dict):
        raise Refused(f"{Location(meeting_file)}: expected a mapping of keys; nothing was written")
    items = before.get("agenda")
    if isinstance(items, list) and any(isinstance(item, dict) and item.get("paper") == paper for item in items):
        return None
    after = add_to_agenda(text, agenda, paper)
    expected = {**before, "agenda": [*(items if isinstance(items, list) else []), {"paper": paper}]}
    try:
        ok = yaml.load(after, Loader=yaml.BaseLoader) == expected
    except yaml.YAMLError:
        ok = False
    if not ok:
        raise Refused(
            f"{Location(meeting_file)}: cannot add '- paper: {paper}' to this agenda by itself; "
            "write the agenda as one '- ' line per item, or add the paper yourself; nothing was written"
        )
    return after


def _agenda_node(root: Any) -> Any:
    if not isinstance(root, yaml.MappingNode):
        return None
    found = (value for key, value in root.value if isinstance(key, yaml.ScalarNode) and key.value == "agenda")
    return next(found, None)


def add_to_agenda(text: str, agenda: Any, paper: str) -> str:
    """Adds the agenda item textually: after the last item of a block list (at its indent), inside
    the brackets of a flow list, or as a new `agenda:` at the end when there is none."""
    newline = "\r\n" if "\r\n" in text else "\n"
    if agenda is None:
        start = "" if not text or text.endswith("\n") else newline
        return f"{text}{start}agenda:{newline}  - paper: {paper}{newline}"
    if not isinstance(agenda, yaml.SequenceNode):
        return text  # an agenda that is not a list: the caller's check refuses
    if agenda.flow_style:
        close = text.rindex("]", 0, agenda.end_mark.index)
        separator = ", " if agenda.value else ""
        return f"{text[:close]}{separator}{{paper: {paper}}}{text[close:]}"
    if not agenda.value:
        return text
    end = _end_of(agenda.value[-1])
    if end > 0 and text[end - 1] == "\n":
        at = end
    else:
        line_end = text.find("\n", end)
        at = len(text) if line_end < 0 else line_end + 1
    start = "" if at == 0 or text[at - 1] == "\n" else newline
    line = " " * agenda.start_mark.column + f"- paper: {paper}"
    return f"{text[:at]}{start}{line}{newline}{text[at:]}"


def _end_of(node: Any) -> int:
    """Where the text of a node ends: its last scalar or flow collection."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        return int(node.end_mark.index)
    if isinstance(node, yaml.SequenceNode):
        return max((_end_of(item) for item in node.value), default=int(node.start_mark.index))
    if isinstance(node, yaml.MappingNode):
        return max((_end_of(part) for pair in node.value for part in pair), default=int(node.start_mark.index))
    return int(node.end_mark.index)


# ---- the skeletons ------------------------------------------------------------------------------


def _scalar(value: str) -> str:
    """`value` as YAML: plain when it reads back as itself, else double-quoted."""
    try:
        plain = "#" not in value and yaml.load(f"k: {value}", Loader=yaml.BaseLoader) == {"k": value}
    except yaml.YAMLError:
        plain = False
    return value if plain else json.dumps(value, ensure_ascii=False)


def _line(text: str, comment: str = "") -> str:
    """A line with its comment beside it, or above it when the text reaches the comment column."""
    if not comment:
        return f"{text}\n"
    if len(text) < COMMENT_COLUMN - 1:
        return f"{text.ljust(COMMENT_COLUMN - 1)} # {comment}\n"
    indent = text[: len(text) - len(text.lstrip())]
    return f"{indent}# {comment}\n{text}\n"


def _entry(text: str, indent: str = "  ") -> str:
    """A list entry of text, wrapped as the examples are (a plain scalar runs on over lines)."""
    value = _scalar(text)
    if value != text:
        return f"{indent}- {value}\n"
    lines = textwrap.wrap(text, width=WIDTH, initial_indent=f"{indent}- ", subsequent_indent=f"{indent}  ")
    return "".join(line + "\n" for line in lines)


def _choices(words: list[str]) -> str:
    return " | ".join(words)


def meeting_yaml(date: dt.date, house_panel: str | None = None) -> str:
    panel = (
        _line(f"# panel: {house_panel}", "from panelpapers.yaml; give another panel's name here if it differs")
        if house_panel
        else _line("panel: Replace this with the panel's name", "The panel's name: `new paper` copies it to paper.yaml")
    )
    return "".join(
        [
            "# The meeting: what the agenda front sheet prints. Replace every \"Replace this with …\" and the\n",
            "# example values. Keys and their forms: docs/pack.md in panelpapers.\n",
            "\n",
            panel,
            _line(f"date: {date.isoformat()}", "from the folder name; every paper.yaml carries the same date"),
            _line('time: "10:00"', "24-hour, quoted"),
            _line("venue: Replace this with where the panel meets", "A room and address, or Microsoft Teams"),
            _line("membership:", "the panel's members, in the order printed"),
            _line("  - name: Replace this with the Chair's name"),
            _line("    role: Chair", "optional: shown in brackets after the name"),
            _line("  - name: Replace this with a member's name"),
            _line("attendees: []", "optional: officers attending, grouped by organisation:"),
            "#  - organisation: Finance\n",
            '#    people: ["A. Person, Chief Finance Officer"]   # quote text with a comma\n',
            _line("audit_representatives: []", "optional: auditors attending, e.g. [\"A. Person, Audit Manager\"]"),
            _line("contact:", "the clerk named on the front sheet"),
            _line("  name: Replace this with the clerk's name"),
            _line(f"  email: {PLACEHOLDER_EMAIL}"),
            _line("# next_meeting: YYYY-MM-DD", "optional: the date of the next meeting"),
            "\n",
            "# The agenda, numbered 1, 2, … in this order. Each item is '- oral: <title>' or '- paper: <folder>'\n",
            "# (a paper folder of this meeting), either with an optional 'presenter:' line below it.\n",
            "# `panelpapers new paper` adds each new paper at the end: move its line where it belongs, and\n",
            "# add closing items such as '- oral: Any other business' once the papers are in.\n",
            "agenda:\n",
            "  - oral: Apologies for absence\n",
        ]
    )


def paper_files(house: House, panel: str, date: dt.date) -> dict[str, str]:
    """Every mandatory file of a paper (SECTION_FILES), as text, without the modeline."""
    texts = {
        "paper.yaml": _paper_yaml(house, panel, date),
        "summary.yaml": _summary_yaml(house),
        "recommendations.yaml": _recommendations_yaml(house),
        "supporting.yaml": _supporting_yaml(),
        "contact.yaml": _contact_yaml(),
        "appendices.yaml": _appendices_yaml(house),
    }
    for file, title in house.implication_sections:
        texts[file] = _implications_yaml(file, title)
    missing = [name for name in SECTION_FILES if name not in texts]
    assert not missing, f"no skeleton for {missing}"
    return {name: texts[name] for name in SECTION_FILES}


def _paper_yaml(house: House, panel: str, date: dt.date) -> str:
    organisations = [masthead.organisation for masthead in house.organisations]
    markings = list(house.labels)
    return "".join(
        [
            "# The paper's cover. Every file in this folder is mandatory; a section with nothing to say says\n",
            "# so in words. The content format: docs/content-format.md in panelpapers. Tables, charts and\n",
            "# figures from data go in an optional data.yaml (docs/data.md).\n",
            "\n",
            _line("title: Replace this with the paper's title"),
            (
                _line(f"# meeting: {panel}", "the panel, from panelpapers.yaml")
                if panel == house.panel
                else _line(f"meeting: {_scalar(panel)}", "the panel, from meeting.yaml")
            ),
            _line(f"date: {date.isoformat()}", "the meeting's date, from meeting.yaml (they must agree)"),
            _line("report_by: Replace this with the job title of the officer reporting"),
            _line(f"organisation: {_scalar(organisations[0])}", f"{_choices(organisations)}   (chooses the masthead)"),
            _line(f"marking: {_scalar(markings[0])}", f"{_choices(markings)}   (the paper's highest)"),
            _line("status: draft", "draft | final"),
            _line("# contents: true", "optional: a contents page after the summary, for a long paper"),
        ]
    )


def _summary_yaml(house: House) -> str:
    lines = [
        "# The summary on the paper's first page: three parts, each a list of paragraphs. An entry may\n",
        "# instead be a bulleted list:\n",
        "#   - bullets:\n",
        "#       - the first point\n",
        "#       - the second point\n",
        "\n",
    ]
    placeholders = {
        "purpose": "Replace this with what the report is for and what it covers.",
        "key_considerations": "Replace this with what the Panel most needs to weigh.",
        "interdependencies": "Replace this with links to other work, papers or risks, or say that there are none.",
    }
    for key, title in house.summary_parts:
        lines.append(_line(f"{key}:", f"under the heading \"{title}\""))
        lines.append(_entry(placeholders.get(key, "Replace this with the text of this part.")))
    return "".join(lines)


def _recommendations_yaml(house: House) -> str:
    return "".join(
        [
            "# What the Panel is asked to do, lettered a., b., … under a lead-in line.\n",
            "\n",
            _line(f"# lead: {_scalar(house.wording.recommendations_lead)}", "optional: this is the default"),
            _line("items:", "at least one"),
            "  - Replace this with what the Panel is asked to do, for example to note the report.\n",
        ]
    )


def _supporting_yaml() -> str:
    return "".join(
        [
            "# The body of the paper: numbered sections (1., 2., …), each of groups of paragraphs, each group\n",
            "# with an optional heading. Paragraphs are numbered for you (1.1, 1.2, … across a section's groups).\n",
            "\n",
            "sections:\n",
            "  - title: Replace this with the section's title\n",
            "    groups:\n",
            "      - paragraphs:\n",
            "          - Replace this with the first paragraph of the section.\n",
            "          - Replace this with the next paragraph, or delete it.\n",
            "      # - heading: A heading over the next group of paragraphs\n",
            "      #   paragraphs:\n",
            '      #     - lead: "Bold lead-in:"\n',
            "      #       text: The paragraph's text.\n",
            "      #       label: a-label        # so other text can say {{ ref(\"a-label\") }}\n",
            "      #       items: [a sub-item, another]   # lettered a), b), …\n",
            "      #     - table: a_table_from_data_yaml\n",
            "      #     - chart: a_chart_from_data_yaml\n",
            "      #     - image: images/a-diagram.svg   # PNG, JPEG or SVG in this paper's folder\n",
            "      #       alt: What the diagram shows, for a reader who cannot see it.\n",
            "      #   groups:                   # headings one level down, under this one\n",
            "      #     - heading: A sub-heading\n",
            "      #       paragraphs: [A paragraph.]\n",
        ]
    )


def _implications_yaml(file: str, title: str) -> str:
    topic = file.removesuffix(".yaml")
    text = (
        f"Replace this with the {topic} implications of what the report proposes, or say that there are "
        f"none, for example that there are no direct {topic} implications arising from this report."
    )
    return "".join(
        [
            f"# The section \"{title}\", numbered after the supporting sections.\n",
            "# It is never left out: with nothing to say, say so in words.\n",
            "\n",
            _line("paragraphs:", "a list of paragraphs (or '- bullets: [ … ]'); at least one"),
            _entry(text),
        ]
    )


def _contact_yaml() -> str:
    return "".join(
        [
            "# Who to contact about the paper; the first contact is the report's author.\n",
            "\n",
            "contacts:\n",
            _line("  - role: Report author"),
            _line("    name: Replace this with the author's name"),
            _line("    team: Replace this with the author's team", "optional"),
            _line(f"    email: {PLACEHOLDER_EMAIL}", "optional"),
            _line("    # phone: 020 0000 0000", "optional"),
        ]
    )


def _appendices_yaml(house: House) -> str:
    return "".join(
        [
            "# The paper's appendices and background papers; either list may stay empty.\n",
            "\n",
            _line("appendices: []", "none yet; each one is written like this:"),
            _line("#  - ref: A", "named \"Appendix A\" in the paper"),
            "#    title: The appendix's title\n",
            _line(f"#    marking: {house.labels[0]}", "optional: default the paper's marking"),
            _line("#    content:", "optional: printed after the paper's body, from a new page"),
            "#      - A paragraph of text.\n",
            "#      - heading: A heading within the appendix\n",
            "#      - bullets: [a point, another point]\n",
            "#      - table: a_table_from_data_yaml\n",
            _line("background_papers: []", "titles of background papers, if any: [\"A title, June 2022\"]"),
        ]
    )
