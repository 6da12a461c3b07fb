"""`panelpapers import PAPER.docx content/<meeting>/<NN-name> [--report R.md]`: checks the target
and the Word file, places the paper, writes the folder atomically and adds it to the agenda."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from panelpapers import scaffold
from panelpapers.errors import Location
from panelpapers.load.content import MEETING_FILE
from panelpapers.load.folders import paper_folders
from panelpapers.load.source import load_yaml
from panelpapers.project import find_root, load_project
from panelpapers.wordimport.opening import Unreadable, open_word_file
from panelpapers.wordimport.placing import ImportedPaper, place_paper
from panelpapers.wordimport.reading import read_word_paper
from panelpapers.wordimport.report import report_markdown, summary_lines
from panelpapers.wordimport.writing import data_files, section_files, write_folder


class Refused(Exception):
    """`import` will not write here; the message is one line and nothing was written."""


def import_paper(docx_path: Path, folder: Path, report: Path | None = None) -> tuple[ImportedPaper, list[Path]]:
    """Imports the Word paper into the new paper folder; the placed paper and the files written."""
    meeting_file = _check_target(folder)
    try:
        with open_word_file(docx_path) as archive:
            word = read_word_paper(archive)
    except Unreadable as err:
        raise Refused(str(err)) from None
    except Exception as err:  # python-docx and lxml raise many kinds for a damaged document
        raise Refused(
            f"{docx_path}: the DOCX cannot be read ({type(err).__name__}: {err}); open and save it again in Word"
        ) from None
    house = load_project(folder.parent).house
    panel, date = _meeting(meeting_file)
    paper, held = place_paper(word, house, [name for name in (house.panel, panel) if name])
    if paper.cover.get("meeting") is None and panel is None:
        paper.notes.append("no panel was found on the cover, in the meeting or in panelpapers.yaml")
    root = scaffold.schema_root(folder.parent)
    files: dict[str, bytes] = {}
    for name, text in section_files(paper, house, panel, date, held).items():
        files[name] = (scaffold.modeline(folder / name, root) + text).encode("utf-8")
    files |= data_files(paper)
    for image in paper.images:
        files[image.file] = image.picture.data
    new_meeting_text = scaffold.agenda_with(meeting_file, folder.name)
    report_text = report_markdown(str(docx_path), str(folder), paper)
    write_folder(folder, files)
    written = [folder / name for name in files]
    if new_meeting_text is not None:
        _replace(meeting_file, new_meeting_text)
        written.append(meeting_file)
    if report is not None:
        _replace(report, report_text)
        written.append(report)
    return paper, written


def _check_target(folder: Path) -> Path:
    """The meeting.yaml of the target's meeting, once the target is known to be new, well named and
    inside the content project's content/ folder."""
    if folder.exists() or folder.is_symlink():
        raise Refused(
            f"{Location(folder)}: already exists; import never writes into an existing folder, so nothing was written"
        )
    if scaffold.PAPER_NAME.match(folder.name) is None:
        raise Refused(
            f"{Location(folder)}: a paper folder is named <NN>-<name>, e.g. 05-treasury-management; nothing was written"
        )
    meeting_folder = folder.parent
    root = find_root(meeting_folder) if meeting_folder.exists() else None
    content = (root or Path.cwd()) / scaffold.CONTENT_FOLDER
    if not meeting_folder.resolve().is_relative_to(content.resolve()) or meeting_folder.resolve() == content.resolve():
        raise Refused(
            f"{Location(folder)}: lies outside {Location(content)}/; "
            "import into content/<meeting>/<NN-name>; nothing was written"
        )
    meeting_file = meeting_folder / MEETING_FILE
    if not meeting_file.is_file():
        raise Refused(
            f"{Location(meeting_folder)}: no {MEETING_FILE} here; a paper goes in a meeting folder; nothing was written"
        )
    number = folder.name.partition("-")[0]
    for other in paper_folders(meeting_folder):
        if other.name.partition("-")[0] == number:
            raise Refused(
                f"{Location(folder)}: paper number {number} is already used by '{other.name}'; nothing was written"
            )
    return meeting_file


def _meeting(meeting_file: Path) -> tuple[str | None, str]:
    loaded, problems = load_yaml(meeting_file)
    if loaded is None or not isinstance(loaded.data, dict):
        raise Refused(f"{problems[0] if problems else Location(meeting_file)}: fix it first; nothing was written")
    panel = loaded.data.get("panel")
    date = loaded.data.get("date")
    return (panel if isinstance(panel, str) else None), (date if isinstance(date, str) else "")


def _replace(path: Path, text: str) -> None:
    staging = path.with_name(f".{path.name}.importing")
    staging.write_text(text, encoding="utf-8", newline="\n")
    os.replace(staging, path)


def run_import(args: Any, out: Any) -> int:
    """The command line's `import`: 0 written, 1 refused (one line, nothing written)."""
    try:
        paper, written = import_paper(args.docx, args.folder, args.report)
    except (Refused, scaffold.Refused) as err:  # scaffold's: the agenda cannot take the paper
        print(err, file=sys.stderr)
        return 1
    if paper.other_papers:
        titles = ", ".join(f"“{title}”" for title in [paper.cover.get("title") or "the first", *paper.other_papers])
        print(
            f"{Location(args.docx)}: this Word file holds more than one paper ({titles}); only the first was "
            "imported, the others are listed as not placed in the report; import each paper separately",
            file=sys.stderr,
        )
    for path in written:
        out.detail(f"panelpapers: wrote {Location(path)}")
    out.summary(f"panelpapers: imported {Location(args.docx)} into {Location(args.folder)}, added to the agenda")
    for line in summary_lines(paper):
        out.note(f"panelpapers: {line}")
    return 0
