"""`panelpapers new meeting|paper FOLDER`: writes the skeleton of a meeting or a paper, every file an
author fills in, with comments saying what goes where and placeholder text ("Replace this with …")
that passes `panelpapers check` as it stands. The files are templates (templates/skeletons/, which a
project's own templates/ may override). A new paper is also added to the end of its meeting's agenda,
editing meeting.yaml as YAML with ruamel.yaml, which keeps the clerk's comments, order and layout.

Every file written starts with a modeline pointing the YAML language server at the file's JSON
Schema in the content project's `schemas/` folder (written by `panelpapers schema --out schemas`)."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import textwrap
from pathlib import Path
from typing import Any

import yaml
from jinja2.sandbox import SandboxedEnvironment

from panelpapers.errors import Location
from panelpapers.house import House
from panelpapers.json_schemas import kind_of, schema_file
from panelpapers.load.content import MEETING_FILE
from panelpapers.load.content_format import SECTION_FILES
from panelpapers.load.folders import paper_folders
from panelpapers.load.source import load_yaml, read_text
from panelpapers.project import find_root, load_project
from panelpapers.resources import template_environment

SCHEMAS_FOLDER = "schemas"
CONTENT_FOLDER = "content"
MEETING_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*$")
PAPER_NAME = re.compile(r"^(\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*$")
WIDTH = 100  # the content's line length
COMMENT_COLUMN = 33  # where a comment after a value starts, as in the documentation's examples
PLACEHOLDER_EMAIL = "replace.me@example.org"
SKELETONS = "skeletons"  # the templates' folder of skeleton files


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
    project = load_project(folder.parent if folder.parent.exists() else Path.cwd())
    path = folder / MEETING_FILE
    text = meeting_yaml(date, project.house.panel, project.templates)
    return _write_folder(folder, {path: modeline(path, root) + text})


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
    project = load_project(meeting_folder)
    house = project.house
    panel, date = _meeting_details(meeting_file, house.panel)
    new_meeting_text = agenda_with(meeting_file, folder.name)
    root = schema_root(meeting_folder)
    skeleton = paper_files(house, panel, date, project.templates)
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


def agenda_with(meeting_file: Path, paper: str) -> str | None:
    """meeting.yaml's text with `- paper: <paper>` added to the end of its agenda (None if the agenda
    already names it), edited as YAML that keeps its comments, order and layout (ruamel.yaml)."""
    loaded, problems = load_yaml(meeting_file)  # the content loader's limits: no aliases, no deep nesting
    text, _ = read_text(meeting_file)
    if loaded is None or text is None:
        raise Refused(f"{problems[0]}; fix it first, nothing was written")
    try:
        before = yaml.load(text, Loader=yaml.BaseLoader)
    except yaml.YAMLError:
        raise Refused(f"{Location(meeting_file)}: cannot be read as YAML; run panelpapers check") from None
    if not isinstance(before, dict):
        raise Refused(f"{Location(meeting_file)}: expected a mapping of keys; nothing was written")
    items = before.get("agenda")
    if isinstance(items, list) and any(isinstance(item, dict) and item.get("paper") == paper for item in items):
        return None
    after = add_to_agenda(text, paper)
    expected = {**before, "agenda": [*(items if isinstance(items, list) else []), {"paper": paper}]}
    try:
        ok = after is not None and yaml.load(after, Loader=yaml.BaseLoader) == expected
    except yaml.YAMLError:
        ok = False
    if not ok:
        raise Refused(
            f"{Location(meeting_file)}: cannot add '- paper: {paper}' to this agenda and keep the file's layout "
            "(an agenda that is not a list, lists indented in more than one way, or a flow list over several lines); "
            "add the paper yourself; nothing was written"
        )
    assert after is not None
    return after


# How a meeting.yaml may indent: (mapping, sequence, dash offset) as ruamel.yaml counts them. The first
# that writes the file back exactly as it was is its own; `new meeting` writes the first.
LAYOUTS = ((2, 4, 2), (2, 2, 0), (4, 6, 4), (4, 4, 2), (4, 4, 0))


def add_to_agenda(text: str, paper: str) -> str | None:
    """`text` with `{paper: <paper>}` at the end of its agenda (made, if it has none), every other
    line as it was; None when ruamel.yaml cannot write this file back unchanged (a layout of its own)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    newline = "\r\n" if "\r\n" in text else "\n"
    source = text.replace("\r\n", "\n")
    if source and not source.endswith("\n"):
        source += "\n"
    for layout in LAYOUTS:
        editor = _yaml_editor(layout)
        data = editor.load(source)
        if not isinstance(data, CommentedMap) or _dump(editor, data) != source:
            continue
        agenda = data.get("agenda")
        item = CommentedMap(paper=paper)
        if "agenda" not in data:
            data["agenda"] = CommentedSeq([item])
        elif isinstance(agenda, CommentedSeq):
            if not agenda or agenda.fa.flow_style():
                agenda.fa.set_flow_style()  # `agenda: []` is a flow list, the only empty one YAML has
                _keep_comment_gap(data, len(f"{{paper: {paper}}}") + (2 if agenda else 0))
            else:
                _move_trailing_comment(agenda[-1], item)
            agenda.append(item)
        else:
            return None
        return _dump(editor, data).replace("\n", newline)
    return None


