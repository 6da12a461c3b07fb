"""The content project: a folder with panelpapers.yaml (its house style) at its root and content/
beside it, found as git finds .git, by looking up from a folder. Its own `templates/` folder, if it
has one, overrides the packaged templates file by file, reference.docx included. Content outside any
project is built in the built-in house style."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from panelpapers.errors import ContentError, Location, Problem
from panelpapers.house import DEFAULT_HOUSE, House

CONTENT_FOLDER = "content"
HOUSE_STYLE_FILE = "panelpapers.yaml"  # load/house_style.py's, named here so finding a project loads no schema
TEMPLATES_FOLDER = "templates"
# Set to "refuse" (or `--no-paper-python`), no paper's data/tables.py runs, whatever panelpapers.yaml
# allows: for builds of content from people the house does not trust, such as pull requests from forks.
PAPER_PYTHON_ENV = "PANELPAPERS_PAPER_PYTHON"
PAPER_PYTHON_REFUSE = "refuse"
# The day a build publishes as of (`--as-of`, YYYY-MM-DD), releasing withheld items due by then.
AS_OF_ENV = "PANELPAPERS_AS_OF"
# The corrections a publish builds with: a JSON object, paper folder name (or "agenda") -> its note.
CORRECTIONS_ENV = "PANELPAPERS_CORRECTIONS"


@dataclass(frozen=True)
class Project:
    root: Path | None  # the folder holding panelpapers.yaml; None outside any project
    house: House

    @property
    def templates(self) -> Path | None:
        """The project's own templates, searched before the packaged ones."""
        if self.root is None or not (self.root / TEMPLATES_FOLDER).is_dir():
            return None
        return self.root / TEMPLATES_FOLDER

    @property
    def content(self) -> Path:
        return (self.root or Path.cwd()) / CONTENT_FOLDER


def default_folders() -> tuple[Path, Path]:
    """The content and build folders of the project the current folder lies in (outside any project:
    ./content and ./build), named relative to the current folder where they can be."""
    root = find_root(Path.cwd()) or Path.cwd()
    return _from_here(root / CONTENT_FOLDER), _from_here(root / "build")


def _from_here(path: Path) -> Path:
    try:
        return Path(os.path.relpath(path))
    except ValueError:  # another drive
        return path


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding panelpapers.yaml."""
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / HOUSE_STYLE_FILE).is_file():
            return candidate
    return None


def load_project(start: Path) -> Project:
    """The project `start` lies in, its house style loaded and checked; raises ContentError with every
    problem of a broken panelpapers.yaml."""
    from panelpapers.load.house_style import load_house_style

    root = find_root(start)
    if root is None:
        return Project(None, as_of_if_asked(refuse_paper_python_if_asked(DEFAULT_HOUSE)))
    house, problems = load_house_style(root / HOUSE_STYLE_FILE)
    if house is None:
        raise ContentError(problems)
    return Project(root, as_of_if_asked(refuse_paper_python_if_asked(house)))


def corrections_asked() -> dict[str, str]:
    """The version notes `panelpapers publish` asks this build to print, by paper folder name."""
    import json

    text = os.environ.get(CORRECTIONS_ENV, "")
    notes = json.loads(text) if text else {}
    if not isinstance(notes, dict) or not all(isinstance(v, str) for v in notes.values()):
        raise ContentError([Problem(Location(Path(CORRECTIONS_ENV)), "expected a JSON object of notes; unset it")])
    return notes


def as_of_if_asked(house: House) -> House:
    """The house, publishing as of the day the environment names (the CLI's --as-of sets it), with
    the corrections `publish` asks for."""
    import datetime as dt

    corrections = tuple(sorted(corrections_asked().items()))
    if corrections:
        house = replace(house, corrections=corrections)
    text = os.environ.get(AS_OF_ENV, "")
    if not text:
        return house
    try:
        return replace(house, as_of=dt.date.fromisoformat(text))
    except ValueError:
        raise ContentError(
            [Problem(Location(Path(AS_OF_ENV)), f"expected a date as YYYY-MM-DD, got '{text}'; set it to one")]
        ) from None


def refuse_paper_python_if_asked(house: House) -> House:
    """The house, with papers' Python refused if the environment says so (the CLI's --no-paper-python
    sets it), whatever panelpapers.yaml allows. Read here, in the build's own process, once."""
    if os.environ.get(PAPER_PYTHON_ENV) == PAPER_PYTHON_REFUSE:
        return replace(house, paper_python="refused here")
    return house


def project_of(paths: list[Path]) -> Project:
    """The one project every path to build lies in."""
    roots = {find_root(path if path.is_dir() else path.parent) for path in paths} or {find_root(Path.cwd())}
    if len(roots) > 1:
        named = ", ".join(str(root) if root else "(none)" for root in roots)
        raise ContentError(
            [Problem(Location(paths[0]), f"these folders belong to different content projects: {named}")]
        )
    start = paths[0] if paths else Path.cwd()
    return load_project(start if start.is_dir() else start.parent)
