"""Finds meetings and papers under a content folder and loads every file of them, validated."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from panelpapers.errors import Location, Problem
from panelpapers.house import DEFAULT_HOUSE, House
from panelpapers.load.boundary import outside_project
from panelpapers.load.content_format import SECTION_FILES, MeetingFile, Spec, validate
from panelpapers.load.folders import PAPER_FILE, paper_folders, stray_folders
from panelpapers.load.source import YamlFile, load_yaml

MEETING_FILE = "meeting.yaml"
OPTIONAL_FILES = ("data.yaml",)  # read by paper_data.py: tables, charts and figures (docs/data.md)


@dataclass
class PaperSource:
    folder: Path
    files: dict[str, YamlFile] = field(default_factory=dict)
    specs: dict[str, Any] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return len(self.specs) == len(SECTION_FILES)


@dataclass
class MeetingSource:
    folder: Path
    file: YamlFile | None
    spec: MeetingFile | None
    papers: list[PaperSource]


def load_paper(folder: Path, house: House = DEFAULT_HOUSE) -> tuple[PaperSource, list[Problem]]:
    source = PaperSource(folder)
    problems = links_out_of_project(folder)
    if problems:
        return source, problems
    for name, model in SECTION_FILES.items():
        path = folder / name
        if not path.is_file():
            problems.append(Problem(Location(path), _missing_file_message(name)))
            continue
        loaded, found = load_yaml(path)
        problems.extend(found)
        if loaded is None:
            continue
        spec, found = validate(loaded, model, house)
        problems.extend(found)
        source.files[name] = loaded
        if spec is not None:
            source.specs[name] = spec
    for path in sorted(folder.glob("*.y*ml")):
        if path.name not in SECTION_FILES and path.name not in OPTIONAL_FILES:
            near = difflib.get_close_matches(path.name, list(SECTION_FILES), n=1)
            hint = f"; did you mean '{near[0]}'?" if near else f"; expected one of: {', '.join(SECTION_FILES)}"
            problems.append(Problem(Location(path), f"unknown section file '{path.name}'{hint}"))
    return source, problems


def links_out_of_project(folder: Path) -> list[Problem]:
    """The paper folder, or any file or folder in it, that is a link leading out of the project: all
    of them refused before anything of the paper is read."""
    outside = outside_project(folder)
    if outside is not None:
        return [outside]
    found = (outside_project(path) for path in sorted(folder.rglob("*")) if path.is_symlink())
    return [problem for problem in found if problem is not None]


def _missing_file_message(name: str) -> str:
    if name in ("equality.yaml", "financial.yaml", "legal.yaml", "risk.yaml"):
        topic = name.removesuffix(".yaml")
        return (
            f"missing section file '{name}': every paper states its {topic} implications, "
            f"even if only \"There are no direct {topic} implications.\""
        )
    return f"missing section file '{name}' (see `panelpapers docs content-format`)"


def load_meeting(folder: Path, house: House = DEFAULT_HOUSE) -> tuple[MeetingSource, list[Problem]]:
    problems: list[Problem] = []
    spec: Spec | None = None
    loaded, found = load_yaml(folder / MEETING_FILE)
    problems.extend(found)
    if loaded is not None:
        spec, found = validate(loaded, MeetingFile, house)
        problems.extend(found)
    papers: list[PaperSource] = []
    for paper_folder in paper_folders(folder):
        paper, found = load_paper(paper_folder, house)
        papers.append(paper)
        problems.extend(found)
    problems.extend(
        Problem(Location(stray), f"a paper folder without {PAPER_FILE}; add {PAPER_FILE} or remove the folder")
        for stray in stray_folders(folder)
    )
    meeting = MeetingSource(folder, loaded, spec if isinstance(spec, MeetingFile) else None, papers)
    return meeting, problems


def find_targets(paths: list[Path]) -> tuple[list[Path], list[Path], list[Problem]]:
    """Splits the paths named on the command line into meeting folders and single paper folders."""
    meetings: list[Path] = []
    papers: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if (path / MEETING_FILE).is_file():
            meetings.append(path)
        elif (path / PAPER_FILE).is_file():
            papers.append(path)
        elif path.is_dir():
            found = sorted(p.parent for p in path.glob(f"*/{MEETING_FILE}"))
            if not found:
                problems.append(Problem(Location(path), f"no {MEETING_FILE} or {PAPER_FILE} found here"))
            meetings.extend(found)
        else:
            problems.append(Problem(Location(path), "no such folder; name a meeting or a paper folder"))
    meetings = _distinct(meetings)
    in_meetings = {meeting.resolve() for meeting in meetings}
    papers = [paper for paper in _distinct(papers) if paper.parent.resolve() not in in_meetings]
    problems.extend(_sharing_an_output_folder(meetings, papers))
    return meetings, papers, problems


def _distinct(folders: list[Path]) -> list[Path]:
    """A folder named twice (or by two paths) is built once."""
    seen: dict[Path, Path] = {}
    for folder in folders:
        seen.setdefault(folder.resolve(), folder)
    return list(seen.values())


def _sharing_an_output_folder(meetings: list[Path], papers: list[Path]) -> list[Problem]:
    """A meeting is built into an output folder of its folder's name (a paper built on its own, into
    its meeting's): two meeting folders of one name from different places would overwrite each other."""
    problems: list[Problem] = []
    first: dict[str, Path] = {}
    for meeting in [*meetings, *(paper.parent for paper in papers)]:
        seen = first.setdefault(meeting.name, meeting)
        if seen.resolve() != meeting.resolve():
            problems.append(
                Problem(
                    Location(meeting),
                    f"another meeting folder of this name is built too ({Location(seen)}), and both would be "
                    f"written to {meeting.name}/; build them one at a time, into different output folders",
                )
            )
    return problems