def _yaml_editor(layout: tuple[int, int, int]) -> Any:
    from ruamel.yaml import YAML

    editor = YAML()  # round trip: comments, key order, quoting and flow style kept
    editor.preserve_quotes = True
    editor.width = 4096  # never fold a long line the clerk wrote on one
    editor.brace_single_entry_mapping_in_flow_sequence = True  # [{oral: Apologies}] stays so
    mapping, sequence, offset = layout
    editor.indent(mapping=mapping, sequence=sequence, offset=offset)
    return editor


def _dump(editor: Any, data: Any) -> str:
    out = io.StringIO()
    editor.dump(data, out)
    return out.getvalue()


def _keep_comment_gap(data: Any, added: int) -> None:
    """A comment after a flow agenda on its line moves right by what the new item adds to the line,
    keeping its gap (ruamel.yaml would leave it at its column, or one space after a longer line)."""
    comments = data.ca.items.get("agenda")
    if comments and len(comments) > 2 and comments[2] is not None and comments[2].value.startswith("#"):
        comments[2].column += added


def _move_trailing_comment(last: Any, item: Any) -> None:
    """ruamel.yaml keeps the blank lines and comments after the agenda's last item with that item's
    last value; they move below the new item, so it lands right under the last one, as a clerk adds
    a line. The comment on the last item's own line stays there."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString
    from ruamel.yaml.tokens import CommentToken

    holder, key = None, None
    while isinstance(last, CommentedMap | CommentedSeq) and len(last):
        holder, key = last, (list(last)[-1] if isinstance(last, CommentedMap) else len(last) - 1)
        last = last[key]
    comments = holder.ca.items.get(key) if holder is not None else None
    at = 2 if isinstance(holder, CommentedMap) else 0  # where ruamel.yaml keeps a value's end-of-line comment
    if not comments or len(comments) <= at or comments[at] is None:
        return
    token = comments[at]
    if isinstance(last, LiteralScalarString | FoldedScalarString):
        # A block scalar's text ends its own line, and its blank lines stay with it; a comment just
        # below keeps its column.
        after = token.value.lstrip("\n")
        stays = token.value[: len(token.value) - len(after)]
        after = " " * token.column + after if after.startswith("#") else after
    else:
        own_line, _, after = token.value.partition("\n")
        stays = f"{own_line}\n" if own_line.strip() else ""
    if not after:
        return
    comments[at] = CommentToken(stays, token.start_mark) if stays else None
    item.ca.items["paper"] = [None, None, CommentToken("\n" + after, token.start_mark), None]


# ---- the skeletons ------------------------------------------------------------------------------
# Each file `new` writes is a template in the templates' skeletons/ folder (a project's own templates/
# may override one, as any template), rendered with these filters.


def _scalar(value: str) -> str:
    """`value` as YAML: plain when it reads back as itself, else double-quoted."""
    try:
        plain = "#" not in value and yaml.load(f"k: {value}", Loader=yaml.BaseLoader) == {"k": value}
    except yaml.YAMLError:
        plain = False
    return value if plain else json.dumps(value, ensure_ascii=False)


def _commented(text: str, comment: str) -> str:
    """A line with its comment beside it, or above it when the text reaches the comment column."""
    if len(text) < COMMENT_COLUMN - 1:
        return f"{text.ljust(COMMENT_COLUMN - 1)} # {comment}"
    indent = text[: len(text) - len(text.lstrip())]
    return f"{indent}# {comment}\n{text}"


def _entry(text: str, indent: str = "  ") -> str:
    """A list entry of text, wrapped as the examples are (a plain scalar runs on over lines)."""
    value = _scalar(text)
    if value != text:
        return f"{indent}- {value}"
    return "\n".join(textwrap.wrap(text, width=WIDTH, initial_indent=f"{indent}- ", subsequent_indent=f"{indent}  "))


def _skeletons(templates: Path | None) -> SandboxedEnvironment:
    environment = template_environment(templates)
    environment.autoescape = False  # YAML, not HTML: values go through the `scalar` and `entry` filters
    environment.keep_trailing_newline = True
    environment.filters.update(scalar=_scalar, commented=_commented, entry=_entry)
    return environment


def meeting_yaml(date: dt.date, house_panel: str | None = None, templates: Path | None = None) -> str:
    """meeting.yaml of a new meeting, without the modeline. `templates`: the project's own, if any."""
    template = _skeletons(templates).get_template(f"{SKELETONS}/{MEETING_FILE}.j2")
    return template.render(date=date.isoformat(), house_panel=house_panel, placeholder_email=PLACEHOLDER_EMAIL)


def paper_files(house: House, panel: str, date: dt.date, templates: Path | None = None) -> dict[str, str]:
    """Every mandatory file of a paper (SECTION_FILES), as text, without the modeline."""
    environment = _skeletons(templates)
    context: dict[str, Any] = {
        "panel": panel,
        "house_panel": house.panel,
        "date": date.isoformat(),
        "organisations": [masthead.organisation for masthead in house.organisations],
        "markings": list(house.labels),
        "marking": house.labels[0],
        "summary_parts": house.summary_parts,
        "lead": house.wording.recommendations_lead,
        "placeholder_email": PLACEHOLDER_EMAIL,
    }
    sections = dict(house.implication_sections)
    texts = {}
    for name in SECTION_FILES:
        if name in sections:
            extra = {"topic": name.removesuffix(".yaml"), "title": sections[name]}
            texts[name] = environment.get_template(f"{SKELETONS}/implications.yaml.j2").render(context, **extra)
        else:
            texts[name] = environment.get_template(f"{SKELETONS}/{name}.j2").render(context)
    return texts
